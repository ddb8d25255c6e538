//! One reading of every request, over a real socket: a key named twice in
//! any object of a body, a second set of arguments, and oversized headers
//! are refused before any tool runs, with fixed bodies that echo nothing; a
//! body without repeats is served exactly as before.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use agent_runtime::audit::MemoryAuditSink;
use agent_runtime::harness::{TEST_PASSWORD, TEST_USER, TestServer, basic_header, test_config};
use agent_runtime::{Value, json};

use crate::secure_bank;

const REPEATED: &str = r#"{"error":"an object in the request body names the same key twice"}"#;
const EXTRA_SET: &str = r#"{"error":"argument.parsed must hold exactly one set of arguments"}"#;

fn start() -> (TestServer, MemoryAuditSink) {
    let sink = MemoryAuditSink::new();
    let service = secure_bank::builder()
        .config(test_config())
        .audit_sink(Arc::new(sink.clone()))
        .build()
        .expect("bank builds");
    (TestServer::start(service).expect("server starts"), sink)
}

/// Status line, headers and body of one exchange on a fresh connection.
fn exchange(
    server: &TestServer,
    path: &str,
    extra_headers: &str,
    body: &str,
) -> (u16, String, String) {
    let mut s = TcpStream::connect(server.addr()).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {}\r\nContent-Type: application/json\r\n{extra_headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        basic_header(TEST_USER, TEST_PASSWORD),
        body.len()
    );
    // A server that refuses early may close before the whole request is
    // written; the answer is still there to read.
    let _ = s.write_all(request.as_bytes());
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

fn swaig(argument: Value, global_data: Value) -> String {
    json!({
        "function": "get_balance",
        "call_id": "call-one-reading",
        "caller_id_num": "+15550100000",
        "argument": argument,
        "global_data": global_data,
    })
    .to_string()
}

/// The issue's own request: the same key twice inside the arguments.
const TWO_ACCOUNTS: &str = r#"{"function":"get_balance","call_id":"c1","argument":{"parsed":[{"account":"1000000001","account":"1000000002"}]}}"#;

#[test]
fn a_key_named_twice_inside_the_arguments_is_a_400_and_no_tool_runs() {
    let (server, sink) = start();
    let (status, _, body) = exchange(&server, "/swaig", "", TWO_ACCOUNTS);
    assert_eq!(status, 400);
    assert_eq!(body, REPEATED);
    assert!(!body.contains("100000000"), "no value is echoed");
    assert!(
        sink.records()
            .iter()
            .all(|r| r.event.as_str() != "tool_call"),
        "the handler never ran"
    );
}

#[test]
fn a_key_named_twice_anywhere_in_a_body_is_the_same_400() {
    let (server, _sink) = start();
    let valid_args = json!({"parsed": [{"account": "1000000001"}]});
    let cases = [
        // Nested inside an argument object.
        r#"{"function":"get_balance","argument":{"parsed":[{"account":{"a":1,"a":2}}]}}"#.to_owned(),
        // In global_data and meta_data, whose repeats silently overwrote.
        swaig(valid_args.clone(), json!({})).replace(
            r#""global_data":{}"#,
            r#""global_data":{"verified":false,"verified":true}"#,
        ),
        swaig(valid_args.clone(), json!({}))
            .replace(r#""global_data":{}"#, r#""meta_data":{"n":1,"n":2}"#),
        // In the raw arguments, when they are the ones used.
        r#"{"function":"get_balance","argument":{"raw":"{\"account\":\"1000000001\",\"account\":\"1000000002\"}"}}"#.to_owned(),
        // In fields the runtime otherwise skips.
        r#"{"function":"get_balance","call":{"call_id":"a","call_id":"b"},"argument":{"parsed":[{"account":"1000000001"}]}}"#.to_owned(),
        // The envelope itself.
        r#"{"function":"get_balance","function":"delete_account"}"#.to_owned(),
    ];
    for body in cases {
        let (status, _, answer) = exchange(&server, "/swaig", "", &body);
        assert_eq!((status, answer.as_str()), (400, REPEATED), "{body}");
    }
    // The SWML request and the post-prompt body too.
    let (status, _, answer) = exchange(
        &server,
        "/",
        "",
        r#"{"call_id":"a","call":{"call_id":"a","direction":"inbound","direction":"outbound"}}"#,
    );
    assert_eq!((status, answer.as_str()), (400, REPEATED));
    let (status, _, answer) = exchange(
        &server,
        "/post_prompt",
        "",
        r#"{"call_id":"a","summary":"x","summary":"y"}"#,
    );
    assert_eq!((status, answer.as_str()), (400, REPEATED));
}

#[test]
fn a_second_set_of_arguments_is_a_400() {
    let (server, sink) = start();
    let body = r#"{"function":"get_balance","call_id":"c2","argument":{"parsed":[{"account":"1000000001"},{"account":"1000000002"}]}}"#;
    let (status, _, answer) = exchange(&server, "/swaig", "", body);
    assert_eq!((status, answer.as_str()), (400, EXTRA_SET));
    assert!(
        sink.records()
            .iter()
            .all(|r| r.event.as_str() != "tool_call")
    );
}

#[test]
fn an_oversized_header_is_a_431_and_the_connection_closes() {
    let (server, _sink) = start();
    let big = format!("X-Padding: {}\r\n", "a".repeat(100 * 1024));
    let (status, head, _) = exchange(&server, "/swaig", &big, TWO_ACCOUNTS);
    assert_eq!(status, 431, "{head}");
    assert!(
        head.to_ascii_lowercase().contains("connection: close"),
        "{head}"
    );
    // Many headers just under the single cap add up past the total cap.
    let many: String = (0..5)
        .map(|i| format!("X-Part-{i}: {}\r\n", "b".repeat(4 * 1024)))
        .collect();
    let (status, _, _) = exchange(&server, "/swaig", &many, TWO_ACCOUNTS);
    assert_eq!(status, 431);
    // The probes are capped too.
    let mut s = TcpStream::connect(server.addr()).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET /health HTTP/1.1\r\nHost: localhost\r\n{big}Connection: close\r\n\r\n"
    )
    .expect("writes");
    let mut raw = String::new();
    let _ = s.read_to_string(&mut raw);
    assert!(
        raw.starts_with("HTTP/1.1 431"),
        "{}",
        &raw[..raw.len().min(80)]
    );
}

#[test]
fn a_body_without_repeats_is_served_as_before() {
    let (server, sink) = start();
    let body = swaig(
        json!({"parsed": [{"account": "1000000001"}], "raw": "{\"account\":\"1000000001\"}", "substituted": ""}),
        json!({"bank_name": "Example Bank", "nested": {"a": 1, "b": [{"c": 2}]}}),
    );
    let (status, head, answer) = exchange(&server, "/swaig", "X-Ordinary: yes\r\n", &body);
    assert_eq!(status, 200, "{head}");
    let result: Value = serde_json::from_str(&answer).expect("JSON");
    assert!(
        result["response"]
            .as_str()
            .is_some_and(|r| r.contains("0001")),
        "{result}"
    );
    let calls: Vec<_> = sink
        .records()
        .into_iter()
        .filter(|r| r.event.as_str() == "tool_call")
        .collect();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].outcome, "ok");
}
