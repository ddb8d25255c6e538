//! The Prometheus endpoint through the real HTTP stack: `/metrics` behind
//! basic auth (a failed login there audited and counted like anywhere else),
//! refusals counted by reason class after real refusals, tool calls by
//! outcome with their latency, no secret of a refused request in a scrape,
//! the example alert rules against what a live agent exports, and the
//! separate metrics listener over TCP.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use actix_web::test::TestRequest;
use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{
    TEST_PASSWORD, TEST_USER, TestAgent, TestServer, Token, ToolCall, basic_header,
    test_config_with,
};
use agent_runtime::metrics::{
    AUDIT_RECORDS, CONTENT_TYPE, HTTP_REQUESTS, REFUSAL_CLASSES, REFUSALS, TOOL_CALLS,
    TOOL_DURATION, UNMATCHED_ROUTE,
};
use agent_runtime::prelude::*;

use crate::secure_bank::{self, Bank};

/// The alert rules shipped in the repository.
const ALERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/prometheus/alerts.yml");

/// One scrape's text.
struct Scrape(String);

impl Scrape {
    /// The value of the sample `name` whose labels include all of `labels`.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.samples()
            .find(|(sample, set, _)| {
                *sample == name
                    && labels
                        .iter()
                        .all(|(k, v)| set.contains(&format!("{k}=\"{v}\"")))
            })
            .map(|(_, _, value)| value)
    }

    /// `value`, or 0 when the sample is absent.
    fn count(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.value(name, labels).unwrap_or(0.0)
    }

    /// Every sample: name, its `k="v"` labels, value.
    fn samples(&self) -> impl Iterator<Item = (&str, Vec<String>, f64)> {
        self.0
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|line| {
                let (series, value) = line.rsplit_once(' ')?;
                let (name, set) = match series.split_once('{') {
                    Some((name, rest)) => (name, rest.trim_end_matches('}')),
                    None => (series, ""),
                };
                let labels = set.split(',').map(str::to_owned).collect();
                Some((name, labels, value.parse().ok()?))
            })
    }

    /// The names of every exported sample.
    fn names(&self) -> BTreeSet<String> {
        self.samples().map(|(n, _, _)| n.to_owned()).collect()
    }

    /// Every value the label `key` takes in the samples of `name`.
    fn label_values(&self, name: &str, key: &str) -> BTreeSet<String> {
        let prefix = format!("{key}=\"");
        self.samples()
            .filter(|(n, _, _)| *n == name)
            .flat_map(|(_, set, _)| set)
            .filter_map(|l| Some(l.strip_prefix(&prefix)?.trim_end_matches('"').to_owned()))
            .collect()
    }
}

async fn bank() -> TestAgent<Bank> {
    TestAgent::start(secure_bank::builder())
        .await
        .expect("bank starts")
}

/// An authenticated scrape of the agent's `/metrics`.
async fn scrape<A: agent_runtime::Agent>(agent: &TestAgent<A>) -> Scrape {
    let reply = agent.get(&agent.path("/metrics")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some(CONTENT_TYPE));
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert!(reply.audit.is_empty(), "a scrape writes no audit record");
    Scrape(reply.text())
}

fn transfer_args() -> Value {
    json!({"from_account": "1000000001", "to_account": "1000000002", "amount": 12.5})
}

