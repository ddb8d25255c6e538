//! Calling API commands run through SWML `execute_rpc`: the general
//! [`ToolResult::execute_rpc`] and the helpers built on it (dialing out,
//! messaging or releasing the AI on another call).

use serde::Serialize;
use serde_json::Value;

use super::ToolResult;
use super::document::{SwmlAction, Verb};
use super::wire::{AiMessageRole, non_empty};

/// A Calling API command run through SWML `execute_rpc`
/// ([`ToolResult::execute_rpc`]).
#[derive(Clone, Debug, PartialEq)]
#[must_use = "builders do nothing unless passed on"]
pub struct ExecuteRpc {
    method: String,
    call_id: Option<String>,
    node_id: Option<String>,
    params: Option<MethodParams>,
}

impl ExecuteRpc {
    /// Runs the RPC `method`.
    pub fn new(method: impl Into<String>) -> Self {
        ExecuteRpc {
            method: method.into(),
            call_id: None,
            node_id: None,
            params: None,
        }
    }

    /// Parameters of the method; `null` or an empty object or array is not
    /// sent.
    pub fn params(mut self, params: Value) -> Self {
        let empty = match &params {
            Value::Null => true,
            Value::Object(map) => map.is_empty(),
            Value::Array(items) => items.is_empty(),
            _ => false,
        };
        self.params = (!empty).then_some(MethodParams::Given(params));
        self
    }

    /// Call the method acts on (default: the current call).
    pub fn call_id(mut self, call_id: impl Into<String>) -> Self {
        self.call_id = Some(call_id.into());
        self
    }

    /// Node hosting that call.
    pub fn node_id(mut self, node_id: impl Into<String>) -> Self {
        self.node_id = Some(node_id.into());
        self
    }

    /// Parameters built by the helpers below, which are never empty.
    fn typed_params(mut self, params: MethodParams) -> Self {
        self.params = Some(params);
        self
    }

    fn into_params(self) -> RpcParams {
        RpcParams {
            method: self.method,
            call_id: non_empty(self.call_id),
            node_id: non_empty(self.node_id),
            params: self.params,
        }
    }
}

/// Parameters of the `execute_rpc` verb.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct RpcParams {
    method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    node_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<MethodParams>,
}

/// The `params` of one RPC method: given by the caller, or built by a helper.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
enum MethodParams {
    Given(Value),
    Dial(DialParams),
    AiMessage(AiMessageParams),
}

/// `{"devices": {"type": "phone", "params": {…}}, "dest_swml"}` of `dial`.
#[derive(Clone, Debug, PartialEq, Serialize)]
struct DialParams {
    devices: PhoneDevice,
    dest_swml: String,
}

/// The one device [`ToolResult::rpc_dial`] dials.
#[derive(Clone, Debug, PartialEq, Serialize)]
struct PhoneDevice {
    #[serde(rename = "type")]
    kind: &'static str,
    params: PhoneNumbers,
}

/// `{"to_number", "from_number"}` of a phone device.
#[derive(Clone, Debug, PartialEq, Serialize)]
struct PhoneNumbers {
    to_number: String,
    from_number: String,
}

/// `{"role", "message_text"}` of `ai_message`.
#[derive(Clone, Debug, PartialEq, Serialize)]
struct AiMessageParams {
    role: &'static str,
    message_text: String,
}

impl ToolResult {
    /// Runs a Calling API command (SWML `execute_rpc`).
    pub fn execute_rpc(self, rpc: ExecuteRpc) -> Self {
        self.push(SwmlAction::run(vec![Verb::new(
            "execute_rpc",
            rpc.into_params(),
        )]))
    }

    /// Dials `to_number` from `from_number` (phone device) and runs
    /// `dest_swml` on the new leg. Other device types go through
    /// [`ToolResult::execute_rpc`].
    pub fn rpc_dial(
        self,
        to_number: impl Into<String>,
        from_number: impl Into<String>,
        dest_swml: impl Into<String>,
    ) -> Self {
        let dial = DialParams {
            devices: PhoneDevice {
                kind: "phone",
                params: PhoneNumbers {
                    to_number: to_number.into(),
                    from_number: from_number.into(),
                },
            },
            dest_swml: dest_swml.into(),
        };
        self.execute_rpc(ExecuteRpc::new("dial").typed_params(MethodParams::Dial(dial)))
    }

    /// Injects a system message into the AI on another call.
    pub fn rpc_ai_message(self, call_id: impl Into<String>, text: impl Into<String>) -> Self {
        self.rpc_ai_message_as(call_id, text, AiMessageRole::System)
    }

    /// Injects a message with the given role into the AI on another call.
    pub fn rpc_ai_message_as(
        self,
        call_id: impl Into<String>,
        text: impl Into<String>,
        role: AiMessageRole,
    ) -> Self {
        let message = AiMessageParams {
            role: role.as_str(),
            message_text: text.into(),
        };
        let rpc = ExecuteRpc::new("ai_message")
            .call_id(call_id)
            .typed_params(MethodParams::AiMessage(message));
        self.execute_rpc(rpc)
    }

    /// Takes the AI on another call off hold.
    pub fn rpc_ai_unhold(self, call_id: impl Into<String>) -> Self {
        self.execute_rpc(ExecuteRpc::new("ai_unhold").call_id(call_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rpc_of(body: &Value, index: usize) -> &Value {
        &body["action"][index]["SWML"]["sections"]["main"][0]["execute_rpc"]
    }

    #[test]
    fn message_roles_and_empty_params() {
        let result = ToolResult::new("x")
            .rpc_ai_message_as("c", "hi", AiMessageRole::User)
            .execute_rpc(ExecuteRpc::new("m").params(json!({})))
            .execute_rpc(ExecuteRpc::new("m").params(Value::Null).call_id(""));
        let body: Value = serde_json::from_slice(&result.to_json_vec()).expect("JSON");
        assert_eq!(
            rpc_of(&body, 0),
            &json!({"method": "ai_message", "call_id": "c", "params": {"role": "user", "message_text": "hi"}})
        );
        assert_eq!(rpc_of(&body, 1), &json!({"method": "m"}));
        assert_eq!(rpc_of(&body, 2), &json!({"method": "m"}));
    }
}
