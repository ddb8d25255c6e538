// Declarative guards (a free function and a method) and a per-tool rate
// limit.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// Staff desk.
#[agent]
struct Desk {
    admin: String,
}

fn verified(_desk: &Desk, call: &Call) -> Result<(), Refusal> {
    match call.global_data().get_as::<bool>("verified") {
        Some(true) => Ok(()),
        _ => Err(Refusal::new("Verify first.").with_reason("not_verified")),
    }
}

impl Desk {
    fn is_admin(&self, call: &Call) -> Result<(), Refusal> {
        if call.caller().number() == Some(self.admin.as_str()) {
            Ok(())
        } else {
            Err(Refusal::hangup("Goodbye."))
        }
    }
}

#[agent]
impl Desk {
    /// Read the statement.
    #[tool(secure, guard = verified, rate_limit = "5/min")]
    async fn statement(&self) -> ToolResult {
        ToolResult::new("ok")
    }

    /// Reset the system.
    #[tool(secure, guard = Self::is_admin, rate_limit = "1/hour")]
    fn reset(&self) -> ToolResult {
        ToolResult::new("reset")
    }

    /// Opening hours.
    #[tool(rate_limit = "10 / s")]
    fn hours(&self) -> &'static str {
        "9 to 5"
    }
}

fn main() {
    let tools = Desk::tools();
    assert_eq!(tools[0].rate_limit, Some("5/min"));
    assert_eq!(tools[1].rate_limit, Some("1/hour"));
    assert_eq!(tools[2].rate_limit, Some("10 / s"));
    assert!(tools[0].guard.is_some() && tools[1].guard.is_some() && tools[2].guard.is_none());
    let desk = Desk {
        admin: "+1555".into(),
    };
    let call = Call::for_test("c1", "+1666");
    let refusal = (tools[1].guard.unwrap())(&desk, &call).unwrap_err();
    assert!(refusal.hangs_up());
    assert_eq!(
        (tools[0].guard.unwrap())(&desk, &call)
            .unwrap_err()
            .reason(),
        "not_verified"
    );
    let _ = desk.builder();
}
