// Tools may be plain or `async` methods, and may return any tool result.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// Tells the time.
#[agent]
struct Clock;

#[agent]
impl Clock {
    /// The current time, computed without waiting.
    #[tool]
    fn now(&self) -> ToolResult {
        ToolResult::new("It is noon.")
    }

    /// The current time, computed asynchronously.
    #[tool]
    async fn now_async(&self) -> String {
        "It is noon.".to_owned()
    }

    /// A fixed answer.
    #[tool]
    fn timezone(&self) -> &'static str {
        "UTC"
    }

    /// An answer that may fail.
    #[tool]
    async fn alarm(&self) -> Result<ToolResult, std::fmt::Error> {
        Ok(ToolResult::new("No alarm is set."))
    }
}

fn main() {
    let names: Vec<&str> = Clock::tools().iter().map(|t| t.name).collect();
    assert_eq!(names, ["now", "now_async", "timezone", "alarm"]);
    assert_eq!(
        Clock::tools()[0].description,
        "The current time, computed without waiting."
    );
    let _ = Clock.builder();
}
