//! Procedural macros for `agent-runtime`. Use them through `agent_runtime`
//! (`use agent_runtime::prelude::*;`), which re-exports them; generated code
//! names the runtime by absolute path.
//!
//! # How the crate reads
//!
//! Each macro runs one pipeline, a module per stage, each stage importing
//! only the ones before it:
//!
//! 1. `attr` parses our attributes (`#[agent(..)]`, `#[tool(..)]`, the
//!    markers, doc comments) into values;
//! 2. `ast` builds a model of the item that keeps references to the user's
//!    syntax, so errors point at the token to change (`from_ast`);
//! 3. `check` applies every rule to the model (`check_*`), using the grammars
//!    of `agent_rules` that the runtime applies too;
//! 4. `expand` generates code, one file per kind of item (`expand_*`).
//!
//! Errors are collected in `ctxt` and reported together; on error the user's
//! item is emitted again without our helper attributes, so one mistake gives
//! one error.

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
/// function (see [`macro@tool`] for its settings); the doc comment is the
/// description the model sees, and `#[doc = include_str!("tool.md")]` works
/// too. Owned parameters are the arguments the model fills (their schema is
/// derived from their types); borrowed parameters (`&Call`, `&Caller`,
/// `&GlobalData`, ...) are platform context and never part of the schema. A
/// single owned parameter named `args` is the whole argument object (its
/// fields are the parameters): its type must be a struct with named fields
/// declared with `#[tool_args]`, since the model's arguments are always a
/// JSON object. `#[sensitive]` marks a parameter as secret (see
/// [`macro@sensitive`] for the naming rules and `#[not_sensitive]`). One
/// method may be marked `#[on_summary]` to receive the post-prompt summary.
///
/// ```
/// use agent_runtime::Agent;
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
///         let _ = call.caller().number();
///         ToolResult::new(format!("Account {account} holds 100 dollars."))
///     }
///
///     #[on_summary]
///     async fn summary(&self, call: &Call, summary: Option<Value>) {
///         let _ = (call.id(), summary);
///     }
/// }
///
/// fn main() {
///     let tools = Bank::tools();
///     assert_eq!(tools[0].name, "get_balance");
///     assert_eq!(
///         tools[0].description,
///         "Look up the balance of one of the caller's accounts."
///     );
///     assert!(Bank::summary_handler().is_some());
/// }
/// ```
///
/// To serve it, build and run it (this starts an HTTP server):
///
/// ```no_run
/// use agent_runtime::prelude::*;
///
/// /// Voice banking assistant.
/// #[agent(name = "secure-bank", route = "/bank")]
/// struct Bank;
///
/// #[agent]
/// impl Bank {
///     /// Say which accounts the caller has.
///     #[tool]
///     fn list_accounts(&self) -> ToolResult {
///         ToolResult::new("A checking and a savings account.")
///     }
/// }
///
/// fn main() -> std::io::Result<()> {
///     Bank.builder()
///         .section(Section::new("Role").body("You are a careful banking assistant."))
///         .run()
/// }
/// ```
#[proc_macro_attribute]
pub fn agent(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::expand_agent(args.into(), input.into()).into()
}

