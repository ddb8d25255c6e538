//! The baseline of `bench/load.sh`: a bare actix-web server whose only route
//! checks basic auth and answers with a fixed 2 KiB JSON body. The agent's
//! throughput is reported as a fraction of this one's.
//!
//! Environment: `HOST` (default `127.0.0.1`), `PORT` (default 3001),
//! `SWML_BASIC_AUTH_USER` / `SWML_BASIC_AUTH_PASSWORD` (the same credentials
//! as the agent), `BASELINE_WORKERS` (default: actix's, one per core).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::{self, Bytes};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer};
use base64::Engine as _;

/// Size of the fixed response body.
const BODY_LEN: usize = 2048;

/// What every request is checked against and answered with, built once.
struct Fixed {
    authorization: Vec<u8>,
    body: Bytes,
}

/// `{"status":"ok","padding":"xxxx..."}`, exactly [`BODY_LEN`] bytes.
fn fixed_body() -> Bytes {
    let head = r#"{"status":"ok","padding":""#;
    let tail = r#""}"#;
    let mut s = String::with_capacity(BODY_LEN);
    s.push_str(head);
    s.extend(std::iter::repeat_n('x', BODY_LEN - head.len() - tail.len()));
    s.push_str(tail);
    debug_assert_eq!(s.len(), BODY_LEN);
    Bytes::from(s)
}

async fn handle(req: HttpRequest, _body: Bytes, fixed: web::Data<Fixed>) -> HttpResponse {
    let authorized = req
        .headers()
        .get(header::AUTHORIZATION)
        .is_some_and(|v| v.as_bytes() == fixed.authorization.as_slice());
    if authorized {
        HttpResponse::build(StatusCode::OK)
            .insert_header((
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ))
            .body(fixed.body.clone())
    } else {
        HttpResponse::build(StatusCode::UNAUTHORIZED)
            .insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="baseline""#),
            ))
            .insert_header((
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ))
            .body(r#"{"error":"unauthorized"}"#)
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn main() -> std::io::Result<()> {
    let user = env("SWML_BASIC_AUTH_USER").unwrap_or_else(|| "signalwire".to_owned());
    let password = env("SWML_BASIC_AUTH_PASSWORD")
        .ok_or_else(|| std::io::Error::other("SWML_BASIC_AUTH_PASSWORD must be set"))?;
    let host = env("HOST").unwrap_or_else(|| "127.0.0.1".to_owned());
    let port = match env("PORT") {
        Some(p) => p
            .trim()
            .parse::<u16>()
            .map_err(|_| std::io::Error::other("PORT must be a port number"))?,
        None => 3001,
    };
    let workers = match env("BASELINE_WORKERS") {
        Some(w) => Some(
            w.trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| std::io::Error::other("BASELINE_WORKERS must be > 0"))?,
        ),
        None => None,
    };
    let fixed = web::Data::new(Fixed {
        authorization: format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )
        .into_bytes(),
        body: fixed_body(),
    });
    eprintln!("bench-baseline listening on {host}:{port}");
    actix_web::rt::System::new().block_on(async move {
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(fixed.clone())
                .default_service(web::to(handle))
        })
        .tcp_nodelay(true);
        if let Some(n) = workers {
            server = server.workers(n);
        }
        server.bind((host, port))?.run().await
    })
}
