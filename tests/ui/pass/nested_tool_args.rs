// A `#[tool_args]` struct may contain another one.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// A postal address.
#[tool_args]
struct Address {
    /// Street and number.
    street: String,
    city: String,
}

/// A delivery.
#[tool_args]
struct Delivery {
    to: Address,
    /// Parcel weight in kilograms.
    weight: f64,
}

/// Ships parcels.
#[agent]
struct Courier;

#[agent]
impl Courier {
    /// Ship a parcel.
    #[tool]
    async fn ship(&self, delivery: Delivery) -> ToolResult {
        ToolResult::new(format!(
            "{} kg to {}, {}",
            delivery.weight, delivery.to.street, delivery.to.city
        ))
    }
}

fn main() {
    let schema = (Courier::tools()[0].schema)();
    let text = schema.as_value().to_string();
    assert!(text.contains("Street and number."), "{text}");
    let _ = Courier.builder();
}
