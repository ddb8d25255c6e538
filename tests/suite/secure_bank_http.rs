//! The secure_bank example driven through the real HTTP stack: every status
//! code, every token failure, SWML against the official schema.

use actix_web::test::TestRequest;
use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{
    TEST_CALLER, TEST_PASSWORD, TEST_USER, TestAgent, Token, ToolCall, basic_header,
    post_prompt_token, test_config_with, tool_tokens,
};
use agent_runtime::token::{TokenKey, TokenSigner};
use agent_runtime::{Value, json};

use crate::secure_bank::{self, Bank};
use crate::support::assert_valid_swml;

const CALL_ID: &str = "3f8e2a6c-5b1d-4c7e-9a0f-2d4b6c8e1a3f";
const OLD_SECRET: &str = "old-swaig-secret-0123456789abcdef-9876";

async fn bank() -> TestAgent<Bank> {
    TestAgent::start(secure_bank::builder())
        .await
        .expect("bank starts")
}

fn transfer_args() -> Value {
    json!({"from_account": "1000000001", "to_account": "1000000002", "amount": 125.5})
}

/// The SWML document for [`CALL_ID`], the call id in the platform's
/// `call` object.
async fn swml_for_call(agent: &TestAgent<Bank>) -> Value {
    let reply = agent
        .post("/", &json!({"call": {"call_id": CALL_ID}}))
        .await;
    assert_eq!(reply.status, 200);
    reply.json().expect("SWML is JSON")
}

/// Balance of the source account, read through the HTTP API.
async fn source_balance(agent: &TestAgent<Bank>) -> String {
    agent
        .call("get_balance", json!({"account": "1000000001"}))
        .await
        .response_text()
        .expect("a balance")
}

#[actix_web::test]
async fn probes_are_public_and_reveal_only_a_status() {
    let agent = bank().await;
    for (path, expected) in [("/health", "healthy"), ("/ready", "ready")] {
        let reply = agent.send_raw(TestRequest::get().uri(path)).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json(), Some(json!({"status": expected})));
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    }
}

#[actix_web::test]
async fn every_route_requires_basic_auth() {
    let agent = bank().await;
    let bad_auths = [
        None,
        Some(basic_header(TEST_USER, "wrong-password")),
        Some(basic_header("someone", TEST_PASSWORD)),
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
                    .method(method.parse().expect("an HTTP method"))
                    .uri(path)
                    .insert_header(("Content-Type", "application/json"))
                    .set_payload("{}");
                if let Some(a) = auth {
                    req = req.insert_header(("Authorization", a.clone()));
                }
                let reply = agent.send_raw(req).await;
                assert_eq!(reply.status, 401, "{method} {path}");
                let challenge = reply.header("www-authenticate").expect("a challenge");
                assert!(challenge.starts_with("Basic realm="), "{challenge}");
                assert_eq!(reply.json(), Some(json!({"error": "unauthorized"})));
                assert_eq!(reply.audit.len(), 1, "{method} {path}");
                assert_eq!(reply.audit[0].event, AuditEvent::AuthFailure);
            }
        }
    }
    assert_eq!(agent.audit().len(), 6 * 3 * 4);
}

