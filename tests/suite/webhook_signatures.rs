//! With SIGNALWIRE_SIGNING_KEY set, every request needs a valid
//! X-SignalWire-Signature over the full URL the platform called plus the raw
//! body: missing, wrong, over a modified body or a modified URL are 403.
//!
//! The harness signs every request it builds, so the requests here are
//! built by hand and sent as they are (`send_raw`).

use actix_web::test::TestRequest;
use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{TestAgent, test_config_with, webhook_signature};
use agent_runtime::json;

use crate::secure_bank::{self, Bank};

const SIGNING_KEY: &str = "PSK_signing_key_for_tests_0123456789";
const BASE: &str = "https://agents.example.com";

/// A POST with the agent's credentials and, when given, this signature.
fn signed(agent: &TestAgent<Bank>, path: &str, body: &str, signature: Option<&str>) -> TestRequest {
    let req = TestRequest::post()
        .uri(path)
        .insert_header(("Authorization", agent.auth_header()))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_owned());
    match signature {
        Some(sig) => req.insert_header(("X-SignalWire-Signature", sig.to_owned())),
        None => req,
    }
}

fn balance_body() -> String {
    json!({
        "function": "get_balance",
        "argument": {"parsed": [{"account": "1000000001"}]},
        "call_id": "signed-call",
    })
    .to_string()
}

#[actix_web::test]
async fn signatures_are_required_and_bound_to_url_and_body() {
    let agent = TestAgent::start(secure_bank::builder().config(test_config_with(&[
        ("SIGNALWIRE_SIGNING_KEY", SIGNING_KEY),
        ("SWML_PROXY_URL_BASE", BASE),
    ])))
    .await
    .expect("bank starts");

    let body = balance_body();
    let path = "/swaig?x=1";
    let good = webhook_signature(SIGNING_KEY, &format!("{BASE}{path}"), body.as_bytes());

    let reply = agent
        .send_raw(signed(&agent, path, &body, Some(&good)))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.response_text().is_some_and(|t| t.contains("holds")));

    let tampered_body = body.replace("1000000001", "1000000002");
    let wrong_key = webhook_signature(
        "another-signing-key",
        &format!("{BASE}{path}"),
        body.as_bytes(),
    );
    let cases = [
        (
            "missing",
            signed(&agent, path, &body, None),
            "missing_signature",
        ),
        (
            "wrong key",
            signed(&agent, path, &body, Some(&wrong_key)),
            "bad_signature",
        ),
        (
            "garbage",
            signed(&agent, path, &body, Some("zz")),
            "bad_signature",
        ),
        (
            "modified body",
            signed(&agent, path, &tampered_body, Some(&good)),
            "bad_signature",
        ),
        (
            "modified url",
            signed(&agent, "/swaig?x=2", &body, Some(&good)),
            "bad_signature",
        ),
    ];
    for (name, req, reason) in cases {
        let reply = agent.send_raw(req).await;
        assert_eq!(reply.status, 403, "{name}");
        assert_eq!(reply.json(), Some(json!({"error": "forbidden"})), "{name}");
        let refusal = reply.audit.last().expect("the refusal is audited");
        assert_eq!(refusal.event, AuditEvent::SignatureFailure, "{name}");
        assert_eq!(refusal.reason, reason, "{name}");
    }
    // GET SWML is covered too (empty body).
    let unsigned = TestRequest::get()
        .uri("/?call_id=abc")
        .insert_header(("Authorization", agent.auth_header()));
    assert_eq!(agent.send_raw(unsigned).await.status, 403);
    let sig = webhook_signature(SIGNING_KEY, &format!("{BASE}/?call_id=abc"), b"");
    let signed_get = TestRequest::get()
        .uri("/?call_id=abc")
        .insert_header(("Authorization", agent.auth_header()))
        .insert_header(("X-SignalWire-Signature", sig));
    assert_eq!(agent.send_raw(signed_get).await.status, 200);
}

#[actix_web::test]
async fn without_a_signing_key_no_signature_is_needed() {
    let agent = TestAgent::start(secure_bank::builder())
        .await
        .expect("bank starts");
    let reply = agent
        .send_raw(signed(&agent, "/swaig", &balance_body(), None))
        .await;
    assert_eq!(reply.status, 200);
}
