// The agent struct and its `#[agent]` impl may live in different modules.
mod model {
    use agent_runtime::prelude::*;

    /// Sells tickets.
    #[agent(name = "box-office", route = "/tickets")]
    pub struct BoxOffice;
}

mod tools {
    use agent_runtime::prelude::*;

    use crate::model::BoxOffice;

    /// Seat category.
    #[tool_args]
    pub enum Category {
        Stalls,
        Balcony,
    }

    #[agent]
    impl BoxOffice {
        /// Buy a ticket.
        #[tool]
        async fn buy(&self, category: Category, count: u8) -> ToolResult {
            let _ = category;
            ToolResult::new(format!("{count} tickets."))
        }
    }
}

use agent_runtime::Agent;
use agent_runtime::prelude::*;
use agent_runtime::AgentIdentity;

fn main() {
    assert_eq!(model::BoxOffice::NAME, "box-office");
    assert_eq!(model::BoxOffice::ROUTE, "/tickets");
    assert_eq!(model::BoxOffice::tools()[0].name, "buy");
    let _ = model::BoxOffice.builder();
}