#[actix_web::test]
async fn status_codes_for_bad_requests_never_echo_input() {
    let agent = bank().await;
    let canary = "ECHO-CANARY-7731";
    let json_text = |text: String| {
        TestRequest::post()
            .uri("/swaig")
            .insert_header(("Content-Type", "application/json"))
            .set_payload(text)
    };
    let cases: Vec<(TestRequest, u16)> = vec![
        (TestRequest::get().uri("/swaig"), 405),
        (TestRequest::put().uri("/"), 405),
        (TestRequest::get().uri(&format!("/{canary}")), 404),
        (
            TestRequest::post()
                .uri("/swaig")
                .insert_header(("Content-Type", "text/plain"))
                .set_payload("{}"),
            415,
        ),
        (json_text(format!("not json {canary}")), 400),
        (
            TestRequest::post().uri("/swaig").set_json(json!([canary])),
            400,
        ),
        (
            TestRequest::post()
                .uri("/swaig")
                .set_json(json!({"argument": {}})),
            400,
        ),
        (
            TestRequest::post()
                .uri("/swaig")
                .set_json(json!({"function": ""})),
            400,
        ),
        (
            TestRequest::post()
                .uri("/swaig")
                .set_json(json!({"function": format!("bad-name {canary}")})),
            400,
        ),
        (
            TestRequest::post()
                .uri("/swaig")
                .set_json(json!({"function": format!("unknown_{}", canary.replace('-', "_"))})),
            404,
        ),
        (
            TestRequest::post()
                .uri("/")
                .set_json(json!({"call_id": format!("{canary}\n")})),
            400,
        ),
        // A key given twice is refused rather than resolved: two readers of
        // the same body must not disagree about the tool or the call.
        (
            json_text(format!(
                "{{\"function\":\"get_balance\",\"function\":\"transfer_funds\",\"note\":\"{canary}\"}}"
            )),
            400,
        ),
        (
            TestRequest::post()
                .uri("/")
                .insert_header(("Content-Type", "application/json"))
                .set_payload(format!(
                    "{{\"call\":{{\"call_id\":\"a\",\"call_id\":\"{canary}\"}}}}"
                )),
            400,
        ),
        (
            json_text(format!(
                "{{\"function\":\"get_balance\",\"pad\":\"{}\"}}",
                "x".repeat(2 * 1024 * 1024)
            )),
            413,
        ),
    ];
    for (i, (req, expected)) in cases.into_iter().enumerate() {
        let reply = agent
            .send_raw(req.insert_header(("Authorization", agent.auth_header())))
            .await;
        assert_eq!(reply.status, expected, "case {i}");
        let text = reply.text();
        assert!(
            !text.contains("CANARY") && !text.contains("unknown_"),
            "case {i} echoed input: {text}"
        );
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert!(
            reply.json().is_some_and(|body| body["error"].is_string()),
            "case {i}: {text}"
        );
    }
}

#[actix_web::test]
async fn swml_validates_and_carries_tokens_only_with_a_call_id() {
    let agent = bank().await;

    let doc = swml_for_call(&agent).await;
    assert_valid_swml(&doc);
    let tokens = tool_tokens(&doc);
    assert_eq!(
        tokens.keys().collect::<Vec<_>>(),
        [
            "change_password",
            "delete_account",
            "transfer_funds",
            "verify_pin"
        ],
        "normal tools use the default webhook"
    );
    let signer = agent.service().signer();
    for (function, token) in &tokens {
        assert_eq!(
            signer.verify(Some(token), function, Some(CALL_ID)),
            Ok(()),
            "{function}"
        );
    }
    let post_prompt = post_prompt_token(&doc).expect("a post-prompt token");
    assert_eq!(
        signer.verify(Some(&post_prompt), "post_prompt", Some(CALL_ID)),
        Ok(())
    );
    let ai = &doc["sections"]["main"][1]["ai"];
    assert_eq!(
        ai["SWAIG"]["defaults"]["web_hook_url"],
        json!(format!(
            "http://{TEST_USER}:{TEST_PASSWORD}@localhost:3000/swaig/"
        ))
    );
    assert_eq!(
        doc["sections"]["main"][0],
        json!({"answer": {}}),
        "no recording by default"
    );

    // Same call id from the query string (GET).
    let reply = agent.get(&format!("/?call_id={CALL_ID}")).await;
    assert_eq!(reply.status, 200);
    let by_query = reply.json().expect("SWML is JSON");
    assert_valid_swml(&by_query);
    assert_eq!(tool_tokens(&by_query).len(), 4);
    assert!(post_prompt_token(&by_query).is_some());

    // Without a call id: secure tools and the post-prompt URL are left out.
    for reply in [agent.post("/", &json!({})).await, agent.get("/").await] {
        assert_eq!(reply.status, 200);
        let doc = reply.json().expect("SWML is JSON");
        assert_valid_swml(&doc);
        let ai = &doc["sections"]["main"][1]["ai"];
        let names: Vec<&str> = ai["SWAIG"]["functions"]
            .as_array()
            .expect("functions")
            .iter()
            .map(|f| f["function"].as_str().expect("a name"))
            .collect();
        assert_eq!(names, ["get_balance"]);
        assert!(ai.get("post_prompt_url").is_none());
        assert!(ai.get("post_prompt").is_some());
    }
}

