//! Criterion benchmarks of the per-request hot paths: token mint/verify,
//! basic auth, argument validation, and full in-process HTTP round trips for
//! SWML rendering and SWAIG dispatch (secure_bank example).
//!
//! ```text
//! cargo bench --bench hot_paths
//! cargo bench --bench hot_paths -- --quick
//! cargo bench --bench hot_paths -- swaig_dispatch
//! ```
//!
//! The HTTP benches run the real actix service (`test::init_service`) on one
//! actix `System` created once; every iteration is a `block_on` of one
//! request. Criterion's own async support (`to_async`) needs its `async_*`
//! features, which the workspace does not enable.

use std::cell::Cell;
use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use actix_web::App;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::rt::System;
use actix_web::test::{self, TestRequest};
use agent_runtime::__bench::ArgsValidator;
use agent_runtime::__bench::BasicAuth;
use agent_runtime::harness::basic_header;
use agent_runtime::token::{DEFAULT_TOKEN_TTL, TokenError, TokenKey, TokenSigner};
use agent_runtime::{AgentConfig, Value, json};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

#[path = "../examples/secure_bank.rs"]
mod secure_bank;

const USER: &str = "specuser";
const PASSWORD: &str = "Sp3c-Fixture-Pass-2024";
const SECRET: &str = "bench-swaig-secret-0123456789abcdef-0123";
const CALL_ID: &str = "3f8e2a6c-5b1d-4c7e-9a0f-2d4b6c8e1a3f";
const FROM: &str = "1000000001";
const TO: &str = "1000000002";

/// A configuration as if only these variables were set (no process
/// environment involved).
fn config() -> AgentConfig {
    let vars: HashMap<&str, &str> = HashMap::from([
        ("SWML_BASIC_AUTH_USER", USER),
        ("SWML_BASIC_AUTH_PASSWORD", PASSWORD),
        ("SIGNALWIRE_SWAIG_SECRET", SECRET),
        ("PORT", "38471"),
        // The per-caller limit stays on (its check is part of the measured
        // path) but high enough never to refuse during a run.
        ("SWML_RATE_LIMIT", "1000000000/sec"),
    ]);
    AgentConfig::from_lookup(|k| vars.get(k).map(|v| (*v).to_owned()))
        .expect("bench configuration is valid")
}

fn signer() -> TokenSigner {
    let key = TokenKey::from_secret(SECRET).expect("secret is long enough");
    TokenSigner::new(key, Vec::new(), DEFAULT_TOKEN_TTL)
}

fn bench_token(c: &mut Criterion) {
    let signer = signer();
    let token = signer.mint("transfer_funds", CALL_ID);
    assert_eq!(
        signer.verify(Some(&token), "transfer_funds", Some(CALL_ID)),
        Ok(())
    );

    let mut group = c.benchmark_group("token");
    group.bench_function("mint", |b| {
        b.iter(|| signer.mint(black_box("transfer_funds"), black_box(CALL_ID)))
    });
    group.bench_function("verify", |b| {
        b.iter(|| {
            signer.verify(
                black_box(Some(token.as_str())),
                black_box("transfer_funds"),
                black_box(Some(CALL_ID)),
            )
        })
    });
    group.finish();
}

fn bench_basic_auth(c: &mut Criterion) {
    let credentials = config().credentials;
    let auth = BasicAuth::new(&credentials.user, &credentials.password);
    let good = basic_header(USER, PASSWORD);
    let bad = basic_header(USER, "wrong-password-of-similar-size");
    assert!(auth.check(Some(good.as_bytes())));
    assert!(!auth.check(Some(bad.as_bytes())));

    let mut group = c.benchmark_group("basic_auth");
    group.bench_function("correct", |b| {
        b.iter(|| auth.check(black_box(Some(good.as_bytes()))))
    });
    group.bench_function("wrong", |b| {
        b.iter(|| auth.check(black_box(Some(bad.as_bytes()))))
    });
    group.finish();
}