#[actix_web::test]
async fn a_failed_login_and_a_bad_token_are_counted_by_reason() {
    let agent = bank().await;
    // A failed login: the right user, a wrong password.
    let login = agent
        .send_raw(
            TestRequest::post()
                .uri("/")
                .insert_header(("Authorization", basic_header(TEST_USER, "wrong-password")))
                .insert_header(("Content-Type", "application/json"))
                .set_payload("{}"),
        )
        .await;
    assert_eq!(login.status, 401);
    assert_eq!(login.audit[0].event, AuditEvent::AuthFailure);
    // A bad token on a secure tool.
    let refused = agent
        .call_with(ToolCall::new("transfer_funds", transfer_args()).token(Token::Tampered))
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.audit[0].reason, "token_bad_signature");

    let scrape = scrape(&agent).await;
    let refusals = |event, reason| scrape.value(REFUSALS, &[("event", event), ("reason", reason)]);
    assert_eq!(refusals("auth_failure", "auth"), Some(1.0));
    assert_eq!(refusals("token_failure", "token"), Some(1.0));
    // Classes with no refusal yet are there, at zero.
    assert_eq!(refusals("rate_limited", "rate"), Some(0.0));
    assert_eq!(refusals("signature_failure", "signature"), Some(0.0));
    let records = |event| scrape.count(AUDIT_RECORDS, &[("event", event), ("outcome", "refused")]);
    assert_eq!(records("auth_failure"), 1.0);
    assert_eq!(records("token_failure"), 1.0);
    let tool = |outcome| {
        scrape.count(
            TOOL_CALLS,
            &[("tool", "transfer_funds"), ("outcome", outcome)],
        )
    };
    assert_eq!((tool("refused"), tool("ok")), (1.0, 0.0));
    // Requests by route pattern and status (the tampered token read the
    // SWML first, as the platform does).
    let requests = |route, status| {
        scrape.count(
            HTTP_REQUESTS,
            &[
                ("route", route),
                ("status", status),
                ("agent", "secure-bank"),
            ],
        )
    };
    assert_eq!(requests("/", "401"), 1.0);
    assert_eq!(requests("/", "200"), 1.0);
    assert_eq!(requests("/swaig", "403"), 1.0);
}

#[actix_web::test]
async fn metrics_need_basic_auth_and_reveal_nothing_without_it() {
    let agent = bank().await;
    let anonymous = agent.send_raw(TestRequest::get().uri("/metrics")).await;
    let wrong = agent
        .send_raw(
            TestRequest::get()
                .uri("/metrics")
                .insert_header(("Authorization", basic_header("intruder", "guess"))),
        )
        .await;
    for (reply, reason) in [
        (&anonymous, "missing_credentials"),
        (&wrong, "bad_credentials"),
    ] {
        assert_eq!(reply.status, 401);
        assert_eq!(reply.json(), Some(json!({"error": "unauthorized"})));
        assert!(reply.header("www-authenticate").is_some());
        assert!(!reply.text().contains("agent_"));
        assert_eq!(reply.audit.len(), 1);
        assert_eq!(reply.audit[0].event, AuditEvent::AuthFailure);
        assert_eq!(reply.audit[0].reason, reason);
    }
    // The trailing-slash spelling is the same endpoint.
    let slash = agent.send_raw(TestRequest::get().uri("/metrics/")).await;
    assert_eq!(slash.status, 401);
    // Only GET: another method is an authenticated 405.
    let post = agent.post("/metrics", &json!({})).await;
    assert_eq!(post.status, 405);

    let scrape = scrape(&agent).await;
    let auth = [("event", "auth_failure"), ("reason", "auth")];
    assert_eq!(scrape.value(REFUSALS, &auth), Some(3.0));
    let refused = [("route", "/metrics"), ("status", "401")];
    assert_eq!(scrape.count(HTTP_REQUESTS, &refused), 3.0);
    let not_allowed = [("route", "/metrics"), ("status", "405")];
    assert_eq!(scrape.count(HTTP_REQUESTS, &not_allowed), 1.0);
}

/// An agent whose tools end in every way a tool call can.
#[agent(name = "metered")]
#[derive(Debug, Default)]
struct Metered;

#[agent]
impl Metered {
    /// Answer at once.
    #[tool]
    fn quick(&self) -> ToolResult {
        ToolResult::new("Done.")
    }

    /// Take a little time, then answer.
    #[tool]
    async fn steady(&self) -> ToolResult {
        actix_web::rt::time::sleep(Duration::from_millis(30)).await;
        ToolResult::new("Done, a little later.")
    }

    /// Fail in the back end.
    #[tool]
    async fn failing(&self) -> Result<ToolResult, String> {
        Err("the back end is down".to_owned())
    }

    /// Panic.
    #[tool]
    async fn crashing(&self) -> ToolResult {
        panic!("this handler always panics")
    }

