use agent_runtime::prelude::*;

/// Log-in details.
#[tool_args]
#[derive(Debug)]
struct Login {
    /// The user name.
    user: String,
    /// The password.
    #[sensitive]
    password: Secret<String>,
}

fn main() {}
