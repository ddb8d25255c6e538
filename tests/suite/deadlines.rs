//! Deadlines on what a client controls, over real sockets: a body that stops
//! arriving is answered (408 with credentials, 401 without) and its
//! connection closed within the configured deadline, while other callers are
//! served; a body without `Content-Type: application/json` is refused with
//! 415 before a byte of it is read; idle keep-alive connections are closed.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use agent_runtime::harness::{
    TEST_PASSWORD, TEST_USER, TestServer, basic_header, test_config_with,
};

use crate::secure_bank;

fn start(vars: &[(&str, &str)]) -> TestServer {
    let service = secure_bank::builder()
        .config(test_config_with(vars))
        .build()
        .expect("bank builds");
    TestServer::start(service).expect("server starts")
}

fn auth() -> String {
    format!(
        "Authorization: {}\r\n",
        basic_header(TEST_USER, TEST_PASSWORD)
    )
}

/// Everything the server sends until it closes the connection (or
/// `patience` runs out), and when the close came.
fn read_until_closed(s: &mut TcpStream, patience: Duration) -> (String, Option<Instant>) {
    s.set_read_timeout(Some(patience)).expect("timeout");
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => {
                return (
                    String::from_utf8_lossy(&out).into_owned(),
                    Some(Instant::now()),
                );
            }
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return (
                    String::from_utf8_lossy(&out).into_owned(),
                    Some(Instant::now()),
                );
            }
            Err(_) => return (String::from_utf8_lossy(&out).into_owned(), None),
        }
    }
}

#[test]
fn slow_bodies_are_cut_off_at_their_deadline_while_others_are_served() {
    let deadline = Duration::from_secs(2);
    let server = start(&[("SWML_BODY_TIMEOUT", "2")]);
    // 500 connections send their headers, announce 16,000 body bytes, and
    // then send nothing: half with credentials, half without.
    let attack_started = Instant::now();
    let mut attackers = Vec::new();
    for i in 0..500 {
        let mut s = TcpStream::connect(server.addr()).expect("connects");
        let credentials = if i % 2 == 0 { auth() } else { String::new() };
        write!(
            s,
            "POST /swaig HTTP/1.1\r\nHost: localhost\r\n{credentials}Content-Type: application/json\r\nContent-Length: 16000\r\n\r\n"
        )
        .expect("writes headers");
        attackers.push((i % 2 == 0, s));
    }

    // A caller with credentials is served meanwhile.
    let served_at = Instant::now();
    let mut caller = TcpStream::connect(server.addr()).expect("connects");
    let body = r#"{"call_id":"deadline-call"}"#;
    write!(
        caller,
        "POST / HTTP/1.1\r\nHost: localhost\r\n{}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        auth(),
        body.len()
    )
    .expect("writes");
    let (answer, _) = read_until_closed(&mut caller, Duration::from_secs(10));
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{}",
        &answer[..answer.len().min(100)]
    );
    eprintln!(
        "SWML served in {:?} while 500 slow bodies were open",
        served_at.elapsed()
    );

    // Every attacker is answered and disconnected by its deadline (plus a
    // margin for a loaded machine), never left open.
    let margin = Duration::from_secs(5);
    for (with_credentials, mut s) in attackers {
        let (answer, closed) = read_until_closed(&mut s, deadline + margin);
        let closed = closed.expect("the connection is closed, not left open");
        assert!(
            closed.duration_since(attack_started) <= deadline + margin,
            "closed after {:?}",
            closed.duration_since(attack_started)
        );
        let expected = if with_credentials {
            "HTTP/1.1 408"
        } else {
            "HTTP/1.1 401"
        };
        assert!(
            answer.starts_with(expected),
            "{}",
            &answer[..answer.len().min(100)]
        );
    }
}

#[test]
fn a_body_without_a_json_content_type_is_refused_unread() {
    let server = start(&[]);
    for content_type in [
        "",
        "Content-Type: text/plain\r\n",
        "Content-Type: application/x-www-form-urlencoded\r\n",
    ] {
        let mut s = TcpStream::connect(server.addr()).expect("connects");
        // The body is announced but never sent: the answer must not wait
        // for it.
        write!(
            s,
            "POST /swaig HTTP/1.1\r\nHost: localhost\r\n{}{content_type}Content-Length: 64\r\n\r\n",
            auth()
        )
        .expect("writes");
        let (answer, _) = read_until_closed(&mut s, Duration::from_secs(3));
        assert!(
            answer.starts_with("HTTP/1.1 415"),
            "{content_type:?}: {}",
            &answer[..answer.len().min(100)]
        );
    }
    // Without a body no content type is needed (SWML with an empty POST).
    let mut s = TcpStream::connect(server.addr()).expect("connects");
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: localhost\r\n{}Content-Length: 0\r\nConnection: close\r\n\r\n",
        auth()
    )
    .expect("writes");
    let (answer, _) = read_until_closed(&mut s, Duration::from_secs(5));
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{}",
        &answer[..answer.len().min(100)]
    );
}

#[test]
fn idle_keep_alive_connections_are_closed() {
    let server = start(&[("SWML_KEEP_ALIVE_SECS", "1")]);
    let mut s = TcpStream::connect(server.addr()).expect("connects");
    write!(s, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("writes");
    let (answer, closed) = read_until_closed(&mut s, Duration::from_secs(8));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        closed.is_some(),
        "the idle connection was closed by the server"
    );
}
