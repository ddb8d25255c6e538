//! Access-log hooks see a redacted view: method, path without its query,
//! status, duration, call id, function — never a token or a credential.

use crate::common;
use crate::secure_bank;

use std::sync::{Arc, Mutex};

use actix_web::test::{self, TestRequest};
use agent_runtime::json;
use common::*;

#[actix_web::test]
async fn hooks_receive_a_redacted_view_of_every_request() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let (req_log, res_log) = (seen.clone(), seen.clone());
    let svc = secure_bank::builder()
        .config(config(&[]))
        .on_request(move |v| {
            req_log
                .lock()
                .unwrap()
                .push(format!("request {} {} {:?}", v.method, v.path, v.status))
        })
        .on_response(move |v| {
            assert!(v.duration.is_some());
            res_log.lock().unwrap().push(format!(
                "response {} {} {:?} {:?} {:?}",
                v.method, v.path, v.status, v.call_id, v.function
            ))
        })
        .build()
        .unwrap();
    let app = test::init_service(app_with(svc)).await;
    let (_, _, body) = send(&app, post_json("/", &json!({"call_id": CALL_ID}))).await;
    let token = tokens(&json(&body))["change_password"].clone();
    let (status, _, _) = send(
        &app,
        post_json(
            &format!("/swaig?__token={token}"),
            &swaig_body("change_password", json!({}), Some(CALL_ID)),
        ),
    )
    .await;
    assert_eq!(status, 200);
    send(
        &app,
        TestRequest::get()
            .uri("/?call_id=x")
            .insert_header(("Authorization", "Basic bm86cGFzcw==")),
    )
    .await;

    let log = seen.lock().unwrap().clone();
    assert_eq!(
        log,
        [
            "request POST / None".to_owned(),
            format!("response POST / Some(200) Some(\"{CALL_ID}\") None"),
            "request POST /swaig None".to_owned(),
            format!("response POST /swaig Some(200) Some(\"{CALL_ID}\") Some(\"change_password\")"),
            "request GET / None".to_owned(),
            "response GET / Some(401) None None".to_owned(),
        ]
    );
    let all = log.join("\n");
    assert!(!all.contains(&token[..20]) && !all.contains("__token") && !all.contains(PASSWORD));
}
