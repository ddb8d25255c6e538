use agent_runtime::prelude::*;

/// How the caller proves who they are.
#[tool_args]
enum Proof {
    Pin {
        #[sensitive]
        pin: String,
    },
    Birthday {
        date: String,
    },
}

fn main() {}
