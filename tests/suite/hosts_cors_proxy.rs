//! Host allow-list, CORS (off unless configured), proxy headers honoured only
//! when trusted, and a slow client cut off.

use crate::common;
use crate::secure_bank;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use actix_web::test::{self, TestRequest};
use common::*;

fn app_config(extra: &[(&str, &str)]) -> agent_runtime::AgentService<secure_bank::Bank> {
    secure_bank::builder()
        .config(config(extra))
        .build()
        .unwrap()
}

#[actix_web::test]
async fn allowed_hosts_are_enforced() {
    let app = test::init_service(app_with(app_config(&[(
        "SWML_ALLOWED_HOSTS",
        "agents.example.com, localhost",
    )])))
    .await;
    for (host, expected) in [
        ("agents.example.com", 200),
        ("AGENTS.example.com:443", 200),
        ("localhost:3000", 200),
        ("evil.example.com", 400),
    ] {
        let (status, _, body) = send(
            &app,
            TestRequest::get()
                .uri("/")
                .insert_header(("Host", host))
                .insert_header(auth()),
        )
        .await;
        assert_eq!(status, expected, "{host}");
        if expected == 400 {
            assert_eq!(
                json(&body),
                agent_runtime::json!({"error": "host not allowed"})
            );
        }
    }
    // Probes answer whatever the host.
    let (status, _, _) = send(
        &app,
        TestRequest::get()
            .uri("/health")
            .insert_header(("Host", "10.0.0.1")),
    )
    .await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn cors_is_off_unless_configured() {
    let preflight = || {
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/swaig")
            .insert_header(("Origin", "https://console.example.com"))
            .insert_header(("Access-Control-Request-Method", "POST"))
    };
    let off = test::init_service(app_with(app_config(&[]))).await;
    let (status, headers, _) = send(&off, preflight()).await;
    assert_eq!(status, 401);
    assert!(headers.get("access-control-allow-origin").is_none());
    let (_, headers, _) = send(
        &off,
        TestRequest::get()
            .uri("/")
            .insert_header(auth())
            .insert_header(("Origin", "https://console.example.com")),
    )
    .await;
    assert!(headers.get("access-control-allow-origin").is_none());

    let on = test::init_service(app_with(app_config(&[(
        "SWML_CORS_ORIGINS",
        "https://console.example.com",
    )])))
    .await;
    let (status, headers, _) = send(&on, preflight()).await;
    assert_eq!(status, 204);
    assert_eq!(
        headers.get("access-control-allow-origin").unwrap(),
        "https://console.example.com"
    );
    assert_eq!(
        headers.get("access-control-allow-methods").unwrap(),
        "GET, POST"
    );
    let (status, headers, _) = send(
        &on,
        TestRequest::get()
            .uri("/")
            .insert_header(auth())
            .insert_header(("Origin", "https://console.example.com")),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        headers.get("access-control-allow-origin").unwrap(),
        "https://console.example.com"
    );
    // Another origin gets nothing, and its preflight is not answered.
    let (status, headers, _) = send(
        &on,
        preflight().insert_header(("Origin", "https://evil.example.com")),
    )
    .await;
    assert_eq!(status, 401);
    assert!(headers.get("access-control-allow-origin").is_none());
}

#[actix_web::test]
async fn forwarded_for_counts_only_when_trusted() {
    let limited = [("SWML_HTTP_RATE_LIMIT", "2/min")];
    let req = |ip: &str| {
        TestRequest::get()
            .uri("/")
            .peer_addr("192.0.2.1:5000".parse().unwrap())
            .insert_header(("X-Forwarded-For", ip.to_owned()))
            .insert_header(auth())
    };
    // Untrusted: every request is the proxy's address, whatever the header says.
    let app = test::init_service(app_with(app_config(&limited))).await;
    let statuses: Vec<u16> = futures_statuses(
        &app,
        [
            req("198.51.100.1"),
            req("198.51.100.2"),
            req("198.51.100.3"),
        ],
    )
    .await;
    assert_eq!(statuses, [200, 200, 429]);
    // Trusted: each forwarded client has its own allowance.
    let mut trusted = limited.to_vec();
    trusted.push(("SWML_TRUST_PROXY_HEADERS", "true"));
    let app = test::init_service(app_with(app_config(&trusted))).await;
    let statuses = futures_statuses(
        &app,
        [
            req("198.51.100.1"),
            req("198.51.100.2"),
            req("198.51.100.3"),
            req("198.51.100.1"),
            req("198.51.100.1"),
        ],
    )
    .await;
    assert_eq!(statuses, [200, 200, 200, 200, 429]);
}

async fn futures_statuses<S, B>(app: &S, reqs: impl IntoIterator<Item = TestRequest>) -> Vec<u16>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let mut out = Vec::new();
    for r in reqs {
        out.push(send(app, r).await.0);
    }
    out
}

#[test]
fn slow_client_is_cut_off() {
    let svc = app_config(&[]);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || actix_web::rt::System::new().block_on(svc.serve_on(listener)));
    std::thread::sleep(Duration::from_millis(300));
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // Half a request line, then nothing: the header timeout (5 s) must end it.
    s.write_all(b"POST /swaig HTTP/1.1\r\nHost: loc").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
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
