//! Prometheus metrics of one agent, in the OpenMetrics text format.
//!
//! `GET /metrics` under the agent's route (`/metrics` for an agent on `/`,
//! `/bank/metrics` for an agent on `/bank`) answers with the agent's
//! metrics, behind the same checks as every other route: the `Host`
//! allow-list, the per-address limit and basic auth, a failed login being an
//! `auth_failure` audit record like anywhere else. With `SWML_METRICS_ADDR`
//! the metrics move to a listener of their own (`GET /metrics` there, and
//! nothing on the agent's port); it still asks for basic auth unless
//! `SWML_METRICS_AUTH=off`. See [`crate::config::MetricsAuth`].
//!
//! # What is exported
//!
//! Every series carries the label `agent` (the agent's name). Counters end
//! in `_total`.
//!
//! | Metric | Type | Labels | Counts |
//! | --- | --- | --- | --- |
//! | `agent_http_requests_total` | counter | `route`, `status` | every response of the agent's routes; `route` is the route pattern (`/`, `/swaig`, `/post_prompt`, `/metrics`, under the agent's route), or `unmatched` for a path no route answers, never the path itself |
//! | `agent_audit_records_total` | counter | `event`, `outcome` | every audit record, whoever emitted it: `event` is the record's event name, the runtime's (`auth_failure`, `call_start`, `tool_call`, ...) or a handler event's own [`EventName`](crate::audit::EventName) (`large_transfer`, recorded with [`Call::audit`](crate::Call::audit)); `outcome` its outcome (`ok`, `refused`, `error`, `panic`, `timeout`, `allowed`, `on`, `off`) |
//! | `agent_refusals_total` | counter | `event`, `reason` | every audit record whose outcome is `refused`; `reason` is one class of [`REFUSAL_CLASSES`], never the record's own reason text |
//! | `agent_tool_calls_total` | counter | `tool`, `outcome` | every SWAIG request for a registered tool that reached dispatch: `ok`, `error`, `panic`, `timeout` (the handler ran) or `refused` (a stage refused it: emergency mode, token, rate limit, guard, validation, argument check, state store) |
//! | `agent_tool_duration_seconds` | histogram | `tool` | how long each handler ran, buckets [`TOOL_DURATION_BUCKETS`] (seconds) |
//!
//! # Bounded labels
//!
//! A label value is never copied from a request. `route` comes from the
//! agent's own route patterns; `tool` is the name of a registered tool (a
//! record naming anything else is not counted as a tool call); `event` and
//! `outcome` are names written in code (the runtime's events, or those a
//! handler declares); `reason` is one of a fixed set of classes, mapped from
//! the event and the record's reason. So a password, a token or a caller id
//! sent in a refused request can never reach a scrape.
//!
//! # Cost
//!
//! The families are registered once, when the agent is built, and the
//! series that alerts rely on (every record and refusal class the runtime
//! writes, every tool with every outcome and its histogram) are created then
//! at zero, so a rule sees them before the first event and `increase()`
//! counts that event. Per request a counter is found by a hash of one or two
//! short strings under a read lock and incremented; a tool call's counters
//! and histogram are looked up by tool name in a map built at start-up.

use std::collections::HashMap;
use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

use crate::audit::{AuditEvent, AuditRecord, AuditSink};

/// `agent_http_requests_total`: responses by route pattern and status.
pub const HTTP_REQUESTS: &str = "agent_http_requests_total";
/// `agent_audit_records_total`: audit records by event and outcome.
pub const AUDIT_RECORDS: &str = "agent_audit_records_total";
/// `agent_refusals_total`: refused requests by event and reason class.
pub const REFUSALS: &str = "agent_refusals_total";
/// `agent_tool_calls_total`: tool calls by tool and outcome.
pub const TOOL_CALLS: &str = "agent_tool_calls_total";
/// `agent_tool_duration_seconds`: handler run time by tool (histogram).
pub const TOOL_DURATION: &str = "agent_tool_duration_seconds";

