//! The text of one chained line: building it (with its MAC) and reading it
//! back.

use serde::{Deserialize, Serialize};

use super::key::LineMac;
use crate::audit::AuditRecord;
use crate::audit::cap::{MAX_LINE_BYTES, write_within_budget};

/// The `format` named by every file's start record.
pub const FORMAT_NAME: &str = "agent-runtime/audit-chain";
/// The `version` of that format this runtime writes and reads.
pub const FORMAT_VERSION: u32 = 2;

/// The `prev` of the start record: no line came before it.
pub(super) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const HASH_PREFIX: &[u8] = b",\"hash\":\"";
const HASH_HEX_LEN: usize = 64;
/// `,"hash":"` + 64 hex digits + `"}`.
const HASH_SUFFIX_LEN: usize = HASH_PREFIX.len() + HASH_HEX_LEN + 2;

/// The kinds of line a chained file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LineKind {
    /// The first line: format, key id, keyed or not, creation time.
    Start,
    /// An audit record.
    Record,
    /// A seal: the writer vouches that the chain ended here at this time.
    Seal(SealReason),
    /// A writer reopened the file after its previous end.
    Resume,
    /// A writer reopened the file and sealed off a torn end.
    Torn,
}

/// Why a seal record was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealReason {
    /// The server stopped cleanly ([`crate::audit::AuditSink::seal`]).
    Stop,
    /// The seal interval passed with records appended since the last seal.
    Interval,
}

impl SealReason {
    /// The name written in the file: `stop` or `interval`.
    pub fn as_str(self) -> &'static str {
        match self {
            SealReason::Stop => "stop",
            SealReason::Interval => "interval",
        }
    }
}

/// How a chain (or one writer's segment of it) ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainEnd {
    /// With a seal written at a clean stop: nothing was cut after it.
    StopSeal,
    /// With a seal written on the interval, but no stop seal after it: the
    /// writer is running and idle, was killed after that seal, or the
    /// file was cut exactly there.
    IntervalSeal,
    /// With lines after the last seal: the writer is running, died, or the
    /// file was cut; whatever came after those lines cannot be shown.
    Unsealed,
}

impl ChainEnd {
    pub(super) fn after(last: Option<LineKind>) -> Self {
        match last {
            Some(LineKind::Seal(SealReason::Stop)) => ChainEnd::StopSeal,
            Some(LineKind::Seal(SealReason::Interval)) => ChainEnd::IntervalSeal,
            _ => ChainEnd::Unsealed,
        }
    }

    /// The name a `resume` record writes: `stop_seal`, `interval_seal` or
    /// `unsealed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChainEnd::StopSeal => "stop_seal",
            ChainEnd::IntervalSeal => "interval_seal",
            ChainEnd::Unsealed => "unsealed",
        }
    }
}

/// What a line says besides its position in the chain.
pub(super) enum LineBody<'a> {
    Start {
        key_id: Option<&'a str>,
        time_ms: u64,
    },
    Record(&'a AuditRecord),
    Seal {
        reason: SealReason,
        time_ms: u64,
    },
    Resume {
        previous_end: ChainEnd,
        time_ms: u64,
    },
    Torn {
        after_seq: u64,
        torn_bytes: u64,
        torn_lines: u64,
        torn_sha256: &'a str,
        time_ms: u64,
    },
}

#[derive(Serialize)]
struct Head<'a, B: Serialize> {
    seq: u64,
    prev: &'a str,
    kind: &'static str,
    #[serde(flatten)]
    body: B,
}

#[derive(Serialize)]
struct StartBody<'a> {
    format: &'static str,
    version: u32,
    keyed: bool,
    key_id: Option<&'a str>,
    time_ms: u64,
}

#[derive(Serialize)]
struct SealBody {
    reason: &'static str,
    time_ms: u64,
}

#[derive(Serialize)]
struct ResumeBody {
    previous_end: &'static str,
    time_ms: u64,
}

#[derive(Serialize)]
struct TornBody<'a> {
    after_seq: u64,
    torn_bytes: u64,
    torn_lines: u64,
    torn_sha256: &'a str,
    time_ms: u64,
}

/// One line ready to append.
pub(super) struct BuiltLine {
    /// The line with its newline.
    pub(super) bytes: Vec<u8>,
    /// Its `hash`, the next line's `prev`.
    pub(super) hash: String,
}

