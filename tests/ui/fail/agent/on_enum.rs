use agent_runtime::prelude::*;

#[agent]
enum Bank {
    Open,
}

fn main() {}
