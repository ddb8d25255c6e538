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
mod names;
mod types;

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
/// parameters): its type must be a struct with named fields declared with
/// `#[tool_args]`, since the model's arguments are always a JSON object. `#[sensitive]` marks a parameter as secret (see
/// [`macro@sensitive`] for the naming rules and `#[not_sensitive]`). One
/// method may be marked `#[on_summary]` to receive the post-prompt summary.
///
/// `#[tool(rate_limit = "5/min")]` limits calls per caller (the platform's
/// caller id, else the call id) and tool: `N/sec|s|second`, `N/min|m|minute`
/// or `N/hour|h`, checked at compile time. A builder `tool_rate_limit`
/// overrides it; without either the agent-wide default applies.
///
/// `#[tool(guard = path)]` names a check `fn(&Agent, &Call) -> Result<(),
/// Refusal>` (a free function, or a method written `guard = Self::check`).
/// It runs after the token and rate checks and before the arguments are
/// validated, so it sees only platform data: caller id, call id,
/// `global_data` — never an argument the model fills. `Err(Refusal::new(".."))`
/// answers `{"response": ".."}` without running the tool;
/// `Refusal::hangup("..")` also ends the call; `.reason("not_verified")` sets
/// the reason of the `guard_refusal` audit record.
///
/// ```ignore
/// fn verified(_: &Bank, call: &Call) -> Result<(), Refusal> {
///     match call.global_data().get_as::<bool>("pin_verified") {
///         Some(true) => Ok(()),
///         _ => Err(Refusal::new("Verify the caller's PIN first.").reason("not_verified")),
///     }
/// }
///
/// #[agent]
/// impl Bank {
///     /// Move money between the caller's accounts.
///     #[tool(secure, guard = verified, rate_limit = "5/min")]
///     async fn transfer(&self, args: Transfer) -> ToolResult { .. }
/// }
/// ```
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
/// both told to the model and enforced. A struct with named fields can also
/// be a tool's whole `args` parameter (it implements
/// `agent_runtime::tool::NamedFields`); an enum, tuple or unit struct is
/// only ever one argument among others.
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
    types::expand_tool_args(args.into(), input.into()).into()
}

/// Marks a secret.
///
/// * On a **struct**: the whole value is secret. Generates `Debug` printing
///   `Name([REDACTED])`, `Serialize` writing `"[REDACTED]"` (so the value
///   never reaches a log or record through serde), a `Drop` that wipes every
///   field whose type implements `Zeroize` (`String`, `Vec<u8>`, integers,
///   arrays; `Secret<T>` fields wipe themselves), and for a newtype
///   `struct Pin(String)` an `expose_secret()` accessor. No `Display` is
///   generated; do not derive `Debug` or `Serialize` yourself (an error says
///   so). Combine with `#[tool_args]` to take it as a tool argument; a tool
///   parameter of such a type is redacted in audit records by its name.
/// * On a **field** of a `#[tool_args]` struct: only that field is secret.
///   `#[tool_args]` then implements `Debug` showing it as `[REDACTED]` and
///   records its JSON key so audit records redact it.
/// * On a **tool parameter** inside an `#[agent]` impl: the parameter is
///   secret and redacted by name in every record; the tool must be
///   `#[tool(secure)]`.
///
/// Prefer the field or parameter type `Secret<T>` (`agent_runtime::Secret`):
/// it is read only through `.expose_secret()` and wiped on drop. A plain
/// `String` marked `#[sensitive]` is accepted and redacted by name.
///
/// Names that say "secret" (`pin`, `new_pin`, `password`, `passcode`, `ssn`,
/// `secret_*`, `*_token`, `api_key`, ...; judged by the last word, so
/// `pin_attempts` and `tokens_used` are fine) must carry `#[sensitive]`, or
/// `#[not_sensitive]` when they do not hold a secret. Names of payment card
/// data (`card_number`, `pan`, `cvv`, `cvc`, `security_code`, `expiry`, ...)
/// are refused outright: card data never passes through the model; use the
/// `pay` action (`ToolResult::new(..).pay(Pay::new(..))`).
///
/// ```ignore
/// use agent_runtime::prelude::*;
///
/// /// A one-time passcode.
/// #[tool_args]
/// #[sensitive]
/// struct Otp(String);
///
/// #[tool_args]
/// struct Login {
///     /// The user name.
///     user: String,
///     /// The password.
///     #[sensitive]
///     password: Secret<String>,
/// }
/// ```
#[proc_macro_attribute]
pub fn sensitive(args: TokenStream, input: TokenStream) -> TokenStream {
    types::expand_sensitive(args.into(), input.into()).into()
}