    /// Take longer than the handler timeout.
    #[tool]
    async fn stuck(&self) -> ToolResult {
        actix_web::rt::time::sleep(Duration::from_secs(10)).await;
        ToolResult::new("Too late.")
    }

    /// Verify a code: a secure tool, so calls without a token are refused.
    #[tool(secure)]
    fn verify(&self, code: String) -> ToolResult {
        ToolResult::new(format!("{} digits checked.", code.len()))
    }
}

#[actix_web::test]
async fn tool_calls_are_counted_by_outcome_with_their_latency() {
    let builder = Metered
        .builder()
        .prompt_text("You run tools.")
        .config(test_config_with(&[("SWML_TOOL_TIMEOUT_SECS", "1")]));
    let agent = TestAgent::start(builder).await.expect("agent starts");
    let mut expected = vec![
        ("quick", "ok", 3.0),
        ("steady", "ok", 1.0),
        ("failing", "error", 1.0),
        ("crashing", "panic", 1.0),
        ("stuck", "timeout", 1.0),
        ("verify", "ok", 1.0),
        ("verify", "refused", 2.0),
    ];
    for (tool, _, times) in &expected {
        if *tool == "verify" {
            continue;
        }
        for _ in 0..*times as usize {
            assert_eq!(agent.call(tool, json!({})).await.status, 200);
        }
    }
    assert_eq!(
        agent.call("verify", json!({"code": "1234"})).await.status,
        200
    );
    let missing = ToolCall::new("verify", json!({"code": "1234"})).token(Token::Missing);
    assert_eq!(agent.call_with(missing).await.status, 403);
    // A validation refusal is a refused call too (the token was fine).
    assert_eq!(agent.call("verify", json!({"code": 5})).await.status, 200);

    let scrape = scrape(&agent).await;
    expected.push(("quick", "panic", 0.0));
    for (tool, outcome, times) in expected {
        let labels = [("tool", tool), ("outcome", outcome)];
        assert_eq!(
            scrape.value(TOOL_CALLS, &labels),
            Some(times),
            "{tool} {outcome}"
        );
    }
    // One observation per handler run; refused calls never ran one.
    let count = format!("{TOOL_DURATION}_count");
    let sum = format!("{TOOL_DURATION}_sum");
    let bucket = format!("{TOOL_DURATION}_bucket");
    let runs = |tool| scrape.value(&count, &[("tool", tool)]);
    assert_eq!(runs("quick"), Some(3.0));
    assert_eq!(runs("verify"), Some(1.0));
    assert_eq!(runs("stuck"), Some(1.0));
    let steady = scrape.value(&sum, &[("tool", "steady")]).expect("a sum");
    assert!((0.03..5.0).contains(&steady), "{steady}");
    // The timed-out handler ran for about the timeout (1 s).
    let stuck = |le| scrape.value(&bucket, &[("tool", "stuck"), ("le", le)]);
    assert_eq!(stuck("0.5"), Some(0.0));
    assert_eq!(stuck("+Inf"), Some(1.0));
    let quick = |le| scrape.value(&bucket, &[("tool", "quick"), ("le", le)]);
    assert_eq!(quick("+Inf"), Some(3.0));
    // The records behind them, by event and outcome.
    let records =
        |event, outcome| scrape.count(AUDIT_RECORDS, &[("event", event), ("outcome", outcome)]);
    assert_eq!(records("tool_call", "ok"), 5.0);
    assert_eq!(records("tool_call", "timeout"), 1.0);
    assert_eq!(records("validation_failure", "refused"), 1.0);
    let class = [("event", "validation_failure"), ("reason", "validation")];
    assert_eq!(scrape.value(REFUSALS, &class), Some(1.0));
}

