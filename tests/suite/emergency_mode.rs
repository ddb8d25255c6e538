//! Emergency mode: secure tools, one tool, a group of tools or the whole
//! agent leave new SWML and are refused at dispatch, switchable at run time;
//! every switch and every refusal is audited.

use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{
    TestAgent, Token, ToolCall, test_config_with, tool_tokens, try_test_config_with,
};
use agent_runtime::{AGENT_EMERGENCY_MESSAGE, EmergencyError, EmergencyScope, Value, json};

use crate::secure_bank::{self, Bank};
use crate::support::assert_valid_swml;
use crate::support::redis::TestRedis;

const CALL_ID: &str = "emergency-call";

fn function_names(doc: &Value) -> Vec<String> {
    doc["sections"]["main"][1]["ai"]["SWAIG"]["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .map(|f| f["function"].as_str().expect("a name").to_owned())
        .collect()
}

async fn swml(agent: &TestAgent<Bank>) -> Value {
    let reply = agent.swml(Some(CALL_ID)).await;
    assert_eq!(reply.status, 200);
    reply.json().expect("SWML")
}

#[actix_web::test]
async fn switch_withdraws_and_restores_secure_tools() {
    let agent = TestAgent::start(secure_bank::builder())
        .await
        .expect("bank starts");
    let switch = agent.service().emergency_switch();

    // Normal operation: a token from SWML lets the secure tool run.
    let doc = swml(&agent).await;
    assert_eq!(
        function_names(&doc),
        [
            "get_balance",
            "verify_pin",
            "transfer_funds",
            "change_password",
            "delete_account"
        ]
    );
    let token = tool_tokens(&doc)["change_password"].clone();
    let call = || {
        ToolCall::new("change_password", json!({}))
            .call_id(CALL_ID)
            .token(Token::Exact(token.clone()))
    };
    let reply = agent.call_with(call()).await;
    assert!(
        reply
            .response_text()
            .is_some_and(|t| t.contains("reset link"))
    );

    // Emergency on: new SWML has no secure tools, a valid token is refused
    // politely and the refusal is audited; normal tools keep working.
    switch.set(true).await.expect("in-process: always written");
    let doc = swml(&agent).await;
    assert_valid_swml(&doc);
    assert_eq!(function_names(&doc), ["get_balance"]);
    assert!(doc["sections"]["main"][1]["ai"]["post_prompt_url"].is_string());
    let reply = agent.call_with(call()).await;
    assert_eq!(reply.status, 200);
    let text = reply.response_text().expect("a spoken refusal");
    assert!(text.contains("temporarily limited"), "{text}");
    let refusal = reply.audit.last().expect("the refusal is audited");
    assert_eq!(refusal.event, AuditEvent::EmergencyRefusal);
    assert_eq!(refusal.function.as_deref(), Some("change_password"));
    assert_eq!(refusal.call_id.as_deref(), Some(CALL_ID));
    let balance = agent
        .call_with(ToolCall::new("get_balance", json!({"account": "1000000001"})).call_id(CALL_ID))
        .await;
    assert!(balance.response_text().is_some_and(|t| t.contains("holds")));

    // Off again: the same token works.
    switch.set(false).await.expect("in-process: always written");
    let reply = agent.call_with(call()).await;
    assert!(
        reply
            .response_text()
            .is_some_and(|t| t.contains("reset link"))
    );
    let tool_calls = agent
        .audit()
        .iter()
        .filter(|r| {
            r.event == AuditEvent::ToolCall && r.function.as_deref() == Some("change_password")
        })
        .count();
    assert_eq!(tool_calls, 2, "the handler ran only outside emergency mode");
}

#[actix_web::test]
async fn environment_variable_starts_in_emergency_mode() {
    let agent = TestAgent::start(
        secure_bank::builder().config(test_config_with(&[("AGENT_EMERGENCY_MODE", "true")])),
    )
    .await
    .expect("bank starts");
    assert!(agent.service().emergency_switch().is_on());
    assert_eq!(function_names(&swml(&agent).await), ["get_balance"]);
    let refused =
        try_test_config_with(&[("AGENT_EMERGENCY_MODE", "maybe")]).expect_err("not a boolean");
    assert_eq!(refused.setting, "AGENT_EMERGENCY_MODE");
}

/// The bank with a `payments` group (transfers and closing accounts).
async fn bank_with_groups() -> TestAgent<Bank> {
    TestAgent::start(
        secure_bank::builder().tool_group("payments", ["transfer_funds", "delete_account"]),
    )
    .await
    .expect("bank starts")
}

fn switch_records(agent: &TestAgent<Bank>) -> Vec<agent_runtime::audit::AuditRecord> {
    agent
        .audit()
        .into_iter()
        .filter(|r| r.event == AuditEvent::EmergencySwitch)
        .collect()
}

#[actix_web::test]
async fn one_tool_is_withdrawn_even_a_non_secure_one_and_restored() {
    let agent = bank_with_groups().await;
    let switch = agent.service().emergency_switch();
    let balance =
        || ToolCall::new("get_balance", json!({"account": "1000000001"})).call_id(CALL_ID);
    switch
        .withdraw(EmergencyScope::Tool("get_balance".into()))
        .await
        .expect("in-process: always written");
    assert!(switch.is_on());
    let doc = swml(&agent).await;
    assert_valid_swml(&doc);
    assert_eq!(
        function_names(&doc),
        [
            "verify_pin",
            "transfer_funds",
            "change_password",
            "delete_account"
        ]
    );
    // Without a call id, too (that document lists only non-secure tools).
    let bare = agent.swml(None).await.json().expect("SWML");
    assert!(
        bare["sections"]["main"][1]["ai"]["SWAIG"].is_null(),
        "{bare}"
    );
    let reply = agent.call_with(balance()).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .response_text()
            .is_some_and(|t| t.contains("temporarily limited"))
    );
    assert_eq!(reply.audit.len(), 1);
    assert_eq!(reply.audit[0].event, AuditEvent::EmergencyRefusal);
    assert_eq!(reply.audit[0].reason, "emergency_tool");
    // Other tools keep working, secure ones included.
    let transfer = agent
        .call_with(
            ToolCall::new(
                "transfer_funds",
                json!({"from_account": "1000000001", "to_account": "1000000002", "amount": 5}),
            )
            .call_id(CALL_ID),
        )
        .await;
    assert!(
        transfer
            .response_text()
            .is_some_and(|t| t.starts_with("Transferred"))
    );

    switch
        .restore(EmergencyScope::Tool("get_balance".into()))
        .await
        .expect("restored");
    assert!(!switch.is_on());
    assert!(
        agent
            .call_with(balance())
            .await
            .response_text()
            .is_some_and(|t| t.contains("holds"))
    );
    let records = switch_records(&agent);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].outcome, "on");
    assert_eq!(
        records[0].details,
        Some(json!({"scope": "tool:get_balance", "in_force": ["tool:get_balance"]}))
    );
    assert_eq!(records[1].outcome, "off");
    assert_eq!(
        records[1].details,
        Some(json!({"scope": "tool:get_balance", "in_force": []}))
    );
    assert!(
        records[0].reason.starts_with("process "),
        "{}",
        records[0].reason
    );
}

