//! A JSON-lines audit file whose lines are chained, so that a changed,
//! removed, reordered or added line shows, and sealed, so that a cut tail
//! shows: [`JsonLinesAuditSink`] writes it, [`verify_file`] (and the CLI's
//! `audit verify`) checks it.
//!
//! ```no_run
//! use agent_runtime::audit::chain::{AuditKey, ChainKey, JsonLinesAuditSink};
//! use agent_runtime::SecretString;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // At least 32 bytes, from a secret store: never a constant in the code.
//! let secret = SecretString::new(std::env::var("AUDIT_CHAIN_KEY")?);
//! let sink = JsonLinesAuditSink::open(
//!     "/var/log/agent/audit.jsonl",
//!     ChainKey::Keyed(AuditKey::from_secret(&secret)?),
//! )?;
//! // builder.audit_sink(std::sync::Arc::new(sink))
//! # Ok(()) }
//! ```
//!
//! # Lines
//!
//! Every line is one JSON object: `seq` (1, 2, ...), `prev` (the previous
//! line's `hash`; 64 zeros for the first line), `kind`, the fields of that
//! kind, then `hash`: the lower-case hex HMAC-SHA256 of the line's text up
//! to (not including) `,"hash":`. The kinds:
//!
//! - `start`, always line 1: the format (`format`, `version`), whether the
//!   chain is `keyed`, the public `key_id` of its key (`null` when unkeyed)
//!   and the creation time `time_ms` (Unix milliseconds).
//!   `{"seq":1,"prev":"000…000","kind":"start","format":"agent-runtime/audit-chain","version":2,"keyed":true,"key_id":"5c0e3e2f8b1d9a47","time_ms":1767225600000,"hash":"…"}`
//! - `record`: one audit record, its fields as
//!   [`AuditRecord::to_json`](crate::audit::AuditRecord::to_json) writes
//!   them, within the size caps of [`crate::audit`].
//!   `{"seq":2,"prev":"…","kind":"record","event":"tool_call","time_ms":1767225600412,"call_id":"call-1","caller":"+15551230000","function":"transfer_funds","outcome":"ok","reason":"","duration_ms":0.8,"client":"127.0.0.1","arguments":{"amount":5},"hash":"…"}`
//! - `seal`: the writer vouches that the chain ended here at `time_ms`;
//!   `reason` is `stop` (the server stopped cleanly) or `interval` (written
//!   every [`AuditFileOptions::seal_interval`] while records are appended).
//!   `{"seq":3,"prev":"…","kind":"seal","reason":"stop","time_ms":1767225660000,"hash":"…"}`
//! - `resume`: a writer opened the file again; `previous_end` says how the
//!   chain ended before (`stop_seal`, `interval_seal`, `unsealed`).
//!   `{"seq":4,"prev":"…","kind":"resume","previous_end":"stop_seal","time_ms":1767229200000,"hash":"…"}`
//! - `torn`: a writer found the file ending in a line cut short (the process
//!   died mid-write, the disk was full) and sealed it off: the torn bytes
//!   stay where they are, outside the chain, and this record names their
//!   size, line count and SHA-256 and the last good line before them; it is
//!   chained to that line.
//!   `{"seq":5,"prev":"…","kind":"torn","after_seq":4,"torn_bytes":57,"torn_lines":1,"torn_sha256":"…","time_ms":1767229500000,"hash":"…"}`
//!
//! A `resume` or `torn` record begins a new *segment*: the lines of one
//! writer. The runtime writes the stop seal when its server stops
//! ([`AuditSink::seal`](crate::audit::AuditSink::seal)); a sink writes an
//! interval seal from its own thread, so the last records before a crash are
//! sealed within one interval even when no record follows them. (Sealing
//! on the next record after the interval instead would leave the last burst
//! before a quiet spell unsealed for as long as the quiet lasts.)
//!
//! # Keys
//!
//! [`JsonLinesAuditSink::open`] takes a [`ChainKey`]: a keyed chain
//! ([`AuditKey`], at least 32 bytes, read from a secret; keep it apart from
//! the file) or the explicit [`ChainKey::UnkeyedAccidentalEditsOnly`],
//! whose lines are tagged with a public key and so only catch accidental
//! edits. There is no default key. The start record names the key id (a
//! one-way hash of the key, never the key), so a verifier knows which key
//! a file needs, and a file can never pass for the other kind: given a key,
//! [`verify_file`] refuses an unkeyed chain and a chain with another key id;
//! without one, it verifies an unkeyed chain and refuses a keyed one as
//! unverifiable.
//!
//! # What verification shows
//!
//! [`verify_file`] returns a [`ChainReport`] (its `Display` is what
//! `audit verify` prints): the kind and key id, the number of records, each
//! segment and how the one before it ended, the last seal, and how many
//! records follow it ("tail after the last seal is unproven: N records").
//! A file that ends with a stop seal was not cut after it
//! ([`ChainReport::clean_stop`]). A missing file, an empty file, a file
//! without a start record, and any changed, removed, reordered or inserted
//! line are errors ([`ChainError`]); so are whole lines at the end that do
//! not verify. Bytes after the last line that do not end with a newline are
//! a write cut short: reported, and sealed off by the next writer.
//!
//! What a chain cannot show by itself: a file cut exactly after a stop seal
//! of an earlier run (it looks like a clean stop of that run; the last
//! seal's time tells how far the file reaches), or a file deleted and
//! started afresh (its start record's time and key id tell). Every seal is
//! also written to the log (target `agent_runtime::audit::chain`, with its
//! `seq` and `head`), so a log shipped off the host holds the positions the
//! file must reach.
//!
//! # Durability
//!
//! Every line is written with one `write` before
//! [`AuditSink::record`](crate::audit::AuditSink::record) returns, so a crash of the process
//! loses nothing. What a power failure loses depends on the
//! [`FsyncPolicy`] (default [`FsyncPolicy::OnSeal`]: at most the lines
//! since the last seal).

mod format;
mod key;
mod report;
mod scan;
mod sink;

pub use format::{ChainEnd, FORMAT_NAME, FORMAT_VERSION, SealReason};
pub use key::{AuditKey, AuditKeyError, ChainKey, MIN_AUDIT_KEY_LEN};
pub use report::{
    ChainError, ChainKind, ChainProblem, ChainReport, Seal, Segment, SegmentCause, verify_file,
};
pub use sink::{
    AuditFileOptions, DEFAULT_SEAL_INTERVAL, FsyncPolicy, JsonLinesAuditSink, MIN_SEAL_INTERVAL,
    OpenError,
};

#[cfg(test)]
mod tests;
