// A `#[tool_args]` enum is an argument with a fixed set of values.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// Size of a coffee.
#[tool_args]
#[derive(Debug)]
#[serde(rename_all = "lowercase")]
enum Size {
    Small,
    Large,
}

/// Serves coffee.
#[agent]
struct Cafe;

#[agent]
impl Cafe {
    /// Order a coffee.
    #[tool]
    fn order(&self, size: Size) -> String {
        format!("One {size:?} coffee.")
    }
}

fn main() {
    let schema = (Cafe::tools()[0].schema)();
    let text = schema.as_value().to_string();
    assert!(
        text.contains(r#""small""#) && text.contains(r#""large""#),
        "{text}"
    );
    let _ = Cafe.builder();
}
