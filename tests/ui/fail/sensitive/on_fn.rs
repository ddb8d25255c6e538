use agent_runtime::prelude::*;

#[sensitive]
fn pin() -> String {
    String::new()
}

fn main() {}
