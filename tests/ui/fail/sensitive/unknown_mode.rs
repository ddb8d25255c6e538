use agent_runtime::prelude::*;

/// A payment.
#[tool_args]
struct Payment {
    /// Account number.
    #[sensitive(first_four)]
    account: String,
}

fn main() {}
