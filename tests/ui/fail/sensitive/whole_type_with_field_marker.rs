use agent_runtime::prelude::*;

/// Credentials.
#[sensitive]
struct Credentials {
    user: String,
    #[sensitive]
    password: String,
}

fn main() {}
