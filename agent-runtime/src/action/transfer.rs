//! Handing the call elsewhere: to a number or SIP address
//! ([`ToolResult::connect`]), to a SWML URL ([`ToolResult::swml_transfer`]),
//! or by SIP REFER ([`ToolResult::sip_refer`]).

use serde::Serialize;

use super::ToolResult;
use super::document::{SetAiResponse, SwmlAction, Verb};
use super::wire::non_empty;

/// A transfer to a phone number or SIP address ([`ToolResult::connect`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use = "builders do nothing unless passed on"]
pub struct Connect {
    to: String,
    from: Option<String>,
    is_final: bool,
}

impl Connect {
    /// Connects to `to` (E.164 number or SIP URI); final by default.
    pub fn new(to: impl Into<String>) -> Self {
        Connect {
            to: to.into(),
            from: None,
            is_final: true,
        }
    }

    /// Caller ID to present.
    pub fn from(mut self, from: impl Into<String>) -> Self {
        self.from = Some(from.into());
        self
    }

    /// `true` (default): the call leaves the agent for good. `false`: the
    /// call returns to the agent when the far end hangs up.
    pub fn final_(mut self, is_final: bool) -> Self {
        self.is_final = is_final;
        self
    }
}

/// A transfer to a SWML URL after setting the AI's reply
/// ([`ToolResult::swml_transfer`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use = "builders do nothing unless passed on"]
pub struct SwmlTransfer {
    dest: String,
    ai_response: String,
    is_final: bool,
}

impl SwmlTransfer {
    /// Transfers to `dest`; `ai_response` is what the AI says if the call
    /// comes back. Final by default.
    pub fn new(dest: impl Into<String>, ai_response: impl Into<String>) -> Self {
        SwmlTransfer {
            dest: dest.into(),
            ai_response: ai_response.into(),
            is_final: true,
        }
    }

    /// `true` (default): permanent transfer; `false`: the call may return.
    pub fn final_(mut self, is_final: bool) -> Self {
        self.is_final = is_final;
        self
    }
}

/// `{"to", "from"?}` of the `connect` verb.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct ConnectTarget {
    to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
}

/// `{"dest": url}` of the `transfer` verb.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct TransferDest {
    dest: String,
}

/// `{"to_uri": uri}` of the `sip_refer` verb.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct SipReferTarget {
    to_uri: String,
}

impl ToolResult {
    /// Connects the call elsewhere: SWML `connect` with a sibling
    /// `"transfer": "true"|"false"`.
    pub fn connect(self, connect: Connect) -> Self {
        let target = ConnectTarget {
            to: connect.to,
            from: non_empty(connect.from),
        };
        let action = SwmlAction::run_sections_first(vec![Verb::new("connect", target)])
            .transfer(connect.is_final);
        self.push(action)
    }

    /// Transfers to a SWML URL after setting `ai_response`: SWML `set` +
    /// `transfer` with a sibling `"transfer": "true"|"false"`.
    pub fn swml_transfer(self, transfer: SwmlTransfer) -> Self {
        let verbs = vec![
            Verb::new(
                "set",
                SetAiResponse {
                    ai_response: Some(transfer.ai_response),
                },
            ),
            Verb::new(
                "transfer",
                TransferDest {
                    dest: transfer.dest,
                },
            ),
        ];
        self.push(SwmlAction::run(verbs).transfer(transfer.is_final))
    }

    /// Sends a SIP REFER: SWML `{"sip_refer": {"to_uri"}}`.
    pub fn sip_refer(self, to_uri: impl Into<String>) -> Self {
        let target = SipReferTarget {
            to_uri: to_uri.into(),
        };
        self.push(SwmlAction::run(vec![Verb::new("sip_refer", target)]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_text(result: &ToolResult) -> String {
        String::from_utf8(result.to_json_vec()).expect("serde_json writes UTF-8")
    }

    #[test]
    fn connect_leaves_out_an_empty_caller_id() {
        let result = ToolResult::new("x").connect(Connect::new("+15551234567").from(""));
        assert_eq!(
            body_text(&result),
            r#"{"response":"x","action":[{"SWML":{"sections":{"main":[{"connect":{"to":"+15551234567"}}]},"version":"1.0.0"},"transfer":"true"}]}"#
        );
    }

    #[test]
    fn swml_transfer_sets_the_reply_before_transferring() {
        let result = ToolResult::new("x")
            .swml_transfer(SwmlTransfer::new("https://a/swml", "Back").final_(false));
        assert_eq!(
            body_text(&result),
            r#"{"response":"x","action":[{"SWML":{"version":"1.0.0","sections":{"main":[{"set":{"ai_response":"Back"}},{"transfer":{"dest":"https://a/swml"}}]}},"transfer":"false"}]}"#
        );
    }
}