/// Marks a tool method inside an `#[agent]` impl block, which reads and
/// removes it; on its own it is an error.
///
/// - `#[tool(secure)]` requires a per-call token.
/// - `#[tool(name = "...")]` renames the SWAIG function (SignalWire accepts
///   `^[A-Za-z_][A-Za-z0-9_]*$`, at most 64 characters); `description =
///   "..."` replaces the doc comment.
/// - `#[tool(rate_limit = "5/min")]` limits calls per caller (the platform's
///   caller id, else the call id) and tool: `N/sec|s|second`,
///   `N/min|m|minute` or `N/hour|h`, checked at compile time. A builder
///   `tool_rate_limit` overrides it; without either the agent-wide default
///   applies.
/// - `#[tool(guard = path)]` names a check `fn(&Agent, &Call) -> Result<(),
///   Refusal>` (a free function, or a method written `guard = Self::check`).
///   It runs after the token and rate checks and before the arguments are
///   validated, so it sees only platform data: caller id, call id,
///   `global_data` — never an argument the model fills.
///   `Err(Refusal::new(".."))` answers `{"response": ".."}` without running
///   the tool; `Refusal::hangup("..")` also ends the call; `.with_reason("..")`
///   sets the reason of the `guard_refusal` audit record.
/// - `#[tool(check = path)]` names a check that sees the arguments: `fn(&Agent,
///   &Call, &Arg1, &Arg2, ..) -> Result<(), Refusal>`, one reference per
///   argument the model fills, in the method's order (for a whole `args`
///   struct, `&Args`). It runs after the guard and after the arguments passed
///   the schema's rules and were decoded, right before the method; the call's
///   facts (`call.facts().loaded(..)`) are loaded for it. A refusal answers as
///   a guard's does and is audited as `check_refusal` with its reason ("a
///   transfer over 1,000 dollars needs a verified PIN"). A tool without
///   arguments cannot declare one (use `guard`). A check that panics is
///   handled like a panicking handler: the tool does not run and the caller
///   hears the generic apology.
/// - `#[tool(unrecorded)]`: the call recording is paused while the caller
///   gives this tool's input (a PIN, a date of birth, account details). The
///   caller speaks the input before the tool runs, so when the agent records
///   calls (`AgentBuilder::record_call`) the runtime registers a companion
///   function `prepare_<tool>` beside the tool: the tool's description tells
///   the AI to call it right before asking for the input, and its result
///   stops the recording. Every answer of the tool itself (its result, a
///   refusal, a validation failure, an apology for an error, a panic or a
///   timeout) starts the recording again under the same control id, after
///   the tool's own actions. The companion carries the tool's `secure`
///   flag, so it has its own token. On an agent that does not record,
///   nothing is added. The tool's name can have at most 56 characters, so
///   that its companion's fits the 64 of the grammar, and it must take
///   arguments.
/// - `#[tool(recorded)]`: recording this tool's input is acceptable.
///   On an agent that records calls, a tool that takes a secret (a
///   `#[sensitive]` parameter or field, a `Secret<T>`, a `#[sensitive]`
///   type) must say one or the other, or the agent does not build
///   (`BuildError::RecordingNotDeclared`); the two together do not compile.
///
/// ```
/// use agent_runtime::Agent;
/// use agent_runtime::prelude::*;
///
/// /// Voice banking assistant.
/// #[agent]
/// struct Bank;
///
/// /// A transfer between two of the caller's accounts.
/// #[tool_args]
/// struct Transfer {
///     /// Account to take the money from.
///     from_account: String,
///     /// Account to put it in.
///     to_account: String,
///     /// Amount in dollars.
///     amount: f64,
/// }
///
/// // Verification is a server-side fact of the call (set by the tool that
/// // checked the PIN with `call.facts().set(..)`), never `global_data`, which
/// // the platform echoes back and a request can carry forged.
/// fn verified(_: &Bank, call: &Call) -> Result<(), Refusal> {
///     match call.facts().loaded::<bool>("pin_verified") {
///         Some(true) => Ok(()),
///         _ => Err(Refusal::new("Verify the caller's PIN first.").with_reason("not_verified")),
///     }
/// }
///
/// #[agent]
/// impl Bank {
///     /// Move money between the caller's accounts.
///     #[tool(secure, name = "transfer_funds", guard = verified, rate_limit = "5/min")]
///     async fn transfer(&self, args: Transfer) -> ToolResult {
///         ToolResult::new(format!(
///             "Moved {:.2} dollars from {} to {}.",
///             args.amount, args.from_account, args.to_account
///         ))
///     }
/// }
///
/// fn main() {
///     let tools = Bank::tools();
///     let transfer = &tools[0];
///     assert_eq!(transfer.name, "transfer_funds");
///     assert!(transfer.secure);
///     assert_eq!(transfer.rate_limit, Some("5/min"));
///
///     let guard = transfer.guard.expect("declared with `guard = verified`");
///     let refusal = guard(&Bank, &Call::for_test("call-1", "+15551234567")).unwrap_err();
///     assert_eq!(refusal.reason(), "not_verified");
/// }
/// ```
///
/// Pausing the recording around a PIN:
///
/// ```
/// use agent_runtime::{Agent, RecordingPolicy};
/// use agent_runtime::prelude::*;
///
/// /// Telephone PIN desk.
/// #[agent]
/// struct Desk;
///
/// #[agent]
/// impl Desk {
///     /// Check the PIN the caller just said.
///     #[tool(secure, unrecorded)]
///     async fn verify_pin(&self, #[sensitive] pin: Secret<String>) -> ToolResult {
///         let _ = pin.expose_secret();
///         ToolResult::new("The PIN is correct.")
///     }
///
///     /// Note the branch the caller names (a secret of the bank's choosing,
///     /// but one the bank may record).
///     #[tool(secure, recorded)]
///     async fn note_branch(&self, #[sensitive] branch: Secret<String>) -> ToolResult {
///         let _ = branch.expose_secret();
///         ToolResult::new("Noted.")
///     }
/// }
///
/// fn main() {
///     let tools = Desk::tools();
///     assert_eq!(
///         tools[0].recording,
///         RecordingPolicy::Unrecorded { companion: "prepare_verify_pin" }
///     );
///     assert_eq!(tools[1].recording, RecordingPolicy::Recorded);
/// }
/// ```
///
/// The agent then records with `.record_call(Recording::default())` on its
/// builder; without `unrecorded` or `recorded` on `verify_pin`, that build
/// fails and names the tool.
#[proc_macro_attribute]
pub fn tool(_args: TokenStream, input: TokenStream) -> TokenStream {
    expand::expand_tool_outside_agent(input.into()).into()
}

