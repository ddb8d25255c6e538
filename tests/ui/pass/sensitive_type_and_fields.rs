// `#[sensitive]` on a whole type and on `#[tool_args]` fields; `Debug`
// redacts, serde writes `[REDACTED]`, and the tool records the secret keys.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// A one-time passcode, secret as a whole.
#[tool_args]
#[sensitive]
struct Otp(#[schemars(regex(pattern = r"^[0-9]{6}$"))] String);

/// Log-in details.
#[tool_args]
#[derive(Clone)]
struct Login {
    /// The user name.
    user: String,
    /// The password.
    #[sensitive]
    password: Secret<String>,
    /// The PIN, as a plain string (redacted by name).
    #[sensitive]
    pin: String,
}

/// Signs people in.
#[agent]
struct Door;

#[agent]
impl Door {
    /// Sign in.
    #[tool(secure)]
    async fn sign_in(&self, args: Login) -> ToolResult {
        let _ = (args.password.expose_secret(), args.pin);
        ToolResult::new(format!("Welcome {}", args.user))
    }

    /// Confirm with a one-time passcode.
    #[tool(secure)]
    async fn confirm(&self, code: Otp) -> ToolResult {
        let _ = code.expose_secret();
        ToolResult::new("Confirmed.")
    }
}

fn main() {
    let otp = Otp("123456".into());
    assert_eq!(format!("{otp:?}"), "Otp([REDACTED])");
    let tools = Door::tools();
    assert_eq!(tools[0].sensitive, ["password", "pin"]);
    assert_eq!(tools[1].sensitive, ["code"]);
    let _ = Door.builder();
}
