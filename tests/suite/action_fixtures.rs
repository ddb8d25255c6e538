//! Every `ToolResult` helper compared byte for byte, key order included,
//! with what the reference SDK (signalwire-agents 1.1.0) put on the wire for
//! the same call (docs/protocol.md section 6). The captures live in
//! `tests/data/fixtures/function_result_actions.json`; each entry names the
//! Python call in `call` and holds its output in `json`.
//!
//! Only the public API is used, so this also checks that every option a
//! helper needs can be reached from outside the crate.

use agent_runtime::ToolResult;
use agent_runtime::action::{
    CardType, ConferenceBeep, ConferenceRecord, Connect, ContextSwitch, DynamicHint, ExecuteRpc,
    HoldTimeout, JoinConference, Pay, PayInputMethod, PayParameter, PayPrompt, PayPromptAction,
    PaymentMethod, RecordCall, RecordDirection, RecordFormat, SendSms, SwmlTransfer, Tap, TapCodec,
    TapDirection, TokenType, WaitForUser,
};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Value, json};

use crate::support::fixture_text;

/// The reference SDK's output for every builder call.
const FIXTURE: &str = "function_result_actions";

/// How many helper calls the capture holds; a shorter file means it was
/// damaged or replaced, not that fewer helpers need checking.
const FIXTURE_ENTRIES: usize = 67;

#[derive(Deserialize)]
struct Fixture {
    results: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    call: String,
    json: InOrder,
}

/// The compact JSON text of a value with every object's keys in the order
/// they appear in the source text. It is built here, independently of how
/// the runtime orders keys, so a key-order bug cannot hide in both.
struct InOrder(String);

impl<'de> Deserialize<'de> for InOrder {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(InOrderVisitor)
    }
}

struct InOrderVisitor;