/// Makes a struct or enum usable as tool arguments: derives `Deserialize` and
/// `JsonSchema` through the runtime (no direct serde/schemars dependency
/// needed) and rejects unknown fields. Doc comments on fields become the
/// parameter descriptions; `#[schemars(range(..), length(..), regex(..))]`
/// and `#[schemars(extend("exclusiveMinimum" = 0))]` declare rules that are
/// both told to the model and enforced. A struct with named fields can also
/// be a tool's whole `args` parameter (it implements
/// `agent_runtime::tool::NamedFields`); an enum, tuple or unit struct is
/// only ever one argument among others. A field marked `#[sensitive]` is
/// shown as `[REDACTED]` by the generated `Debug` and marked secret in the
/// schema, so audit records redact it wherever the struct is used (see
/// [`macro@sensitive`]).
///
/// ```
/// use agent_runtime::Agent;
/// use agent_runtime::prelude::*;
///
/// /// A transfer.
/// #[tool_args]
/// struct Transfer {
///     /// Amount in dollars.
///     #[schemars(range(max = 10000), extend("exclusiveMinimum" = 0))]
///     amount: f64,
///     /// How fast the money should arrive.
///     speed: Speed,
/// }
///
/// /// A delivery speed.
/// #[tool_args]
/// enum Speed {
///     Standard,
///     Instant,
/// }
///
/// /// Voice banking assistant.
/// #[agent]
/// struct Bank;
///
/// #[agent]
/// impl Bank {
///     /// Move money.
///     #[tool(secure)]
///     async fn transfer(&self, args: Transfer) -> ToolResult {
///         let speed = match args.speed {
///             Speed::Standard => "today",
///             Speed::Instant => "now",
///         };
///         ToolResult::new(format!("{:.2} dollars arrive {speed}.", args.amount))
///     }
/// }
///
/// fn main() {
///     let schema = (Bank::tools()[0].schema)();
///     let amount = &schema.as_value()["properties"]["amount"];
///     assert_eq!(amount["description"], "Amount in dollars.");
///     assert_eq!(amount["maximum"], 10000.0);
///     assert_eq!(amount["exclusiveMinimum"], 0);
/// }
/// ```
#[proc_macro_attribute]
pub fn tool_args(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::expand_tool_args(args.into(), input.into()).into()
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
///   so). Combine with `#[tool_args]` to take it as a tool argument (or put
///   it above your own `#[derive(JsonSchema)]`): its schema then carries the
///   runtime's sensitivity marker, so audit records redact the value
///   wherever the type appears in a tool's arguments, also inside an
///   `Option`, a `Vec`, a map or a nested struct.
/// * On a **field** of a `#[tool_args]` struct: only that field is secret.
///   `#[tool_args]` then implements `Debug` showing it as `[REDACTED]` and
///   marks the field's schema, so audit records redact it wherever the
///   struct is used.
/// * On a **tool parameter** inside an `#[agent]` impl: the parameter is
///   secret, its schema is marked, and it is redacted in every record; the
///   tool must be `#[tool(secure)]`.
///
/// Prefer the field or parameter type `Secret<T>` (`agent_runtime::Secret`):
/// it is read only through `.expose_secret()`, wiped on drop, and its schema
/// is marked without any attribute. A plain `String` marked `#[sensitive]` is
/// accepted and redacted too.
///
/// Names that say "secret" must carry `#[sensitive]`, or `#[not_sensitive]`
/// when they do not hold a secret: `pin`, `new_pin`, `password`,
/// `passcode`, `ssn`, `otp_code`, `access_token`, `api_key`,
/// `verification_code`, `date_of_birth`, `dob`, `memorable_word`,
/// `security_answer`, ... A name *about* a secret is fine: `pin_attempts`,
/// `token_count`, `password_hint`, `has_pin`. Names of payment card data
/// (`card_number`, `pan`, `cvv`, `cvc`, `security_code`, `expiry`, ...) are
/// refused outright: card data never passes through the model; use the
/// `pay` action (`ToolResult::new(..).pay(Pay::new(..))`). The rule is the
/// one the runtime uses to redact records, so a name that compiles unmarked
/// is also logged in clear.
///
/// ```
/// use agent_runtime::Agent;
/// use agent_runtime::prelude::*;
///
/// /// A one-time passcode.
/// #[tool_args]
/// #[sensitive]
/// struct Otp(String);
///
/// /// Log-in details.
/// #[tool_args]
/// struct Login {
///     /// The user name.
///     user: String,
///     /// The password.
///     #[sensitive]
///     password: Secret<String>,
///     /// How many times the caller has tried (about a secret, not one).
///     password_attempts: u32,
/// }
///
/// /// Signs callers in.
/// #[agent]
/// struct Door;
///
/// #[agent]
/// impl Door {
///     /// Sign in.
///     #[tool(secure)]
///     async fn sign_in(&self, args: Login) -> ToolResult {
///         let _ = (args.password.expose_secret(), args.password_attempts);
///         ToolResult::new(format!("Welcome {}.", args.user))
///     }
///
///     /// Confirm the sign-in with the code sent by text message.
///     #[tool(secure)]
///     async fn confirm(&self, #[sensitive] otp_code: Otp) -> ToolResult {
///         let _ = otp_code.expose_secret();
///         ToolResult::new("Confirmed.")
///     }
/// }
///
/// fn main() {
///     assert_eq!(format!("{:?}", Otp("123456".into())), "Otp([REDACTED])");
///     let tools = Door::tools();
///     assert_eq!(tools[0].sensitive, ["password"]);
///     assert_eq!(tools[1].sensitive, ["otp_code"]);
/// }
/// ```
#[proc_macro_attribute]
pub fn sensitive(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::expand_sensitive(args.into(), input.into()).into()
}
