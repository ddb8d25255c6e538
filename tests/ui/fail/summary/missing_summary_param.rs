use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    #[on_summary]
    fn summary(&self, call: &Call) {
        let _ = call;
    }
}

fn main() {}