#[actix_web::test]
async fn no_secret_of_a_refused_request_reaches_a_scrape() {
    const PASSWORD: &str = "canary-pass-5c1f9e";
    const USER: &str = "canary-user-8b2d";
    const TOKEN: &str = "canary-token-3a7e";
    const CALL: &str = "canary-call-id-61d0";
    const PATH: &str = "/canary-path-0f4b";
    const ACCOUNT: &str = "canary-account-7e99";
    const FIELD: &str = "canary_field_2c8a";
    let agent = bank().await;
    let bad_login = TestRequest::get()
        .uri(PATH)
        .insert_header(("Authorization", basic_header(USER, PASSWORD)));
    assert_eq!(agent.send_raw(bad_login).await.status, 401);
    let bad_login = TestRequest::get()
        .uri("/metrics")
        .insert_header(("Authorization", basic_header(TEST_USER, PASSWORD)));
    assert_eq!(agent.send_raw(bad_login).await.status, 401);
    let forged = ToolCall::new("transfer_funds", transfer_args())
        .call_id(CALL)
        .token(Token::Exact(TOKEN.to_owned()));
    assert_eq!(agent.call_with(forged).await.status, 403);
    let bad_args =
        json!({"from_account": ACCOUNT, "to_account": "1000000002", "amount": 1, FIELD: 1});
    let invalid = ToolCall::new("transfer_funds", bad_args).call_id(CALL);
    assert_eq!(agent.call_with(invalid).await.status, 200);
    // Authenticated, on a path no route answers.
    assert_eq!(agent.get(PATH).await.status, 404);

    let scrape = scrape(&agent).await;
    for canary in [PASSWORD, USER, TOKEN, CALL, PATH, ACCOUNT, FIELD, "canary"] {
        assert!(!scrape.0.contains(canary), "{canary} is in the scrape");
    }
    // The refusals were counted, under fixed labels.
    let unmatched = [("route", UNMATCHED_ROUTE), ("status", "401")];
    assert_eq!(scrape.count(HTTP_REQUESTS, &unmatched), 1.0);
    let unmatched = [("route", UNMATCHED_ROUTE), ("status", "404")];
    assert_eq!(scrape.count(HTTP_REQUESTS, &unmatched), 1.0);
    let auth = [("event", "auth_failure"), ("reason", "auth")];
    assert_eq!(scrape.value(REFUSALS, &auth), Some(2.0));
    let token = [("event", "token_failure"), ("reason", "token")];
    assert_eq!(scrape.value(REFUSALS, &token), Some(1.0));
    let validation = [("event", "validation_failure"), ("reason", "validation")];
    assert_eq!(scrape.value(REFUSALS, &validation), Some(1.0));
    // Every route label is a route pattern of the agent.
    let routes = scrape.label_values(HTTP_REQUESTS, "route");
    let patterns = ["/", "/swaig", "/post_prompt", "/metrics", UNMATCHED_ROUTE];
    assert!(
        routes.iter().all(|r| patterns.contains(&r.as_str())),
        "{routes:?}"
    );
}

/// The quoted values of `key="..."` in `text`.
fn quoted_values(text: &str, key: &str) -> BTreeSet<String> {
    let marker = format!("{key}=\"");
    text.match_indices(&marker)
        .filter_map(|(i, _)| {
            let rest = &text[i + marker.len()..];
            Some(rest[..rest.find('"')?].to_owned())
        })
        .collect()
}

