//! Several agents in one process (`agent_runtime::multi`): distinct routes,
//! shared probes, and nothing shared between the agents' credentials, tokens
//! or audit trails.
//!
//! `TestAgent` drives one agent; a `MultiService` is driven through
//! actix-web's test service directly, which is the same HTTP path.

#[path = "../../examples/multi_agent.rs"]
mod example;

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::App;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use agent_runtime::audit::{AuditEvent, MemoryAuditSink};
use agent_runtime::harness::{basic_header, test_config, webhook_in};
use agent_runtime::multi::{AgentServer, MultiError, MultiService};
use agent_runtime::{AgentConfig, Value, json};

use crate::secure_bank;
use crate::support::assert_valid_swml;

const A_USER: &str = "bank-a";
const A_PASS: &str = "bank-a-password-0123456789-abcdefghij";
const A_SECRET: &str = "bank-a-swaig-secret-0123456789abcdefghij";
const B_USER: &str = "bank-b";
const B_PASS: &str = "bank-b-password-0123456789-abcdefghij";
const B_SECRET: &str = "bank-b-swaig-secret-0123456789abcdefghij";

fn cfg(user: &str, pass: &str, secret: &str) -> AgentConfig {
    let vars: HashMap<&str, String> = HashMap::from([
        ("SWML_BASIC_AUTH_USER", user.to_owned()),
        ("SWML_BASIC_AUTH_PASSWORD", pass.to_owned()),
        ("SIGNALWIRE_SWAIG_SECRET", secret.to_owned()),
    ]);
    AgentConfig::from_lookup(|k| vars.get(k).cloned()).unwrap()
}

/// Two instances of the same bank type on `/a` and `/b`.
fn two_banks(b_secret: &str) -> (MultiService, MemoryAuditSink, MemoryAuditSink) {
    let (sa, sb) = (MemoryAuditSink::new(), MemoryAuditSink::new());
    let a = secure_bank::builder()
        .config(cfg(A_USER, A_PASS, A_SECRET))
        .route("/a")
        .audit_sink(Arc::new(sa.clone()))
        .build()
        .unwrap();
    let b = secure_bank::builder()
        .config(cfg(B_USER, B_PASS, b_secret))
        .route("/b")
        .audit_sink(Arc::new(sb.clone()))
        .build()
        .unwrap();
    let multi = AgentServer::new().agent(a).agent(b).build().unwrap();
    (multi, sa, sb)
}

/// Sends `req` to the multi-agent app: status, headers and body.
async fn send<S, B>(app: &S, req: TestRequest) -> (u16, HeaderMap, Vec<u8>)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let res = test::call_service(app, req.to_request()).await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, test::read_body(res).await.to_vec())
}

fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body).expect("the body is JSON")
}

fn post(path: &str, user: &str, pass: &str, body: &Value) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header(("Authorization", basic_header(user, pass)))
        .set_json(body)
}

/// A SWAIG call of `function` in the call `call_id`.
fn swaig(function: &str, args: Value, call_id: &str) -> Value {
    json!({
        "function": function,
        "argument": {"parsed": [args]},
        "call_id": call_id,
        "caller_id_num": "+15551230000",
    })
}

fn transfer(call_id: &str) -> Value {
    swaig(
        "transfer_funds",
        json!({"from_account": "1000000001", "to_account": "1000000002", "amount": 1}),
        call_id,
    )
}

/// The `transfer_funds` webhook path (with its token) from an agent's SWML.
async fn transfer_hook(
    app: &impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
    route: &str,
    user: &str,
    pass: &str,
    call_id: &str,
) -> String {
    let (status, _, body) = send(app, post(route, user, pass, &json!({"call_id": call_id}))).await;
    assert_eq!(status, 200);
    webhook_in(&json(&body), "transfer_funds").expect("a webhook for transfer_funds")
}

#[actix_web::test]
async fn probes_are_shared_and_public() {
    let (multi, _, _) = two_banks(B_SECRET);
    let app = test::init_service(App::new().configure(|c| multi.configure(c))).await;
    for (path, status) in [("/health", "healthy"), ("/ready", "ready")] {
        let (code, _, body) = send(&app, TestRequest::get().uri(path)).await;
        assert_eq!(code, 200);
        assert_eq!(json(&body), json!({"status": status}));
    }
}

