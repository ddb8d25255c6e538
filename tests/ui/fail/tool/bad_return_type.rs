use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Look up a balance.
    #[tool]
    async fn balance(&self) -> i64 {
        100
    }
}

fn main() {}
