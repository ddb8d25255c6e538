use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    #[on_summary]
    fn summary(&self, summary: Option<Value>) -> bool {
        summary.is_some()
    }
}

fn main() {}