#[actix_web::test]
async fn a_group_is_withdrawn_together_and_scopes_add_up() {
    let agent = bank_with_groups().await;
    let switch = agent.service().emergency_switch();
    switch
        .withdraw(EmergencyScope::Group("payments".into()))
        .await
        .expect("switched");
    assert_eq!(
        function_names(&swml(&agent).await),
        ["get_balance", "verify_pin", "change_password"]
    );
    let reply = agent
        .call_with(
            ToolCall::new("delete_account", json!({"account": "1000000002"})).call_id(CALL_ID),
        )
        .await;
    assert_eq!(reply.audit[0].event, AuditEvent::EmergencyRefusal);
    assert_eq!(reply.audit[0].reason, "emergency_tool");

    // The secure scope on top: only the non-secure tool is left.
    switch.set(true).await.expect("switched");
    assert_eq!(
        switch
            .scopes()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["secure", "group:payments"]
    );
    assert_eq!(function_names(&swml(&agent).await), ["get_balance"]);
    let reply = agent
        .call_with(ToolCall::new("change_password", json!({})).call_id(CALL_ID))
        .await;
    assert_eq!(reply.audit[0].reason, "emergency_mode");
    // Restoring the secure scope leaves the group withdrawn.
    switch
        .restore(EmergencyScope::SecureTools)
        .await
        .expect("switched");
    assert_eq!(
        function_names(&swml(&agent).await),
        ["get_balance", "verify_pin", "change_password"]
    );
    // Ending emergency mode clears every scope.
    switch.set(false).await.expect("switched");
    assert!(switch.scopes().is_empty());
    assert_eq!(function_names(&swml(&agent).await).len(), 5);
    let last = switch_records(&agent).pop().expect("a record");
    assert_eq!(last.details, Some(json!({"scope": "all", "in_force": []})));
}

#[actix_web::test]
async fn unknown_tools_and_groups_are_refused_and_change_nothing() {
    let agent = bank_with_groups().await;
    let switch = agent.service().emergency_switch();
    assert_eq!(
        switch
            .withdraw(EmergencyScope::Tool("no_such_tool".into()))
            .await,
        Err(EmergencyError::UnknownTool)
    );
    assert_eq!(
        switch
            .withdraw(EmergencyScope::Group("refunds".into()))
            .await,
        Err(EmergencyError::UnknownGroup)
    );
    assert!(!switch.is_on());
    assert!(switch_records(&agent).is_empty());
    // Groups are checked when the agent is built.
    let err = secure_bank::builder()
        .tool_group("payments", ["transfer_funds", "wire_money"])
        .config(agent_runtime::harness::test_config())
        .build()
        .expect_err("an unknown tool in a group");
    assert!(err.to_string().contains("wire_money"), "{err}");
    let err = secure_bank::builder()
        .tool_group("bad name", ["transfer_funds"])
        .config(agent_runtime::harness::test_config())
        .build()
        .expect_err("a group name outside the grammar");
    assert!(err.to_string().contains("tool_group"), "{err}");
}