#[actix_web::test]
async fn secure_tool_runs_with_a_valid_token() {
    let agent = bank().await;
    let reply = agent
        .call_with(ToolCall::new("transfer_funds", transfer_args()).call_id(CALL_ID))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.response_text().as_deref(),
        Some(
            "Transferred 125.50 dollars from the account ending in 0001 to the account ending in 0002."
        )
    );
    assert_eq!(
        reply.actions().get(1),
        Some(&json!({"say": "Your transfer is complete."}))
    );
    let call = reply
        .audit
        .iter()
        .find(|r| r.event == AuditEvent::ToolCall)
        .expect("the call is audited");
    assert_eq!(call.function.as_deref(), Some("transfer_funds"));
    assert_eq!(call.outcome, "ok");
    assert_eq!(call.call_id.as_deref(), Some(CALL_ID));
    assert_eq!(call.caller.as_deref(), Some(TEST_CALLER));
    // The money moved: the balance lookup (a normal tool, no token) sees it.
    let balance = agent
        .call("get_balance", json!({"account": "1000000002"}))
        .await;
    assert_eq!(
        balance.response_text().as_deref(),
        Some("The account ending in 0002 holds 225.50 dollars.")
    );
}

#[actix_web::test]
async fn secure_tool_fails_closed_with_one_body_for_every_token_failure() {
    let agent = bank().await;
    let doc = swml_for_call(&agent).await;
    let tokens = tool_tokens(&doc);
    let good = tokens["transfer_funds"].clone();
    let before = source_balance(&agent).await;
    let other_key = TokenSigner::new(
        TokenKey::from_secret("another-secret-entirely-0123456789abcdef").expect("a valid key"),
        vec![],
        std::time::Duration::from_secs(3600),
    );

    let call = || ToolCall::new("transfer_funds", transfer_args()).call_id(CALL_ID);
    let cases = [
        ("missing", call().token(Token::Missing), "token_missing"),
        ("empty", call().token(Token::Empty), "token_empty"),
        ("malformed", call().token(Token::Garbage), "token_malformed"),
        ("expired", call().token(Token::Expired), "token_expired"),
        (
            "other function",
            call().token(Token::Exact(tokens["delete_account"].clone())),
            "token_wrong_function",
        ),
        (
            "post prompt token",
            call().token(Token::Exact(
                post_prompt_token(&doc).expect("a post-prompt token"),
            )),
            "token_wrong_function",
        ),
        (
            "other call",
            call().token(Token::ForOtherCall),
            "token_wrong_call_id",
        ),
        (
            "no call id",
            call().token(Token::Exact(good)).without_call_id(),
            "call_id_missing",
        ),
        (
            "other key",
            call().token(Token::Exact(other_key.mint("transfer_funds", CALL_ID))),
            "token_unknown_key",
        ),
    ];
    let mut bodies = Vec::new();
    for (name, call, reason) in cases {
        let reply = agent.call_with(call).await;
        assert_eq!(reply.status, 403, "{name}");
        let refusal = reply.audit.last().expect("the refusal is audited");
        assert_eq!(refusal.event, AuditEvent::TokenFailure, "{name}");
        assert_eq!(refusal.reason, reason, "{name}");
        assert_eq!(refusal.function.as_deref(), Some("transfer_funds"));
        bodies.push(reply.body);
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "one identical body for every failure"
    );
    assert_eq!(&bodies[0][..], br#"{"error":"forbidden"}"#);
    assert_eq!(
        source_balance(&agent).await,
        before,
        "the handler never ran"
    );
    assert!(agent.audit().iter().all(
        |r| r.event != AuditEvent::ToolCall || r.function.as_deref() != Some("transfer_funds")
    ));
}

#[actix_web::test]
async fn every_flipped_byte_of_a_token_is_refused() {
    let agent = bank().await;
    let good = tool_tokens(&swml_for_call(&agent).await)["delete_account"].clone();
    let close = |token: String| {
        ToolCall::new("delete_account", json!({"account": "1000000002"}))
            .call_id(CALL_ID)
            .token(Token::Exact(token))
    };
    for i in 0..good.len() {
        let mut bytes = good.clone().into_bytes();
        bytes[i] = match bytes[i] {
            b'a' => b'b',
            b'.' => b'_',
            b'0'..=b'8' => bytes[i] + 1,
            _ => b'a',
        };
        let tampered = String::from_utf8(bytes).expect("ASCII");
        let reply = agent.call_with(close(tampered.clone())).await;
        assert_eq!(reply.status, 403, "byte {i} flipped: {tampered}");
    }
    // The untouched token still works (so the loop above tested tampering).
    let reply = agent.call_with(close(good)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.response_text().as_deref(),
        Some("The account ending in 0002 is closed.")
    );
}

#[actix_web::test]
async fn previous_keys_are_accepted_during_rotation() {
    // The bank's signer before the rotation: the old secret, derived for
    // this agent (name and route) as every agent's keys are.
    let old = TokenSigner::new(
        TokenKey::from_secret(OLD_SECRET).expect("a valid key"),
        vec![],
        std::time::Duration::from_secs(3600),
    )
    .for_agent("secure-bank", "");
    let with_old_token = || {
        ToolCall::new("change_password", json!({}))
            .call_id(CALL_ID)
            .token(Token::Exact(old.mint("change_password", CALL_ID)))
    };

    let rotated = TestAgent::start(secure_bank::builder().config(test_config_with(&[(
        "SIGNALWIRE_SWAIG_SECRET_PREVIOUS",
        OLD_SECRET,
    )])))
    .await
    .expect("bank starts");
    assert_eq!(rotated.call_with(with_old_token()).await.status, 200);

    let not_rotated = bank().await;
    assert_eq!(not_rotated.call_with(with_old_token()).await.status, 403);
}

#[actix_web::test]
async fn replicas_with_the_same_secret_accept_each_others_tokens() {
    let (a, b) = (bank().await, bank().await);
    let token = tool_tokens(&swml_for_call(&a).await)["change_password"].clone();
    let reply = b
        .call_with(
            ToolCall::new("change_password", json!({}))
                .call_id(CALL_ID)
                .token(Token::Exact(token)),
        )
        .await;
    assert_eq!(reply.status, 200);
}

#[actix_web::test]
async fn invalid_arguments_never_reach_the_handler_and_are_not_echoed() {
    let agent = bank().await;
    let before = source_balance(&agent).await;
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
        let reply = agent.call("transfer_funds", args.clone()).await;
        assert_eq!(reply.status, 200, "{args}");
        let response = reply.response_text().expect("a spoken refusal");
        assert!(response.contains(field), "{response} names {field}");
        for value in ["100000000\"", "10000.01", "CANARY"] {
            assert!(!response.contains(value), "{response} echoed a value");
        }
        assert_eq!(
            reply.audit.last().map(|r| r.event),
            Some(AuditEvent::ValidationFailure),
            "{args}"
        );
    }
    assert_eq!(source_balance(&agent).await, before);
    let refusals = agent
        .audit()
        .iter()
        .filter(|r| r.event == AuditEvent::ValidationFailure)
        .count();
    assert_eq!(refusals, 6);
}