#[actix_web::test]
async fn every_alert_rule_names_what_a_live_agent_exports() {
    let rules = std::fs::read_to_string(ALERTS).expect("the alert rules are in the repository");
    // Lines that are not comments (expressions, descriptions).
    let text: String = rules
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("- alert:"));
    let agent = bank().await;
    // A few real requests, so every family has series: a large transfer
    // makes the handler's `large_transfer` event.
    assert_eq!(
        agent
            .call("get_balance", json!({"account": "1000000001"}))
            .await
            .status,
        200
    );
    // Over the step-up amount: the source account's PIN first, on the call.
    let call_id = "metrics-large-transfer";
    let pin = json!({"account": "1000000001", "pin": "4931"});
    let verified = agent
        .call_with(ToolCall::new("verify_pin", pin).call_id(call_id))
        .await;
    assert_eq!(
        verified.response_text().as_deref(),
        Some("The PIN is correct.")
    );
    let large = json!({"from_account": "1000000001", "to_account": "1000000002", "amount": 1500});
    let reply = agent
        .call_with(ToolCall::new("transfer_funds", large).call_id(call_id))
        .await;
    assert_eq!(reply.status, 200);
    let events: Vec<_> = reply.audit.iter().map(|r| r.event.as_str()).collect();
    assert!(events.contains(&"large_transfer"), "{events:?}");
    let scrape = scrape(&agent).await;
    let exported = scrape.names();
    let named: BTreeSet<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with("agent_"))
        .map(str::to_owned)
        .collect();
    assert!(named.len() >= 4, "{named:?}");
    for name in &named {
        assert!(
            exported.contains(name),
            "{name} is not exported: {exported:?}"
        );
    }
    for reason in quoted_values(&text, "reason") {
        assert!(REFUSAL_CLASSES.contains(&reason.as_str()), "{reason}");
        let labels = [("reason", reason.as_str())];
        assert!(
            scrape.value(REFUSALS, &labels).is_some(),
            "no series for {reason}"
        );
    }
    let events = scrape.label_values(AUDIT_RECORDS, "event");
    for event in quoted_values(&text, "event") {
        assert!(
            events.contains(&event),
            "{event} is not exported: {events:?}"
        );
    }
    // The handler's events, counted by their own names.
    let large = [("event", "large_transfer"), ("outcome", "ok")];
    assert_eq!(scrape.value(AUDIT_RECORDS, &large), Some(1.0));
    let tools = scrape.label_values(TOOL_CALLS, "tool");
    for tool in quoted_values(&text, "tool") {
        assert!(tools.contains(&tool), "{tool} is not a tool of secure_bank");
    }
    let outcomes = scrape.label_values(TOOL_CALLS, "outcome");
    for outcome in quoted_values(&text, "outcome") {
        assert!(outcomes.contains(&outcome), "{outcome}");
    }
}

#[actix_web::test]
async fn several_agents_keep_their_metrics_apart() {
    use actix_web::App;
    use agent_runtime::multi::AgentServer;
    let agent = |route: &str, user: &str| {
        let pass = format!("{user}-password-0123456789-abcdefghij");
        secure_bank::builder()
            .config(test_config_with(&[
                ("SWML_BASIC_AUTH_USER", user),
                ("SWML_BASIC_AUTH_PASSWORD", &pass),
            ]))
            .route(route)
            .build()
            .expect("bank builds")
    };
    let multi = AgentServer::new()
        .agent(agent("/a", "bank-a"))
        .agent(agent("/b", "bank-b"))
        .build()
        .expect("distinct routes");
    let app = actix_web::test::init_service(App::new().configure(|c| multi.configure(c))).await;
    let a_auth = basic_header("bank-a", "bank-a-password-0123456789-abcdefghij");
    let get = |path: &str, auth: &str| {
        TestRequest::get()
            .uri(path)
            .insert_header(("Authorization", auth.to_owned()))
            .to_request()
    };
    // Agent b's metrics with agent a's credentials: refused, and counted by b.
    let res = actix_web::test::call_service(&app, get("/b/metrics", &a_auth)).await;
    assert_eq!(res.status(), 401);
    let res = actix_web::test::call_service(&app, get("/a/metrics", &a_auth)).await;
    assert_eq!(res.status(), 200);
    let body = actix_web::test::read_body(res).await;
    let a = Scrape(String::from_utf8_lossy(&body).into_owned());
    let auth = [("event", "auth_failure"), ("reason", "auth")];
    assert_eq!(a.value(REFUSALS, &auth), Some(0.0));
    let routes = a.label_values(HTTP_REQUESTS, "route");
    assert!(routes.iter().all(|r| r.starts_with("/a")), "{routes:?}");
    let b_auth = basic_header("bank-b", "bank-b-password-0123456789-abcdefghij");
    let res = actix_web::test::call_service(&app, get("/b/metrics", &b_auth)).await;
    let body = actix_web::test::read_body(res).await;
    let b = Scrape(String::from_utf8_lossy(&body).into_owned());
    assert_eq!(b.value(REFUSALS, &auth), Some(1.0));
    let refused = [("route", "/b/metrics"), ("status", "401")];
    assert_eq!(b.count(HTTP_REQUESTS, &refused), 1.0);
}

