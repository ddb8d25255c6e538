//! Our wire output compared, by SHAPE, with what the Python SDK sent in the
//! captured fixtures (`tests/data/fixtures/`). Where the shapes must agree the
//! tests say so; where we deliberately differ (docs/protocol.md section 11)
//! the tests assert the difference and say why.

use std::collections::BTreeSet;

use actix_web::test::TestRequest;
use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{
    TestAgent, ToolCall, basic_header, post_prompt_token, test_config_with, tool_tokens,
};
use agent_runtime::{Map, Value, json};

use crate::secure_bank::{self, Bank};
use crate::support::{assert_valid_swml, fixture};

/// The user name of the captured Python agent.
const FIXTURE_USER: &str = "specuser";
/// Its password.
const FIXTURE_PASSWORD: &str = "Sp3c-Fixture-Pass-2024";
/// The configuration of the captured agent: its credentials (in every
/// fixture's `Authorization` header) and its port (in every URL).
const FIXTURE_VARS: [(&str, &str); 3] = [
    ("SWML_BASIC_AUTH_USER", FIXTURE_USER),
    ("SWML_BASIC_AUTH_PASSWORD", FIXTURE_PASSWORD),
    ("PORT", "38471"),
];
/// The call id of every captured call.
const CALL_ID: &str = "3f8e2a6c-5b1d-4c7e-9a0f-2d4b6c8e1a3f";

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The structure of a JSON value: objects keep their keys (mapped to shapes),
/// arrays become the distinct shapes of their elements (in first-seen order),
/// scalars become their type name.
fn shape(v: &Value) -> Value {
    shape_to_depth(v, usize::MAX)
}

/// [`shape`], but containers deeper than `depth` become just `"object"` /
/// `"array"` (for application-defined payloads whose inner keys differ by
/// design).
fn shape_to_depth(v: &Value, depth: usize) -> Value {
    match v {
        Value::Null => json!("null"),
        Value::Bool(_) => json!("bool"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
        Value::Array(_) if depth == 0 => json!("array"),
        Value::Object(_) if depth == 0 => json!("object"),
        Value::Array(items) => {
            let mut out: Vec<Value> = Vec::new();
            for s in items.iter().map(|i| shape_to_depth(i, depth - 1)) {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
            Value::Array(out)
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), shape_to_depth(v, depth - 1)))
                .collect::<Map<String, Value>>(),
        ),
    }
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn key_set(v: &Value) -> BTreeSet<&str> {
    keys(v).into_iter().collect()
}

/// The verb names of `sections.main`, in order.
fn verbs(doc: &Value) -> Vec<String> {
    doc["sections"]["main"]
        .as_array()
        .expect("sections.main is an array")
        .iter()
        .map(|verb| {
            let k = keys(verb);
            assert_eq!(k.len(), 1, "a verb is a one-key object: {verb}");
            k[0].to_owned()
        })
        .collect()
}

fn ai(doc: &Value) -> &Value {
    doc["sections"]["main"]
        .as_array()
        .expect("main")
        .iter()
        .find_map(|v| v.get("ai"))
        .expect("an ai verb")
}

fn function<'a>(ai: &'a Value, name: &str) -> &'a Value {
    ai["SWAIG"]["functions"]
        .as_array()
        .expect("SWAIG.functions")
        .iter()
        .find(|f| f["function"] == name)
        .unwrap_or_else(|| panic!("function {name}"))
}

/// Every URL in an `ai` verb: defaults, per-function webhooks, post-prompt.
fn urls(ai: &Value) -> Vec<String> {
    let mut out = vec![
        ai["SWAIG"]["defaults"]["web_hook_url"]
            .as_str()
            .expect("defaults.web_hook_url")
            .to_owned(),
    ];
    for f in ai["SWAIG"]["functions"].as_array().expect("functions") {
        if let Some(u) = f["web_hook_url"].as_str() {
            out.push(u.to_owned());
        }
    }
    if let Some(u) = ai["post_prompt_url"].as_str() {
        out.push(u.to_owned());
    }
    out
}

/// The part of a URL before `__token=` (the token itself differs by design).
fn before_token(url: &str) -> &str {
    url.split("__token=").next().expect("split")
}

