//! Body limits over a real TCP connection: a declared or streamed body larger
//! than the limit is refused with 413 without the server buffering it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use agent_runtime::harness::{TEST_PASSWORD, TEST_USER, TestServer, basic_header, test_config};

use crate::secure_bank;

/// The bank on a loopback port, until dropped.
fn start() -> TestServer {
    let service = secure_bank::builder()
        .config(test_config())
        .build()
        .expect("bank builds");
    TestServer::start(service).expect("server starts")
}

fn auth_line() -> String {
    format!(
        "Authorization: {}\r\n",
        basic_header(TEST_USER, TEST_PASSWORD)
    )
}

fn read_status(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = [0u8; 512];
    let n = stream.read(&mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

#[test]
fn declared_content_length_over_the_limit_is_refused_before_the_body() {
    let server = start();
    let mut s = TcpStream::connect(server.addr()).unwrap();
    // 20 MiB declared; not a single body byte is sent.
    write!(
        s,
        "POST /swaig HTTP/1.1\r\nHost: localhost\r\n{}Content-Type: application/json\r\nContent-Length: 20971520\r\n\r\n",
        auth_line()
    )
    .unwrap();
    assert_eq!(read_status(&mut s), "HTTP/1.1 413 Payload Too Large");
}

#[test]
fn chunked_body_over_the_limit_is_refused_while_streaming() {
    let server = start();
    let mut s = TcpStream::connect(server.addr()).unwrap();
    write!(
        s,
        "POST /swaig HTTP/1.1\r\nHost: localhost\r\n{}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        auth_line()
    )
    .unwrap();
    // Send 2 MiB in 64 KiB chunks (limit is 1 MiB); the server answers 413
    // as soon as the limit is crossed, so later writes may fail.
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..32 {
        if write!(s, "{:x}\r\n", chunk.len()).is_err()
            || s.write_all(&chunk).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    assert_eq!(read_status(&mut s), "HTTP/1.1 413 Payload Too Large");
}
