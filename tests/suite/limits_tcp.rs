//! Body limits over a real TCP connection: a declared or streamed body larger
//! than the limit is refused with 413 without the server buffering it.

use crate::common;
use crate::secure_bank;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use actix_web::{App, HttpServer};
use common::*;

/// Starts the bank on an ephemeral loopback port in a background thread.
fn start() -> u16 {
    let svc = secure_bank::builder().config(config(&[])).build().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                let svc = svc.clone();
                App::new().configure(move |c| svc.configure(c))
            })
            .workers(1)
            .bind(("127.0.0.1", 0))
            .unwrap();
            tx.send(server.addrs()[0].port()).unwrap();
            server.run().await.unwrap();
        })
    });
    rx.recv_timeout(Duration::from_secs(10)).unwrap()
}

fn auth_line() -> String {
    format!("Authorization: {}\r\n", auth().1)
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
    let port = start();
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
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
    let port = start();
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
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
