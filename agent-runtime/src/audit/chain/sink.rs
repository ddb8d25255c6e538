//! The writer of a chained audit file: [`JsonLinesAuditSink`].

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{BufReader, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::format::{ChainEnd, LineBody, LineKind, SealReason, build_line};
use super::key::{AuditKey, ChainKey, LineMac};
use super::report::ChainError;
use super::scan::{Position, Region, scan};
use crate::audit::cap::MAX_LINE_BYTES;
use crate::audit::{AuditRecord, AuditSink};
use crate::logging::{LineFormat, Rfc3339Millis};

/// The default [`AuditFileOptions::seal_interval`]: a minute bounds how much
/// of the tail a crash (or a cut) leaves unproven, at one short line a
/// minute while records are written.
pub const DEFAULT_SEAL_INTERVAL: Duration = Duration::from_secs(60);

/// The shortest seal interval: a shorter one is raised to this, so that a
/// zero interval cannot make the seal thread spin.
pub const MIN_SEAL_INTERVAL: Duration = Duration::from_millis(10);

/// When the file is flushed to stable storage (`fsync`). Every line is
/// written to the file (one `write`, no buffer in the process) before
/// [`AuditSink::record`] returns, so a crash of the process alone loses
/// nothing in any policy; the policies differ in what a power failure or a
/// kernel crash loses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FsyncPolicy {
    /// `fdatasync` after every line: a power failure loses nothing that was
    /// recorded. Costs a disk flush (often milliseconds) on the request
    /// that is audited.
    EveryRecord,
    /// `fdatasync` after every seal (each interval seal and the stop seal)
    /// and after the record written when the file is opened: a power
    /// failure loses at most the lines written since the last seal, about
    /// one seal interval. The request path never waits for the disk. The
    /// default: the loss is bounded by the interval and is visible (the
    /// file then ends after its last durable seal, or in a torn line that
    /// the next start seals off).
    #[default]
    OnSeal,
    /// Never: the operating system writes the file back when it chooses
    /// (on Linux usually within about 30 seconds, without a promise). A
    /// power failure can lose any line not yet written back, seals
    /// included.
    Never,
}

/// How a [`JsonLinesAuditSink`] writes: fsync policy and seal interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditFileOptions {
    fsync: FsyncPolicy,
    seal_interval: Option<Duration>,
}

impl Default for AuditFileOptions {
    fn default() -> Self {
        AuditFileOptions {
            fsync: FsyncPolicy::default(),
            seal_interval: Some(DEFAULT_SEAL_INTERVAL),
        }
    }
}

impl AuditFileOptions {
    /// [`FsyncPolicy::OnSeal`], a seal every [`DEFAULT_SEAL_INTERVAL`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the fsync policy.
    pub fn fsync(mut self, policy: FsyncPolicy) -> Self {
        self.fsync = policy;
        self
    }

    /// Sets how often a seal is written while records are appended (at
    /// least [`MIN_SEAL_INTERVAL`]; `None`: only when the server stops, so a
    /// crash leaves everything since the start unproven).
    pub fn seal_interval(mut self, interval: Option<Duration>) -> Self {
        self.seal_interval = interval.map(|i| i.max(MIN_SEAL_INTERVAL));
        self
    }

    /// The fsync policy.
    pub fn fsync_policy(&self) -> FsyncPolicy {
        self.fsync
    }

    /// The seal interval.
    pub fn interval(&self) -> Option<Duration> {
        self.seal_interval
    }
}

/// Why [`JsonLinesAuditSink::open`] failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenError {
    /// The existing file is not a chain this key can extend: broken,
    /// written with another key, keyed where the sink is unkeyed (or the
    /// reverse), or of another format.
    Chain(ChainError),
    /// The file could not be opened, read or written.
    Io(std::io::ErrorKind),
    /// Another sink (in this process or another) has the file open: two
    /// writers would break the chain.
    Locked,
    /// The thread that writes interval seals could not be started.
    SealThread(std::io::ErrorKind),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Chain(e) => write!(f, "cannot extend the audit file: {e}"),
            OpenError::Io(kind) => write!(f, "cannot open the audit file: {kind}"),
            OpenError::Locked => f.write_str("the audit file is open in another writer"),
            OpenError::SealThread(kind) => {
                write!(f, "cannot start the audit seal thread: {kind}")
            }
        }
    }
}

