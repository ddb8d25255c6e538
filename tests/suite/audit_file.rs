//! The chained audit file under a real server: the stop seal written when
//! the server stops, and a file left with a torn last line by a crash,
//! taken up by the next server, which keeps recording.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use agent_runtime::audit::chain::{
    AuditKey, ChainEnd, ChainKey, JsonLinesAuditSink, OpenError, SegmentCause, verify_file,
};
use agent_runtime::harness::{TestServer, test_config};

use crate::secure_bank;

const KEY: &str = "an-audit-chain-key-of-at-least-32-bytes";

fn key() -> AuditKey {
    AuditKey::from_bytes(KEY.as_bytes()).expect("long enough")
}

fn path(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "suite-audit-file-{}-{name}.jsonl",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    path
}

/// Opens the sink, waiting while an earlier server's worker threads (which
/// end shortly after it stopped) still hold the previous sink and its lock.
fn open_sink(file: &std::path::Path) -> JsonLinesAuditSink {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match JsonLinesAuditSink::open(file, ChainKey::Keyed(key())) {
            Err(OpenError::Locked) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other.expect("sink opens"),
        }
    }
}

/// Serves the bank with a chained file sink at `file` until dropped.
fn serve(file: &std::path::Path) -> TestServer {
    let sink = open_sink(file);
    let service = secure_bank::builder()
        .config(test_config())
        .audit_sink(Arc::new(sink))
        .build()
        .expect("bank builds");
    TestServer::start(service).expect("server starts")
}

/// A request without credentials: a 401 and one `auth_failure` record.
fn unauthenticated_request(server: &TestServer) -> u16 {
    let mut s = TcpStream::connect(server.addr()).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s.write_all(
        b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    )
    .expect("writes");
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    text.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_stopped_server_leaves_its_audit_file_sealed() {
    let file = path("stop");
    let server = serve(&file);
    assert_eq!(unauthenticated_request(&server), 401);
    assert_eq!(unauthenticated_request(&server), 401);
    // Still serving: the tail is not yet sealed.
    let running = verify_file(&file, Some(&key())).expect("intact");
    assert_eq!((running.records, running.unproven_tail_records), (2, 2));
    assert!(!running.clean_stop());
    drop(server);
    let stopped = verify_file(&file, Some(&key())).expect("intact");
    assert!(stopped.clean_stop(), "{stopped}");
    assert_eq!(stopped.end, ChainEnd::StopSeal);
    assert_eq!(stopped.unproven_tail_records, 0);
    let _ = std::fs::remove_file(&file);
}

#[test]
fn a_torn_last_line_does_not_stop_the_next_server_which_keeps_recording() {
    let file = path("torn");
    let server = serve(&file);
    assert_eq!(unauthenticated_request(&server), 401);
    drop(server);
    // The next run died in the middle of a line (no seal, half a line).
    let torn = "{\"seq\":4,\"prev\":\"c0ffee\",\"kind\":\"rec";
    let mut text = std::fs::read_to_string(&file).expect("readable");
    text.push_str(torn);
    std::fs::write(&file, text).expect("writable");

    let server = serve(&file);
    assert_eq!(unauthenticated_request(&server), 401);
    assert_eq!(unauthenticated_request(&server), 401);
    drop(server);
    let report = verify_file(&file, Some(&key())).expect("intact");
    assert!(report.clean_stop(), "{report}");
    assert_eq!(report.records, 3);
    assert_eq!(report.segments.len(), 1);
    assert_eq!(
        report.segments[0].cause,
        SegmentCause::TornLine {
            after_seq: 3,
            bytes: torn.len() as u64,
            lines: 1
        }
    );
    assert_eq!(report.segments[0].previous_end, ChainEnd::StopSeal);
    let _ = std::fs::remove_file(&file);
}
