// `#[not_sensitive]` opts a secret-looking name out of the policy; names
// whose last word is not a secret (`pin_attempts`, `tokens_used`) need
// nothing.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// Usage statistics.
#[tool_args]
struct Usage {
    /// The model's token count for the turn.
    tokens_used: u32,
    /// The name of the tokenizer's end token (not a secret).
    #[not_sensitive]
    end_token: String,
}

/// Reports usage.
#[agent]
struct Stats;

#[agent]
impl Stats {
    /// Record usage.
    #[tool]
    fn record(&self, args: Usage) -> String {
        format!("{} {}", args.tokens_used, args.end_token)
    }

    /// Show how many PIN attempts a caller has left; a pin of a map is not a
    /// secret.
    #[tool]
    fn attempts(&self, pin_attempts: u32, #[not_sensitive] map_pin: String, spin: bool) -> String {
        format!("{pin_attempts} {map_pin} {spin}")
    }
}

fn main() {
    assert!(Stats::tools().iter().all(|t| t.sensitive.is_empty()));
    let _ = Stats.builder();
}