impl std::error::Error for OpenError {}

impl From<ChainError> for OpenError {
    fn from(e: ChainError) -> Self {
        OpenError::Chain(e)
    }
}

impl From<std::io::Error> for OpenError {
    fn from(e: std::io::Error) -> Self {
        OpenError::Io(e.kind())
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The open file and where the chain stands in it.
struct Writer {
    file: File,
    path: PathBuf,
    position: Position,
    /// A write failed: what it left in the file must be read (and sealed
    /// off) before the next line.
    damaged: bool,
}

/// What the sink and its seal thread share.
struct Shared {
    mac: LineMac,
    key: Option<AuditKey>,
    fsync: FsyncPolicy,
    writer: Mutex<Writer>,
}

fn lock(m: &Mutex<Writer>) -> MutexGuard<'_, Writer> {
    // A panic while holding the lock leaves a position that matches the
    // file (it is updated only after a write succeeded).
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// Appends one line, repairing first after a failed write.
    fn append(&self, w: &mut Writer, body: &LineBody<'_>, kind: LineKind) -> std::io::Result<()> {
        if w.damaged {
            self.repair(w)?;
        }
        self.write_line(w, body, kind)
    }

    /// Writes one line at the end of the file with a single `write` and
    /// moves the position past it; on failure marks the writer damaged.
    fn write_line(
        &self,
        w: &mut Writer,
        body: &LineBody<'_>,
        kind: LineKind,
    ) -> std::io::Result<()> {
        let line = build_line(&self.mac, w.position.next_seq, &w.position.prev, body)
            .map_err(std::io::Error::other)?;
        let mut bytes = line.bytes;
        if w.position.missing_newline {
            bytes.insert(0, b'\n');
        }
        if let Err(e) = w.file.write_all(&bytes) {
            w.damaged = true;
            return Err(e);
        }
        let p = &mut w.position;
        p.next_seq += 1;
        p.prev = line.hash;
        p.offset += bytes.len() as u64;
        p.missing_newline = false;
        p.line_no += 1;
        p.last = Some(kind);
        if self.fsync == FsyncPolicy::EveryRecord {
            w.file.sync_data()?;
        }
        Ok(())
    }

    /// After a failed write: reads what the file holds after the last good
    /// line. Lines that verify (a write that succeeded after all) join the
    /// chain; anything else is sealed off with a `torn` record.
    fn repair(&self, w: &mut Writer) -> std::io::Result<()> {
        let len = w.file.metadata()?.len();
        if len < w.position.offset {
            // Someone cut the file below the last line written: the next
            // line would link to a line that is gone.
            return Err(std::io::Error::other("the audit file was cut while open"));
        }
        if len > w.position.offset {
            let mut reader = File::open(&w.path)?;
            reader.seek(SeekFrom::Start(w.position.offset))?;
            let scanned = scan(
                BufReader::new(reader),
                w.position.clone(),
                &self.mac,
                self.key.as_ref(),
            )
            .map_err(std::io::Error::other)?;
            w.position = scanned.position;
            if let Some(tail) = scanned.tail {
                w.position.offset = len;
                w.position.missing_newline = !tail.terminated;
                self.seal_off(w, &tail)?;
            }
        }
        w.damaged = false;
        Ok(())
    }

    /// Writes the `torn` record that seals off `tail`, chained to the last
    /// good line; it begins a new segment.
    fn seal_off(&self, w: &mut Writer, tail: &Region) -> std::io::Result<()> {
        let sha = tail.sha256_hex();
        let body = LineBody::Torn {
            after_seq: w.position.next_seq - 1,
            torn_bytes: tail.bytes,
            torn_lines: tail.lines,
            torn_sha256: &sha,
            time_ms: now_ms(),
        };
        self.write_line(w, &body, LineKind::Torn)
    }

    /// Writes a seal unless the chain already ends with one that says as
    /// much, then flushes to disk unless the policy is `Never`.
    fn seal(&self, reason: SealReason) {
        let mut w = lock(&self.writer);
        let already = match reason {
            SealReason::Stop => w.position.last == Some(LineKind::Seal(SealReason::Stop)),
            SealReason::Interval => matches!(w.position.last, Some(LineKind::Seal(_))),
        };
        if already && !w.damaged {
            return;
        }
        let body = LineBody::Seal {
            reason,
            time_ms: now_ms(),
        };
        let written = self
            .append(&mut w, &body, LineKind::Seal(reason))
            .and_then(|()| match self.fsync {
                FsyncPolicy::OnSeal => w.file.sync_data(),
                FsyncPolicy::EveryRecord | FsyncPolicy::Never => Ok(()),
            });
        let (seq, head) = (w.position.next_seq - 1, w.position.prev.clone());
        // Logged without the lock: a subscriber is free to take its time.
        drop(w);
        match written {
            Ok(()) => log_seal(&SealNote {
                seq,
                head: &head,
                key_id: self.key.as_ref().map_or("unkeyed", AuditKey::key_id),
                reason: reason.as_str(),
            }),
            Err(e) => tracing::error!(
                target: "agent_runtime::audit",
                error = %e.kind(),
                "audit file seal failed"
            ),
        }
    }
}

/// Target of the log line every seal also writes.
const SEAL_LOG_TARGET: &str = "agent_runtime::audit::chain";

/// What the log says about a seal: where the chain's head was, so a log
/// shipped off the host holds a copy of positions the file must reach.
#[derive(serde::Serialize)]
struct SealNote<'a> {
    seq: u64,
    head: &'a str,
    key_id: &'a str,
    reason: &'static str,
}

