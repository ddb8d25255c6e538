use agent_runtime::prelude::*;

/// Takes payments.
#[agent]
struct Shop;

#[agent]
impl Shop {
    /// Pay for the order.
    #[tool(secure)]
    async fn pay_order(&self, #[sensitive] card_number: Secret<String>) -> ToolResult {
        let _ = card_number;
        ToolResult::new("ok")
    }
}

fn main() {}
