// A parameter may carry `#[serde(default)]`: it becomes optional, and the
// schema states its default.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// Books tables.
#[agent]
struct Restaurant;

#[agent]
impl Restaurant {
    /// Book a table.
    #[tool]
    async fn book(&self, name: String, #[serde(default)] guests: u32) -> ToolResult {
        ToolResult::new(format!("{name}: {guests}"))
    }
}

fn main() {
    let schema = (Restaurant::tools()[0].schema)();
    let schema = schema.as_value();
    assert_eq!(schema["properties"]["guests"]["default"], 0);
    assert_eq!(schema["required"], json!(["name"]));
    let _ = Restaurant.builder();
}
