// How a tool declares what the call recording may keep: `unrecorded` (with
// `secure`, a guard and a renamed tool) and `recorded`, in either order
// with the other keys.
use agent_runtime::Agent;
use agent_runtime::prelude::*;
use agent_runtime::RecordingPolicy;

/// Staff desk.
#[agent]
struct Desk;

fn always(_desk: &Desk, _call: &Call) -> Result<(), Refusal> {
    Ok(())
}

#[agent]
impl Desk {
    /// Check the caller's PIN.
    #[tool(unrecorded, secure, guard = always, name = "check_pin")]
    async fn verify(&self, #[sensitive] pin: Secret<String>) -> ToolResult {
        let _ = pin.expose_secret();
        ToolResult::new("ok")
    }

    /// Note the caller's branch.
    #[tool(secure, recorded)]
    fn note_branch(&self, #[sensitive] branch: Secret<String>) -> ToolResult {
        let _ = branch.expose_secret();
        ToolResult::new("noted")
    }

    /// Take a postcode, kept out of the recording.
    #[tool(unrecorded)]
    fn postcode(&self, postcode: String) -> ToolResult {
        ToolResult::new(postcode)
    }
}

fn main() {
    let tools = Desk::tools();
    assert_eq!(
        tools[0].recording,
        RecordingPolicy::Unrecorded { companion: "prepare_check_pin" }
    );
    assert_eq!(tools[1].recording, RecordingPolicy::Recorded);
    assert_eq!(
        tools[2].recording,
        RecordingPolicy::Unrecorded { companion: "prepare_postcode" }
    );
}