#[actix_web::test]
async fn each_agent_answers_with_its_own_credentials_only() {
    let (multi, sa, sb) = two_banks(B_SECRET);
    let app = test::init_service(App::new().configure(|c| multi.configure(c))).await;
    let swml = json!({"call_id": "c1"});
    assert_eq!(send(&app, post("/a", A_USER, A_PASS, &swml)).await.0, 200);
    assert_eq!(send(&app, post("/b/", B_USER, B_PASS, &swml)).await.0, 200);
    // A's credentials on B's routes and the other way round.
    for (path, user, pass) in [
        ("/b", A_USER, A_PASS),
        ("/b/swaig", A_USER, A_PASS),
        ("/a", B_USER, B_PASS),
        ("/a/post_prompt", B_USER, B_PASS),
    ] {
        let (code, headers, _) = send(&app, post(path, user, pass, &swml)).await;
        assert_eq!(code, 401, "{path} as {user}");
        assert!(headers.contains_key("www-authenticate"));
    }
    let a_failures = sa
        .records()
        .iter()
        .filter(|r| r.event == AuditEvent::AuthFailure)
        .count();
    let b_failures = sb
        .records()
        .iter()
        .filter(|r| r.event == AuditEvent::AuthFailure)
        .count();
    assert_eq!((a_failures, b_failures), (2, 2));
}

#[actix_web::test]
async fn unknown_paths_are_401_unless_authenticated_for_some_agent() {
    let (multi, sa, _) = two_banks(B_SECRET);
    let app = test::init_service(App::new().configure(|c| multi.configure(c))).await;
    let (code, headers, body) = send(&app, TestRequest::get().uri("/c/swaig")).await;
    assert_eq!(code, 401);
    assert!(headers.contains_key("www-authenticate"));
    assert_eq!(json(&body), json!({"error": "unauthorized"}));
    assert!(
        sa.records()
            .iter()
            .any(|r| r.event == AuditEvent::AuthFailure)
    );
    let wrong = TestRequest::get()
        .uri("/c")
        .insert_header(("Authorization", basic_header(A_USER, B_PASS)));
    assert_eq!(send(&app, wrong).await.0, 401);
    for (user, pass) in [(A_USER, A_PASS), (B_USER, B_PASS)] {
        let req = TestRequest::get()
            .uri("/c")
            .insert_header(("Authorization", basic_header(user, pass)));
        assert_eq!(send(&app, req).await.0, 404);
    }
}

#[actix_web::test]
async fn a_token_minted_by_one_agent_fails_on_the_other() {
    let (multi, _, sb) = two_banks(B_SECRET);
    let app = test::init_service(App::new().configure(|c| multi.configure(c))).await;
    let hook_a = transfer_hook(&app, "/a", A_USER, A_PASS, "call-x").await;
    assert!(hook_a.starts_with("/a/swaig/?__token="));
    // A's token works on A.
    let (code, _, _) = send(&app, post(&hook_a, A_USER, A_PASS, &transfer("call-x"))).await;
    assert_eq!(code, 200);
    // The same tool, the same call, B's credentials: A's token is refused.
    let on_b = hook_a.replacen("/a/", "/b/", 1);
    let (code, _, body) = send(&app, post(&on_b, B_USER, B_PASS, &transfer("call-x"))).await;
    assert_eq!(code, 403);
    assert_eq!(json(&body), json!({"error": "forbidden"}));
    let failure = sb
        .records()
        .into_iter()
        .find(|r| r.event == AuditEvent::TokenFailure)
        .unwrap();
    assert_eq!(failure.reason, "token_unknown_key");
    // B's own token works on B.
    let hook_b = transfer_hook(&app, "/b", B_USER, B_PASS, "call-x").await;
    let (code, _, _) = send(&app, post(&hook_b, B_USER, B_PASS, &transfer("call-x"))).await;
    assert_eq!(code, 200);
}

#[actix_web::test]
async fn agents_sharing_a_secret_do_not_share_token_keys() {
    // Both agents are configured with the same SIGNALWIRE_SWAIG_SECRET; each
    // derives its own keys from it (with its name and route), so A's token
    // does not verify on B even with B's credentials.
    let (multi, _, sb) = two_banks(A_SECRET);
    let app = test::init_service(App::new().configure(|c| multi.configure(c))).await;
    let hook_a = transfer_hook(&app, "/a", A_USER, A_PASS, "call-z").await;
    let on_b = hook_a.replacen("/a/", "/b/", 1);
    let (code, _, _) = send(&app, post(&on_b, B_USER, B_PASS, &transfer("call-z"))).await;
    assert_eq!(code, 403);
    let failure = sb
        .records()
        .into_iter()
        .find(|r| r.event == AuditEvent::TokenFailure)
        .expect("the refusal is audited");
    assert_eq!(failure.reason, "token_unknown_key");
    // Each agent's own tokens still work.
    let hook_b = transfer_hook(&app, "/b", B_USER, B_PASS, "call-z").await;
    let (code, _, _) = send(&app, post(&hook_b, B_USER, B_PASS, &transfer("call-z"))).await;
    assert_eq!(code, 200);
}

