// A local module named like the runtime does not capture generated paths.
mod agent_runtime {}

use ::agent_runtime::Agent;
use ::agent_runtime::prelude::*;

/// An argument struct.
#[tool_args]
struct Order {
    item: String,
}

/// Shadows the crate name.
#[agent]
struct Shop;

#[agent]
impl Shop {
    /// Place an order.
    #[tool]
    async fn order(&self, call: &Call, args: Order) -> ToolResult {
        let _ = call;
        ToolResult::new(args.item)
    }

    /// Check stock.
    #[tool]
    fn stock(&self, item: String) -> String {
        item
    }

    #[on_summary]
    fn summary(&self, summary: Option<Value>) {
        let _ = summary;
    }
}

fn main() {
    assert_eq!(Shop::tools().len(), 2);
    let _ = Shop.builder();
}
