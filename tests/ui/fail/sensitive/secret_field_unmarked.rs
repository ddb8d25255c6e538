use agent_runtime::prelude::*;

/// Log-in details.
#[tool_args]
struct Login {
    /// The user name.
    user: String,
    /// The account password.
    account_password: String,
}

fn main() {}
