use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    #[on_summary]
    fn summary(&self, summary: String) {
        let _ = summary;
    }
}

fn main() {}
