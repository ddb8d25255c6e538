use agent_runtime::prelude::*;

/// PIN desk.
#[agent]
struct Desk;

#[agent]
impl Desk {
    /// Check the caller's PIN (a valid name of 59 characters, too long for
    /// its companion's).
    #[tool(secure, unrecorded, name = "verify_the_personal_identification_number_of_the_caller_now")]
    async fn verify_pin(&self, #[sensitive] pin: Secret<String>) -> ToolResult {
        let _ = pin.expose_secret();
        ToolResult::new("ok")
    }
}

fn main() {}
