// A newtype argument carries its own rule (here a pattern) into the schema.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// A 10-digit account number.
#[tool_args]
struct AccountNumber(#[schemars(regex(pattern = r"^[0-9]{10}$"))] String);

/// Looks up accounts.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Look up an account.
    #[tool]
    async fn lookup(&self, account: AccountNumber) -> ToolResult {
        ToolResult::new(format!("Found {}.", account.0))
    }
}

fn main() {
    let schema = (Bank::tools()[0].schema)();
    let text = schema.as_value().to_string();
    assert!(text.contains(r#"^[0-9]{10}$"#), "{text}");
    let _ = Bank.builder();
}