/// Logs a seal like an audit record: under the default logger a line
/// written whatever `RUST_LOG` says (a filter must not hide it, as it
/// cannot hide audit records), else a `tracing` event at `INFO`.
fn log_seal(note: &SealNote<'_>) {
    match crate::logging::direct_line_format() {
        Some(format) => crate::logging::append_line(&seal_log_line(format, now_ms(), note)),
        None => tracing::info!(
            target: SEAL_LOG_TARGET,
            seq = note.seq,
            head = note.head,
            key_id = note.key_id,
            reason = note.reason,
            "audit chain sealed"
        ),
    }
}

/// The default logger's line for a seal, newline-terminated.
fn seal_log_line(format: LineFormat, time_ms: u64, note: &SealNote<'_>) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Line<'a> {
        timestamp: Rfc3339Millis,
        level: &'static str,
        target: &'static str,
        message: &'static str,
        #[serde(flatten)]
        note: &'a SealNote<'a>,
    }
    let timestamp = Rfc3339Millis(time_ms);
    let mut out = Vec::with_capacity(256);
    let written = match format {
        LineFormat::Json => serde_json::to_writer(
            &mut out,
            &Line {
                timestamp,
                level: "INFO",
                target: SEAL_LOG_TARGET,
                message: "audit chain sealed",
                note,
            },
        ),
        LineFormat::Text => {
            out.extend_from_slice(
                format!("{timestamp}  INFO {SEAL_LOG_TARGET}: audit chain sealed ").as_bytes(),
            );
            serde_json::to_writer(&mut out, note)
        }
    };
    if written.is_err() {
        // Serialising these field types cannot fail; never emit half a line.
        out.clear();
    } else {
        out.push(b'\n');
    }
    out
}

