use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    #[on_summary]
    fn log_summary(&self, summary: Option<Value>) {
        let _ = summary;
    }

    #[on_summary]
    fn store_summary(&self, summary: Option<Value>) {
        let _ = summary;
    }
}

fn main() {}