/// A request as captured in a fixture: method, path and headers verbatim
/// (the agent runs with [`FIXTURE_VARS`], so the captured credentials are its
/// own), with the
/// path and the JSON body optionally replaced.
fn replay(fx: &Value, path: Option<&str>, body: Option<&Value>) -> TestRequest {
    let req = &fx["request"];
    let method = req["method"].as_str().expect("method");
    let mut t = TestRequest::default()
        .method(method.parse().expect("HTTP method"))
        .uri(path.unwrap_or_else(|| req["path"].as_str().expect("path")));
    for (name, value) in req["headers"].as_object().expect("headers") {
        t = t.insert_header((name.as_str(), value.as_str().expect("header value")));
    }
    match body.or(req.get("body").filter(|b| !b.is_null())) {
        Some(b) => t.set_payload(b.to_string()),
        None => t,
    }
}

/// A fixture's SWAIG request body with `argument` replaced by `args` (in the
/// platform's shape). The fixtures' account ids (`CHK-1001`) are not valid
/// for our example, whose account numbers are 10 digits; everything else in
/// the envelope is kept, so the platform's extra envelope keys (`app_name`,
/// `argument_desc`, `meta_data_token`, ...) go through our parser too.
fn with_args(fx: &Value, args: Value) -> Value {
    let mut body = fx["request"]["body"].clone();
    body["argument"] = json!({"parsed": [args], "raw": args.to_string(), "substituted": ""});
    body
}

fn header<'h>(headers: &'h actix_web::http::header::HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("header {name}"))
        .to_str()
        .expect("ASCII header")
}

/// A header of a fixture response (`[[name, value], ...]`).
fn fixture_header<'a>(fx: &'a Value, name: &str) -> Option<&'a str> {
    fx["response"]["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .find(|h| h[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .and_then(|h| h[1].as_str())
}

/// The bank configured as the captured Python agent was, plus `vars`.
async fn bank_with(vars: &[(&str, &str)]) -> TestAgent<Bank> {
    let all: Vec<(&str, &str)> = FIXTURE_VARS.iter().chain(vars).copied().collect();
    TestAgent::start(secure_bank::builder().config(test_config_with(&all)))
        .await
        .expect("bank starts")
}

async fn bank() -> TestAgent<Bank> {
    bank_with(&[]).await
}

/// The body of a reply, which must be JSON.
fn body_json(reply: &agent_runtime::harness::Reply) -> Value {
    reply.json().expect("a JSON body")
}

async fn swml_from_fixture_request(agent: &TestAgent<Bank>) -> Value {
    let fx = fixture("swml_post_root");
    let reply = agent.send_raw(replay(&fx, None, None)).await;
    assert_eq!(reply.status, 200);
    body_json(&reply)
}

async fn balance_of(agent: &TestAgent<Bank>, account: &str) -> String {
    let reply = agent
        .call_with(ToolCall::new("get_balance", json!({ "account": account })).call_id(CALL_ID))
        .await;
    assert_eq!(reply.status, 200);
    reply.response_text().expect("response")
}

const FROM: &str = "1000000001";
const TO: &str = "1000000002";

// ---------------------------------------------------------------------------
// Self-checks of the helper
// ---------------------------------------------------------------------------

#[test]
fn fixtures_were_captured_with_the_fixture_credentials() {
    let fx = fixture("swml_post_root");
    assert_eq!(
        fx["request"]["headers"]["Authorization"],
        basic_header(FIXTURE_USER, FIXTURE_PASSWORD)
    );
    assert_eq!(fx["request"]["body"]["call_id"], CALL_ID);
}

#[test]
fn shape_maps_values_to_their_structure() {
    let v = json!({"a": [1, 2.5, "x", {"b": null}], "c": true, "d": []});
    assert_eq!(
        shape(&v),
        json!({"a": ["number", "string", {"b": "null"}], "c": "bool", "d": []})
    );
    assert_eq!(
        shape_to_depth(&v, 1),
        json!({"a": "array", "c": "bool", "d": "array"})
    );
}

