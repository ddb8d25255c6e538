//! One audit record as one line of the default logger's output, within the
//! size caps of [`super::cap`].

use std::io::Write as _;

use super::cap::{MAX_LINE_BYTES, write_within_budget};
use super::{AuditFields, AuditRecord};
use crate::logging::{LineFormat, Rfc3339Millis};

const AUDIT_TARGET: &str = "agent_runtime::audit";

/// One audit line, newline-terminated, at most [`MAX_LINE_BYTES`] long.
pub(super) fn format_line(out: &mut Vec<u8>, record: &AuditRecord, format: LineFormat) {
    let record = record.capped();
    let timestamp = Rfc3339Millis(u64::try_from(record.time_ms).unwrap_or(u64::MAX));
    let start = out.len();
    // The budget leaves room for the newline.
    let written = write_within_budget(
        out,
        MAX_LINE_BYTES - 1,
        &record,
        |out, fields| match format {
            LineFormat::Text => {
                let _ = write!(out, "{timestamp}  INFO {AUDIT_TARGET}: ");
                serde_json::to_writer(&mut *out, &fields)
            }
            LineFormat::Json => serde_json::to_writer(
                &mut *out,
                &AuditLine {
                    timestamp,
                    level: "INFO",
                    target: AUDIT_TARGET,
                    fields,
                },
            ),
        },
    );
    if written.is_err() {
        out.truncate(start);
        // Serialising these field types cannot fail; never emit half a line.
        out.extend_from_slice(
            br#"{"target":"agent_runtime::audit","error":"unserialisable audit record"}"#,
        );
    }
    out.push(b'\n');
}

#[derive(serde::Serialize)]
struct AuditLine<'a> {
    timestamp: Rfc3339Millis,
    level: &'static str,
    target: &'static str,
    #[serde(flatten)]
    fields: AuditFields<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_lines_carry_the_record_fields_in_file_sink_order() {
        let mut record = AuditRecord::new(super::super::AuditEvent::ToolCall, "ok", "");
        record.time_ms = 1_700_000_000_123;
        record.call_id = Some("call-1".into());
        record.function = Some("get_balance".into());
        record.arguments = Some(serde_json::json!({"pin": "[REDACTED]"}));
        let mut line = Vec::new();
        format_line(&mut line, &record, LineFormat::Json);
        let text = String::from_utf8(line).expect("utf-8");
        assert!(text.ends_with('\n'));
        let value: serde_json::Value = serde_json::from_str(&text).expect("one JSON object");
        let mut expected = serde_json::json!({
            "timestamp": "2023-11-14T22:13:20.123Z",
            "level": "INFO",
            "target": "agent_runtime::audit",
        });
        if let (Some(e), serde_json::Value::Object(fields)) =
            (expected.as_object_mut(), record.to_json())
        {
            e.extend(fields);
        }
        assert_eq!(value, expected);
        let keys: Vec<_> = value.as_object().expect("object").keys().cloned().collect();
        assert_eq!(&keys[..4], ["timestamp", "level", "target", "event"]);

        let mut line = Vec::new();
        format_line(&mut line, &record, LineFormat::Text);
        let text = String::from_utf8(line).expect("utf-8");
        let (prefix, json) = text.split_once(": ").expect("text prefix");
        assert_eq!(
            prefix,
            "2023-11-14T22:13:20.123Z  INFO agent_runtime::audit"
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(json).expect("json"),
            record.to_json()
        );
    }

    #[test]
    fn a_900_kb_caller_id_gives_a_line_under_the_cap_with_the_mark() {
        let mut record = AuditRecord::new(super::super::AuditEvent::ToolCall, "ok", "");
        record.caller = Some("9".repeat(900_000));
        record.call_id = Some("c".repeat(10_000));
        for format in [LineFormat::Json, LineFormat::Text] {
            let mut line = Vec::new();
            format_line(&mut line, &record, format);
            assert!(line.len() <= MAX_LINE_BYTES, "{}", line.len());
            let text = String::from_utf8(line).expect("utf-8");
            let json = text.find('{').map_or("", |at| &text[at..]);
            let value: serde_json::Value = serde_json::from_str(json).expect("one JSON object");
            let caller = value["caller"].as_str().expect("caller");
            assert!(caller.starts_with("999"));
            assert!(caller.contains("…[truncated "), "{caller}");
            assert!(
                value["call_id"]
                    .as_str()
                    .expect("id")
                    .contains("…[truncated ")
            );
        }
    }

    #[test]
    fn arguments_that_would_take_the_line_over_the_cap_are_replaced_by_the_mark() {
        let mut record = AuditRecord::new(super::super::AuditEvent::ToolCall, "ok", "");
        // Each string is under its own cap; together they are not.
        let many: Vec<String> = (0..40).map(|i| format!("{i:0>1000}")).collect();
        record.arguments = Some(serde_json::json!({ "items": many }));
        let mut line = Vec::new();
        format_line(&mut line, &record, LineFormat::Json);
        assert!(line.len() <= MAX_LINE_BYTES, "{}", line.len());
        let value: serde_json::Value = serde_json::from_slice(&line).expect("JSON");
        let mark = value["arguments"]
            .as_str()
            .expect("the mark replaces the arguments");
        assert!(mark.starts_with("…[truncated "), "{mark}");
        assert!(mark.ends_with(" bytes]"), "{mark}");
    }
}
