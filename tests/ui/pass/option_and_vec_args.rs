// `Option<T>` parameters are optional; `Vec<T>` parameters are arrays; maps
// are objects whose values are checked against the value type.
use std::collections::BTreeMap;

use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// Takes orders.
#[agent]
struct Pizzeria;

#[agent]
impl Pizzeria {
    /// Order a pizza.
    #[tool]
    async fn order(
        &self,
        toppings: Vec<String>,
        note: Option<String>,
        extras: Option<BTreeMap<String, u32>>,
    ) -> ToolResult {
        let extras = extras.map_or(0, |e| e.len());
        ToolResult::new(format!("{} toppings, {extras} extras, note: {note:?}", toppings.len()))
    }
}

fn main() {
    let schema = (Pizzeria::tools()[0].schema)();
    let schema = schema.as_value();
    assert_eq!(schema["properties"]["toppings"]["type"], "array");
    assert_eq!(schema["properties"]["toppings"]["items"]["type"], "string");
    assert_eq!(schema["required"], json!(["toppings"]));
    assert_eq!(schema["properties"]["extras"]["additionalProperties"]["type"], "integer");
    // What SWAIG is sent: the map is an object (the dialect has no
    // `additionalProperties`; the value rule goes into the description).
    // Read through the agent's own `tools` command, as a user would.
    let out = agent_runtime::cli::run_with(
        Pizzeria.builder().prompt_text("You take orders."),
        ["pizzeria", "tools"],
        |_| None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let tools: Value = out.stdout.parse().expect("the tools command prints JSON");
    let params = &tools[0]["parameters"];
    assert_eq!(params["properties"]["extras"]["type"], "object");
    assert_eq!(params["required"], json!(["toppings"]));
}
