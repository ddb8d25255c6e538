//! Reading a chained file line by line. One reader serves [`verify_file`]
//! (super::verify_file), the sink's `open` (which continues the chain where
//! the reader stopped) and the sink's repair after a failed write (which
//! reads on from the last good line).
//!
//! Lines that do not verify as the next line of the chain start a *torn
//! region*. A region followed by a `torn` record that names its exact size,
//! line count and SHA-256 (and is itself the valid next line) was sealed off
//! by a writer and is skipped. Any other region is returned to the caller as
//! the file's tail: verification and `open` accept it only when the file does
//! not end with a newline (a write cut short), and otherwise report the
//! region's first line as broken.

use std::io::BufRead;

use sha2::{Digest, Sha256};

use super::format::{
    ChainEnd, FORMAT_NAME, FORMAT_VERSION, GENESIS, LineKind, ParsedLine, split_hash,
};
use super::key::{AuditKey, LineMac, hex};
use super::report::{ChainError, ChainKind, ChainProblem, Seal, Segment, SegmentCause};

/// Bytes of a line kept in memory. Every line this format writes is at most
/// [`MAX_LINE_BYTES`](crate::audit::MAX_LINE_BYTES) (8 KiB); a longer one
/// cannot be a line of the chain, so the rest of it is only hashed, never
/// held: a torn region of megabytes (zero-filled blocks after a power
/// failure) costs no more memory than this.
const READ_LIMIT: usize = 64 * 1024;

/// Where the chain stands after the lines read so far.
#[derive(Clone, Debug)]
pub(super) struct Position {
    /// The `seq` the next line must have.
    pub(super) next_seq: u64,
    /// The hash of the last good line (the next line's `prev`).
    pub(super) prev: String,
    /// File offset just after the last good line (and its newline).
    pub(super) offset: u64,
    /// The last good line has no newline (a write that stopped just short
    /// of it): a writer must add one before its next line.
    pub(super) missing_newline: bool,
    /// Physical lines read so far, for line numbers in errors.
    pub(super) line_no: u64,
    /// The kind of the last good line.
    pub(super) last: Option<LineKind>,
}

impl Position {
    /// Before the first line of a file.
    pub(super) fn start() -> Self {
        Position {
            next_seq: 1,
            prev: GENESIS.to_owned(),
            offset: 0,
            missing_newline: false,
            line_no: 0,
            last: None,
        }
    }
}

/// What the lines read so far say, for the report.
#[derive(Debug, Default)]
pub(super) struct Findings {
    pub(super) chain: Option<ChainKind>,
    pub(super) format_version: u32,
    pub(super) created_ms: u64,
    pub(super) records: u64,
    pub(super) last_seal: Option<Seal>,
    pub(super) records_since_seal: u64,
    pub(super) segments: Vec<Segment>,
}

/// Lines after the last good line that do not verify.
#[derive(Debug)]
pub(super) struct Region {
    /// Physical line number of its first line.
    pub(super) first_line: u64,
    /// Why its first line does not verify.
    pub(super) first_problem: ChainProblem,
    /// Its bytes: the lines joined by their newlines, without the newline
    /// after the last one.
    pub(super) bytes: u64,
    /// Lines it spans.
    pub(super) lines: u64,
    /// Whether its last line ends with a newline.
    pub(super) terminated: bool,
    sha: Sha256,
}

impl Region {
    fn new(first_line: u64, first_problem: ChainProblem) -> Self {
        Region {
            first_line,
            first_problem,
            bytes: 0,
            lines: 0,
            terminated: false,
            sha: Sha256::new(),
        }
    }

    fn add(&mut self, content: &[u8], terminated: bool) {
        self.begin_line();
        self.update(content);
        self.end_line(terminated);
    }