/// One HTTP/1.1 request over TCP without a body: status and body.
fn http(addr: SocketAddr, method: &str, path: &str, auth: Option<&str>) -> (u16, String) {
    http_with_body(addr, method, path, auth, "")
        .unwrap_or_else(|| panic!("no HTTP answer to {method} {path}"))
}

/// One HTTP/1.1 request over TCP with a JSON body: status and body, or
/// `None` when nothing answered (the server is not up yet).
fn http_with_body(
    addr: SocketAddr,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: &str,
) -> Option<(u16, String)> {
    let mut tcp = TcpStream::connect(addr).ok()?;
    tcp.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let auth = auth.map_or(String::new(), |a| format!("Authorization: {a}\r\n"));
    write!(
        tcp,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut response = String::new();
    tcp.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_owned());
    Some((status, body))
}

fn bank_server(vars: &[(&str, &str)]) -> TestServer {
    let service = secure_bank::builder()
        .config(test_config_with(vars))
        .build()
        .expect("bank builds");
    TestServer::start(service).expect("server starts")
}

#[test]
fn a_separate_listener_serves_the_metrics_behind_basic_auth() {
    let server = bank_server(&[("SWML_METRICS_ADDR", "127.0.0.1:0")]);
    let metrics = server.metrics_addr().expect("a metrics listener");
    assert_ne!(metrics.port(), 0);
    assert_ne!(metrics, server.addr());
    let auth = basic_header(TEST_USER, TEST_PASSWORD);
    let (status, body) = http(metrics, "GET", "/metrics", None);
    assert_eq!(status, 401);
    assert!(!body.contains("agent_"));
    let (status, _) = http(
        metrics,
        "GET",
        "/metrics",
        Some(&basic_header(TEST_USER, "nope")),
    );
    assert_eq!(status, 401);
    // Nothing else there, and only GET.
    assert_eq!(http(metrics, "GET", "/", Some(&auth)).0, 404);
    assert_eq!(http(metrics, "GET", "/swaig", Some(&auth)).0, 404);
    assert_eq!(http(metrics, "POST", "/metrics", Some(&auth)).0, 405);
    // The agent's own port no longer serves them.
    assert_eq!(http(server.addr(), "GET", "/metrics", Some(&auth)).0, 404);
    let (status, body) = http(metrics, "GET", "/metrics", Some(&auth));
    assert_eq!(status, 200);
    let scrape = Scrape(body);
    let auth_refusals = [("event", "auth_failure"), ("reason", "auth")];
    assert_eq!(scrape.value(REFUSALS, &auth_refusals), Some(2.0));
    let listener_401 = [("route", "/metrics"), ("status", "401")];
    assert_eq!(scrape.count(HTTP_REQUESTS, &listener_401), 2.0);
    // `/` and `/swaig` on the listener, `/metrics` on the agent's port.
    let not_found = [("route", UNMATCHED_ROUTE), ("status", "404")];
    assert_eq!(scrape.count(HTTP_REQUESTS, &not_found), 3.0);
}

#[test]
fn a_listener_without_auth_serves_only_the_metrics() {
    let server = bank_server(&[
        ("SWML_METRICS_ADDR", "127.0.0.1:0"),
        ("SWML_METRICS_AUTH", "off"),
    ]);
    let metrics = server.metrics_addr().expect("a metrics listener");
    let (status, body) = http(metrics, "GET", "/metrics", None);
    assert_eq!(status, 200);
    assert!(body.contains(TOOL_CALLS), "{body}");
    assert_eq!(http(metrics, "GET", "/", None).0, 404);
    // The agent's port still asks for credentials everywhere.
    assert_eq!(http(server.addr(), "GET", "/metrics", None).0, 401);
    assert_eq!(http(server.addr(), "POST", "/", None).0, 401);
}