#[actix_web::test]
async fn agents_sharing_a_key_still_need_their_own_credentials() {
    // Same token key on both: the token would verify, but basic auth is per
    // agent, so A's credentials never reach B's dispatcher.
    let (multi, _, _) = two_banks(A_SECRET);
    let app = test::init_service(App::new().configure(|c| multi.configure(c))).await;
    let hook_a = transfer_hook(&app, "/a", A_USER, A_PASS, "call-y").await;
    let on_b = hook_a.replacen("/a/", "/b/", 1);
    assert_eq!(
        send(&app, post(&on_b, A_USER, A_PASS, &transfer("call-y")))
            .await
            .0,
        401
    );
}

#[test]
fn routes_must_be_distinct() {
    let bank = |route: &str| {
        secure_bank::builder()
            .config(test_config())
            .route(route)
            .build()
            .unwrap()
    };
    let err = AgentServer::new()
        .agent(bank("/x"))
        .agent(bank("/x/"))
        .build()
        .unwrap_err();
    assert!(
        matches!(err, MultiError::RouteConflict { ref path, .. } if path == "/x"),
        "{err}"
    );
    // `/` would answer `/swaig`, which is the SWML route of an agent on `/swaig`.
    let err = AgentServer::new()
        .agent(bank("/"))
        .agent(bank("/swaig"))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("/swaig"), "{err}");
    let err = AgentServer::new()
        .agent(bank("/health"))
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            MultiError::RouteConflict {
                first: "probes",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        AgentServer::new().build().unwrap_err(),
        MultiError::NoAgents
    );
    assert!(
        AgentServer::new()
            .agent(bank("/"))
            .agent(bank("/other"))
            .build()
            .is_ok()
    );
}

#[actix_web::test]
async fn the_example_serves_two_different_agents() {
    let vars: HashMap<&str, &str> = HashMap::from([
        ("DESK_SWML_BASIC_AUTH_USER", "desk"),
        (
            "DESK_SWML_BASIC_AUTH_PASSWORD",
            "desk-password-0123456789-abcdefghij",
        ),
        ("BILLING_SWML_BASIC_AUTH_USER", "billing"),
        (
            "BILLING_SWML_BASIC_AUTH_PASSWORD",
            "billing-password-0123456789-abcdefgh",
        ),
        (
            "SIGNALWIRE_SWAIG_SECRET",
            "shared-fallback-secret-0123456789abcdef",
        ),
    ]);
    let lookup = |k: &str| vars.get(k).map(|v| (*v).to_owned());
    let multi = example::server(lookup).unwrap();
    let app = test::init_service(App::new().configure(|c| multi.configure(c))).await;
    let desk = ("desk", "desk-password-0123456789-abcdefghij");
    let billing = ("billing", "billing-password-0123456789-abcdefgh");
    let (code, _, body) = send(
        &app,
        post("/desk", desk.0, desk.1, &json!({"call_id": "c"})),
    )
    .await;
    assert_eq!(code, 200);
    assert!(body.windows(13).any(|w| w == b"opening_hours"));
    let (code, _, body) = send(
        &app,
        post("/billing", billing.0, billing.1, &json!({"call_id": "c"})),
    )
    .await;
    assert_eq!(code, 200);
    let doc = json(&body);
    assert_valid_swml(&doc);
    let hook = webhook_in(&doc, "refund_invoice").expect("a webhook for refund_invoice");
    let call = swaig("refund_invoice", json!({"invoice": "INV-1"}), "c");
    let (code, _, body) = send(&app, post(&hook, billing.0, billing.1, &call)).await;
    assert_eq!(code, 200);
    assert!(
        json(&body)["response"]
            .as_str()
            .unwrap()
            .contains("refunded")
    );
    let (code, _, _) = send(&app, post("/billing", desk.0, desk.1, &json!({}))).await;
    assert_eq!(code, 401);
}
