//! A refused tool call: what the audit record says and what the platform
//! hears.

use std::borrow::Cow;

use serde_json::value::RawValue;

use crate::action::ToolResult;
use crate::audit::AuditEvent;
use crate::response::HttpError;

/// What the caller hears when a handler fails or panics.
pub(crate) const HANDLER_APOLOGY: &str = "I'm sorry, something went wrong on our side and I could not complete that. Please try again later.";
/// What the caller hears when a handler takes too long.
pub(crate) const TIMEOUT_APOLOGY: &str =
    "I'm sorry, that is taking longer than it should. Please try again in a moment.";

/// What the caller hears when they use a tool too often.
pub(crate) const RATE_LIMIT_REFUSAL: &str = "I'm sorry, I can't do that again right now because it has been requested too many times. Please try again in a little while.";

/// What the caller hears when a decision that protects something cannot be
/// made because the shared state store is unavailable.
pub(crate) const STATE_UNAVAILABLE_REFUSAL: &str = "I'm sorry, I can't do that right now because a system it depends on is not responding. Please try again in a few minutes.";

/// What the caller hears when a secure tool is withdrawn in emergency mode.
pub(crate) const EMERGENCY_REFUSAL: &str = "I'm sorry, I can't do that right now. This service is temporarily limited; \
     please try again later or speak to a member of staff.";

/// One stage's refusal: the audit event and reason, and the reply.
#[derive(Debug)]
pub(crate) struct Refused {
    pub event: AuditEvent,
    /// A fixed code, or the names (never the values) of refused fields.
    pub reason: Cow<'static, str>,
    pub reply: Reply,
}

/// What a refused request is answered with.
#[derive(Debug)]
pub(crate) enum Reply {
    /// An HTTP refusal with its fixed body (403 for tokens).
    Http(HttpError),
    /// A 200 whose SWAIG `response` the model speaks (rate limits, guards,
    /// validation): the call goes on.
    Spoken(ToolResult),
}

impl Refused {
    /// A refusal answered with an HTTP status.
    pub(crate) fn http(
        event: AuditEvent,
        reason: impl Into<Cow<'static, str>>,
        error: HttpError,
    ) -> Self {
        Refused {
            event,
            reason: reason.into(),
            reply: Reply::Http(error),
        }
    }

    /// A refusal the model hears.
    pub(crate) fn spoken(
        event: AuditEvent,
        reason: impl Into<Cow<'static, str>>,
        result: ToolResult,
    ) -> Self {
        Refused {
            event,
            reason: reason.into(),
            reply: Reply::Spoken(result),
        }
    }

    /// The answer: the spoken result's JSON ending with `last` (the
    /// tool's recording action, if any), or the HTTP refusal.
    pub(crate) fn into_reply(self, last: Option<&RawValue>) -> Result<Vec<u8>, HttpError> {
        match self.reply {
            Reply::Http(e) => Err(e),
            Reply::Spoken(result) => Ok(result.to_json_vec_ending_with(last)),
        }
    }
}
