use agent_runtime::prelude::*;

/// A PIN.
#[sensitive]
#[derive(Debug, Clone)]
struct Pin(String);

fn main() {}