#[actix_web::test]
async fn the_whole_agent_withdrawn_every_call_hears_the_message_and_ends() {
    let agent = bank_with_groups().await;
    let switch = agent.service().emergency_switch();
    let token = tool_tokens(&swml(&agent).await)["change_password"].clone();
    switch
        .withdraw(EmergencyScope::WholeAgent)
        .await
        .expect("switched");
    for call_id in [Some(CALL_ID), None] {
        let reply = agent.swml(call_id).await;
        assert_eq!(reply.status, 200);
        let doc = reply.json().expect("SWML");
        assert_valid_swml(&doc);
        assert_eq!(
            doc,
            json!({"version": "1.0.0", "sections": {"main": [
                {"answer": {}},
                {"play": {"url": format!("say:{AGENT_EMERGENCY_MESSAGE}")}},
                {"hangup": {}}
            ]}})
        );
    }
    // Calls already running: every tool is refused, secure or not.
    for call in [
        ToolCall::new("get_balance", json!({"account": "1000000001"})).call_id(CALL_ID),
        ToolCall::new("change_password", json!({}))
            .call_id(CALL_ID)
            .token(Token::Exact(token.clone())),
    ] {
        let reply = agent.call_with(call).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.audit[0].event, AuditEvent::EmergencyRefusal);
        assert_eq!(reply.audit[0].reason, "emergency_agent");
    }
    switch.set(false).await.expect("switched");
    assert_eq!(function_names(&swml(&agent).await).len(), 5);
}

/// Replicas on one Redis: a scope withdrawn on one is honoured by the other
/// within a second; the agent's `emergency` command switches scopes through
/// the store and reports them.
#[actix_web::test]
async fn scopes_switched_through_the_shared_store_reach_every_replica() {
    let Some(redis) = TestRedis::start("emergency_scopes") else {
        return;
    };
    let url = redis.url();
    let replica = || {
        TestAgent::start(
            secure_bank::builder()
                .tool_group("payments", ["transfer_funds", "delete_account"])
                .config(test_config_with(&[("SWML_STATE_URL", url.as_str())])),
        )
    };
    let (a, b) = (
        replica().await.expect("replica a"),
        replica().await.expect("replica b"),
    );
    assert_eq!(function_names(&swml(&b).await).len(), 5);
    a.service()
        .emergency_switch()
        .withdraw(EmergencyScope::Tool("get_balance".into()))
        .await
        .expect("written to the store");
    let seen = |names: Vec<String>| !names.iter().any(|n| n == "get_balance");
    let started = std::time::Instant::now();
    while !seen(function_names(&swml(&b).await)) {
        assert!(
            started.elapsed() < std::time::Duration::from_millis(1500),
            "replica b still lists the withdrawn tool"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // The operator's command, as a separate process would run it.
    let cli = |args: &'static [&'static str]| {
        let url = url.clone();
        std::thread::spawn(move || {
            let mut argv = vec!["secure_bank"];
            argv.extend_from_slice(args);
            agent_runtime::cli::run_with(
                secure_bank::builder().tool_group("payments", ["transfer_funds", "delete_account"]),
                argv,
                |k| (k == "SWML_STATE_URL").then(|| url.clone()),
            )
        })
        .join()
        .expect("the command ran")
    };
    let out = cli(&["emergency", "on", "group:payments"]);
    assert_eq!(out.code, agent_runtime::cli::EXIT_OK, "{}", out.stderr);
    assert!(
        out.stdout.contains("ON: tool:get_balance, group:payments"),
        "{}",
        out.stdout
    );
    let out = cli(&["emergency", "status"]);
    assert_eq!(
        out.stdout,
        "emergency mode is ON: tool:get_balance, group:payments\n"
    );
    let out = cli(&["emergency", "on", "tool:wire_money"]);
    assert_eq!(out.code, agent_runtime::cli::EXIT_USAGE);
    assert!(
        out.stderr.contains("no tool of that name"),
        "{}",
        out.stderr
    );
    let out = cli(&["emergency", "on", "everything"]);
    assert_eq!(out.code, agent_runtime::cli::EXIT_USAGE, "{}", out.stderr);

    let started = std::time::Instant::now();
    loop {
        let names = function_names(&swml(&a).await);
        if names == ["verify_pin", "change_password"] {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_millis(1500),
            "replica a: {names:?}"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let out = cli(&["emergency", "off"]);
    assert_eq!(
        out.stdout,
        "emergency mode is now off on every replica (within a second)\n"
    );
    let out = cli(&["emergency", "status"]);
    assert_eq!(out.stdout, "emergency mode is off\n");
}