fn bench_validation(c: &mut Criterion) {
    // The same full schema the builder compiles for `transfer_funds`.
    let schema = agent_runtime::__private::schema_for::<secure_bank::Transfer>().to_value();
    let validator = ArgsValidator::new(&schema).expect("Transfer schema compiles");
    let valid = json!({"from_account": FROM, "to_account": TO, "amount": 125.5});
    // Three violations: pattern, range and an unknown field.
    let invalid = json!({
        "from_account": "12345",
        "to_account": TO,
        "amount": 20000,
        "memo": "not declared"
    });
    assert!(validator.validate(&valid).is_ok());
    assert!(validator.validate(&invalid).is_err());

    let mut group = c.benchmark_group("validation");
    group.bench_function("transfer_valid", |b| {
        b.iter(|| validator.validate(black_box(&valid)))
    });
    group.bench_function("transfer_invalid", |b| {
        b.iter(|| validator.validate(black_box(&invalid)))
    });
    group.finish();
}

/// The body the platform posts to `/` at call start (from
/// tests/data/fixtures/swml_post_root.json).
fn platform_swml_body() -> Value {
    json!({
        "call_id": CALL_ID,
        "call": {
            "call_id": CALL_ID,
            "node_id": "node-7f3a@us-east",
            "segment_id": "6c2e9a1f-4b7d-4e0a-8c3f-1d5b7e9a2c4f",
            "call_session_id": "9e1b4d7a-2c5f-4a8e-b0d3-6f9c2e5a8b1d",
            "tag": CALL_ID,
            "state": "created",
            "direction": "inbound",
            "type": "phone",
            "from": "+15551230000",
            "to": "+15559870000",
            "headers": [],
            "project_id": "0d3c6e9f-2b5a-4f8d-a1c4-e7f0b3d6a9c2",
            "space_id": "5a8b1c4d-7e0f-4a3b-9c6d-2e5f8a1b4c7d"
        },
        "vars": {},
        "envs": {},
        "params": {}
    })
}

/// A SWAIG request body as the platform sends it.
fn swaig_body(function: &str, args: &Value) -> Value {
    json!({
        "function": function,
        "argument": {"parsed": [args], "raw": args.to_string(), "substituted": ""},
        "call_id": CALL_ID,
        "caller_id_name": "Jane Caller",
        "caller_id_num": "+15551230000",
        "global_data": {"bank_name": "Example Bank"},
        "content_type": "text/swaig",
        "version": "2.0"
    })
}

fn post(path: &str, body: &str) -> actix_http::Request {
    TestRequest::post()
        .uri(path)
        .insert_header(("Authorization", basic_header(USER, PASSWORD)))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_owned())
        .to_request()
}

/// Sends one request and returns the status and the whole body.
async fn send<S, B>(app: &S, req: actix_http::Request) -> (u16, Vec<u8>)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let res = test::call_service(app, req).await;
    let status = res.status().as_u16();
    (status, test::read_body(res).await.to_vec())
}

/// The `__token` of each secure tool in a rendered SWML document.
fn tokens(doc: &Value) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let main = doc["sections"]["main"].as_array().expect("main section");
    let ai = &main
        .iter()
        .find(|v| v.get("ai").is_some())
        .expect("ai verb")["ai"];
    for f in ai["SWAIG"]["functions"].as_array().into_iter().flatten() {
        if let (Some(name), Some(url)) = (f["function"].as_str(), f["web_hook_url"].as_str())
            && let Some(token) = url.split("__token=").nth(1)
        {
            out.insert(name.to_owned(), token.to_owned());
        }
    }
    out
}