    /// Lines are joined by the newline that ends the one before.
    fn begin_line(&mut self) {
        if self.lines > 0 {
            self.update(b"\n");
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        self.sha.update(bytes);
        self.bytes += bytes.len() as u64;
    }

    fn end_line(&mut self, terminated: bool) {
        self.lines += 1;
        self.terminated = terminated;
    }

    /// SHA-256 of its bytes, in hex: what a `torn` record names.
    pub(super) fn sha256_hex(&self) -> String {
        hex(&self.sha.clone().finalize())
    }
}

/// The outcome of reading to the end of a file.
#[derive(Debug)]
pub(super) struct Scan {
    pub(super) position: Position,
    pub(super) findings: Findings,
    /// Lines at the end that do not verify and were not sealed off.
    pub(super) tail: Option<Region>,
    /// Bytes read in all (from where the reading started).
    pub(super) bytes_read: u64,
}

/// One read from the file.
enum Chunk {
    /// A whole line in the buffer: its bytes read (newline included) and
    /// whether it ended with a newline (only the file's last may not).
    Line { read: u64, terminated: bool },
    /// The first [`READ_LIMIT`] bytes of a longer line are in the buffer;
    /// the rest is still to be read.
    TooLong { read: u64 },
    /// The end of the file.
    End,
}

/// Reads one line into `buf` (without its newline), keeping at most `limit`
/// bytes.
fn read_bounded(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<Chunk> {
    let mut read = 0u64;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(if read == 0 {
                Chunk::End
            } else {
                Chunk::Line {
                    read,
                    terminated: false,
                }
            });
        }
        let room = limit - buf.len();
        match available.iter().position(|&b| b == b'\n') {
            Some(at) if at <= room => {
                buf.extend_from_slice(&available[..at]);
                reader.consume(at + 1);
                read += at as u64 + 1;
                return Ok(Chunk::Line {
                    read,
                    terminated: true,
                });
            }
            _ if available.len() <= room => {
                let n = available.len();
                buf.extend_from_slice(available);
                reader.consume(n);
                read += n as u64;
            }
            _ => {
                buf.extend_from_slice(&available[..room]);
                reader.consume(room);
                read += room as u64;
                return Ok(Chunk::TooLong { read });
            }
        }
    }
}

/// Reads the rest of a line, handing its bytes (without the newline) to
/// `each`; returns the bytes read and whether a newline ended it.
fn stream_rest(
    reader: &mut impl BufRead,
    mut each: impl FnMut(&[u8]),
) -> std::io::Result<(u64, bool)> {
    let mut read = 0u64;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok((read, false));
        }
        if let Some(at) = available.iter().position(|&b| b == b'\n') {
            each(&available[..at]);
            reader.consume(at + 1);
            return Ok((read + at as u64 + 1, true));
        }
        let n = available.len();
        each(available);
        reader.consume(n);
        read += n as u64;
    }
}

/// A line that verified as the next line of the chain.
struct GoodLine {
    parsed: ParsedLine,
    kind: LineKind,
}

