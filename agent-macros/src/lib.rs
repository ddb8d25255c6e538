//! Procedural macros for `agent-runtime`. Use them through `agent_runtime`
//! (`use agent_runtime::prelude::*;`), which re-exports them; generated code
//! names the runtime by absolute path.
//!
//! Pipeline: attributes are parsed (`attr`), a model keeping the user's
//! syntax for spans is built (`ast`), rules spanning several items are checked
//! (`check`), and code is generated (`expand`). Errors are collected (`ctxt`)
//! and reported together; on error the user's item is emitted again (without
//! our helper attributes) so one mistake gives one error.

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;

use proc_macro::TokenStream;

/// Declares an agent.
///
/// On the struct: `#[agent]` or `#[agent(name = "secure-bank", route = "/bank")]`
/// (name defaults to the struct name in kebab case, route to `/`).
///
/// On its `impl` block: every method marked `#[tool]` becomes a SWAIG
/// function. `#[tool(secure)]` requires a per-call token; `#[tool(name =
/// "...")]` renames it; the doc comment is the description the model sees.
/// Owned parameters are the arguments the model fills (their schema is derived
/// from their types); borrowed parameters (`&Call`, `&Caller`, `&GlobalData`,
/// ...) are platform context and never part of the schema. A single owned
/// parameter named `args` is the whole argument object (its fields are the
/// parameters). `#[sensitive]` marks a parameter as secret. One method may be
/// marked `#[on_summary]` to receive the post-prompt summary.
///
/// ```ignore
/// use agent_runtime::prelude::*;
///
/// /// Voice banking assistant.
/// #[agent(name = "secure-bank")]
/// struct Bank;
///
/// #[agent]
/// impl Bank {
///     /// Look up the balance of one of the caller's accounts.
///     #[tool]
///     async fn get_balance(&self, call: &Call, account: String) -> ToolResult {
///         ToolResult::new("100 dollars")
///     }
/// }
/// ```
#[proc_macro_attribute]
pub fn agent(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::expand_agent(args.into(), input.into()).into()
}

/// Marks a tool method. Only meaningful inside an `#[agent]` impl block, which
/// reads and removes it; on its own it is an error.
#[proc_macro_attribute]
pub fn tool(_args: TokenStream, input: TokenStream) -> TokenStream {
    let input: proc_macro2::TokenStream = input.into();
    let err = syn::Error::new(
        proc_macro2::Span::call_site(),
        "`#[tool]` belongs on a method inside an `#[agent]` impl block; add `#[agent]` to the impl",
    )
    .to_compile_error();
    quote::quote!(#err #input).into()
}

/// Makes a struct or enum usable as tool arguments: derives `Deserialize` and
/// `JsonSchema` through the runtime (no direct serde/schemars dependency
/// needed) and rejects unknown fields. Doc comments on fields become the
/// parameter descriptions; `#[schemars(range(..), length(..), regex(..))]`
/// and `#[schemars(extend("exclusiveMinimum" = 0))]` declare rules that are
/// both told to the model and enforced.
///
/// ```ignore
/// use agent_runtime::prelude::*;
///
/// #[tool_args]
/// struct Transfer {
///     /// Amount in dollars.
///     #[schemars(range(max = 10000), extend("exclusiveMinimum" = 0))]
///     amount: f64,
/// }
/// ```
#[proc_macro_attribute]
pub fn tool_args(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::expand_tool_args(args.into(), input.into()).into()
}