#[actix_web::test]
async fn raw_argument_text_is_used_when_parsed_is_absent() {
    let agent = bank().await;
    let body = json!({"function": "get_balance", "call_id": CALL_ID, "argument": {"raw": "{\"account\":\"1000000001\"}"}});
    let reply = agent.post("/swaig", &body).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.response_text().as_deref(),
        Some("The account ending in 0001 holds 2500.00 dollars.")
    );
}

#[actix_web::test]
async fn post_prompt_requires_the_call_bound_token() {
    let agent = bank().await;
    let token = post_prompt_token(&swml_for_call(&agent).await).expect("a post-prompt token");
    let summary = json!({"call_id": CALL_ID, "action": "post_conversation", "post_prompt_data": {"raw": "{\"intent\":\"balance\"}"}});
    let reply = agent
        .post(&format!("/post_prompt/?__token={token}"), &summary)
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), Some(json!({"success": true})));
    for uri in ["/post_prompt", "/post_prompt?__token=x"] {
        assert_eq!(agent.post(uri, &summary).await.status, 403, "{uri}");
    }
    let mut other_call = summary.clone();
    other_call["call_id"] = json!("another-call");
    let reply = agent
        .post(&format!("/post_prompt?__token={token}"), &other_call)
        .await;
    assert_eq!(reply.status, 403);
}