/// The `route` label of a request no route of the agent answers.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// The content type of a scrape (OpenMetrics text, which Prometheus reads).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Upper bounds of the buckets of [`TOOL_DURATION`], in seconds (the
/// default handler timeout is 30 s).
pub const TOOL_DURATION_BUCKETS: [f64; 15] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Every value of the `reason` label of [`REFUSALS`]:
///
/// | Class | Refusals |
/// | --- | --- |
/// | `auth` | basic auth (`auth_failure`) |
/// | `signature` | the platform's webhook signature (`signature_failure`) |
/// | `token` | a secure tool's or the post-prompt's token (`token_failure`) |
/// | `validation` | arguments that broke the tool's rules (`validation_failure`), or a tool's argument check (`check_refusal`) |
/// | `bad_request` | platform data that cannot be used: malformed arguments or `global_data`, an invalid caller id or name (`validation_failure`) |
/// | `guard` | a tool's guard (`guard_refusal`) |
/// | `lockout` | a refusal whose reason says a lock (`locked`, `lockout`, `locked_out`, ...), from a guard or a handler event |
/// | `rate` | a rate limit, per caller and tool or per address (`rate_limited`) |
/// | `emergency` | a tool withdrawn by an emergency scope (`emergency_refusal`) |
/// | `state` | the shared state store did not answer and the decision protects something (`state_unavailable`) |
/// | `handler` | any other refused record: a handler's own event ([`Call::audit`](crate::Call::audit)) with outcome `refused`, counted under its own name as `event` |
pub const REFUSAL_CLASSES: [&str; 11] = [
    "auth",
    "signature",
    "token",
    "validation",
    "bad_request",
    "guard",
    "lockout",
    "rate",
    "emergency",
    "state",
    "handler",
];

/// The tool-call outcomes that exist from start-up for every tool.
const TOOL_OUTCOMES: [&str; 5] = ["ok", "refused", "error", "panic", "timeout"];

/// Validation reasons that describe the platform's data, not the model's
/// arguments.
const BAD_REQUEST_REASONS: [&str; 4] = [
    "invalid_caller_name",
    "invalid_caller_number",
    "malformed_arguments",
    "malformed_platform_data",
];

/// The records the runtime itself writes, as (event, outcome): their series
/// exist from start-up.
const RUNTIME_RECORDS: [(AuditEvent, &str); 18] = [
    (AuditEvent::AuthFailure, "refused"),
    (AuditEvent::SignatureFailure, "refused"),
    (AuditEvent::TokenFailure, "refused"),
    (AuditEvent::ValidationFailure, "refused"),
    (AuditEvent::GuardRefusal, "refused"),
    (AuditEvent::CheckRefusal, "refused"),
    (AuditEvent::RateLimited, "refused"),
    (AuditEvent::EmergencyRefusal, "refused"),
    (AuditEvent::StateUnavailable, "refused"),
    (AuditEvent::StateUnavailable, "allowed"),
    (AuditEvent::ToolCall, "ok"),
    (AuditEvent::ToolCall, "error"),
    (AuditEvent::ToolCall, "panic"),
    (AuditEvent::ToolCall, "timeout"),
    (AuditEvent::Summary, "ok"),
    (AuditEvent::CallStart, "ok"),
    (AuditEvent::EmergencySwitch, "on"),
    (AuditEvent::EmergencySwitch, "off"),
];

