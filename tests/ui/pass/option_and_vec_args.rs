// `Option<T>` parameters are optional; `Vec<T>` parameters are arrays.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// Takes orders.
#[agent]
struct Pizzeria;

#[agent]
impl Pizzeria {
    /// Order a pizza.
    #[tool]
    async fn order(&self, toppings: Vec<String>, note: Option<String>) -> ToolResult {
        ToolResult::new(format!("{} toppings, note: {note:?}", toppings.len()))
    }
}

fn main() {
    let schema = (Pizzeria::tools()[0].schema)();
    let schema = schema.as_value();
    assert_eq!(schema["properties"]["toppings"]["type"], "array");
    assert_eq!(schema["properties"]["toppings"]["items"]["type"], "string");
    assert_eq!(schema["required"], json!(["toppings"]));
    let _ = Pizzeria.builder();
}
