//! The secure_bank example driven through the real HTTP stack: every status
//! code, every token failure, SWML against the official schema.

use crate::common;
use crate::secure_bank;

use std::sync::Arc;

use actix_web::test::{self, TestRequest};
use agent_runtime::audit::{AuditEvent, MemoryAuditSink};
use agent_runtime::token::{TokenKey, TokenSigner};
use agent_runtime::{AgentService, Value, json};
use common::*;

fn service(sink: &MemoryAuditSink) -> AgentService<secure_bank::Bank> {
    secure_bank::builder()
        .config(config(&[]))
        .audit_sink(Arc::new(sink.clone()))
        .build()
        .expect("bank builds")
}

fn transfer_args() -> Value {
    json!({"from_account": "1000000001", "to_account": "1000000002", "amount": 125.5})
}

async fn swml_for_call(
    app: &impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
    >,
) -> Value {
    let (status, _, body) = send(app, post_json("/", &json!({"call": {"call_id": CALL_ID}}))).await;
    assert_eq!(status, 200);
    json(&body)
}

#[actix_web::test]
async fn probes_are_public_and_reveal_only_a_status() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    for (path, expected) in [("/health", "healthy"), ("/ready", "ready")] {
        let (status, headers, body) = send(&app, TestRequest::get().uri(path)).await;
        assert_eq!(status, 200);
        assert_eq!(json(&body), json!({"status": expected}));
        assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    }
}

#[actix_web::test]
async fn every_route_requires_basic_auth() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let bad_auths = [
        None,
        Some(agent_runtime::harness::basic_header(USER, "wrong-password")),
        Some(agent_runtime::harness::basic_header("someone", PASSWORD)),
        Some("Bearer abc".to_owned()),
    ];
    for path in [
        "/",
        "/swaig",
        "/swaig/",
        "/post_prompt",
        "/nope",
        "/health/x",
    ] {
        for method in ["GET", "POST", "PUT"] {
            for auth in &bad_auths {
                let mut req = TestRequest::default()
                    .method(method.parse().unwrap())
                    .uri(path)
                    .insert_header(("Content-Type", "application/json"))
                    .set_payload("{}");
                if let Some(a) = auth {
                    req = req.insert_header(("Authorization", a.clone()));
                }
                let (status, headers, body) = send(&app, req).await;
                assert_eq!(status, 401, "{method} {path}");
                let challenge = headers.get("www-authenticate").unwrap().to_str().unwrap();
                assert!(challenge.starts_with("Basic realm="), "{challenge}");
                assert_eq!(json(&body), json!({"error": "unauthorized"}));
            }
        }
    }
    let failures = sink
        .records()
        .iter()
        .filter(|r| r.event == AuditEvent::AuthFailure)
        .count();
    assert_eq!(failures, 6 * 3 * 4);
}

#[actix_web::test]
async fn status_codes_for_bad_requests_never_echo_input() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let canary = "ECHO-CANARY-7731";
    let cases: Vec<(TestRequest, u16)> = vec![
        (TestRequest::get().uri("/swaig").insert_header(auth()), 405),
        (TestRequest::put().uri("/").insert_header(auth()), 405),
        (
            TestRequest::get()
                .uri(&format!("/{canary}"))
                .insert_header(auth()),
            404,
        ),
        (
            TestRequest::post()
                .uri("/swaig")
                .insert_header(auth())
                .insert_header(("Content-Type", "text/plain"))
                .set_payload("{}"),
            415,
        ),
        (
            TestRequest::post()
                .uri("/swaig")
                .insert_header(auth())
                .insert_header(("Content-Type", "application/json"))
                .set_payload(format!("not json {canary}")),
            400,
        ),
        (post_json("/swaig", &json!([canary])), 400),
        (post_json("/swaig", &json!({"argument": {}})), 400),
        (post_json("/swaig", &json!({"function": ""})), 400),
        (
            post_json("/swaig", &json!({"function": format!("bad-name {canary}")})),
            400,
        ),
        (
            post_json(
                "/swaig",
                &json!({"function": format!("unknown_{}", canary.replace('-', "_"))}),
            ),
            404,
        ),
        (
            post_json("/", &json!({"call_id": format!("{canary}\n")})),
            400,
        ),
        // A key given twice is refused rather than resolved: two readers of
        // the same body must not disagree about the tool or the call.
        (
            TestRequest::post()
                .uri("/swaig")
                .insert_header(auth())
                .insert_header(("Content-Type", "application/json"))
                .set_payload(format!(
                    "{{\"function\":\"get_balance\",\"function\":\"transfer_funds\",\"note\":\"{canary}\"}}"
                )),
            400,
        ),
        (
            TestRequest::post()
                .uri("/")
                .insert_header(auth())
                .insert_header(("Content-Type", "application/json"))
                .set_payload(format!(
                    "{{\"call\":{{\"call_id\":\"a\",\"call_id\":\"{canary}\"}}}}"
                )),
            400,
        ),
        (
            TestRequest::post()
                .uri("/swaig")
                .insert_header(auth())
                .insert_header(("Content-Type", "application/json"))
                .set_payload(format!(
                    "{{\"function\":\"get_balance\",\"pad\":\"{}\"}}",
                    "x".repeat(2 * 1024 * 1024)
                )),
            413,
        ),
    ];
    for (i, (req, expected)) in cases.into_iter().enumerate() {
        let (status, headers, body) = send(&app, req).await;
        assert_eq!(status, expected, "case {i}");
        let text = String::from_utf8_lossy(&body);
        assert!(
            !text.contains("CANARY") && !text.contains("unknown_"),
            "case {i} echoed input: {text}"
        );
        assert_eq!(headers.get("content-type").unwrap(), "application/json");
        assert!(json(&body)["error"].is_string(), "case {i}");
    }
}