#[test]
fn metrics_without_auth_need_a_listener_of_their_own() {
    let refused = agent_runtime::harness::try_test_config_with(&[("SWML_METRICS_AUTH", "off")])
        .expect_err("no listener");
    assert_eq!(refused.setting, "SWML_METRICS_AUTH");
    // The same rule for a configuration changed in code.
    let mut config = test_config_with(&[]);
    config.metrics_auth = agent_runtime::MetricsAuth::Off;
    let built = secure_bank::builder().config(config).build();
    assert!(
        matches!(built, Err(agent_runtime::BuildError::Config(e)) if e.setting == "SWML_METRICS_AUTH")
    );
}

/// The issue's own check, on the built example as a process: `cargo run
/// --example secure_bank`, then a failed login and a bad token; the
/// `/metrics` output shows both, by reason.
#[test]
fn the_example_process_counts_a_failed_login_and_a_bad_token() {
    use crate::default_log_output::{example_binary, free_port, stop};
    const PASSWORD: &str = "metrics-password-canary-0123456789abcdef";
    const WRONG: &str = "wrong-password-canary-0123456789abcdef";
    let Some(bin) = example_binary() else {
        eprintln!("examples/secure_bank not built; skipping the process test");
        return;
    };
    let port = free_port();
    let mut child = std::process::Command::new(&bin)
        .env_clear()
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .env("SWML_BASIC_AUTH_PASSWORD", PASSWORD)
        .env(
            "SIGNALWIRE_SWAIG_SECRET",
            "metrics-test-secret-0123456789abcdef0123",
        )
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the example");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let auth = basic_header("signalwire", PASSWORD);
    // Wait until it answers: the SWML document for one call.
    let swml = r#"{"call":{"call_id":"metrics-process-call"}}"#;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut served = None;
    while served.is_none() && std::time::Instant::now() < deadline {
        served = http_with_body(addr, "POST", "/", Some(&auth), swml);
        if served.is_none() {
            std::thread::sleep(Duration::from_millis(25));
        }
    }
    let Some((status, doc)) = served else {
        stop(&mut child);
        panic!("the example did not answer within 20 s");
    };
    assert_eq!(status, 200, "{doc}");
    let doc: Value = serde_json::from_str(&doc).expect("a SWML document");
    let token = agent_runtime::harness::tool_tokens(&doc)
        .remove("transfer_funds")
        .expect("the secure tool carries a token");

    // A failed login.
    let wrong = basic_header("signalwire", WRONG);
    let login = http_with_body(addr, "POST", "/", Some(&wrong), swml).map(|(s, _)| s);
    // A bad token: the document's own token with its signature changed.
    let (head, tag) = token.rsplit_once('.').expect("payload.signature");
    let forged = format!(
        "{head}.{}{}",
        if tag.starts_with('A') { 'B' } else { 'A' },
        &tag[1..]
    );
    let call = json!({
        "function": "transfer_funds",
        "argument": {"parsed": [transfer_args()], "raw": transfer_args().to_string(), "substituted": ""},
        "call_id": "metrics-process-call",
        "content_type": "text/swaig",
        "version": "2.0",
    });
    let swaig = format!("/swaig?__token={forged}");
    let bad_token =
        http_with_body(addr, "POST", &swaig, Some(&auth), &call.to_string()).map(|(s, _)| s);
    let scraped = http_with_body(addr, "GET", "/metrics", Some(&auth), "");
    stop(&mut child);

    assert_eq!(login, Some(401));
    assert_eq!(bad_token, Some(403));
    let (status, text) = scraped.expect("a scrape");
    assert_eq!(status, 200, "{text}");
    assert!(!text.contains(PASSWORD) && !text.contains(WRONG) && !text.contains(tag));
    let scrape = Scrape(text);
    let refusals = |event, reason| scrape.value(REFUSALS, &[("event", event), ("reason", reason)]);
    assert_eq!(refusals("auth_failure", "auth"), Some(1.0));
    assert_eq!(refusals("token_failure", "token"), Some(1.0));
    let refused = [("tool", "transfer_funds"), ("outcome", "refused")];
    assert_eq!(scrape.value(TOOL_CALLS, &refused), Some(1.0));
    let requests =
        |route, status| scrape.count(HTTP_REQUESTS, &[("route", route), ("status", status)]);
    assert_eq!(requests("/", "401"), 1.0);
    assert_eq!(requests("/swaig", "403"), 1.0);
}
