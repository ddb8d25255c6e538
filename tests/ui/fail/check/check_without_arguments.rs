use agent_runtime::prelude::*;

/// Desk.
#[agent]
struct Desk;

fn open(_: &Desk, _: &Call) -> Result<(), Refusal> {
    Ok(())
}

#[agent]
impl Desk {
    /// Opening hours.
    #[tool(check = open)]
    fn hours(&self) -> ToolResult {
        ToolResult::new("9 to 5")
    }
}

fn main() {}
