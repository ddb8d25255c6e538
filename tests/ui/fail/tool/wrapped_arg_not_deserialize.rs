use agent_runtime::prelude::*;

/// A plain struct, not declared with `#[tool_args]`.
struct Account {
    number: String,
}

/// Another plain struct.
struct Note {
    text: String,
}

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Look up a balance.
    #[tool]
    async fn balance(&self, account: Option<Account>, notes: Vec<Note>) -> ToolResult {
        let notes: Vec<String> = notes.into_iter().map(|n| n.text).collect();
        ToolResult::new(format!("{:?} {notes:?}", account.map(|a| a.number)))
    }
}

fn main() {}
