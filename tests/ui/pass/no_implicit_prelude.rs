// Generated code must not rely on the standard prelude.
#![no_implicit_prelude]

use ::agent_runtime::Agent;
use ::agent_runtime::prelude::*;

/// A caller's choice.
#[tool_args]
enum Choice {
    Yes,
    No,
}

/// Arguments given whole.
#[tool_args]
struct Question {
    text: ::std::string::String,
    choice: ::std::option::Option<Choice>,
}

/// Works without the prelude.
#[agent(name = "bare", route = "/bare")]
struct Bare;

#[agent]
impl Bare {
    /// Answer yes or no.
    #[tool(secure)]
    async fn answer(
        &self,
        call: &Call,
        choice: Choice,
        #[sensitive] pin: ::std::vec::Vec<u8>,
    ) -> ::std::result::Result<ToolResult, ::std::string::String> {
        let _ = (call, choice, pin);
        ::std::result::Result::Ok(ToolResult::new("ok"))
    }

    /// Ask a question.
    #[tool]
    fn ask(&self, args: Question) -> &'static str {
        let _ = (args.text, args.choice);
        "asked"
    }

    #[on_summary]
    fn summary(&self, summary: ::std::option::Option<Value>) {
        let _ = summary;
    }
}

fn main() {
    ::std::assert_eq!(<Bare as Agent>::tools().len(), 2);
    let _ = Bare.builder();
}