/// Builds line `seq`: `{"seq":..,"prev":..,"kind":..,<body>,"hash":..}` and
/// a newline. The hash is the MAC of everything before `,"hash":`. A record
/// line is at most [`MAX_LINE_BYTES`] long: its strings are capped and its
/// arguments replaced by a mark when the line would be longer.
pub(super) fn build_line(
    mac: &LineMac,
    seq: u64,
    prev: &str,
    body: &LineBody<'_>,
) -> Result<BuiltLine, serde_json::Error> {
    let mut out = Vec::with_capacity(512);
    fn write<B: Serialize>(
        out: &mut Vec<u8>,
        seq: u64,
        prev: &str,
        kind: &'static str,
        body: B,
    ) -> Result<(), serde_json::Error> {
        serde_json::to_writer(
            out,
            &Head {
                seq,
                prev,
                kind,
                body,
            },
        )
    }
    match *body {
        LineBody::Start { key_id, time_ms } => write(
            &mut out,
            seq,
            prev,
            "start",
            StartBody {
                format: FORMAT_NAME,
                version: FORMAT_VERSION,
                keyed: key_id.is_some(),
                key_id,
                time_ms,
            },
        )?,
        LineBody::Record(record) => {
            let record = record.capped();
            write_within_budget(
                &mut out,
                MAX_LINE_BYTES - HASH_SUFFIX_LEN,
                &record,
                |out, fields| write(out, seq, prev, "record", fields),
            )?
        }
        LineBody::Seal { reason, time_ms } => write(
            &mut out,
            seq,
            prev,
            "seal",
            SealBody {
                reason: reason.as_str(),
                time_ms,
            },
        )?,
        LineBody::Resume {
            previous_end,
            time_ms,
        } => write(
            &mut out,
            seq,
            prev,
            "resume",
            ResumeBody {
                previous_end: previous_end.as_str(),
                time_ms,
            },
        )?,
        LineBody::Torn {
            after_seq,
            torn_bytes,
            torn_lines,
            torn_sha256,
            time_ms,
        } => write(
            &mut out,
            seq,
            prev,
            "torn",
            TornBody {
                after_seq,
                torn_bytes,
                torn_lines,
                torn_sha256,
                time_ms,
            },
        )?,
    }
    // The object ends with `}`; the hash field goes before it.
    if out.pop() != Some(b'}') {
        return Err(serde::ser::Error::custom("a chained line is a JSON object"));
    }
    let hash = mac.tag_hex(&out);
    out.extend_from_slice(HASH_PREFIX);
    out.extend_from_slice(hash.as_bytes());
    out.extend_from_slice(b"\"}\n");
    Ok(BuiltLine { bytes: out, hash })
}

/// A line split into the part its hash covers and the hash, when it has the
/// shape [`build_line`] writes.
pub(super) fn split_hash(line: &[u8]) -> Option<(&[u8], &str)> {
    let n = line.len();
    if n < HASH_SUFFIX_LEN + 2 || !line.ends_with(b"\"}") {
        return None;
    }
    let (body, suffix) = line.split_at(n - HASH_SUFFIX_LEN);
    let hex = suffix.strip_prefix(HASH_PREFIX)?.strip_suffix(b"\"}")?;
    if !hex.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    Some((body, std::str::from_utf8(hex).ok()?))
}

/// The fields of a line the chain itself reads (a record's other fields are
/// not needed to verify it).
#[derive(Deserialize)]
pub(super) struct ParsedLine {
    pub(super) seq: u64,
    pub(super) prev: String,
    pub(super) hash: String,
    pub(super) kind: Option<String>,
    pub(super) format: Option<String>,
    pub(super) version: Option<u32>,
    pub(super) keyed: Option<bool>,
    pub(super) key_id: Option<String>,
    pub(super) time_ms: Option<u64>,
    pub(super) reason: Option<String>,
    pub(super) after_seq: Option<u64>,
    pub(super) torn_bytes: Option<u64>,
    pub(super) torn_lines: Option<u64>,
    pub(super) torn_sha256: Option<String>,
}

impl ParsedLine {
    /// The kind named by the line, when it is one this version knows.
    pub(super) fn line_kind(&self) -> Option<LineKind> {
        Some(match self.kind.as_deref()? {
            "start" => LineKind::Start,
            "record" => LineKind::Record,
            "seal" => LineKind::Seal(match self.reason.as_deref()? {
                "stop" => SealReason::Stop,
                "interval" => SealReason::Interval,
                _ => return None,
            }),
            "resume" => LineKind::Resume,
            "torn" => LineKind::Torn,
            _ => return None,
        })
    }
}