impl<'de> Visitor<'de> for InOrderVisitor {
    type Value = InOrder;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, v: bool) -> Result<InOrder, E> {
        Ok(InOrder(v.to_string()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<InOrder, E> {
        Ok(InOrder(v.to_string()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<InOrder, E> {
        Ok(InOrder(v.to_string()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<InOrder, E> {
        serde_json::to_string(&v).map(InOrder).map_err(E::custom)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<InOrder, E> {
        serde_json::to_string(v).map(InOrder).map_err(E::custom)
    }

    fn visit_unit<E>(self) -> Result<InOrder, E> {
        Ok(InOrder("null".to_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<InOrder, A::Error> {
        let mut parts = Vec::new();
        while let Some(InOrder(item)) = seq.next_element()? {
            parts.push(item);
        }
        Ok(InOrder(format!("[{}]", parts.join(","))))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<InOrder, A::Error> {
        let mut parts = Vec::new();
        while let Some((key, InOrder(value))) = map.next_entry::<String, InOrder>()? {
            let key = serde_json::to_string(&key).map_err(serde::de::Error::custom)?;
            parts.push(format!("{key}:{value}"));
        }
        Ok(InOrder(format!("{{{}}}", parts.join(","))))
    }
}

/// Most helpers were called on `R("x")` in the capture.
fn x() -> ToolResult {
    ToolResult::new("x")
}

/// A fixture `call` text and the Rust builder producing the same result.
type Case = (&'static str, fn() -> ToolResult);

/// One builder per fixture entry, keyed by the fixture's `call` text.
fn cases() -> Vec<Case> {
    vec![
        (r#"R()"#, || ToolResult::default()),
        (r#"R("ok")"#, || ToolResult::new("ok")),
        (r#"R("ok", post_process=True)"#, || {
            ToolResult::new("ok").post_process(true)
        }),
        (r#"R("ok", post_process=True).hangup()"#, || {
            ToolResult::new("ok").post_process(true).hangup()
        }),
        (r#"R("").say("hi")"#, || ToolResult::new("").say("hi")),
        (r#"add_action("custom", {"k": 1})"#, || {
            x().add_action("custom", json!({"k": 1}))
        }),
        (r#"add_actions([{"say": "a"}, {"hold": 60}])"#, || {
            x().add_actions([json!({"say": "a"}), json!({"hold": 60})])
        }),
        (r#"connect("+15551234567")"#, || {
            x().connect(Connect::new("+15551234567"))
        }),
        (
            r#"connect("sip:a@b.com", final=False, from_addr="+15550001111")"#,
            || {
                x().connect(
                    Connect::new("sip:a@b.com")
                        .final_(false)
                        .from("+15550001111"),
                )
            },
        ),
        (
            r#"swml_transfer("https://example.com/swml", "Goodbye")"#,
            || x().swml_transfer(SwmlTransfer::new("https://example.com/swml", "Goodbye")),
        ),
        (r#"swml_transfer(dest, ai_response, final=False)"#, || {
            x().swml_transfer(SwmlTransfer::new("https://example.com/swml", "Back").final_(false))
        }),
        (r#"update_global_data({"a": 1})"#, || {
            x().update_global_data(json!({"a": 1}))
        }),
        (r#"remove_global_data("a")"#, || x().remove_global_data("a")),
        (r#"remove_global_data(["a", "b"])"#, || {
            x().remove_global_data_keys(["a", "b"])
        }),
        (r#"set_metadata({"m": 1})"#, || {
            x().set_metadata(json!({"m": 1}))
        }),
        (r#"remove_metadata(["m"])"#, || {
            x().remove_metadata_keys(["m"])
        }),
        (r#"swml_user_event({"type": "x"})"#, || {
            x().user_event(json!({"type": "x"}))
        }),
        (r#"swml_change_step("s2")"#, || x().change_step("s2")),
        (r#"swml_change_context("billing")"#, || {
            x().change_context("billing")
        }),
        (
            r#"execute_swml({"version":"1.0.0","sections":{"main":[{"play":{"url":"say:hi"}}]}})"#,
            || {
                x().execute_swml(
                    r#"{"version":"1.0.0","sections":{"main":[{"play":{"url":"say:hi"}}]}}"#,
                    false,
                )
            },
        ),
        (r#"execute_swml(doc, transfer=True)"#, || {
            x().execute_swml(
                r#"{"version":"1.0.0","sections":{"main":[{"hangup":{}}]}}"#,
                true,
            )
        }),
        (r#"execute_swml("not json")"#, || {
            x().execute_swml("not json", false)
        }),
        (r#"hangup()"#, || x().hangup()),
        (r#"hold()"#, || x().hold(HoldTimeout::default())),
        (r#"hold(5000)"#, || x().hold(5000)),
        (r#"wait_for_user()"#, || {
            x().wait_for_user(WaitForUser::default())
        }),
        (r#"wait_for_user(enabled=False)"#, || {
            x().wait_for_user(WaitForUser::Disabled)
        }),
        (r#"wait_for_user(timeout=30)"#, || {
            x().wait_for_user(WaitForUser::Timeout(30))
        }),
        (r#"wait_for_user(answer_first=True)"#, || {
            x().wait_for_user(WaitForUser::AnswerFirst)
        }),
        (r#"stop()"#, || x().stop()),
        (r#"say("Please hold")"#, || x().say("Please hold")),
        (r#"play_background_file("music.mp3")"#, || {
            x().playback_bg("music.mp3", false)
        }),
        (r#"play_background_file("music.mp3", wait=True)"#, || {
            x().playback_bg("music.mp3", true)
        }),
        (r#"stop_background_file()"#, || x().stop_playback_bg()),
        (
            r#"add_dynamic_hints(["Acme", {"pattern": "a.c", "replace": "ABC"}])"#,
            || {
                x().add_dynamic_hints([
                    DynamicHint::from("Acme"),
                    DynamicHint::pattern("a.c", "ABC"),
                ])
            },
        ),
        (r#"clear_dynamic_hints()"#, || x().clear_dynamic_hints()),
        (r#"set_end_of_speech_timeout(1500)"#, || {
            x().set_end_of_speech_timeout(1500)
        }),
        (r#"set_speech_event_timeout(3000)"#, || {
            x().set_speech_event_timeout(3000)
        }),
        (
            r#"toggle_functions([{"function": "transfer_funds", "active": False}])"#,
            || x().toggle_functions([("transfer_funds", false)]),
        ),
        (r#"enable_functions_on_timeout()"#, || {
            x().enable_functions_on_timeout(true)
        }),
        (r#"enable_extensive_data(False)"#, || {
            x().enable_extensive_data(false)
        }),
        (r#"replace_in_history()"#, || x().replace_in_history(true)),
        (r#"replace_in_history("summary text")"#, || {
            x().replace_in_history("summary text")
        }),
        (r#"update_settings({"temperature": 0.5})"#, || {
            x().update_settings(json!({"temperature": 0.5}))
        }),
        (r#"switch_context("You are billing")"#, || {
            x().switch_context("You are billing")
        }),
        (
            r#"switch_context("sys", "usr", consolidate=True, full_reset=True)"#,
            || {
                x().switch_context(
                    ContextSwitch::new()
                        .system_prompt("sys")
                        .user_prompt("usr")
                        .consolidate(true)
                        .full_reset(true),
                )
            },
        ),
        (r#"simulate_user_input("yes")"#, || {
            x().simulate_user_input("yes")
        }),
        (
            r#"send_sms("+15551112222", "+15553334444", body="Hi")"#,
            || {
                x().send_sms(SendSms::new("+15551112222", "+15553334444").body("Hi"))
                    .expect("body given")
            },
        ),
        (
            r#"send_sms(to, from, body, media=[url], tags=["t"], region="us")"#,
            || {
                let sms = SendSms::new("+15551112222", "+15553334444")
                    .body("Hi")
                    .media(["https://example.com/a.jpg"])
                    .tags(["t"])
                    .region("us");
                x().send_sms(sms).expect("body given")
            },
        ),
        (
            r#"pay("https://pay.example.com/connector")  # all defaults"#,
            || x().pay(Pay::new("https://pay.example.com/connector")),
        ),
        (FULL_PAY_CALL, || x().pay(full_pay())),
        (r#"record_call()"#, || x().record_call(RecordCall::new())),
        (FULL_RECORD_CALL, || {
            x().record_call(
                RecordCall::new()
                    .control_id("rec1")
                    .stereo(true)
                    .format(RecordFormat::Mp3)
                    .direction(RecordDirection::Speak)
                    .terminators("#")
                    .beep(true)
                    .input_sensitivity(20.0)
                    .initial_timeout(5.0)
                    .end_silence_timeout(2.0)
                    .max_length(600.0)
                    .status_url("https://example.com/rec"),
            )
        }),
        (r#"stop_record_call()"#, || x().stop_record_call()),
        (r#"stop_record_call("rec1")"#, || {
            x().stop_record_call_id("rec1")
        }),
        (r#"join_room("room-1")"#, || x().join_room("room-1")),
        (r#"sip_refer("sip:agent@example.com")"#, || {
            x().sip_refer("sip:agent@example.com")
        }),
        (r#"join_conference("conf-1")"#, || {
            x().join_conference(JoinConference::new("conf-1"))
        }),
        (
            r#"join_conference("conf-1", muted=True, beep="onEnter", max_participants=10, record="record-from-start")"#,
            || {
                x().join_conference(
                    JoinConference::new("conf-1")
                        .muted(true)
                        .beep(ConferenceBeep::OnEnter)
                        .max_participants(10)
                        .record(ConferenceRecord::RecordFromStart),
                )
            },
        ),
        (r#"tap("wss://tap.example.com")"#, || {
            x().tap(Tap::new("wss://tap.example.com"))
        }),
        (
            r#"tap(uri, control_id="t1", direction="hear", codec="PCMA", rtp_ptime=30, status_url=...)"#,
            || {
                x().tap(
                    Tap::new("rtp://10.0.0.1:5000")
                        .control_id("t1")
                        .direction(TapDirection::Hear)
                        .codec(TapCodec::Pcma)
                        .rtp_ptime(30)
                        .status_url("https://example.com/tap"),
                )
            },
        ),
        (r#"stop_tap()"#, || x().stop_tap()),
        (r#"stop_tap("t1")"#, || x().stop_tap_id("t1")),
        (
            r#"execute_rpc("custom", params={"a": 1}, call_id="c1", node_id="n1")"#,
            || {
                x().execute_rpc(
                    ExecuteRpc::new("custom")
                        .params(json!({"a": 1}))
                        .call_id("c1")
                        .node_id("n1"),
                )
            },
        ),
        (
            r#"rpc_dial("+15551112222", "+15553334444", "https://example.com/swml")"#,
            || x().rpc_dial("+15551112222", "+15553334444", "https://example.com/swml"),
        ),
        (r#"rpc_ai_message("c1", "Caller is VIP")"#, || {
            x().rpc_ai_message("c1", "Caller is VIP")
        }),
        (r#"rpc_ai_unhold("c1")"#, || x().rpc_ai_unhold("c1")),
    ]
}

