use agent_runtime::prelude::*;

/// Size of a coffee.
#[tool_args]
#[serde(rename_all = "lowercase")]
enum Size {
    Small,
    Large,
}

/// A pastry order, declared correctly.
#[tool_args]
struct Pastry {
    /// Name of the pastry.
    name: String,
}

/// Serves coffee.
#[agent]
struct Cafe;

#[agent]
impl Cafe {
    /// Order a coffee.
    #[tool]
    fn order(&self, args: Size) -> String {
        let _ = args;
        "One coffee.".to_owned()
    }

    /// Order a pastry.
    #[tool]
    fn pastry(&self, args: Pastry) -> String {
        args.name
    }
}

fn main() {}
