//! Log output. Audit records and logs are `tracing` events; this installs a
//! subscriber that writes them to stderr as JSON lines (`AGENT_LOG_FORMAT=json`,
//! the default) or as text (`AGENT_LOG_FORMAT=text`), filtered by `RUST_LOG`
//! (default `info`). `run`/`serve` call it when the application installed no
//! subscriber of its own.
//!
//! # Where lines are written
//!
//! Every audit record is a log line, so writing lines must not cost the
//! request path a system call (or a thread wake-up) each. The default
//! subscriber formats a line on the worker that handled the request and
//! appends it to a process-wide buffer; a background thread writes the buffer
//! to stderr every 20 ms with one `write`. Nothing is dropped: when more than
//! 64 KiB is waiting, the request that appends the line writes the buffer
//! itself (one `write` per few hundred lines, and a bounded buffer). [`flush_default_logging`] writes everything appended so far;
//! `run`/`serve` call it when the server stops. Lines appended in the last
//! 20 ms before the process is killed (`SIGKILL`, `abort`) are lost; `SIGTERM`
//! and Ctrl-C stop the server gracefully and flush.
//!
//! # Audit records
//!
//! Under the default subscriber, audit records (target
//! `agent_runtime::audit`) are serialised straight into that buffer as one
//! JSON object per line (`timestamp`, `level`, `target`, then the record's
//! fields as [`AuditRecord::to_json`](crate::audit::AuditRecord::to_json) writes them; `crate::audit` formats them)
//! writes them), or with `AGENT_LOG_FORMAT=text` as the text prefix followed
//! by that object. They are written whatever `RUST_LOG` says: a log level set
//! for debugging must not switch the audit trail off. When the application
//! installs its own subscriber, audit records are ordinary `tracing` events
//! at level `INFO` instead, and its filter decides.
//!
//! `tracing-appender` offers a similar hand-off, but it wakes its writer
//! thread for every line and flushes only when its guard is dropped, which
//! ends the writer for the rest of the process; the buffer here stays usable
//! after a flush, so several servers can run (and stop) one after another in
//! one process.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// How often the background thread writes what has been appended.
const FLUSH_INTERVAL: Duration = Duration::from_millis(20);
/// Appending past this many waiting bytes writes them at once (on the thread
/// that appends), which also bounds the buffer's memory.
const HIGH_WATER: usize = 64 * 1024;

/// Lines waiting to be written, and the output they go to.
struct Pending<W> {
    lines: Mutex<Vec<u8>>,
    out: Mutex<W>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves bytes, not broken invariants.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<W: Write> Pending<W> {
    fn new(out: W) -> Self {
        Pending {
            lines: Mutex::new(Vec::with_capacity(HIGH_WATER + 1024)),
            out: Mutex::new(out),
        }
    }

    /// Appends one formatted line; writes everything waiting when that is
    /// more than [`HIGH_WATER`].
    fn append(&self, line: &[u8]) {
        let full = {
            let mut lines = lock(&self.lines);
            lines.extend_from_slice(line);
            lines.len() > HIGH_WATER
        };
        if full {
            self.write_out();
        }
    }

    /// Writes everything appended so far, in order. The output lock is taken
    /// first, so two concurrent calls cannot reorder lines.
    fn write_out(&self) {
        let mut out = lock(&self.out);
        let batch = std::mem::take(&mut *lock(&self.lines));
        if batch.is_empty() {
            return;
        }
        // A failed write (stderr closed) cannot be reported anywhere.
        let _ = out.write_all(&batch);
        let _ = out.flush();
        // Give the allocation back for reuse when nothing else was appended.
        let mut lines = lock(&self.lines);
        if lines.is_empty() && batch.capacity() <= 2 * HIGH_WATER {
            let mut batch = batch;
            batch.clear();
            *lines = batch;
        }
    }
}

/// The process-wide buffer in front of stderr, with its writer thread
/// started on first use.
fn pending() -> &'static Pending<std::io::Stderr> {
    static PENDING: OnceLock<Pending<std::io::Stderr>> = OnceLock::new();
    PENDING.get_or_init(|| {
        let spawned = std::thread::Builder::new()
            .name("agent-log-writer".into())
            .spawn(|| {
                loop {
                    std::thread::sleep(FLUSH_INTERVAL);
                    pending().write_out();
                }
            });
        // Without the thread, lines would wait for the next high-water mark
        // or flush; the buffer then holds nothing: every line goes out at once.
        if spawned.is_err() {
            NO_WRITER_THREAD.store(true, Ordering::Relaxed);
        }
        Pending::new(std::io::stderr())
    })
}

/// Set when the writer thread could not be started.
static NO_WRITER_THREAD: AtomicBool = AtomicBool::new(false);

/// A `MakeWriter` whose writers append one formatted event to [`pending`].
#[derive(Debug, Clone, Copy)]
struct BufferedStderr;

/// Collects one event's bytes; appended as one line when dropped.
#[derive(Debug)]
struct BufferedLine(Vec<u8>);

