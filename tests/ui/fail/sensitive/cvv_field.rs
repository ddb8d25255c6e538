use agent_runtime::prelude::*;

/// Card details (never do this).
#[tool_args]
struct Card {
    /// The code on the back.
    #[not_sensitive]
    cvv: String,
}

fn main() {}