/// Appends chained audit records to a file (see the [module docs](super)
/// for the format, the seals and what verification shows).
///
/// One sink per file: opening takes an exclusive lock on it (released when
/// the sink and its seal thread are gone). The sink writes interval seals
/// from a thread of its own, which ends when the sink is dropped; the
/// runtime writes the stop seal ([`AuditSink::seal`]) when its server
/// stops. A write that fails (a full disk) is logged, and the next line
/// first seals off whatever the failed write left in the file (if the file
/// was meanwhile cut below the last line written, the sink writes no more
/// lines to it and each record logs an error: they would link to lines that
/// are gone). A file cut while the sink writes on shows as a break at the
/// first line written after the cut.
pub struct JsonLinesAuditSink {
    shared: Arc<Shared>,
    options: AuditFileOptions,
    stop_sealer: Option<mpsc::Sender<()>>,
    sealer: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for JsonLinesAuditSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonLinesAuditSink")
            .field("key_id", &self.shared.key.as_ref().map(AuditKey::key_id))
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl JsonLinesAuditSink {
    /// Opens (or creates) `path` with the default options: fsync on every
    /// seal, a seal every minute while records are written.
    ///
    /// A new (or empty) file starts with a start record. An existing file
    /// is read and verified with `key` first and the chain continues from
    /// its last line with a `resume` record, or with a `torn` record when
    /// the file ends in a line cut short (the process died mid-write, the
    /// disk was full). A file that does not verify, or that was written
    /// with another key or kind of chain, is an error rather than silently
    /// extended.
    ///
    /// # Errors
    ///
    /// See [`OpenError`].
    pub fn open(path: impl AsRef<Path>, key: ChainKey) -> Result<Self, OpenError> {
        Self::open_with(path, key, AuditFileOptions::default())
    }

    /// [`open`](Self::open) with explicit options.
    ///
    /// # Errors
    ///
    /// See [`OpenError`].
    pub fn open_with(
        path: impl AsRef<Path>,
        key: ChainKey,
        options: AuditFileOptions,
    ) -> Result<Self, OpenError> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(OpenError::Locked),
            Err(TryLockError::Error(e)) => return Err(e.into()),
        }
        let key = match key {
            ChainKey::Keyed(k) => Some(k),
            ChainKey::UnkeyedAccidentalEditsOnly => None,
        };
        let shared = Shared {
            mac: LineMac::new(key.as_ref()),
            key,
            fsync: options.fsync,
            writer: Mutex::new(Writer {
                file,
                path,
                position: Position::start(),
                damaged: false,
            }),
        };
        {
            let mut w = lock(&shared.writer);
            let created = shared.continue_or_start(&mut w)?;
            if options.fsync != FsyncPolicy::Never {
                w.file.sync_all()?;
                if created {
                    sync_parent_dir(&w.path);
                }
            }
        }
        let shared = Arc::new(shared);
        let (stop_sealer, sealer) = match options.seal_interval {
            Some(interval) => {
                let (stop, stopped) = mpsc::channel::<()>();
                let for_thread = Arc::clone(&shared);
                let thread = std::thread::Builder::new()
                    .name("audit-seal".to_owned())
                    .spawn(move || {
                        // Ends when the sink drops its sender.
                        while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(interval) {
                            for_thread.seal(SealReason::Interval);
                        }
                    })
                    .map_err(|e| OpenError::SealThread(e.kind()))?;
                (Some(stop), Some(thread))
            }
            None => (None, None),
        };
        Ok(JsonLinesAuditSink {
            shared,
            options,
            stop_sealer,
            sealer,
        })
    }
}

