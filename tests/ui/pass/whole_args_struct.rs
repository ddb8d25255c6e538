// A single owned parameter named `args` is the whole argument object: its
// fields are the tool's parameters.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// A transfer between two accounts.
#[tool_args]
struct Transfer {
    /// Account the money leaves.
    from: String,
    /// Account the money goes to.
    to: String,
    /// Amount in dollars.
    #[schemars(range(min = 1, max = 10000))]
    amount: u32,
}

/// Moves money.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Move money between two accounts.
    #[tool(secure)]
    async fn transfer(&self, call: &Call, args: Transfer) -> ToolResult {
        let _ = call.id();
        ToolResult::new(format!("{} from {} to {}", args.amount, args.from, args.to))
    }
}

fn main() {
    let schema = (Bank::tools()[0].schema)();
    let props = &schema.as_value()["properties"];
    assert_eq!(props["from"]["description"], "Account the money leaves.");
    assert_eq!(props["amount"]["maximum"], 10000);
    assert!(props.get("args").is_none());
    let _ = Bank.builder();
}
