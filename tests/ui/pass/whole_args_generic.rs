// A generic `#[tool_args]` struct with named fields can be the whole `args`.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// One page of a listing.
#[tool_args]
struct Page<T> {
    /// Items per page.
    size: T,
    /// Page number, from 1.
    #[serde(default)]
    number: u32,
}

/// Lists orders.
#[agent]
struct Orders;

#[agent]
impl Orders {
    /// List the caller's orders.
    #[tool]
    fn list(&self, args: Page<u8>) -> String {
        format!("{} orders from page {}", args.size, args.number)
    }
}

fn main() {
    let schema = (Orders::tools()[0].schema)();
    let value = schema.as_value();
    assert_eq!(value["type"], "object");
    assert_eq!(
        value["properties"]["size"]["description"],
        "Items per page."
    );
    let _ = Orders.builder();
}