/// Checks `content` (one line without its newline) as the next line after
/// `pos`: shape, kind, the start record's format and key, sequence number,
/// link, hash, in that order.
fn check_line(
    content: &[u8],
    pos: &Position,
    mac: &LineMac,
    key: Option<&AuditKey>,
) -> Result<GoodLine, ChainProblem> {
    let first = pos.next_seq == 1;
    let not_chained = if first {
        ChainProblem::NoStartRecord
    } else {
        ChainProblem::NotAChainLine
    };
    let Some((body, hash)) = split_hash(content) else {
        return Err(not_chained);
    };
    let Ok(parsed) = serde_json::from_slice::<ParsedLine>(content) else {
        return Err(not_chained);
    };
    if parsed.hash != hash {
        return Err(not_chained);
    }
    let kind = match parsed.line_kind() {
        Some(kind) => kind,
        None if first => return Err(ChainProblem::NoStartRecord),
        None => return Err(ChainProblem::UnknownKind),
    };
    match (first, kind) {
        (true, LineKind::Start) => check_start(&parsed, key)?,
        (true, _) => return Err(ChainProblem::NoStartRecord),
        (false, LineKind::Start) => return Err(ChainProblem::StartRecordAfterFirstLine),
        (false, _) => {}
    }
    if parsed.seq != pos.next_seq {
        return Err(ChainProblem::SequenceOutOfOrder {
            expected: pos.next_seq,
            found: parsed.seq,
        });
    }
    if parsed.prev != pos.prev {
        return Err(ChainProblem::BrokenLink);
    }
    if !mac.verifies(body, hash) {
        return Err(ChainProblem::HashMismatch);
    }
    let required: &[(&'static str, bool)] = match kind {
        LineKind::Start | LineKind::Seal(_) | LineKind::Resume => {
            &[("time_ms", parsed.time_ms.is_some())]
        }
        LineKind::Torn => &[
            ("time_ms", parsed.time_ms.is_some()),
            ("after_seq", parsed.after_seq.is_some()),
            ("torn_bytes", parsed.torn_bytes.is_some()),
            ("torn_lines", parsed.torn_lines.is_some()),
            ("torn_sha256", parsed.torn_sha256.is_some()),
        ],
        LineKind::Record => &[],
    };
    if let Some((name, _)) = required.iter().find(|(_, present)| !present) {
        return Err(ChainProblem::MissingField(name));
    }
    Ok(GoodLine { parsed, kind })
}

/// The start record's format, version and key against the key given.
fn check_start(parsed: &ParsedLine, key: Option<&AuditKey>) -> Result<(), ChainProblem> {
    if parsed.format.as_deref() != Some(FORMAT_NAME) {
        return Err(ChainProblem::NotAnAuditChain);
    }
    match parsed.version {
        Some(FORMAT_VERSION) => {}
        Some(v) => return Err(ChainProblem::UnsupportedVersion(v)),
        None => return Err(ChainProblem::MissingField("version")),
    }
    let Some(keyed) = parsed.keyed else {
        return Err(ChainProblem::MissingField("keyed"));
    };
    match (keyed, key, parsed.key_id.as_deref()) {
        (false, None, _) => Ok(()),
        (false, Some(_), _) => Err(ChainProblem::UnkeyedChainWhereKeyExpected),
        (true, _, None) => Err(ChainProblem::MissingField("key_id")),
        (true, None, Some(id)) => Err(ChainProblem::KeyedChainWithoutKey {
            key_id: id.to_owned(),
        }),
        (true, Some(k), Some(id)) if id != k.key_id() => Err(ChainProblem::OtherKey {
            chain_key_id: id.to_owned(),
            given_key_id: k.key_id().to_owned(),
        }),
        (true, Some(_), Some(_)) => Ok(()),
    }
}

/// Whether a good line is the `torn` record that seals off `region`.
fn seals_off(line: &GoodLine, region: &Region, pos: &Position) -> bool {
    let p = &line.parsed;
    line.kind == LineKind::Torn
        && p.after_seq == Some(pos.next_seq - 1)
        && p.torn_bytes == Some(region.bytes)
        && p.torn_lines == Some(region.lines)
        && p.torn_sha256.as_deref() == Some(region.sha256_hex().as_str())
}

/// Takes a good line into the position and the findings.
fn accept(
    line: GoodLine,
    pos: &mut Position,
    findings: &mut Findings,
    end_offset: u64,
    terminated: bool,
    region: Option<&Region>,
) {
    let p = line.parsed;
    let time_ms = p.time_ms.unwrap_or(0);
    match line.kind {
        LineKind::Start => {
            findings.chain = Some(match (p.keyed, p.key_id) {
                (Some(true), Some(key_id)) => ChainKind::Keyed { key_id },
                _ => ChainKind::Unkeyed,
            });
            findings.format_version = p.version.unwrap_or(0);
            findings.created_ms = time_ms;
        }
        LineKind::Record => {
            findings.records += 1;
            findings.records_since_seal += 1;
        }
        LineKind::Seal(reason) => {
            findings.last_seal = Some(Seal {
                seq: p.seq,
                time_ms,
                reason,
            });
            findings.records_since_seal = 0;
        }
        LineKind::Resume | LineKind::Torn => {
            let cause = match region {
                Some(r) => SegmentCause::TornLine {
                    after_seq: pos.next_seq - 1,
                    bytes: r.bytes,
                    lines: r.lines,
                },
                None => SegmentCause::Reopened,
            };
            findings.segments.push(Segment {
                seq: p.seq,
                time_ms,
                cause,
                previous_end: ChainEnd::after(pos.last),
                unsealed_records_before: findings.records_since_seal,
            });
        }
    }
    pos.next_seq += 1;
    pos.prev = p.hash;
    pos.offset = end_offset;
    pos.missing_newline = !terminated;
    pos.last = Some(line.kind);
}

/// Reads `reader` to its end, continuing the chain from `pos` (the start of
/// a file, or the last good line when a writer reads on after a failed
/// write).
///
/// # Errors
///
/// A read error, or a first line that cannot start a chain: not a start
/// record, or one refused for its format or key. A first line cut short
/// (no newline) is returned as the tail instead: a crash while the file was
/// created.
pub(super) fn scan(
    mut reader: impl BufRead,
    mut pos: Position,
    mac: &LineMac,
    key: Option<&AuditKey>,
) -> Result<Scan, ChainError> {
    let mut findings = Findings::default();
    let mut region: Option<Region> = None;
    let mut offset = pos.offset;
    let mut bytes_read = 0u64;
    let mut buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        let (n, terminated) = match read_bounded(&mut reader, &mut buf, READ_LIMIT)
            .map_err(|e| ChainError::io(&e))?
        {
            Chunk::End => break,
            Chunk::Line { read, terminated } => (read, terminated),
            Chunk::TooLong { read } => {
                // Longer than any line of the chain: part of a torn region,
                // hashed as it is read.
                pos.line_no += 1;
                let problem = if pos.next_seq == 1 {
                    ChainProblem::NoStartRecord
                } else {
                    ChainProblem::NotAChainLine
                };
                let r = region.get_or_insert_with(|| Region::new(pos.line_no, problem.clone()));
                r.begin_line();
                r.update(&buf);
                let (rest, terminated) = stream_rest(&mut reader, |piece| r.update(piece))
                    .map_err(|e| ChainError::io(&e))?;
                r.end_line(terminated);
                bytes_read += read + rest;
                offset += read + rest;
                if pos.next_seq == 1 && terminated {
                    return Err(ChainError::at(pos.line_no, problem));
                }
                continue;
            }
        };
        bytes_read += n;
        offset += n;
        pos.line_no += 1;
        let content = &buf[..];
        let checked = check_line(content, &pos, mac, key);
        match (region.take(), checked) {
            (None, Ok(line)) => accept(line, &mut pos, &mut findings, offset, terminated, None),
            (None, Err(problem)) => {
                // Nothing to chain a torn region to: only a first line cut
                // short (the last thing in the file) may be one.
                if pos.next_seq == 1 && (terminated || problem.is_refusal()) {
                    return Err(ChainError::at(pos.line_no, problem));
                }
                let mut r = Region::new(pos.line_no, problem);
                r.add(content, terminated);
                region = Some(r);
            }
            (Some(r), Ok(line)) if seals_off(&line, &r, &pos) => {
                accept(line, &mut pos, &mut findings, offset, terminated, Some(&r));
            }
            (Some(mut r), _) => {
                r.add(content, terminated);
                region = Some(r);
            }
        }
    }
    Ok(Scan {
        position: pos,
        findings,
        tail: region,
        bytes_read,
    })
}