impl Shared {
    /// Writes the first line of a new file, or reads an existing one and
    /// continues its chain. Returns whether the file was created.
    fn continue_or_start(&self, w: &mut Writer) -> Result<bool, OpenError> {
        let start = LineBody::Start {
            key_id: self.key.as_ref().map(AuditKey::key_id),
            time_ms: now_ms(),
        };
        if w.file.metadata()?.len() == 0 {
            self.write_line(w, &start, LineKind::Start)?;
            return Ok(true);
        }
        let reader = BufReader::new(File::open(&w.path)?);
        let scanned = scan(reader, Position::start(), &self.mac, self.key.as_ref())?;
        if scanned.position.next_seq == 1 {
            // Only part of a start record: the process died while creating
            // the file, before any record. A longer fragment is not that.
            match scanned.tail {
                Some(tail) if tail.bytes <= MAX_LINE_BYTES as u64 => {
                    w.file.set_len(0)?;
                    self.write_line(w, &start, LineKind::Start)?;
                    return Ok(true);
                }
                _ => {
                    return Err(OpenError::Chain(ChainError::at(
                        1,
                        super::report::ChainProblem::IncompleteStartRecord,
                    )));
                }
            }
        }
        w.position = scanned.position;
        match scanned.tail {
            Some(tail) if tail.terminated => {
                // Whole lines that do not verify: tampering or corruption,
                // not a write cut short.
                Err(OpenError::Chain(ChainError::at(
                    tail.first_line,
                    tail.first_problem,
                )))
            }
            Some(tail) => {
                w.position.offset = scanned.bytes_read;
                w.position.missing_newline = true;
                self.seal_off(w, &tail)?;
                Ok(false)
            }
            None => {
                let body = LineBody::Resume {
                    previous_end: ChainEnd::after(w.position.last),
                    time_ms: now_ms(),
                };
                self.write_line(w, &body, LineKind::Resume)?;
                Ok(false)
            }
        }
    }
}

/// Makes a new file's directory entry durable (Unix; elsewhere, and on
/// file systems that refuse, this is skipped: the file's own data was
/// synced).
fn sync_parent_dir(path: &Path) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

impl AuditSink for JsonLinesAuditSink {
    fn record(&self, record: &AuditRecord) {
        let mut w = lock(&self.shared.writer);
        if let Err(e) = self
            .shared
            .append(&mut w, &LineBody::Record(record), LineKind::Record)
        {
            // The record is still in the log; the next record first seals
            // off whatever this write left in the file.
            tracing::error!(
                target: "agent_runtime::audit",
                error = %e.kind(),
                "audit file write or sync failed"
            );
        }
    }

    /// Writes a stop seal (unless the file already ends with one) and
    /// flushes the file to disk unless the policy is [`FsyncPolicy::Never`].
    fn seal(&self) {
        self.shared.seal(SealReason::Stop);
    }
}

impl Drop for JsonLinesAuditSink {
    /// Ends the seal thread (it may be writing a seal; that one completes).
    fn drop(&mut self) {
        drop(self.stop_sealer.take());
        if let Some(thread) = self.sealer.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
impl JsonLinesAuditSink {
    /// What the seal thread does when its interval passes.
    pub(super) fn seal_on_interval(&self) {
        self.shared.seal(SealReason::Interval);
    }

    /// What a failed write leaves behind: the next line repairs first.
    pub(super) fn mark_write_failed(&self) {
        lock(&self.shared.writer).damaged = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seal_log_line_names_seq_head_key_id_and_reason() {
        let note = SealNote {
            seq: 42,
            head: "ab12",
            key_id: "5c0e3e2f8b1d9a47",
            reason: "stop",
        };
        let json = seal_log_line(LineFormat::Json, 1_700_000_000_123, &note);
        assert!(json.ends_with(b"\n"));
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap_or_default();
        assert_eq!(
            v,
            serde_json::json!({
                "timestamp": "2023-11-14T22:13:20.123Z",
                "level": "INFO",
                "target": "agent_runtime::audit::chain",
                "message": "audit chain sealed",
                "seq": 42,
                "head": "ab12",
                "key_id": "5c0e3e2f8b1d9a47",
                "reason": "stop",
            })
        );
        let text = String::from_utf8(seal_log_line(LineFormat::Text, 0, &note)).unwrap_or_default();
        assert!(
            text.starts_with("1970-01-01T00:00:00.000Z  INFO agent_runtime::audit::chain: audit chain sealed {\"seq\":42"),
            "{text}"
        );
    }
}