const FULL_PAY_CALL: &str = r#"pay(url, input_method="voice", status_url=..., payment_method="credit-card", timeout=10, max_attempts=3, security_code=False, postal_code="94107", min_postal_code_length=5, token_type="one-time", charge_amount="10.50", currency="eur", language="es-ES", voice="man", description="Order 42", valid_card_types="visa amex", parameters=[{"name":"k","value":"v"}], prompts=[...], ai_response="Result ${pay_result}")"#;

const FULL_RECORD_CALL: &str = r##"record_call(control_id="rec1", stereo=True, format="mp3", direction="speak", terminators="#", beep=True, input_sensitivity=20.0, initial_timeout=5.0, end_silence_timeout=2.0, max_length=600.0, status_url="https://example.com/rec")"##;

fn full_pay() -> Pay {
    Pay::new("https://pay.example.com/connector")
        .input_method(PayInputMethod::Voice)
        .status_url("https://example.com/pay-status")
        .payment_method(PaymentMethod::CreditCard)
        .timeout(10)
        .max_attempts(3)
        .security_code(false)
        .postal_code("94107")
        .min_postal_code_length(5)
        .token_type(TokenType::OneTime)
        .charge_amount("10.50")
        .currency("eur")
        .language("es-ES")
        .voice("man")
        .description("Order 42")
        .valid_card_types([CardType::Visa, CardType::Amex])
        .parameters([PayParameter::new("k", "v")])
        .prompts([PayPrompt::new(
            "payment-card-number",
            [PayPromptAction::say("Please enter your card number")],
        )
        .card_types([CardType::Visa])
        .error_type("timeout")])
        .ai_response("Result ${pay_result}")
}

