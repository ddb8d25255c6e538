//! Host allow-list, CORS (off unless configured), proxy headers honoured only
//! when trusted, and a slow client cut off.
//!
//! The requests carry headers the platform would not send (`Host`,
//! `Origin`, `X-Forwarded-For`) or come from a chosen peer address, so they
//! are built here and sent as they are.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use actix_web::http::Method;
use actix_web::test::TestRequest;
use agent_runtime::harness::{TestAgent, TestServer, test_config_with};
use agent_runtime::json;

use crate::secure_bank::{self, Bank};

async fn bank_with(vars: &[(&str, &str)]) -> TestAgent<Bank> {
    TestAgent::start(secure_bank::builder().config(test_config_with(vars)))
        .await
        .expect("bank starts")
}

/// `GET /` with the agent's credentials.
fn swml_request(agent: &TestAgent<Bank>) -> TestRequest {
    TestRequest::get()
        .uri("/")
        .insert_header(("Authorization", agent.auth_header()))
}

#[actix_web::test]
async fn allowed_hosts_are_enforced() {
    let agent = bank_with(&[("SWML_ALLOWED_HOSTS", "agents.example.com, localhost")]).await;
    for (host, expected) in [
        ("agents.example.com", 200),
        ("AGENTS.example.com:443", 200),
        ("localhost:3000", 200),
        ("evil.example.com", 400),
    ] {
        let reply = agent
            .send_raw(swml_request(&agent).insert_header(("Host", host)))
            .await;
        assert_eq!(reply.status, expected, "{host}");
        if expected == 400 {
            assert_eq!(reply.json(), Some(json!({"error": "host not allowed"})));
        }
    }
    // Probes answer whatever the host.
    let probe = agent
        .send_raw(
            TestRequest::get()
                .uri("/health")
                .insert_header(("Host", "10.0.0.1")),
        )
        .await;
    assert_eq!(probe.status, 200);
}

#[actix_web::test]
async fn cors_is_off_unless_configured() {
    let preflight = || {
        TestRequest::default()
            .method(Method::OPTIONS)
            .uri("/swaig")
            .insert_header(("Origin", "https://console.example.com"))
            .insert_header(("Access-Control-Request-Method", "POST"))
    };
    let off = bank_with(&[]).await;
    let reply = off.send_raw(preflight()).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("access-control-allow-origin"), None);
    let reply = off
        .send_raw(swml_request(&off).insert_header(("Origin", "https://console.example.com")))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("access-control-allow-origin"), None);

    let on = bank_with(&[("SWML_CORS_ORIGINS", "https://console.example.com")]).await;
    let reply = on.send_raw(preflight()).await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://console.example.com")
    );
    assert_eq!(
        reply.header("access-control-allow-methods"),
        Some("GET, POST")
    );
    let reply = on
        .send_raw(swml_request(&on).insert_header(("Origin", "https://console.example.com")))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://console.example.com")
    );
    // Another origin gets nothing, and its preflight is not answered.
    let reply = on
        .send_raw(preflight().insert_header(("Origin", "https://evil.example.com")))
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("access-control-allow-origin"), None);
}

#[actix_web::test]
async fn forwarded_for_counts_only_when_trusted() {
    let limited = [("SWML_HTTP_RATE_LIMIT", "2/min")];
    /// Statuses of `GET /` from one proxy address, forwarded for each client.
    async fn statuses(agent: &TestAgent<Bank>, clients: &[&str]) -> Vec<u16> {
        let mut out = Vec::new();
        for client in clients {
            let req = swml_request(agent)
                .peer_addr("192.0.2.1:5000".parse().expect("an address"))
                .insert_header(("X-Forwarded-For", *client));
            out.push(agent.send_raw(req).await.status);
        }
        out
    }
    // Untrusted: every request is the proxy's address, whatever the header says.
    let untrusted = bank_with(&limited).await;
    assert_eq!(
        statuses(
            &untrusted,
            &["198.51.100.1", "198.51.100.2", "198.51.100.3"]
        )
        .await,
        [200, 200, 429]
    );
    // Trusted: each forwarded client has its own allowance.
    let mut trusted_vars = limited.to_vec();
    trusted_vars.push(("SWML_TRUST_PROXY_HEADERS", "true"));
    let trusted = bank_with(&trusted_vars).await;
    assert_eq!(
        statuses(
            &trusted,
            &[
                "198.51.100.1",
                "198.51.100.2",
                "198.51.100.3",
                "198.51.100.1",
                "198.51.100.1"
            ]
        )
        .await,
        [200, 200, 200, 200, 429]
    );
}

#[test]
fn slow_client_is_cut_off() {
    let service = secure_bank::builder()
        .config(test_config_with(&[]))
        .build()
        .expect("bank builds");
    let server = TestServer::start(service).expect("server starts");
    let mut s = TcpStream::connect(server.addr()).expect("connects");
    // Half a request line, then nothing: the header timeout (5 s) must end it.
    s.write_all(b"POST /swaig HTTP/1.1\r\nHost: loc")
        .expect("writes");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("a timeout");
    let started = Instant::now();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(15),
        "connection held for {waited:?}"
    );
    let text = String::from_utf8_lossy(&buf);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
}
