// Owned scalar parameters become required properties of the schema.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// Books tables.
#[agent]
struct Restaurant;

#[agent]
impl Restaurant {
    /// Book a table.
    #[tool]
    async fn book(
        &self,
        /// Name for the booking.
        name: String,
        guests: u8,
        hour: i64,
        budget: f64,
        outside: bool,
    ) -> ToolResult {
        ToolResult::new(format!("{name} {guests} {hour} {budget} {outside}"))
    }
}

fn main() {
    let schema = (Restaurant::tools()[0].schema)();
    let schema = schema.as_value();
    let props = &schema["properties"];
    assert_eq!(props["name"]["type"], "string");
    assert_eq!(props["name"]["description"], "Name for the booking.");
    assert_eq!(props["guests"]["type"], "integer");
    assert_eq!(props["hour"]["type"], "integer");
    assert_eq!(props["budget"]["type"], "number");
    assert_eq!(props["outside"]["type"], "boolean");
    assert_eq!(schema["required"].as_array().map(Vec::len), Some(5));
    let _ = Restaurant.builder();
}
