//! What [`verify_file`] finds: the report of a chain that verifies, or the
//! error that says where and why it does not.

use std::fmt;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::format::{ChainEnd, FORMAT_NAME, SealReason};
use super::key::{AuditKey, LineMac};
use super::scan::{Position, scan};
use crate::logging::Rfc3339Millis;

/// Which kind of chain a file holds, as its start record says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainKind {
    /// Lines carry HMAC-SHA256 tags under the key with this public id.
    Keyed {
        /// The key id ([`AuditKey::key_id`]).
        key_id: String,
    },
    /// Lines carry tags under a public key: accidental edits show, deliberate
    /// ones need not.
    Unkeyed,
}

impl fmt::Display for ChainKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainKind::Keyed { key_id } => write!(f, "keyed chain, key id {key_id}"),
            ChainKind::Unkeyed => f.write_str("unkeyed chain"),
        }
    }
}

/// One seal record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seal {
    /// Its sequence number.
    pub seq: u64,
    /// When it was written (Unix milliseconds).
    pub time_ms: u64,
    /// Why it was written.
    pub reason: SealReason,
}

/// How a segment after the first began.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentCause {
    /// A writer reopened the file (a `resume` record).
    Reopened,
    /// A writer found the file ending in a torn line (the process died
    /// mid-write, or the disk was full) and sealed it off (a `torn`
    /// record): the torn bytes stay in the file, outside the chain.
    TornLine {
        /// The last good line before the torn bytes.
        after_seq: u64,
        /// Bytes of the torn line (lines joined by their newlines).
        bytes: u64,
        /// Lines the torn bytes span (1 for a write cut short).
        lines: u64,
    },
}

/// The start of a segment: the lines one writer appended after opening the
/// file (the first segment starts with the start record).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Sequence number of the `resume` or `torn` record that began it.
    pub seq: u64,
    /// When that record was written (Unix milliseconds).
    pub time_ms: u64,
    /// Why a new segment began.
    pub cause: SegmentCause,
    /// How the segment before it ended.
    pub previous_end: ChainEnd,
    /// Audit records after the last seal before this segment: when the
    /// previous segment did not end with a stop seal, lines after these may
    /// have been lost or cut before the file was reopened.
    pub unsealed_records_before: u64,
}

/// What [`verify_file`] found in a file whose chain verifies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainReport {
    /// Keyed (with which key id) or unkeyed.
    pub chain: ChainKind,
    /// The format version of the start record.
    pub format_version: u32,
    /// When the file was created (the start record's time, Unix ms).
    pub created_ms: u64,
    /// Lines of the chain (the last line's `seq`), torn lines not counted.
    pub lines: u64,
    /// Audit records among them.
    pub records: u64,
    /// The hash of the last line (the chain's head).
    pub head: String,
    /// The last seal record, if any.
    pub last_seal: Option<Seal>,
    /// Audit records after the last seal (all of them when there is no
    /// seal): the file could have been cut anywhere among or after them
    /// without a trace in the file.
    pub unproven_tail_records: u64,
    /// How the chain ends.
    pub end: ChainEnd,
    /// Bytes after the last line that are not a line of the chain and not
    /// yet sealed off: a writer died mid-write (the next writer seals them
    /// off with a `torn` record).
    pub incomplete_last_line: Option<u64>,
    /// Every segment after the first, in order.
    pub segments: Vec<Segment>,
}

