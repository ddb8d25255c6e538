//! Access-log hooks see a redacted view: method, path without its query,
//! status, duration, call id, function — never a token or a credential.

use std::sync::{Arc, Mutex};

use actix_web::test::TestRequest;
use agent_runtime::harness::{TEST_PASSWORD, TestAgent, Token, ToolCall, tool_tokens};
use agent_runtime::json;

use crate::secure_bank;

const CALL_ID: &str = "access-log-call";

#[actix_web::test]
async fn hooks_receive_a_redacted_view_of_every_request() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let (req_log, res_log) = (seen.clone(), seen.clone());
    let builder = secure_bank::builder()
        .on_request(move |v| {
            req_log
                .lock()
                .expect("not poisoned")
                .push(format!("request {} {} {:?}", v.method, v.path, v.status))
        })
        .on_response(move |v| {
            assert!(v.duration.is_some());
            res_log.lock().expect("not poisoned").push(format!(
                "response {} {} {:?} {:?} {:?}",
                v.method, v.path, v.status, v.call_id, v.function
            ))
        });
    let agent = TestAgent::start(builder).await.expect("bank starts");
    let doc = agent.swml(Some(CALL_ID)).await.json().expect("SWML");
    let token = tool_tokens(&doc)["change_password"].clone();
    let reply = agent
        .call_with(
            ToolCall::new("change_password", json!({}))
                .call_id(CALL_ID)
                .token(Token::Exact(token.clone())),
        )
        .await;
    assert_eq!(reply.status, 200);
    let refused = agent
        .send_raw(
            TestRequest::get()
                .uri("/?call_id=x")
                .insert_header(("Authorization", "Basic bm86cGFzcw==")),
        )
        .await;
    assert_eq!(refused.status, 401);

    let log = seen.lock().expect("not poisoned").clone();
    assert_eq!(
        log,
        [
            "request POST / None".to_owned(),
            format!("response POST / Some(200) Some(\"{CALL_ID}\") None"),
            "request POST /swaig/ None".to_owned(),
            format!(
                "response POST /swaig/ Some(200) Some(\"{CALL_ID}\") Some(\"change_password\")"
            ),
            "request GET / None".to_owned(),
            "response GET / Some(401) None None".to_owned(),
        ]
    );
    let all = log.join("\n");
    assert!(
        !all.contains(&token[..20]) && !all.contains("__token") && !all.contains(TEST_PASSWORD)
    );
}
