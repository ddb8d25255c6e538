use agent_runtime::prelude::*;

/// Note taker.
#[agent]
struct Notes;

#[agent]
impl Notes {
    /// Save notes.
    #[tool]
    fn save(&self, args: Vec<String>) -> String {
        args.join(", ")
    }
}

fn main() {}