impl ChainReport {
    /// Whether the file ends with a seal written at a clean stop: nothing
    /// after the chain's last line was cut.
    pub fn clean_stop(&self) -> bool {
        self.end == ChainEnd::StopSeal && self.incomplete_last_line.is_none()
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Several lines: the kind and key id, counts, segments, the last seal, the
/// tail, and a verdict line starting with `ok:` for a chain closed by a stop
/// seal, `unproven:` otherwise.
impl fmt::Display for ChainReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} ({FORMAT_NAME} version {}, created {})",
            self.chain,
            self.format_version,
            Rfc3339Millis(self.created_ms)
        )?;
        writeln!(
            f,
            "{} in {}, head {}",
            plural(self.records, "record", "records"),
            plural(self.lines, "line", "lines"),
            self.head
        )?;
        for s in &self.segments {
            let how = match s.cause {
                SegmentCause::Reopened => "reopened".to_owned(),
                SegmentCause::TornLine {
                    after_seq,
                    bytes,
                    lines,
                } => format!(
                    "a torn line of {} ({}) after seq {after_seq} was sealed off",
                    plural(bytes, "byte", "bytes"),
                    plural(lines, "line", "lines")
                ),
            };
            let before = match s.previous_end {
                ChainEnd::StopSeal => "the previous segment ended with a stop seal".to_owned(),
                ChainEnd::IntervalSeal => {
                    "the previous segment ended with an interval seal, not a clean stop".to_owned()
                }
                ChainEnd::Unsealed => format!(
                    "the previous segment ended without a seal, {} after its last seal (lines lost in a crash and lines cut there cannot be told apart)",
                    plural(s.unsealed_records_before, "record", "records")
                ),
            };
            writeln!(
                f,
                "segment from seq {} ({}): {how}; {before}",
                s.seq,
                Rfc3339Millis(s.time_ms)
            )?;
        }
        match self.last_seal {
            Some(seal) => writeln!(
                f,
                "last seal: seq {} at {} ({})",
                seal.seq,
                Rfc3339Millis(seal.time_ms),
                seal.reason.as_str()
            )?,
            None => writeln!(f, "last seal: none")?,
        }
        if let Some(bytes) = self.incomplete_last_line {
            writeln!(
                f,
                "incomplete last line: {} after seq {} (a writer died mid-write; the next writer seals it off)",
                plural(bytes, "byte", "bytes"),
                self.lines
            )?;
        }
        if self.clean_stop() {
            return writeln!(
                f,
                "ok: {} intact, ends with a seal written at a clean stop{}",
                self.chain,
                if self.chain == ChainKind::Unkeyed {
                    " (an unkeyed chain detects accidental edits only)"
                } else {
                    ""
                }
            );
        }
        let why = match (self.incomplete_last_line, self.end) {
            (Some(_), _) => {
                "the file ends in an incomplete line: a writer died mid-write, or the file was cut"
            }
            (None, ChainEnd::StopSeal | ChainEnd::IntervalSeal) => {
                "the file does not end with a stop seal: the writer is running, stopped without a clean stop, or the file was cut"
            }
            (None, ChainEnd::Unsealed) => {
                "the file does not end with a seal: the writer is running, stopped without a clean stop, or the file was cut"
            }
        };
        writeln!(
            f,
            "unproven: {} intact up to seq {}; tail after the last seal is unproven: {} ({why})",
            self.chain,
            self.lines,
            plural(self.unproven_tail_records, "record", "records"),
        )
    }
}

/// Why a file is not a chain that verifies (or was refused for its key).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChainProblem {
    /// There is no file at the path (it was deleted, or never written).
    NotFound,
    /// The file could not be read.
    Unreadable(std::io::ErrorKind),
    /// The file is empty: every chain starts with a start record.
    Empty,
    /// The first line is not a start record (a file written before format
    /// version 2 has none).
    NoStartRecord,
    /// The file holds only part of a start record.
    IncompleteStartRecord,
    /// The start record names another format.
    NotAnAuditChain,
    /// The start record names a format version this runtime does not read.
    UnsupportedVersion(u32),
    /// The chain is keyed and no key was given: it cannot be verified.
    KeyedChainWithoutKey {
        /// The key id the start record names.
        key_id: String,
    },
    /// A key was given and the chain is unkeyed: an unkeyed chain proves
    /// nothing against someone who can write the file (a keyed chain
    /// replaced by an unkeyed one looks like this).
    UnkeyedChainWhereKeyExpected,
    /// The chain was written with another key.
    OtherKey {
        /// The key id the start record names.
        chain_key_id: String,
        /// The key id of the key given.
        given_key_id: String,
    },
    /// The line is not a chained line (not JSON, or no hash at its end).
    NotAChainLine,
    /// The line names a kind of record this runtime does not know.
    UnknownKind,
    /// A required field of a chain record is missing.
    MissingField(&'static str),
    /// A start record after the first line.
    StartRecordAfterFirstLine,
    /// The sequence number is not the next one: a line was removed, added
    /// or moved.
    SequenceOutOfOrder {
        /// The number the line should have.
        expected: u64,
        /// The number it has.
        found: u64,
    },
    /// `prev` is not the previous line's hash.
    BrokenLink,
    /// The hash does not match the line: it was changed (or written with
    /// another key).
    HashMismatch,
}

impl ChainProblem {
    /// Whether this is a refusal of the whole file for its format or key,
    /// rather than a broken line.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            ChainProblem::NotAnAuditChain
                | ChainProblem::UnsupportedVersion(_)
                | ChainProblem::KeyedChainWithoutKey { .. }
                | ChainProblem::UnkeyedChainWhereKeyExpected
                | ChainProblem::OtherKey { .. }
        )
    }
}

