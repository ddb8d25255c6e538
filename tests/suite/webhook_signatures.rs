//! With SIGNALWIRE_SIGNING_KEY set, every request needs the platform's
//! signature over the full URL it called plus the raw body, in
//! `X-SignalWire-Sha256-Signature` (preferred) or `X-SignalWire-Signature`
//! (SHA-1), the URL with or without the scheme's default port. The URL comes
//! from configuration: a signature for another host, or a `Host` header
//! naming another host, does not pass. Missing, wrong, over a modified body or
//! a modified URL are 403, audited.
//!
//! The harness signs every request it builds, so the requests here are
//! built by hand and sent as they are (`send_raw`).

use actix_web::test::TestRequest;
use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{SignatureKind, TestAgent, test_config_with, webhook_signature};
use agent_runtime::json;

use crate::secure_bank::{self, Bank};

const SIGNING_KEY: &str = "PSK_signing_key_for_tests_0123456789";
const BASE: &str = "https://agents.example.com";

async fn signed_agent(extra: &[(&str, &str)]) -> TestAgent<Bank> {
    let mut vars = vec![("SIGNALWIRE_SIGNING_KEY", SIGNING_KEY)];
    vars.extend_from_slice(extra);
    TestAgent::start(secure_bank::builder().config(test_config_with(&vars)))
        .await
        .expect("bank starts")
}

/// A POST with the agent's credentials and, when given, a signature header.
fn post(
    agent: &TestAgent<Bank>,
    path: &str,
    body: &str,
    signature: Option<(SignatureKind, &str)>,
) -> TestRequest {
    let req = TestRequest::post()
        .uri(path)
        .insert_header(("Authorization", agent.auth_header()))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_owned());
    match signature {
        Some((kind, sig)) => req.insert_header((kind.header(), sig.to_owned())),
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
async fn signatures_as_the_platform_sends_them_are_accepted() {
    let agent = signed_agent(&[("SWML_PROXY_URL_BASE", BASE)]).await;
    let body = balance_body();
    let path = "/swaig?x=1";
    for kind in [SignatureKind::Sha256, SignatureKind::Sha1] {
        for base in [BASE, "https://agents.example.com:443"] {
            let sig =
                webhook_signature(kind, SIGNING_KEY, &format!("{base}{path}"), body.as_bytes());
            let reply = agent
                .send_raw(post(&agent, path, &body, Some((kind, &sig))))
                .await;
            assert_eq!(reply.status, 200, "{kind:?} over {base}: {}", reply.text());
            assert!(reply.response_text().is_some_and(|t| t.contains("holds")));
        }
    }
    // A configured base with the default port accepts the spelling without.
    let agent = signed_agent(&[("SWML_PROXY_URL_BASE", "https://agents.example.com:443")]).await;
    let sig = webhook_signature(
        SignatureKind::Sha256,
        SIGNING_KEY,
        &format!("{BASE}{path}"),
        body.as_bytes(),
    );
    let reply = agent
        .send_raw(post(
            &agent,
            path,
            &body,
            Some((SignatureKind::Sha256, &sig)),
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}

#[actix_web::test]
async fn the_signed_url_comes_from_configuration_never_from_the_request() {
    let agent = signed_agent(&[
        ("SWML_PROXY_URL_BASE", BASE),
        ("SWML_TRUST_PROXY_HEADERS", "true"),
    ])
    .await;
    let body = balance_body();
    let path = "/swaig";
    // Signed (validly, with the right key) for another host, and sent with
    // every header that names that host.
    let evil = "https://evil.example";
    let sig = webhook_signature(
        SignatureKind::Sha256,
        SIGNING_KEY,
        &format!("{evil}{path}"),
        body.as_bytes(),
    );
    let req = post(&agent, path, &body, Some((SignatureKind::Sha256, &sig)))
        .insert_header(("Host", "evil.example"))
        .insert_header(("X-Forwarded-Host", "evil.example"))
        .insert_header(("X-Forwarded-Proto", "https"));
    let reply = agent.send_raw(req).await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        reply.audit.last().map(|r| r.reason.as_str()),
        Some("bad_signature")
    );

    // Without SWML_PROXY_URL_BASE the configured host and port are the base.
    let agent = signed_agent(&[]).await;
    let base = agent.service().config().public_base();
    assert_eq!(base, "http://localhost:3000");
    for (url, status) in [
        (format!("{base}{path}"), 200),
        (format!("http://localhost:80{path}"), 403),
        (format!("http://127.0.0.1:3000{path}"), 403),
    ] {
        let sig = webhook_signature(SignatureKind::Sha1, SIGNING_KEY, &url, body.as_bytes());
        let req = post(&agent, path, &body, Some((SignatureKind::Sha1, &sig)))
            .insert_header(("Host", url.split('/').nth(2).unwrap_or("").to_owned()));
        assert_eq!(agent.send_raw(req).await.status, status, "{url}");
    }
}

#[actix_web::test]
async fn bad_or_missing_signatures_are_refused_and_audited() {
    let agent = signed_agent(&[("SWML_PROXY_URL_BASE", BASE)]).await;
    let body = balance_body();
    let path = "/swaig?x=1";
    let url = format!("{BASE}{path}");
    let good = webhook_signature(SignatureKind::Sha256, SIGNING_KEY, &url, body.as_bytes());
    let good_sha1 = webhook_signature(SignatureKind::Sha1, SIGNING_KEY, &url, body.as_bytes());
    let wrong_key = webhook_signature(
        SignatureKind::Sha256,
        "another-signing-key",
        &url,
        body.as_bytes(),
    );
    let tampered_body = body.replace("1000000001", "1000000002");
    let sha256 = SignatureKind::Sha256;
    let cases = [
        (
            "missing",
            post(&agent, path, &body, None),
            "missing_signature",
        ),
        (
            "wrong key",
            post(&agent, path, &body, Some((sha256, &wrong_key))),
            "bad_signature",
        ),
        (
            "garbage",
            post(&agent, path, &body, Some((sha256, "zz"))),
            "bad_signature",
        ),
        (
            "modified body",
            post(&agent, path, &tampered_body, Some((sha256, &good))),
            "bad_signature",
        ),
        (
            "modified url",
            post(&agent, "/swaig?x=2", &body, Some((sha256, &good))),
            "bad_signature",
        ),
        (
            // The SHA-256 header is checked when present: a valid SHA-1
            // signature does not rescue a bad SHA-256 one.
            "bad sha256 beside a good sha1",
            post(&agent, path, &body, Some((sha256, &wrong_key)))
                .insert_header((SignatureKind::Sha1.header(), good_sha1.clone())),
            "bad_signature",
        ),
        (
            "sha1 signature in the sha256 header",
            post(&agent, path, &body, Some((sha256, &good_sha1))),
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
    let sig = webhook_signature(sha256, SIGNING_KEY, &format!("{BASE}/?call_id=abc"), b"");
    let signed_get = TestRequest::get()
        .uri("/?call_id=abc")
        .insert_header(("Authorization", agent.auth_header()))
        .insert_header((sha256.header(), sig));
    assert_eq!(agent.send_raw(signed_get).await.status, 200);
}

#[actix_web::test]
async fn without_a_signing_key_no_signature_is_needed() {
    let agent = TestAgent::start(secure_bank::builder())
        .await
        .expect("bank starts");
    let reply = agent
        .send_raw(post(&agent, "/swaig", &balance_body(), None))
        .await;
    assert_eq!(reply.status, 200);
}
