//! Refusals: what a guard (or, later in the pipeline, any check a tool
//! declares) answers instead of running the tool.

use crate::action::ToolResult;
use crate::context::Call;

/// Why a guard refused a tool call: the text the model hears (it becomes the
/// SWAIG `response`), whether the call ends, and a machine-readable reason for
/// the audit record. The handler does not run.
///
/// ```
/// use agent_runtime::prelude::*;
///
/// fn verified(_agent: &impl Sized, call: &Call) -> Result<(), Refusal> {
///     match call.global_data().get_as::<bool>("pin_verified") {
///         Some(true) => Ok(()),
///         _ => Err(Refusal::new("The caller must verify their PIN first.").with_reason("not_verified")),
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    response: String,
    hangup: bool,
    reason: &'static str,
}

impl Refusal {
    /// A refusal the model hears as `response`; the call goes on.
    pub fn new(response: impl Into<String>) -> Self {
        Refusal {
            response: response.into(),
            hangup: false,
            reason: "guard_refused",
        }
    }

    /// A refusal that also hangs up (for example when PIN attempts are
    /// exhausted).
    pub fn hangup(response: impl Into<String>) -> Self {
        Refusal {
            hangup: true,
            ..Refusal::new(response)
        }
    }

    /// Sets the reason written to the audit record (default `guard_refused`).
    /// Use a short fixed code such as `not_verified`; never a value from the
    /// call.
    pub fn with_reason(mut self, reason: &'static str) -> Self {
        self.reason = reason;
        self
    }

    /// The reason written to the audit record.
    pub fn reason(&self) -> &'static str {
        self.reason
    }

    /// Whether the call ends.
    pub fn hangs_up(&self) -> bool {
        self.hangup
    }

    /// The SWAIG result sent instead of running the tool.
    pub fn into_tool_result(self) -> ToolResult {
        let result = ToolResult::new(self.response);
        if self.hangup { result.hangup() } else { result }
    }
}

/// A function usable as `#[tool(guard = ...)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tool guard",
    label = "expected `fn(&Agent, &Call) -> Result<(), Refusal>`",
    note = "a guard takes the agent and the call and returns `Result<(), Refusal>`, e.g. `fn verified(bank: &Bank, call: &Call) -> Result<(), Refusal>` or a method `fn verified(&self, call: &Call) -> Result<(), Refusal>`"
)]
pub trait ToolGuard<A> {
    /// Runs the check.
    fn check(&self, agent: &A, call: &Call) -> Result<(), Refusal>;
}

impl<A, F> ToolGuard<A> for F
where
    F: Fn(&A, &Call) -> Result<(), Refusal>,
{
    fn check(&self, agent: &A, call: &Call) -> Result<(), Refusal> {
        self(agent, call)
    }
}

/// Calls a guard (generated code wraps the user's path in a closure through
/// this, so a wrong signature is reported on the path).
#[doc(hidden)]
pub fn run_guard<A, G: ToolGuard<A>>(guard: G, agent: &A, call: &Call) -> Result<(), Refusal> {
    guard.check(agent, call)
}

/// Turns the answer of a `#[tool(check = path)]` function into the tool's
/// failure (generated code calls this inside the tool's invocation).
#[doc(hidden)]
pub fn run_check(result: Result<(), Refusal>) -> Result<(), super::ToolFailure> {
    result.map_err(super::ToolFailure::Refused)
}
