// One method may receive the post-prompt summary.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// Takes notes.
#[agent]
struct Notes;

#[agent]
impl Notes {
    /// Say hello.
    #[tool]
    fn hello(&self) -> ToolResult {
        ToolResult::new("Hello.")
    }

    #[on_summary]
    async fn summary(&self, call: &Call, summary: Option<Value>) {
        let _ = (call.id(), summary);
    }
}

fn main() {
    assert!(Notes::summary_handler().is_some());
    assert_eq!(Notes::tools().len(), 1);
    let _ = Notes.builder();
}