#[actix_web::test]
async fn swml_validates_and_carries_tokens_only_with_a_call_id() {
    let sink = MemoryAuditSink::new();
    let svc = service(&sink);
    let app = test::init_service(app_with(svc.clone())).await;

    let doc = swml_for_call(&app).await;
    assert_valid_swml(&doc);
    let toks = tokens(&doc);
    for f in [
        "transfer_funds",
        "change_password",
        "delete_account",
        "post_prompt",
    ] {
        let t = toks.get(f).unwrap_or_else(|| panic!("{f} has a token"));
        assert_eq!(
            svc.signer().verify(Some(t), f, Some(CALL_ID)),
            Ok(()),
            "{f}"
        );
    }
    assert!(
        !toks.contains_key("get_balance"),
        "normal tools use the default webhook"
    );
    let ai = &doc["sections"]["main"][1]["ai"];
    assert_eq!(
        ai["SWAIG"]["defaults"]["web_hook_url"],
        json!("http://specuser:Sp3c-Fixture-Pass-2024@localhost:38471/swaig/")
    );
    assert_eq!(
        doc["sections"]["main"][0],
        json!({"answer": {}}),
        "no recording by default"
    );

    // Same call id from the query string (GET) or the top-level body field.
    let (status, _, body) = send(
        &app,
        TestRequest::get()
            .uri(&format!("/?call_id={CALL_ID}"))
            .insert_header(auth()),
    )
    .await;
    assert_eq!(status, 200);
    let doc2 = json(&body);
    assert_valid_swml(&doc2);
    assert_eq!(tokens(&doc2).len(), 4);

    // Without a call id: secure tools and the post-prompt URL are left out.
    for req in [
        post_json("/", &json!({})),
        TestRequest::get().uri("/").insert_header(auth()),
    ] {
        let (status, _, body) = send(&app, req).await;
        assert_eq!(status, 200);
        let doc = json(&body);
        assert_valid_swml(&doc);
        let ai = &doc["sections"]["main"][1]["ai"];
        let names: Vec<&str> = ai["SWAIG"]["functions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["function"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["get_balance"]);
        assert!(ai.get("post_prompt_url").is_none());
        assert!(ai.get("post_prompt").is_some());
    }
}

#[actix_web::test]
async fn secure_tool_runs_with_a_valid_token() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let doc = swml_for_call(&app).await;
    let token = tokens(&doc)["transfer_funds"].clone();
    let uri = format!("/swaig/?__token={token}");
    let (status, _, body) = send(
        &app,
        post_json(
            &uri,
            &swaig_body("transfer_funds", transfer_args(), Some(CALL_ID)),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let result = json(&body);
    assert_eq!(
        result["response"],
        json!(
            "Transferred 125.50 dollars from the account ending in 0001 to the account ending in 0002."
        )
    );
    assert_eq!(
        result["action"][1],
        json!({"say": "Your transfer is complete."})
    );
    // The money moved: the balance lookup (a normal tool, no token) sees it.
    let (_, _, body) = send(
        &app,
        post_json(
            "/swaig",
            &swaig_body(
                "get_balance",
                json!({"account": "1000000002"}),
                Some(CALL_ID),
            ),
        ),
    )
    .await;
    assert_eq!(
        json(&body)["response"],
        json!("The account ending in 0002 holds 225.50 dollars.")
    );
    let call = sink
        .records()
        .into_iter()
        .find(|r| r.event == AuditEvent::ToolCall)
        .unwrap();
    assert_eq!(call.function.as_deref(), Some("transfer_funds"));
    assert_eq!(call.outcome, "ok");
    assert_eq!(call.call_id.as_deref(), Some(CALL_ID));
    assert_eq!(call.caller.as_deref(), Some("+15551230000"));
}

/// Balance of the source account, read through the HTTP API.
async fn source_balance(
    app: &impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
    >,
) -> String {
    let (_, _, body) = send(
        app,
        post_json(
            "/swaig",
            &swaig_body(
                "get_balance",
                json!({"account": "1000000001"}),
                Some(CALL_ID),
            ),
        ),
    )
    .await;
    json(&body)["response"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn secure_tool_fails_closed_with_one_body_for_every_token_failure() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let doc = swml_for_call(&app).await;
    let toks = tokens(&doc);
    let good = toks["transfer_funds"].clone();
    let before = source_balance(&app).await;

    let same_key = TokenSigner::new(
        TokenKey::from_secret(SECRET).unwrap(),
        vec![],
        std::time::Duration::from_secs(3600),
    );
    let other_key = TokenSigner::new(
        TokenKey::from_secret("another-secret-entirely-0123456789abcdef").unwrap(),
        vec![],
        std::time::Duration::from_secs(3600),
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let expired = same_key.mint_at("transfer_funds", CALL_ID, now - 7200, [7; 8]);

    let cases: Vec<(&str, Option<String>, Option<&str>, &str)> = vec![
        ("missing", None, Some(CALL_ID), "token_missing"),
        ("empty", Some(String::new()), Some(CALL_ID), "token_empty"),
        (
            "malformed",
            Some("not-a-token".into()),
            Some(CALL_ID),
            "token_malformed",
        ),
        ("expired", Some(expired), Some(CALL_ID), "token_expired"),
        (
            "other function",
            Some(toks["delete_account"].clone()),
            Some(CALL_ID),
            "token_wrong_function",
        ),
        (
            "post prompt token",
            Some(toks["post_prompt"].clone()),
            Some(CALL_ID),
            "token_wrong_function",
        ),
        (
            "other call",
            Some(good.clone()),
            Some("another-call-id"),
            "token_wrong_call_id",
        ),
        ("no call id", Some(good.clone()), None, "call_id_missing"),
        (
            "other key",
            Some(other_key.mint("transfer_funds", CALL_ID)),
            Some(CALL_ID),
            "token_unknown_key",
        ),
    ];
    let mut bodies = Vec::new();
    for (name, token, call_id, reason) in &cases {
        let uri = match token {
            Some(t) => format!("/swaig?__token={t}"),
            None => "/swaig".to_owned(),
        };
        let (status, _, body) = send(
            &app,
            post_json(
                &uri,
                &swaig_body("transfer_funds", transfer_args(), *call_id),
            ),
        )
        .await;
        assert_eq!(status, 403, "{name}");
        bodies.push(body);
        let last = sink
            .records()
            .into_iter()
            .rev()
            .find(|r| r.event == AuditEvent::TokenFailure)
            .unwrap();
        assert_eq!(last.reason, *reason, "{name}");
        assert_eq!(last.function.as_deref(), Some("transfer_funds"));
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "one identical body for every failure"
    );
    assert_eq!(json(&bodies[0]), json!({"error": "forbidden"}));
    assert_eq!(source_balance(&app).await, before, "the handler never ran");
    assert!(sink.records().iter().all(
        |r| r.event != AuditEvent::ToolCall || r.function.as_deref() != Some("transfer_funds")
    ));
}

#[actix_web::test]
async fn every_flipped_byte_of_a_token_is_refused() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let doc = swml_for_call(&app).await;
    let good = tokens(&doc)["delete_account"].clone();
    let body = swaig_body(
        "delete_account",
        json!({"account": "1000000002"}),
        Some(CALL_ID),
    );
    for i in 0..good.len() {
        let mut bytes = good.clone().into_bytes();
        bytes[i] = match bytes[i] {
            b'a' => b'b',
            b'.' => b'_',
            b'0'..=b'8' => bytes[i] + 1,
            _ => b'a',
        };
        let tampered = String::from_utf8(bytes).unwrap();
        let (status, _, _) = send(
            &app,
            post_json(&format!("/swaig?__token={tampered}"), &body),
        )
        .await;
        assert_eq!(status, 403, "byte {i} flipped: {tampered}");
    }
    // The untouched token still works (so the loop above tested tampering).
    let (status, _, res) = send(&app, post_json(&format!("/swaig?__token={good}"), &body)).await;
    assert_eq!(status, 200);
    assert_eq!(
        json(&res)["response"],
        json!("The account ending in 0002 is closed.")
    );
}

#[actix_web::test]
async fn previous_keys_are_accepted_during_rotation() {
    let old = TokenSigner::new(
        TokenKey::from_secret(OLD_SECRET).unwrap(),
        vec![],
        std::time::Duration::from_secs(3600),
    );
    let old_token = old.mint("change_password", CALL_ID);
    let body = swaig_body("change_password", json!({}), Some(CALL_ID));

    let rotated = secure_bank::builder()
        .config(config(&[("SIGNALWIRE_SWAIG_SECRET_PREVIOUS", OLD_SECRET)]))
        .build()
        .unwrap();
    let app = test::init_service(app_with(rotated.clone())).await;
    let (status, _, _) = send(
        &app,
        post_json(&format!("/swaig?__token={old_token}"), &body),
    )
    .await;
    assert_eq!(status, 200);

    let not_rotated = secure_bank::builder().config(config(&[])).build().unwrap();
    let app = test::init_service(app_with(not_rotated.clone())).await;
    let (status, _, _) = send(
        &app,
        post_json(&format!("/swaig?__token={old_token}"), &body),
    )
    .await;
    assert_eq!(status, 403);
}

#[actix_web::test]
async fn replicas_with_the_same_secret_accept_each_others_tokens() {
    let a = secure_bank::builder().config(config(&[])).build().unwrap();
    let b = secure_bank::builder().config(config(&[])).build().unwrap();
    let app_a = test::init_service(app_with(a.clone())).await;
    let app_b = test::init_service(app_with(b.clone())).await;
    let token = tokens(&swml_for_call(&app_a).await)["change_password"].clone();
    let (status, _, _) = send(
        &app_b,
        post_json(
            &format!("/swaig?__token={token}"),
            &swaig_body("change_password", json!({}), Some(CALL_ID)),
        ),
    )
    .await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn invalid_arguments_never_reach_the_handler_and_are_not_echoed() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let token = tokens(&swml_for_call(&app).await)["transfer_funds"].clone();
    let before = source_balance(&app).await;
    let cases = [
        (
            json!({"from_account": "1000000001", "to_account": "1000000002", "amount": 0}),
            "amount",
        ),
        (
            json!({"from_account": "1000000001", "to_account": "1000000002", "amount": 10000.01}),
            "amount",
        ),
        (
            json!({"from_account": "100000000", "to_account": "1000000002", "amount": 5}),
            "from_account",
        ),
        (
            json!({"from_account": "1000000001", "to_account": "1000000002"}),
            "amount",
        ),
        (
            json!({"from_account": "1000000001", "to_account": "1000000002", "amount": "5"}),
            "amount",
        ),
        (
            json!({"from_account": "1000000001", "to_account": "1000000002", "amount": 5, "memo": "CANARY-FIELD"}),
            "unknown fields",
        ),
    ];
    for (args, field) in cases {
        let (status, _, body) = send(
            &app,
            post_json(
                &format!("/swaig?__token={token}"),
                &swaig_body("transfer_funds", args.clone(), Some(CALL_ID)),
            ),
        )
        .await;
        assert_eq!(status, 200, "{args}");
        let response = json(&body)["response"].as_str().unwrap().to_owned();
        assert!(response.contains(field), "{response} names {field}");
        for value in ["100000000\"", "10000.01", "CANARY"] {
            assert!(!response.contains(value), "{response} echoed a value");
        }
    }
    assert_eq!(source_balance(&app).await, before);
    let refusals = sink
        .records()
        .iter()
        .filter(|r| r.event == AuditEvent::ValidationFailure)
        .count();
    assert_eq!(refusals, 6);
}

#[actix_web::test]
async fn raw_argument_text_is_used_when_parsed_is_absent() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let body = json!({"function": "get_balance", "call_id": CALL_ID, "argument": {"raw": "{\"account\":\"1000000001\"}"}});
    let (status, _, res) = send(&app, post_json("/swaig", &body)).await;
    assert_eq!(status, 200);
    assert_eq!(
        json(&res)["response"],
        json!("The account ending in 0001 holds 2500.00 dollars.")
    );
}

#[actix_web::test]
async fn post_prompt_requires_the_call_bound_token() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let token = tokens(&swml_for_call(&app).await)["post_prompt"].clone();
    let summary = json!({"call_id": CALL_ID, "action": "post_conversation", "post_prompt_data": {"raw": "{\"intent\":\"balance\"}"}});
    let (status, _, body) = send(
        &app,
        post_json(&format!("/post_prompt/?__token={token}"), &summary),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(json(&body), json!({"success": true}));
    for uri in [
        "/post_prompt".to_owned(),
        "/post_prompt?__token=x".to_owned(),
    ] {
        let (status, _, _) = send(&app, post_json(&uri, &summary)).await;
        assert_eq!(status, 403, "{uri}");
    }
    let mut other_call = summary.clone();
    other_call["call_id"] = json!("another-call");
    let (status, _, _) = send(
        &app,
        post_json(&format!("/post_prompt?__token={token}"), &other_call),
    )
    .await;
    assert_eq!(status, 403);
}
