// `#[doc = include_str!("..")]` is a tool description: the included text
// reaches the description the runtime reports and the SWML the platform gets,
// in order with the doc comment lines around it.
use agent_runtime::Agent;
use agent_runtime::harness::TestAgent;
use agent_runtime::prelude::*;

const INCLUDED: &str = include_str!("doc_include_str_description.md");

/// Branch information.
#[agent]
struct Branches;

#[agent]
impl Branches {
    /// Opening hours.
    #[doc = include_str!("doc_include_str_description.md")]
    /// Hours are local time.
    #[tool]
    fn opening_hours(&self, branch: String) -> ToolResult {
        ToolResult::new(format!("{branch} opens at 9."))
    }

    #[doc = include_str!("doc_include_str_description.md")]
    #[tool]
    fn holidays(&self) -> ToolResult {
        ToolResult::new("Closed on public holidays.")
    }
}

fn main() {
    let tools = Branches::tools();
    // Comment lines around the included text keep their order; the included
    // text is set off from them by a line break.
    assert_eq!(
        tools[0].description,
        format!("Opening hours.\n{INCLUDED}\nHours are local time.")
    );
    // Included text alone is the whole description.
    assert_eq!(tools[1].description, INCLUDED);

    actix_web::rt::System::new().block_on(async {
        let builder = Branches
            .builder()
            .section(Section::new("Role").body("Answer questions about branches."));
        let agent = TestAgent::start(builder).await.unwrap();
        let doc = agent.swml(None).await.json().unwrap();
        let functions = doc["sections"]["main"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|verb| verb.get("ai"))
            .unwrap()["SWAIG"]["functions"]
            .as_array()
            .unwrap()
            .clone();
        let hours = functions
            .iter()
            .find(|f| f["function"] == "opening_hours")
            .unwrap();
        let description = hours["description"].as_str().unwrap();
        assert!(description.contains(INCLUDED), "{description}");
        assert!(description.starts_with("Opening hours."), "{description}");
    });
}