/// The refusals the runtime itself writes, as (event, class): their series
/// exist from start-up.
const RUNTIME_REFUSALS: [(AuditEvent, &str); 11] = [
    (AuditEvent::AuthFailure, "auth"),
    (AuditEvent::SignatureFailure, "signature"),
    (AuditEvent::TokenFailure, "token"),
    (AuditEvent::ValidationFailure, "validation"),
    (AuditEvent::ValidationFailure, "bad_request"),
    (AuditEvent::GuardRefusal, "guard"),
    (AuditEvent::GuardRefusal, "lockout"),
    (AuditEvent::CheckRefusal, "validation"),
    (AuditEvent::RateLimited, "rate"),
    (AuditEvent::EmergencyRefusal, "emergency"),
    (AuditEvent::StateUnavailable, "state"),
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: Arc<str>,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RecordLabels {
    event: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RefusalLabels {
    event: &'static str,
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolCallLabels {
    tool: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolLabels {
    tool: &'static str,
}

type HistogramFamily = Family<ToolLabels, Histogram, fn() -> Histogram>;

fn tool_histogram() -> Histogram {
    Histogram::new(TOOL_DURATION_BUCKETS)
}

/// The metrics of one agent: its registry, and what counts into it.
pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    /// The `route` label of requests no route answers.
    unmatched: Arc<str>,
    records: Arc<RecordCounter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// Registers every family for `agent` and creates the series of its
    /// `tools` and of the runtime's refusals at zero.
    pub(crate) fn new(agent: &'static str, tools: &[&'static str]) -> Self {
        let mut registry = Registry::with_labels(std::iter::once(("agent".into(), agent.into())));
        let requests = Family::<RequestLabels, Counter>::default();
        let records = RecordCounter::new(tools);
        registry.register(
            name(HTTP_REQUESTS),
            "Responses of the agent's routes by route pattern and status",
            requests.clone(),
        );
        registry.register(
            name(AUDIT_RECORDS),
            "Audit records by event and outcome",
            records.records.clone(),
        );
        registry.register(
            name(REFUSALS),
            "Refused requests by audit event and reason class",
            records.refusals.clone(),
        );
        registry.register(
            name(TOOL_CALLS),
            "Tool calls by tool and outcome",
            records.tool_calls.clone(),
        );
        registry.register_with_unit(
            "agent_tool_duration",
            "Run time of tool handlers",
            Unit::Seconds,
            records.durations.clone(),
        );
        Metrics {
            registry,
            requests,
            unmatched: Arc::from(UNMATCHED_ROUTE),
            records: Arc::new(records),
        }
    }

    /// The audit sink that counts every record of the agent's trail.
    pub(crate) fn audit_sink(&self) -> Arc<dyn AuditSink> {
        self.records.clone()
    }

    /// Counts one response of the route with pattern `route` (`None`: no
    /// route answered the path).
    pub(crate) fn count_request(&self, route: Option<&Arc<str>>, status: u16) {
        let route = Arc::clone(route.unwrap_or(&self.unmatched));
        self.requests
            .get_or_create(&RequestLabels { route, status })
            .inc();
    }

    /// The whole exposition, ending with `# EOF`.
    pub(crate) fn render(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::with_capacity(8 * 1024);
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// The registered name of a counter: the exported name without `_total`,
/// which the encoder adds.
fn name(exported: &str) -> &str {
    exported.strip_suffix("_total").unwrap_or(exported)
}

/// The series of one registered tool, created at start-up.
struct ToolSeries {
    ok: Counter,
    refused: Counter,
    error: Counter,
    panic: Counter,
    timeout: Counter,
    duration: Histogram,
}

/// Counts audit records (an [`AuditSink`] of the agent's trail, so it sees
/// every record the log and the other sinks see).
struct RecordCounter {
    records: Family<RecordLabels, Counter>,
    refusals: Family<RefusalLabels, Counter>,
    tool_calls: Family<ToolCallLabels, Counter>,
    durations: HistogramFamily,
    tools: HashMap<&'static str, ToolSeries>,
}

impl RecordCounter {
    fn new(tools: &[&'static str]) -> Self {
        let records = Family::<RecordLabels, Counter>::default();
        let refusals = Family::<RefusalLabels, Counter>::default();
        let tool_calls = Family::<ToolCallLabels, Counter>::default();
        let durations = HistogramFamily::new_with_constructor(tool_histogram);
        // Created at zero; the guards only hold the family's read lock.
        for (event, reason) in RUNTIME_REFUSALS {
            let event = event.as_str();
            drop(refusals.get_or_create(&RefusalLabels { event, reason }));
        }
        for (event, outcome) in RUNTIME_RECORDS {
            let event = event.as_str();
            drop(records.get_or_create(&RecordLabels { event, outcome }));
        }
        let counter = |tool, outcome| {
            tool_calls
                .get_or_create(&ToolCallLabels { tool, outcome })
                .clone()
        };
        let tools = tools
            .iter()
            .map(|&tool| {
                let [ok, refused, error, panic, timeout] =
                    TOOL_OUTCOMES.map(|outcome| counter(tool, outcome));
                let duration = durations.get_or_create(&ToolLabels { tool }).clone();
                let series = ToolSeries {
                    ok,
                    refused,
                    error,
                    panic,
                    timeout,
                    duration,
                };
                (tool, series)
            })
            .collect();
        RecordCounter {
            records,
            refusals,
            tool_calls,
            durations,
            tools,
        }
    }

    /// The series of the registered tool a record names, with the tool's
    /// name as registered.
    fn tool(&self, record: &AuditRecord) -> Option<(&'static str, &ToolSeries)> {
        let function = record.function.as_deref()?;
        self.tools
            .get_key_value(function)
            .map(|(name, series)| (*name, series))
    }
}

impl AuditSink for RecordCounter {
    fn record(&self, record: &AuditRecord) {
        let event = record.event.as_str();
        let outcome = record.outcome;
        self.records
            .get_or_create(&RecordLabels { event, outcome })
            .inc();
        let refused = outcome == "refused";
        if refused {
            let reason = refusal_class(record.event, &record.reason);
            self.refusals
                .get_or_create(&RefusalLabels { event, reason })
                .inc();
        }
        let Some((tool, series)) = self.tool(record) else {
            return;
        };
        if matches!(record.event, AuditEvent::ToolCall) {
            match outcome {
                "ok" => series.ok.inc(),
                "refused" => series.refused.inc(),
                "error" => series.error.inc(),
                "panic" => series.panic.inc(),
                "timeout" => series.timeout.inc(),
                other => self
                    .tool_calls
                    .get_or_create(&ToolCallLabels {
                        tool,
                        outcome: other,
                    })
                    .inc(),
            };
            if let Some(duration) = record.duration {
                series.duration.observe(duration.as_secs_f64());
            }
        } else if refused && is_dispatch_refusal(record.event) {
            series.refused.inc();
        }
    }
}

/// The events with which a stage of the SWAIG pipeline refuses a tool call
/// (each such request gets exactly one of these records, or one `tool_call`
/// record when the handler ran).
fn is_dispatch_refusal(event: AuditEvent) -> bool {
    matches!(
        event,
        AuditEvent::EmergencyRefusal
            | AuditEvent::TokenFailure
            | AuditEvent::RateLimited
            | AuditEvent::GuardRefusal
            | AuditEvent::CheckRefusal
            | AuditEvent::ValidationFailure
            | AuditEvent::StateUnavailable
    )
}

/// The class of a refusal (one of [`REFUSAL_CLASSES`]), from its event and
/// its reason: the reason text itself is never a label.
fn refusal_class(event: AuditEvent, reason: &str) -> &'static str {
    match event {
        AuditEvent::AuthFailure => "auth",
        AuditEvent::SignatureFailure => "signature",
        AuditEvent::TokenFailure => "token",
        AuditEvent::ValidationFailure if BAD_REQUEST_REASONS.contains(&reason) => "bad_request",
        AuditEvent::ValidationFailure => "validation",
        AuditEvent::RateLimited => "rate",
        AuditEvent::EmergencyRefusal => "emergency",
        AuditEvent::StateUnavailable => "state",
        _ if names_a_lock(reason) => "lockout",
        AuditEvent::CheckRefusal => "validation",
        AuditEvent::GuardRefusal => "guard",
        _ => "handler",
    }
}

/// True when a word of `reason` starts with `lock` (`locked`, `lockout`,
/// `pin_locked_out`), not when one merely contains it (`blocked`).
fn names_a_lock(reason: &str) -> bool {
    reason
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            word.get(..4)
                .is_some_and(|w| w.eq_ignore_ascii_case("lock"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn record(event: AuditEvent, outcome: &'static str, reason: &str) -> AuditRecord {
        let mut r = AuditRecord::new(event, outcome, reason);
        r.function = Some("transfer_funds".to_owned());
        r
    }

    /// The value of the sample `name{labels...}` in `text`, where `labels`
    /// must all appear among the sample's labels.
    fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        text.lines().find_map(|line| {
            let rest = line.strip_prefix(name)?.strip_prefix('{')?;
            let (set, value) = rest.split_once("} ")?;
            labels
                .iter()
                .all(|(k, v)| set.split(',').any(|p| p == format!("{k}=\"{v}\"")))
                .then(|| value.trim().parse().ok())?
        })
    }

    #[test]
    fn every_class_is_listed_and_reasons_never_become_labels() {
        let cases = [
            (AuditEvent::AuthFailure, "bad_credentials", "auth"),
            (AuditEvent::SignatureFailure, "bad_signature", "signature"),
            (AuditEvent::TokenFailure, "token_expired", "token"),
            (
                AuditEvent::ValidationFailure,
                "amount,to_account",
                "validation",
            ),
            (
                AuditEvent::ValidationFailure,
                "invalid_caller_number",
                "bad_request",
            ),
            (AuditEvent::GuardRefusal, "not_verified", "guard"),
            (AuditEvent::GuardRefusal, "pin_locked_out", "lockout"),
            (AuditEvent::GuardRefusal, "blocked_number", "guard"),
            (AuditEvent::RateLimited, "tool_rate_limit", "rate"),
            (AuditEvent::EmergencyRefusal, "emergency_mode", "emergency"),
            (AuditEvent::StateUnavailable, "call_facts", "state"),
            (AuditEvent::ToolCall, "Locked", "lockout"),
            (AuditEvent::ToolCall, "anything-else secret=123", "handler"),
        ];
        for (event, reason, class) in cases {
            assert_eq!(refusal_class(event, reason), class, "{reason}");
            assert!(REFUSAL_CLASSES.contains(&class));
        }
        for (_, class) in RUNTIME_REFUSALS {
            assert!(REFUSAL_CLASSES.contains(&class));
        }
    }

    #[test]
    fn records_are_counted_by_event_outcome_class_and_tool() {
        let metrics = Metrics::new("bank", &["transfer_funds", "get_balance"]);
        let sink = metrics.audit_sink();
        let mut call = record(AuditEvent::ToolCall, "ok", "");
        call.duration = Some(Duration::from_millis(3));
        sink.record(&call);
        sink.record(&record(
            AuditEvent::TokenFailure,
            "refused",
            "token_missing",
        ));
        sink.record(&record(AuditEvent::Summary, "ok", ""));
        let mut unknown = record(AuditEvent::ToolCall, "ok", "");
        unknown.function = Some("not_a_tool".to_owned());
        sink.record(&unknown);
        metrics.count_request(Some(&Arc::from("/swaig")), 200);
        metrics.count_request(None, 401);
        let text = metrics.render().unwrap();
        let tool = |t, o| sample(&text, TOOL_CALLS, &[("tool", t), ("outcome", o)]);
        assert_eq!(tool("transfer_funds", "ok"), Some(1.0));
        assert_eq!(tool("transfer_funds", "refused"), Some(1.0));
        assert_eq!(tool("get_balance", "panic"), Some(0.0));
        assert!(!text.contains("not_a_tool"));
        let refusals = |e, r| sample(&text, REFUSALS, &[("event", e), ("reason", r)]);
        assert_eq!(refusals("token_failure", "token"), Some(1.0));
        assert_eq!(refusals("auth_failure", "auth"), Some(0.0));
        let records = |e, o| sample(&text, AUDIT_RECORDS, &[("event", e), ("outcome", o)]);
        assert_eq!(records("tool_call", "ok"), Some(2.0));
        assert_eq!(records("summary", "ok"), Some(1.0));
        let count = format!("{TOOL_DURATION}_count");
        assert_eq!(
            sample(&text, &count, &[("tool", "transfer_funds")]),
            Some(1.0)
        );
        let bucket = format!("{TOOL_DURATION}_bucket");
        let le = [("tool", "transfer_funds"), ("le", "0.0025")];
        assert_eq!(sample(&text, &bucket, &le), Some(0.0));
        let le = [("tool", "transfer_funds"), ("le", "0.005")];
        assert_eq!(sample(&text, &bucket, &le), Some(1.0));
        let req = [("route", "/swaig"), ("status", "200"), ("agent", "bank")];
        assert_eq!(sample(&text, HTTP_REQUESTS, &req), Some(1.0));
        let req = [("route", UNMATCHED_ROUTE), ("status", "401")];
        assert_eq!(sample(&text, HTTP_REQUESTS, &req), Some(1.0));
        assert!(text.ends_with("# EOF\n"));
    }
}
