//! The default logger of a real agent process (the built `secure_bank`
//! example): audit records reach stderr as JSON lines even with `RUST_LOG`
//! set to `error`, lines buffered for the background writer are flushed when
//! the server stops on `SIGTERM`, and neither the password that was tried nor
//! the real one appears in the output.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use agent_runtime::harness::basic_header;
use serde_json::Value;

const PASSWORD: &str = "real-password-canary-0123456789abcdef";
const WRONG: &str = "wrong-password-canary-0123456789abcdef";

/// The built `secure_bank` example next to this test binary, when built.
pub(crate) fn example_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let bin = exe
        .parent()?
        .parent()?
        .join("examples")
        .join(format!("secure_bank{}", std::env::consts::EXE_SUFFIX));
    bin.exists().then_some(bin)
}

/// A loopback port nobody listens on (at the time of asking).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// One request with `Connection: close`; returns the status code.
fn request(port: u16, password: &str, body: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let auth = basic_header("signalwire", password);
    let head = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split(' ').nth(1)?.parse().ok()
}

/// Stops the agent with `SIGTERM` and waits (15 s at most) for it to exit.
pub(crate) fn stop(child: &mut Child) {
    let pid = child.id().to_string();
    // The shell's built-in `kill`: no `procps` package needed.
    let sent = Command::new("sh")
        .args(["-c", "kill -TERM \"$1\"", "sh", &pid])
        .status();
    assert!(sent.is_ok_and(|s| s.success()), "kill -TERM");
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("the agent did not stop within 15 s of SIGTERM");
}

#[test]
fn audit_lines_survive_rust_log_and_are_flushed_on_sigterm() {
    let Some(bin) = example_binary() else {
        eprintln!("examples/secure_bank not built; skipping the process test");
        return;
    };
    let port = free_port();
    let mut child = Command::new(&bin)
        .env_clear()
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .env("SWML_BASIC_AUTH_PASSWORD", PASSWORD)
        .env(
            "SIGNALWIRE_SWAIG_SECRET",
            "log-test-secret-0123456789abcdef0123",
        )
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the example");

    // Wait until it answers, then make one refused and one served request.
    let deadline = Instant::now() + Duration::from_secs(20);
    let body = r#"{"call":{"call_id":"log-test-call"}}"#;
    let mut served = None;
    while Instant::now() < deadline {
        served = request(port, PASSWORD, body);
        if served.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert_eq!(served, Some(200), "the agent serves SWML");
    assert_eq!(request(port, WRONG, body), Some(401));
    stop(&mut child);

    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("piped stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let audit: Vec<Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["target"] == "agent_runtime::audit")
        .collect();
    assert_eq!(
        audit.len(),
        2,
        "two audit records (the served SWML, the 401):\n{stderr}"
    );
    assert_eq!(audit[0]["event"], "call_start");
    assert_eq!(audit[0]["outcome"], "ok");
    assert_eq!(audit[0]["call_id"], "log-test-call");
    let record = &audit[1];
    assert_eq!(record["event"], "auth_failure");
    assert_eq!(record["reason"], "bad_credentials");
    assert_eq!(record["outcome"], "refused");
    assert_eq!(record["level"], "INFO");
    assert!(
        record["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{record}"
    );
    assert!(!stderr.contains(WRONG), "the tried password was logged");
    assert!(!stderr.contains(PASSWORD), "the real password was logged");
}