fn bench_http(c: &mut Criterion) {
    let system = System::new();
    let svc = secure_bank::builder()
        .config(config())
        .build()
        .expect("bank builds");
    let app = system.block_on(test::init_service(
        App::new().configure(move |cfg| svc.configure(cfg)),
    ));

    // Render once to check the response and to collect the call's tokens.
    let swml_body = platform_swml_body().to_string();
    let (status, body) = system.block_on(send(&app, post("/", &swml_body)));
    assert_eq!(status, 200, "SWML render failed");
    let doc: Value = serde_json::from_slice(&body).expect("SWML is JSON");
    let tokens = tokens(&doc);
    let transfer_token = tokens.get("transfer_funds").expect("transfer token");
    let password_token = tokens.get("change_password").expect("password token");

    let mut group = c.benchmark_group("swml_render");
    group.bench_function("post_root", |b| {
        b.iter_batched(
            || post("/", &swml_body),
            |req| system.block_on(send(&app, req)),
            BatchSize::SmallInput,
        )
    });
    group.finish();

    let balance = swaig_body("get_balance", &json!({"account": FROM})).to_string();
    let transfer_uri = format!("/swaig?__token={transfer_token}");
    // Money moves back and forth one cent at a time, so the ledger stays the
    // same however many iterations run.
    let transfer_there = swaig_body(
        "transfer_funds",
        &json!({"from_account": FROM, "to_account": TO, "amount": 0.01}),
    )
    .to_string();
    let transfer_back = swaig_body(
        "transfer_funds",
        &json!({"from_account": TO, "to_account": FROM, "amount": 0.01}),
    )
    .to_string();
    let password_uri = format!("/swaig?__token={password_token}");
    let password = swaig_body("change_password", &json!({})).to_string();
    // Same shape as a real token, one character of the signature changed
    // (not the last one, whose low bits are padding).
    let mut bad_token = transfer_token.clone();
    let at = bad_token.len() - 5;
    let swapped = if &bad_token[at..=at] == "A" { "B" } else { "A" };
    bad_token.replace_range(at..=at, swapped);
    assert_eq!(
        signer().verify(Some(&bad_token), "transfer_funds", Some(CALL_ID)),
        Err(TokenError::BadSignature)
    );
    let bad_uri = format!("/swaig?__token={bad_token}");

    for (uri, body, expected, needle) in [
        ("/swaig", &balance, 200, "holds"),
        (transfer_uri.as_str(), &transfer_there, 200, "Transferred"),
        (transfer_uri.as_str(), &transfer_back, 200, "Transferred"),
        (password_uri.as_str(), &password, 200, "reset link"),
        (bad_uri.as_str(), &transfer_there, 403, ""),
    ] {
        let (status, res) = system.block_on(send(&app, post(uri, body)));
        assert_eq!(status, expected, "{uri}: {}", String::from_utf8_lossy(&res));
        assert!(String::from_utf8_lossy(&res).contains(needle), "{uri}");
    }

    let mut group = c.benchmark_group("swaig_dispatch");
    group.bench_function("get_balance", |b| {
        b.iter_batched(
            || post("/swaig", &balance),
            |req| system.block_on(send(&app, req)),
            BatchSize::SmallInput,
        )
    });
    let there = Cell::new(true);
    group.bench_function("secure_transfer_funds", |b| {
        b.iter_batched(
            || {
                let body = if there.replace(!there.get()) {
                    &transfer_there
                } else {
                    &transfer_back
                };
                post(&transfer_uri, body)
            },
            |req| system.block_on(send(&app, req)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("secure_change_password", |b| {
        b.iter_batched(
            || post(&password_uri, &password),
            |req| system.block_on(send(&app, req)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("bad_token_403", |b| {
        b.iter_batched(
            || post(&bad_uri, &transfer_there),
            |req| system.block_on(send(&app, req)),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn short() -> Criterion {
    // Modest defaults for small shared machines; command-line flags
    // (`--measurement-time`, `--sample-size`, ...) still override them.
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = hot_paths;
    config = short();
    targets = bench_token, bench_basic_auth, bench_validation, bench_http
}
criterion_main!(hot_paths);
