use agent_runtime::prelude::*;

/// Desk.
#[agent]
struct Desk;

fn small(_: &Desk, _: &Call, amount: &u32) -> Result<(), Refusal> {
    if *amount > 100 { Err(Refusal::new("Too large.")) } else { Ok(()) }
}

#[agent]
impl Desk {
    /// Pay.
    #[tool(check = small)]
    fn pay(&self, amount: f64) -> ToolResult {
        ToolResult::new(format!("{amount}"))
    }
}

fn main() {}