impl fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainProblem::NotFound => f.write_str("the file does not exist (deleted, or never written)"),
            ChainProblem::Unreadable(kind) => write!(f, "cannot read the file: {kind}"),
            ChainProblem::Empty => f.write_str("the file is empty: no start record"),
            ChainProblem::NoStartRecord => f.write_str(
                "the first line is not a start record (not an audit chain, or one written before format version 2)",
            ),
            ChainProblem::IncompleteStartRecord => {
                f.write_str("the file holds only part of a start record")
            }
            ChainProblem::NotAnAuditChain => {
                write!(f, "the start record does not name the format {FORMAT_NAME}")
            }
            ChainProblem::UnsupportedVersion(v) => {
                write!(f, "format version {v} is not one this runtime reads")
            }
            ChainProblem::KeyedChainWithoutKey { key_id } => write!(
                f,
                "keyed chain (key id {key_id}) cannot be verified without its key"
            ),
            ChainProblem::UnkeyedChainWhereKeyExpected => f.write_str(
                "unkeyed chain where a keyed one was expected (a keyed chain replaced by an unkeyed one looks like this)",
            ),
            ChainProblem::OtherKey {
                chain_key_id,
                given_key_id,
            } => write!(
                f,
                "the chain was written with key id {chain_key_id}, not with the given key (key id {given_key_id})"
            ),
            ChainProblem::NotAChainLine => {
                f.write_str("the line is not a chained line (not JSON, or no hash)")
            }
            ChainProblem::UnknownKind => f.write_str("the line names an unknown kind of record"),
            ChainProblem::MissingField(name) => write!(f, "the record has no `{name}`"),
            ChainProblem::StartRecordAfterFirstLine => {
                f.write_str("a start record after the first line")
            }
            ChainProblem::SequenceOutOfOrder { expected, found } => write!(
                f,
                "sequence number {found} where {expected} was expected (a line was removed, added or moved)"
            ),
            ChainProblem::BrokenLink => f.write_str("link to the previous line does not match"),
            ChainProblem::HashMismatch => {
                f.write_str("hash does not match the line (it was changed)")
            }
        }
    }
}

/// Where and how a chain is broken, or why it was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainError {
    /// 1-based line number (0 for the file as a whole).
    pub line: u64,
    /// What is wrong.
    pub problem: ChainProblem,
}

impl ChainError {
    pub(super) fn at(line: u64, problem: ChainProblem) -> Self {
        ChainError { line, problem }
    }

    pub(super) fn io(e: &std::io::Error) -> Self {
        let problem = match e.kind() {
            std::io::ErrorKind::NotFound => ChainProblem::NotFound,
            kind => ChainProblem::Unreadable(kind),
        };
        ChainError { line: 0, problem }
    }
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.problem.is_refusal() {
            write!(f, "audit chain refused: {}", self.problem)
        } else if self.line == 0 {
            write!(f, "audit file not verified: {}", self.problem)
        } else {
            write!(
                f,
                "audit chain broken at line {}: {}",
                self.line, self.problem
            )
        }
    }
}

impl std::error::Error for ChainError {}

/// Verifies a chained audit file and reports what it holds.
///
/// With a key, the file must be a keyed chain written with that key (same
/// key id); without one, it must be an unkeyed chain (a keyed chain is
/// refused as unverifiable). Every line's sequence number, link and hash
/// are checked; a torn line sealed off by a `torn` record is reported, not
/// an error. A missing file, an empty file and a file without a start record
/// are errors. A chain that verifies but does not end with a stop seal is
/// `Ok`, with [`ChainReport::clean_stop`] false and the unproven tail
/// counted.
///
/// # Errors
///
/// [`ChainError`] naming the first broken line, or the file as a whole.
pub fn verify_file(
    path: impl AsRef<Path>,
    key: Option<&AuditKey>,
) -> Result<ChainReport, ChainError> {
    let file = File::open(path.as_ref()).map_err(|e| ChainError::io(&e))?;
    let scan = scan(
        BufReader::new(file),
        Position::start(),
        &LineMac::new(key),
        key,
    )?;
    if scan.position.next_seq == 1 {
        return Err(match scan.tail {
            Some(_) => ChainError::at(1, ChainProblem::IncompleteStartRecord),
            None => ChainError::at(0, ChainProblem::Empty),
        });
    }
    if let Some(tail) = &scan.tail
        && tail.terminated
    {
        // Complete lines that do not verify, with nothing sealing them off:
        // a changed, removed or moved line (a crash leaves an incomplete one).
        return Err(ChainError::at(tail.first_line, tail.first_problem.clone()));
    }
    let f = scan.findings;
    Ok(ChainReport {
        chain: f.chain.unwrap_or(ChainKind::Unkeyed),
        format_version: f.format_version,
        created_ms: f.created_ms,
        lines: scan.position.next_seq - 1,
        records: f.records,
        head: scan.position.prev.clone(),
        last_seal: f.last_seal,
        unproven_tail_records: f.records_since_seal,
        end: ChainEnd::after(scan.position.last),
        incomplete_last_line: scan.tail.map(|t| t.bytes),
        segments: f.segments,
    })
}