fn body_text(result: &ToolResult) -> String {
    String::from_utf8(result.to_json_vec()).expect("serde_json writes UTF-8")
}

/// Fails unless the cases and the fixture name exactly the same calls, each
/// once.
fn assert_cases_match_fixture(cases: &[Case], fixture: &Fixture) {
    let mut seen: Vec<&str> = Vec::new();
    for (call, _) in cases {
        assert!(!seen.contains(call), "duplicate case {call}");
        seen.push(call);
    }
    let fixture_calls: Vec<&str> = fixture.results.iter().map(|e| e.call.as_str()).collect();
    for call in &fixture_calls {
        assert!(seen.contains(call), "fixture entry not covered: {call}");
    }
    for call in &seen {
        assert!(fixture_calls.contains(call), "case not in fixture: {call}");
    }
}

#[test]
fn every_fixture_entry_is_reproduced_exactly() {
    let raw = fixture_text(FIXTURE);
    let ordered: Fixture = serde_json::from_str(&raw).expect("fixture parses in order");
    let values: Value = serde_json::from_str(&raw).expect("fixture parses");
    let values = values["results"].as_array().expect("results array");
    assert_eq!(values.len(), ordered.results.len());
    assert_eq!(ordered.results.len(), FIXTURE_ENTRIES, "fixture entries");

    let cases = cases();
    assert_cases_match_fixture(&cases, &ordered);

    let mut compared = 0;
    for (entry, value) in ordered.results.iter().zip(values) {
        let build = cases
            .iter()
            .find(|(call, _)| *call == entry.call)
            .map(|(_, build)| build)
            .expect("covered above");
        let result = build();
        let text = body_text(&result);
        let parsed: Value = serde_json::from_str(&text).expect("output is JSON");
        assert_eq!(parsed, value["json"], "value differs for {}", entry.call);
        assert_eq!(text, entry.json.0, "key order differs for {}", entry.call);
        let via_serde = serde_json::to_string(&result).expect("serialises");
        assert_eq!(via_serde, text, "Serialize and to_json_vec differ");
        compared += 1;
    }
    assert_eq!(compared, FIXTURE_ENTRIES, "entries compared byte for byte");
}