// ---------------------------------------------------------------------------
// (a) SWML document
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn swml_for_the_fixture_request_has_the_fixture_shape() {
    let agent = bank().await;
    let fx = fixture("swml_post_root");
    let expected = &fx["response"]["body"];

    // The captured platform request body (call_id at top level and in
    // `call`, plus vars/envs/params) is accepted as is.
    let reply = agent.send_raw(replay(&fx, None, None)).await;
    assert_eq!(reply.status, fx["response"]["status"]);
    assert_eq!(
        header(&reply.headers, "content-type"),
        fixture_header(&fx, "content-type").unwrap()
    );
    let ours = body_json(&reply);
    assert_valid_swml(&ours);

    // Envelope: identical keys and version.
    assert_eq!(keys(&ours), keys(expected));
    assert_eq!(ours["version"], expected["version"]);
    assert_eq!(keys(&ours["sections"]), ["main"]);

    // Verb sequence: identical apart from `record_call`, which the Python
    // example turned on and which is off unless `.record_call(..)` is used
    // (recording is a privacy decision, so it is opt-in).
    let theirs: Vec<String> = verbs(expected)
        .into_iter()
        .filter(|v| v != "record_call")
        .collect();
    assert_eq!(verbs(&ours), theirs);
    assert_eq!(verbs(&ours), ["answer", "ai"]);
    assert_eq!(ours["sections"]["main"][0], expected["sections"]["main"][0]);

    // `ai`: the same keys, in the same order.
    let (ai_ours, ai_theirs) = (ai(&ours), ai(expected));
    assert_eq!(keys(ai_ours), keys(ai_theirs));
    assert_eq!(
        keys(ai_ours),
        [
            "prompt",
            "post_prompt",
            "post_prompt_url",
            "SWAIG",
            "params",
            "hints",
            "global_data"
        ]
    );

    // prompt.pom: a list of sections; every key we emit is one the POM format
    // knows and has the fixture's type. (Our example has more sections with
    // different contents: body-only, bullets-only, numbered bullets.)
    assert_eq!(keys(&ai_ours["prompt"]), keys(&ai_theirs["prompt"]));
    let section_keys = [
        "title",
        "body",
        "bullets",
        "subsections",
        "numbered",
        "numberedBullets",
    ];
    let their_section = shape(&ai_theirs["prompt"]["pom"][0]);
    for section in ai_ours["prompt"]["pom"].as_array().expect("pom") {
        for (k, v) in section.as_object().expect("section") {
            assert!(section_keys.contains(&k.as_str()), "POM key {k}");
            if let Some(t) = their_section.get(k) {
                assert_eq!(&shape(v), t, "POM `{k}` has the fixture's type");
            }
        }
        assert!(section["title"].is_string(), "every section has a title");
    }

    // post_prompt: identical shape; and here even the same text.
    assert_eq!(
        shape(&ai_ours["post_prompt"]),
        shape(&ai_theirs["post_prompt"])
    );
    assert_eq!(ai_ours["post_prompt"], ai_theirs["post_prompt"]);

    // URLs: same credentials, host, port and paths, byte for byte, up to the
    // token (our tokens have their own format, docs/protocol.md section 11,
    // D5).
    assert_eq!(
        before_token(ai_ours["post_prompt_url"].as_str().unwrap()),
        before_token(ai_theirs["post_prompt_url"].as_str().unwrap())
    );
    assert_eq!(
        ai_ours["SWAIG"]["defaults"], ai_theirs["SWAIG"]["defaults"],
        "defaults.web_hook_url carries no token, so it is identical"
    );

    // SWAIG: {functions, defaults}.
    assert_eq!(keys(&ai_ours["SWAIG"]), keys(&ai_theirs["SWAIG"]));
    assert_eq!(keys(&ai_ours["SWAIG"]["defaults"]), ["web_hook_url"]);

    // Functions. We have more tools (change_password, delete_account); every
    // tool the fixture has, we have too, with the same entry keys except
    // `fillers`, which the runtime does not emit.
    let ours_names: Vec<&str> = ai_ours["SWAIG"]["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["function"].as_str().unwrap())
        .collect();
    assert_eq!(
        ours_names,
        [
            "get_balance",
            "verify_pin",
            "transfer_funds",
            "change_password",
            "delete_account"
        ]
    );
    let dialect = [
        "type",
        "description",
        "enum",
        "format",
        "pattern",
        "nullable",
        "default",
        "items",
        "properties",
        "required",
        "oneOf",
        "const",
    ];
    for theirs in ai_theirs["SWAIG"]["functions"].as_array().unwrap() {
        let name = theirs["function"].as_str().unwrap();
        let ours = function(ai_ours, name);
        let mut their_keys = keys(theirs);
        their_keys.retain(|k| *k != "fillers");
        assert_eq!(keys(ours), their_keys, "{name}: entry keys");
        assert!(ours["description"].is_string());

        // web_hook_url only on the secure tool, with the same URL up to the
        // token.
        match (theirs.get("web_hook_url"), ours.get("web_hook_url")) {
            (None, None) => {}
            (Some(t), Some(o)) => assert_eq!(
                before_token(o.as_str().unwrap()),
                before_token(t.as_str().unwrap()),
                "{name}"
            ),
            other => panic!("{name}: web_hook_url presence differs: {other:?}"),
        }

        // parameters: same root keys, same property names, same types, same
        // required list. Our properties may carry more dialect keys (e.g.
        // `pattern` for the 10-digit account numbers), and their descriptions
        // state in words what the dialect cannot carry (range, "no other
        // fields"), so the descriptions differ in text but not in type.
        let (po, pt) = (&ours["parameters"], &theirs["parameters"]);
        assert_eq!(keys(po), keys(pt), "{name}: parameters keys");
        assert_eq!(po["type"], pt["type"]);
        assert_eq!(
            key_set(&po["properties"]),
            key_set(&pt["properties"]),
            "{name}: property names"
        );
        let req = |p: &Value| -> BTreeSet<String> {
            p["required"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(req(po), req(pt), "{name}: required");
        for (prop, t) in pt["properties"].as_object().unwrap() {
            let o = &po["properties"][prop];
            assert_eq!(o["type"], t["type"], "{name}.{prop}: type");
            assert!(o["description"].is_string(), "{name}.{prop}: description");
            for k in keys(o) {
                assert!(
                    dialect.contains(&k),
                    "{name}.{prop}: `{k}` is outside the dialect"
                );
            }
        }
    }
    // A constraint the dialect cannot carry is stated in words.
    let amount = &function(ai_ours, "transfer_funds")["parameters"]["properties"]["amount"];
    assert!(amount.get("maximum").is_none() && amount.get("exclusiveMinimum").is_none());
    let text = amount["description"].as_str().unwrap();
    assert!(
        text.contains("10000"),
        "range stated in the description: {text}"
    );

    // params / hints / global_data: same shapes per shared key. Values are the
    // example's own (the fixture also set attention_timeout and support_hours).
    for key in ["params", "global_data"] {
        let (o, t) = (&ai_ours[key], &ai_theirs[key]);
        for (k, v) in o.as_object().unwrap() {
            assert_eq!(shape(v), shape(&t[k]), "{key}.{k}");
        }
    }
    assert_eq!(shape(&ai_ours["hints"]), shape(&ai_theirs["hints"]));
    assert_eq!(ai_ours["hints"], ai_theirs["hints"]);
    assert_eq!(ai_ours["params"]["end_of_speech_timeout"], 700);
    assert_eq!(ai_ours["global_data"]["bank_name"], "Example Bank");
}

// ---------------------------------------------------------------------------
// (b) secure SWAIG call result, (c) non-secure call result
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn secure_call_result_has_the_fixture_shape() {
    let agent = bank().await;
    let token = tool_tokens(&swml_from_fixture_request(&agent).await)["transfer_funds"].clone();
    let fx = fixture("swaig_transfer_funds_valid_token");
    let body = with_args(
        &fx,
        json!({"from_account": FROM, "to_account": TO, "amount": 125.5}),
    );
    let reply = agent
        .send_raw(replay(
            &fx,
            Some(&format!("/swaig/?__token={token}")),
            Some(&body),
        ))
        .await;
    assert_eq!(reply.status, fx["response"]["status"]);
    assert_eq!(header(&reply.headers, "content-type"), "application/json");
    let ours = body_json(&reply);
    let theirs = &fx["response"]["body"];

    // {response, action: [{set_global_data: {last_transfer: {..}}}, {say}]}:
    // identical down to the global-data payload, whose inner keys are the
    // application's (ours records the call id instead of account ids).
    assert_eq!(shape_to_depth(&ours, 4), shape_to_depth(theirs, 4));
    assert_eq!(
        shape(&ours),
        json!({"response": "string", "action": [
            {"set_global_data": {"last_transfer": {"call_id": "string", "amount": "number"}}},
            {"say": "string"}
        ]})
    );
    assert_eq!(ours["action"][1], theirs["action"][1], "same spoken text");
    assert_eq!(
        ours["action"][0]["set_global_data"]["last_transfer"]["call_id"],
        CALL_ID
    );
}

#[actix_web::test]
async fn non_secure_call_result_has_the_fixture_shape() {
    let agent = bank().await;
    let fx = fixture("swaig_get_balance");
    let theirs = &fx["response"]["body"];

    // Valid arguments: runs without a token, `{response}` only.
    let body = with_args(&fx, json!({ "account": FROM }));
    let reply = agent.send_raw(replay(&fx, None, Some(&body))).await;
    assert_eq!(reply.status, 200);
    let ours = body_json(&reply);
    assert_eq!(shape(&ours), shape(theirs));
    assert_eq!(shape(&ours), json!({"response": "string"}));
    assert!(ours["response"].as_str().unwrap().contains("0001"));

    // The fixture's own body verbatim: `CHK-1001` is not a 10-digit account
    // number, so our validator answers instead of the handler, still in the
    // same `{response}` shape, naming the field and not echoing the value.
    let reply = agent.send_raw(replay(&fx, None, None)).await;
    assert_eq!(reply.status, 200);
    let refusal = body_json(&reply);
    assert_eq!(shape(&refusal), shape(theirs));
    let text = refusal["response"].as_str().unwrap();
    assert!(
        text.contains("account") && !text.contains("CHK-1001"),
        "{text}"
    );
    assert_eq!(
        reply.audit.last().map(|r| r.event),
        Some(AuditEvent::ValidationFailure)
    );
}

// ---------------------------------------------------------------------------
// (d) token refusals: 403 where Python ran the handler or answered 200
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn token_failures_from_the_fixtures_are_403_and_never_run_the_handler() {
    let agent = bank().await;
    let doc = swml_from_fixture_request(&agent).await;
    let good = tool_tokens(&doc)["transfer_funds"].clone();
    let post_prompt = post_prompt_token(&doc).expect("a post-prompt token");
    let before = balance_of(&agent, FROM).await;

    // Our counterpart of the fixture's tampered token: the last character of
    // the HMAC tag altered.
    let mut tampered = good.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });

    // (fixture, our token, accepted audit reasons)
    let cases: [(&str, Option<&str>, &[&str]); 5] = [
        ("swaig_transfer_funds_no_token", None, &["token_missing"]),
        (
            "swaig_transfer_funds_tampered_token",
            Some(&tampered),
            &["token_bad_signature", "token_malformed"],
        ),
        (
            "swaig_transfer_funds_wrong_call_id",
            Some(&good),
            &["token_wrong_call_id"],
        ),
        (
            "swaig_transfer_funds_missing_call_id",
            Some(&good),
            &["call_id_missing"],
        ),
        (
            "swaig_transfer_funds_token_for_other_function",
            Some(&post_prompt),
            &["token_wrong_function"],
        ),
    ];
    let mut bodies = Vec::new();
    for (name, token, reasons) in cases {
        let fx = fixture(name);
        // Python: 200 for every one of these (and for no_token it even moved
        // the money).
        assert_eq!(fx["response"]["status"], 200, "{name}: the Python SDK");

        // The fixture's envelope (its call_id, or none), valid arguments, so
        // that only the token stands between the request and the handler.
        let args = fx["request"]["body"]["argument"]["parsed"][0].clone();
        let body = with_args(
            &fx,
            json!({"from_account": FROM, "to_account": TO, "amount": args["amount"]}),
        );
        let path = match token {
            Some(t) => format!("/swaig/?__token={t}"),
            None => "/swaig/".to_owned(),
        };
        let reply = agent.send_raw(replay(&fx, Some(&path), Some(&body))).await;
        assert_eq!(reply.status, 403, "{name}");
        assert_eq!(header(&reply.headers, "content-type"), "application/json");
        let last = reply.audit.last().expect("audited");
        assert_eq!(last.event, AuditEvent::TokenFailure, "{name}");
        assert!(
            reasons.contains(&last.reason.as_str()),
            "{name}: {}",
            last.reason
        );
        assert_eq!(last.function.as_deref(), Some("transfer_funds"));
        bodies.push(reply.body);

        // The fixture replayed verbatim (the Python SDK's token, if any, and
        // its `CHK-1001` arguments): also 403, before argument validation.
        let verbatim = agent.send_raw(replay(&fx, None, None)).await;
        assert_eq!(verbatim.status, 403, "{name} verbatim");
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "one body, no oracle"
    );
    assert_eq!(&bodies[0][..], br#"{"error":"forbidden"}"#);

    // The handler never ran: no money moved and no tool call was recorded.
    assert_eq!(balance_of(&agent, FROM).await, before);
    let records = agent.audit();
    assert!(!records.iter().any(
        |r| r.event == AuditEvent::ToolCall && r.function.as_deref() == Some("transfer_funds")
    ));
    assert!(
        !records
            .iter()
            .any(|r| r.event == AuditEvent::ValidationFailure),
        "the token is checked before the arguments"
    );
}

// ---------------------------------------------------------------------------
// (e) 401 and the public probes
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn unauthorized_has_the_fixture_shape_plus_a_realm() {
    let agent = bank().await;
    let fx = fixture("auth_401_missing_credentials");
    let reply = agent.send_raw(replay(&fx, None, None)).await;
    assert_eq!(reply.status, fx["response"]["status"]);
    assert_eq!(
        header(&reply.headers, "content-type"),
        fixture_header(&fx, "content-type").unwrap()
    );
    let challenge = header(&reply.headers, "www-authenticate");
    let theirs = fixture_header(&fx, "www-authenticate").unwrap();
    assert!(challenge.starts_with(theirs), "{challenge}");
    assert_eq!(theirs, "Basic");
    // Ours names a realm (RFC 7617 requires one).
    assert!(challenge.starts_with("Basic realm=\""), "{challenge}");
    let ours = body_json(&reply);
    assert_eq!(shape(&ours), shape(&fx["response"]["body"]));
    assert_eq!(ours, json!({"error": "unauthorized"}));
    let rec = reply.audit.last().expect("audited");
    assert_eq!(rec.event, AuditEvent::AuthFailure);
    assert_eq!(rec.reason, "missing_credentials");
}

#[actix_web::test]
async fn probes_are_public_like_the_fixtures_but_reveal_only_a_status() {
    let agent = bank().await;
    for name in ["health_no_auth", "ready_no_auth"] {
        let fx = fixture(name);
        assert!(fx["request"]["headers"].get("Authorization").is_none());
        let reply = agent.send_raw(replay(&fx, None, None)).await;
        assert_eq!(reply.status, fx["response"]["status"], "{name}");
        assert_eq!(header(&reply.headers, "content-type"), "application/json");
        let ours = body_json(&reply);
        let theirs = &fx["response"]["body"];
        // Same status value; but only `status` (the Python health probe also
        // tells anyone the agent's name).
        assert_eq!(keys(&ours), ["status"], "{name}");
        assert_eq!(ours["status"], theirs["status"], "{name}");
    }
    assert!(agent.audit().is_empty(), "probes are not auth failures");
}

// ---------------------------------------------------------------------------
// (f) untrusted X-Forwarded-Host
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn forwarded_host_headers_do_not_change_webhook_urls() {
    let fx = fixture("swml_forwarded_host_untrusted");
    // Python pointed the webhooks (with credentials!) at the forwarded host.
    assert!(
        fx["analysis"]["defaults_web_hook_url"]
            .as_str()
            .unwrap()
            .contains("@evil.example.com/")
    );
    assert_eq!(
        fx["request"]["headers"]["X-Forwarded-Host"],
        "evil.example.com"
    );

    // Without a proxy base, and with one (which made Python trust the
    // headers), our URLs stay on the configured base.
    let cases = [
        (
            None,
            "http://specuser:Sp3c-Fixture-Pass-2024@localhost:38471/",
        ),
        (
            Some(("SWML_PROXY_URL_BASE", "https://agents.example.com/")),
            "https://specuser:Sp3c-Fixture-Pass-2024@agents.example.com/",
        ),
    ];
    for (proxy_base, base) in cases {
        let agent = bank_with(proxy_base.as_slice()).await;
        let reply = agent.send_raw(replay(&fx, None, None)).await;
        assert_eq!(reply.status, 200);
        let doc = body_json(&reply);
        let all = urls(ai(&doc));
        assert_eq!(all.len(), 6, "defaults, four secure tools, post prompt");
        for url in &all {
            assert!(url.starts_with(base), "{url} is on {base}");
            assert!(!url.contains("evil"), "{url}");
        }
        assert!(!reply.text().contains("evil.example.com"));
    }
}

// ---------------------------------------------------------------------------
// (g) proxy base and percent-encoded credentials
// ---------------------------------------------------------------------------

/// `scheme://userinfo@host/...` split per RFC 3986: the authority ends at
/// the first `/`, `?` or `#`; the userinfo ends at its last `@`.
fn split_url(url: &str) -> (&str, Option<&str>, &str, &str) {
    let (scheme, rest) = url.split_once("://").expect("scheme");
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => (scheme, Some(userinfo), host, tail),
        None => (scheme, None, authority, tail),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ASCII");
            out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

#[actix_web::test]
async fn proxy_base_with_percent_encoded_credentials_in_every_url() {
    const TRICKY: &str = "p@ss:w/rd#1";
    let fx = fixture("credentials_and_urls");

    // What Python did with this password: the URL parses to the wrong host.
    let python = fx["credentials_with_special_chars_embedded_unescaped"]["defaults_web_hook_url"]
        .as_str()
        .unwrap();
    let (_, _, host, _) = split_url(python);
    assert_ne!(host, "localhost:39998", "{python}");

    let all: Vec<(&str, &str)> = FIXTURE_VARS
        .iter()
        .copied()
        .chain([
            ("SWML_PROXY_URL_BASE", "https://agents.example.com/"),
            ("SWML_BASIC_AUTH_PASSWORD", TRICKY),
        ])
        .collect();
    let agent = TestAgent::start(
        secure_bank::builder()
            .config(test_config_with(&all))
            .route("/bank"),
    )
    .await
    .expect("bank starts");
    let reply = agent
        .send_raw(
            TestRequest::post()
                .uri("/bank")
                .insert_header(("Authorization", basic_header(FIXTURE_USER, TRICKY)))
                .set_json(json!({"call_id": CALL_ID})),
        )
        .await;
    assert_eq!(
        reply.status, 200,
        "the password with reserved characters works for auth"
    );
    let doc = body_json(&reply);
    assert_valid_swml(&doc);
    let ai = ai(&doc);
    assert_eq!(
        ai["SWAIG"]["defaults"]["web_hook_url"],
        "https://specuser:p%40ss%3Aw%2Frd%231@agents.example.com/bank/swaig/"
    );
    let all = urls(ai);
    assert_eq!(all.len(), 6);
    for url in &all {
        let (scheme, userinfo, host, tail) = split_url(url);
        assert_eq!(scheme, "https", "{url}");
        assert_eq!(host, "agents.example.com", "{url}: the host after '@'");
        let userinfo = userinfo.expect("credentials in the URL");
        assert!(!userinfo.contains('@'), "{url}: one '@' only");
        let (user, password) = userinfo.split_once(':').expect("user:password");
        assert!(!password.contains(':'), "{url}: one ':' in the userinfo");
        assert_eq!(percent_decode(user), FIXTURE_USER);
        assert_eq!(percent_decode(password), TRICKY, "{url}");
        assert!(tail.starts_with("/bank/"), "{url}");
        assert!(!tail.contains('#'), "{url}: no fragment");
        // The `http` crate's parser agrees on the host.
        let uri: actix_web::http::Uri = url.parse().expect("parses as a URI");
        assert_eq!(uri.host(), Some("agents.example.com"), "{url}");
        assert_eq!(uri.scheme_str(), Some("https"));
    }
    // Same layout as Python's proxy case (`/bank/swaig/`, `/bank/post_prompt/`).
    let theirs = &fx["proxy_url_base_env"];
    let (_, _, their_host, their_tail) =
        split_url(theirs["defaults_web_hook_url"].as_str().unwrap());
    let (_, _, our_host, our_tail) = split_url(all[0].as_str());
    assert_eq!((our_host, our_tail), (their_host, their_tail));
    let pp = ai["post_prompt_url"].as_str().unwrap();
    let (_, _, _, their_pp) = split_url(theirs["post_prompt_url"].as_str().unwrap());
    assert_eq!(
        split_url(before_token(pp)).3,
        before_token(their_pp),
        "post_prompt path"
    );
}
