use agent_runtime::prelude::*;

/// A credential.
#[sensitive]
enum Credential {
    Pin(String),
    Password(String),
}

fn main() {}