impl Write for BufferedLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for BufferedLine {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let pending = pending();
        pending.append(&self.0);
        if NO_WRITER_THREAD.load(Ordering::Relaxed) {
            pending.write_out();
        }
    }
}

impl<'a> MakeWriter<'a> for BufferedStderr {
    type Writer = BufferedLine;
    fn make_writer(&'a self) -> Self::Writer {
        BufferedLine(Vec::with_capacity(256))
    }
}

/// How audit records are written: through `tracing`, or directly by the
/// default subscriber as JSON or text lines.
static AUDIT_LINES: AtomicU8 = AtomicU8::new(AUDIT_VIA_TRACING);
const AUDIT_VIA_TRACING: u8 = 0;
const AUDIT_JSON: u8 = 1;
const AUDIT_TEXT: u8 = 2;

/// Installs the default subscriber unless one is already set. Returns whether
/// it installed one.
pub fn init_default_logging() -> bool {
    if tracing::dispatcher::has_been_set() {
        return false;
    }
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Audit records are written by `write_audit_line`, not by the formatter.
    let (filter, direct) = match "agent_runtime::audit=off".parse() {
        Ok(directive) => (filter.add_directive(directive), true),
        Err(_) => (filter, false),
    };
    let text = std::env::var("AGENT_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("text"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(BufferedStderr);
    let result = if text {
        builder.try_init()
    } else {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init()
    };
    if result.is_ok() && direct {
        AUDIT_LINES.store(
            if text { AUDIT_TEXT } else { AUDIT_JSON },
            Ordering::Relaxed,
        );
    }
    result.is_ok()
}

/// How the default logger writes audit lines, when it is installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineFormat {
    /// One JSON object per line.
    Json,
    /// A text prefix, then the JSON object.
    Text,
}

/// The format of directly written lines, or `None` when the default logger
/// is not installed (records must then become `tracing` events).
pub(crate) fn direct_line_format() -> Option<LineFormat> {
    match AUDIT_LINES.load(Ordering::Relaxed) {
        AUDIT_JSON => Some(LineFormat::Json),
        AUDIT_TEXT => Some(LineFormat::Text),
        _ => None,
    }
}

/// Appends one newline-terminated line to the default logger's buffer.
pub(crate) fn append_line(line: &[u8]) {
    pending().append(line);
}

/// Unix milliseconds shown as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC).
#[derive(Clone, Copy)]
pub(crate) struct Rfc3339Millis(pub(crate) u64);

impl fmt::Display for Rfc3339Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0 % 1000;
        let secs = self.0 / 1000;
        let (days, rem) = (secs / 86_400, secs % 86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }
}

impl serde::Serialize for Rfc3339Millis {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`, for non-negative days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// Writes every line the default subscriber has buffered so far to stderr.
/// `run`/`serve` call this when the server stops.
pub fn flush_default_logging() {
    pending().write_out();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Records what the writer thread writes, and how many writes it took.
    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<(Vec<u8>, usize)>>);

    impl Write for Recorder {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let mut inner = self.0.lock().expect("recorder lock");
            inner.0.extend_from_slice(buf);
            inner.1 += 1;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_are_written_in_order_in_one_write_per_batch() {
        let recorder = Recorder::default();
        let pending = Pending::new(recorder.clone());
        let mut expected = Vec::new();
        for round in 0..3 {
            for i in 0..500 {
                let line = format!("round {round} line {i}\n").into_bytes();
                expected.extend_from_slice(&line);
                pending.append(&line);
            }
            pending.write_out();
            let inner = recorder.0.lock().expect("recorder lock");
            assert_eq!(
                inner.0, expected,
                "everything appended is written, in order"
            );
            assert_eq!(inner.1, round + 1, "one write per batch of 500 lines");
        }
        pending.write_out();
        assert_eq!(
            recorder.0.lock().expect("recorder lock").1,
            3,
            "nothing to write, no write"
        );
    }

    #[test]
    fn appending_past_the_high_water_mark_writes_at_once() {
        let recorder = Recorder::default();
        let pending = Pending::new(recorder.clone());
        let line = vec![b'x'; 4 * 1024];
        for _ in 0..(HIGH_WATER / line.len()) {
            pending.append(&line);
        }
        assert_eq!(recorder.0.lock().expect("recorder lock").1, 0, "not yet");
        pending.append(&line);
        let inner = recorder.0.lock().expect("recorder lock");
        assert_eq!(inner.1, 1);
        assert_eq!(inner.0.len(), HIGH_WATER + line.len(), "nothing is dropped");
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let t = |ms| Rfc3339Millis(ms).to_string();
        assert_eq!(t(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(t(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(t(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(t(4_102_444_799_999), "2099-12-31T23:59:59.999Z");
        assert_eq!(t(1_795_305_600_000), "2026-11-22T00:00:00.000Z");
    }

    #[test]
    fn flush_without_any_line_returns() {
        flush_default_logging();
    }
}
