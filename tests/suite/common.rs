//! Shared helpers for the HTTP tests: a fixed configuration, request builders
//! and the official SWML schema.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::{self, TestRequest};
use actix_web::{App, Error};
use agent_runtime::harness::basic_header;
use agent_runtime::{AgentConfig, Value};

pub const USER: &str = "specuser";
pub const PASSWORD: &str = "Sp3c-Fixture-Pass-2024";
pub const SECRET: &str = "test-swaig-secret-0123456789abcdef-0123";
pub const OLD_SECRET: &str = "old-swaig-secret-0123456789abcdef-9876";
pub const CALL_ID: &str = "3f8e2a6c-5b1d-4c7e-9a0f-2d4b6c8e1a3f";

/// A configuration as if these variables were set, and nothing else.
pub fn config(extra: &[(&str, &str)]) -> AgentConfig {
    let mut vars: HashMap<String, String> = HashMap::from([
        ("SWML_BASIC_AUTH_USER".into(), USER.into()),
        ("SWML_BASIC_AUTH_PASSWORD".into(), PASSWORD.into()),
        ("SIGNALWIRE_SWAIG_SECRET".into(), SECRET.into()),
        ("PORT".into(), "38471".into()),
    ]);
    for (k, v) in extra {
        vars.insert((*k).into(), (*v).into());
    }
    AgentConfig::from_lookup(|k| vars.get(k).cloned()).expect("test configuration is valid")
}

pub fn auth() -> (&'static str, String) {
    ("Authorization", basic_header(USER, PASSWORD))
}

pub fn post_json(path: &str, body: &Value) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header(auth())
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_string())
}

pub fn swaig_body(function: &str, args: Value, call_id: Option<&str>) -> Value {
    let mut body = serde_json::json!({
        "function": function,
        "argument": {"parsed": [args], "raw": args.to_string(), "substituted": ""},
        "caller_id_name": "Jane Caller",
        "caller_id_num": "+15551230000",
        "global_data": {"bank_name": "Example Bank"},
        "content_type": "text/swaig",
        "version": "2.0"
    });
    if let Some(id) = call_id {
        body["call_id"] = Value::String(id.to_owned());
    }
    body
}

/// Sends a request and returns status, headers and the body bytes.
pub async fn send<S, B>(
    app: &S,
    req: TestRequest,
) -> (u16, actix_web::http::header::HeaderMap, Vec<u8>)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    let res = test::call_service(app, req.to_request()).await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = test::read_body(res).await.to_vec();
    (status, headers, body)
}

pub fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body).expect("response is JSON")
}

/// The official SWML schema, compiled once.
pub fn swml_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/spec/swml.schema.json"
        );
        let text = std::fs::read_to_string(path)
            .expect("shared/spec/swml.schema.json is beside the repository");
        let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
        jsonschema::validator_for(&schema).expect("official schema compiles")
    })
}

pub fn assert_valid_swml(doc: &Value) {
    let errors: Vec<String> = swml_validator()
        .iter_errors(doc)
        .map(|e| e.to_string())
        .take(5)
        .collect();
    assert!(
        errors.is_empty(),
        "SWML rejected by the official schema: {errors:#?}"
    );
}

/// The secure tools' `__token` values in a SWML document, by function.
pub fn tokens(doc: &Value) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let ai = &doc["sections"]["main"]
        .as_array()
        .expect("main")
        .iter()
        .find(|v| v.get("ai").is_some())
        .expect("ai verb")["ai"];
    for f in ai["SWAIG"]["functions"].as_array().into_iter().flatten() {
        if let Some(url) = f["web_hook_url"].as_str() {
            let token = url.split("__token=").nth(1).expect("token in URL");
            out.insert(
                f["function"].as_str().expect("name").to_owned(),
                token.to_owned(),
            );
        }
    }
    if let Some(url) = ai["post_prompt_url"].as_str() {
        out.insert(
            "post_prompt".into(),
            url.split("__token=").nth(1).expect("token").to_owned(),
        );
    }
    out
}

pub fn app_with<A: agent_runtime::Agent>(
    svc: agent_runtime::AgentService<A>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new().configure(move |c| svc.configure(c))
}
