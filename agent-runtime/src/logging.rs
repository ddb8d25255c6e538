//! Log output. Audit records and logs are `tracing` events; this installs a
//! subscriber that writes them to stderr as JSON lines (`AGENT_LOG_FORMAT=json`,
//! the default) or as text (`AGENT_LOG_FORMAT=text`), filtered by `RUST_LOG`
//! (default `info`). `run`/`serve` call it when the application installed no
//! subscriber of its own.
//!
//! # Where lines are written
//!
//! Every audit record is a log line, so writing lines must not cost the
//! request path a system call each. The default subscriber formats a line on
//! the worker that handled the request and hands it to one background thread,
//! which writes whatever has queued up with a single `write` and then flushes.
//! Nothing is dropped: when the queue (64 Ki lines) is full, the request
//! waits for room instead of losing an audit record. [`flush_default_logging`]
//! waits until every line queued so far is on stderr; `run`/`serve` call it
//! when the server stops. A line still queued when the process is killed
//! (`SIGKILL`, `abort`) is lost; `SIGTERM` and Ctrl-C stop the server
//! gracefully and flush.
//!
//! `tracing-appender` offers the same hand-off, but it flushes only when its
//! guard is dropped, which ends the writer for the rest of the process; the
//! writer here stays usable after a flush, so several servers can run (and
//! stop) one after another in one process.

use std::io::Write;
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Lines that may wait for the writer thread before a request blocks.
const QUEUE_LINES: usize = 64 * 1024;

enum Msg {
    Line(Vec<u8>),
    Flush(SyncSender<()>),
}

/// The background stderr writer; one per process, started on first use.
static WRITER: OnceLock<Option<SyncSender<Msg>>> = OnceLock::new();

fn writer() -> Option<&'static SyncSender<Msg>> {
    WRITER
        .get_or_init(|| {
            let (tx, rx) = sync_channel(QUEUE_LINES);
            std::thread::Builder::new()
                .name("agent-log-writer".into())
                .spawn(move || write_lines(&rx, std::io::stderr()))
                .ok()
                .map(|_| tx)
        })
        .as_ref()
}

/// The writer thread: block for one message, drain whatever else is queued
/// into one buffer, write it, flush, repeat.
fn write_lines(rx: &Receiver<Msg>, sink: impl Write) {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, sink);
    let mut waiting: Vec<SyncSender<()>> = Vec::new();
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        while let Some(msg) = next.take() {
            match msg {
                // A failed write (stderr closed) cannot be reported anywhere;
                // the line is dropped rather than blocking every request.
                Msg::Line(line) => drop(out.write_all(&line)),
                Msg::Flush(done) => waiting.push(done),
            }
            next = match rx.try_recv() {
                Ok(msg) => Some(msg),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => None,
            };
        }
        drop(out.flush());
        for done in waiting.drain(..) {
            let _ = done.send(());
        }
    }
}

/// A `MakeWriter` whose writers queue one formatted event for the writer
/// thread (or write it directly if the thread could not be started).
#[derive(Debug, Clone, Copy)]
struct QueuedStderr;

/// Collects one event's bytes; queued as one line when dropped.
#[derive(Debug)]
struct QueuedLine(Vec<u8>);

impl Write for QueuedLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for QueuedLine {
    fn drop(&mut self) {
        let line = std::mem::take(&mut self.0);
        if line.is_empty() {
            return;
        }
        let unsent = match writer() {
            Some(tx) => match tx.send(Msg::Line(line)) {
                Ok(()) => return,
                Err(std::sync::mpsc::SendError(Msg::Line(line))) => line,
                Err(_) => return,
            },
            None => line,
        };
        drop(std::io::stderr().write_all(&unsent));
    }
}

impl<'a> MakeWriter<'a> for QueuedStderr {
    type Writer = QueuedLine;
    fn make_writer(&'a self) -> Self::Writer {
        QueuedLine(Vec::with_capacity(256))
    }
}

/// Installs the default subscriber unless one is already set. Returns whether
/// it installed one.
pub fn init_default_logging() -> bool {
    if tracing::dispatcher::has_been_set() {
        return false;
    }
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let text = std::env::var("AGENT_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("text"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(QueuedStderr);
    let result = if text {
        builder.try_init()
    } else {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init()
    };
    result.is_ok()
}

/// Waits until every line the default subscriber queued so far has been
/// written to stderr. Returns at once if the default subscriber never wrote a
/// line. `run`/`serve` call this when the server stops.
pub fn flush_default_logging() {
    let Some(Some(tx)) = WRITER.get() else {
        return;
    };
    let (done_tx, done_rx) = sync_channel(1);
    if tx.send(Msg::Flush(done_tx)).is_ok() {
        let _ = done_rx.recv();
    }
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

    fn queue_lines(tx: &SyncSender<Msg>, round: usize, expected: &mut Vec<u8>) {
        for i in 0..500 {
            let line = format!("round {round} line {i}\n").into_bytes();
            expected.extend_from_slice(&line);
            tx.send(Msg::Line(line)).expect("queue");
        }
    }

    fn flush(tx: &SyncSender<Msg>) -> Receiver<()> {
        let (done_tx, done_rx) = sync_channel(1);
        tx.send(Msg::Flush(done_tx)).expect("queue");
        done_rx
    }

    #[test]
    fn lines_arrive_in_order_batched_and_flush_waits_for_them() {
        let recorder = Recorder::default();
        let (tx, rx) = sync_channel(QUEUE_LINES);
        let mut expected = Vec::new();
        // Queued before the writer starts: one batch, hence one write.
        queue_lines(&tx, 0, &mut expected);
        queue_lines(&tx, 1, &mut expected);
        let done = flush(&tx);
        let sink = recorder.clone();
        let thread = std::thread::spawn(move || write_lines(&rx, sink));
        done.recv().expect("flush acknowledged");
        {
            let inner = recorder.0.lock().expect("recorder lock");
            assert_eq!(
                inner.0, expected,
                "everything queued before the flush is written, in order"
            );
            assert_eq!(inner.1, 1, "1000 queued lines are written with one write");
        }
        // The writer stays usable after a flush.
        queue_lines(&tx, 2, &mut expected);
        flush(&tx).recv().expect("flush acknowledged");
        assert_eq!(recorder.0.lock().expect("recorder lock").0, expected);
        drop(tx);
        thread
            .join()
            .expect("writer thread ends when the queue closes");
    }

    #[test]
    fn flush_without_any_line_returns() {
        flush_default_logging();
    }
}
