// Borrowed parameters are platform context: they never appear in the schema.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// Greets callers.
#[agent]
struct Greeter;

#[agent]
impl Greeter {
    /// Greet the caller.
    #[tool]
    async fn greet(
        &self,
        call: &Call,
        caller: &Caller,
        global: &GlobalData,
        greeting: String,
    ) -> ToolResult {
        let _ = (call.id(), global.get("tier"));
        ToolResult::new(format!("{greeting}, {}", caller.name().unwrap_or("friend")))
    }

    /// Everything else the platform sends.
    #[tool]
    fn raw(&self, id: &CallId, meta: &MetaData, body: &RawBody) -> ToolResult {
        let _ = (id.get(), meta.as_map(), body.as_bytes());
        ToolResult::new("ok")
    }
}

fn main() {
    let schema = (Greeter::tools()[0].schema)();
    let props = schema.as_value()["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert_eq!(props.keys().collect::<Vec<_>>(), ["greeting"]);
    let schema = (Greeter::tools()[1].schema)();
    assert!(
        schema
            .as_value()
            .get("properties")
            .is_none_or(|p| p == &json!({}))
    );
    let _ = Greeter.builder();
}
