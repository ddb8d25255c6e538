//! Every rule, applied to a built model: names, routes and rates (through
//! `agent_rules`, the grammars the runtime applies too), tool signatures,
//! duplicate tools, the shape of an `args` parameter, where `#[sensitive]`
//! and `#[not_sensitive]` may go, secret-looking names, summary handlers.
//!
//! Each error is recorded in the `Ctxt` on the narrowest span and worded like
//! rustc: what is wrong, then the fix.

use std::collections::HashMap;

use syn::ImplItemFn;

use agent_rules::names::NameKind;

use crate::ast::{
    AgentImpl, AgentStruct, ArgsEnum, ArgsStruct, Method, ParamKind, SensitiveStruct, Tool,
};
use crate::ctxt::Ctxt;

/// `#[agent(..)]` on a struct: not generic, a valid name and route.
pub(crate) fn check_agent_struct(cx: &mut Ctxt, model: &AgentStruct) {
    if !model.item.generics.params.is_empty() {
        cx.error_spanned_by(
            &model.item.generics,
            "an agent struct cannot be generic; remove the type parameters",
        );
    }
    if let Some(name) = &model.name
        && !agent_rules::agent::is_valid(&name.value)
    {
        cx.error_at(
            name.span,
            format!("agent `name` must be {}", agent_rules::agent::GRAMMAR),
        );
    }
    if let Some(route) = &model.route
        && let Err(e) = agent_rules::route::normalize(&route.value)
    {
        cx.error_at(route.span, format!("invalid `route`: {e}"));
    }
}

/// `#[agent]` on an impl block: the block itself, every method, and the
/// rules that span several tools.
pub(crate) fn check_agent_impl(cx: &mut Ctxt, model: &AgentImpl) {
    if let Some((path, _)) = &model.item.trait_ {
        cx.error_spanned_by(
            path,
            "`#[agent]` goes on the inherent `impl` block of the agent, not on a trait impl",
        );
    }
    if !model.item.generics.params.is_empty() {
        cx.error_spanned_by(
            &model.item.generics,
            "an `#[agent]` impl block cannot be generic",
        );
    }
    for tool in &model.tools {
        check_method_markers(cx, &tool.method);
        check_tool(cx, tool);
    }
    for method in &model.summaries {
        check_method_markers(cx, method);
        check_params(cx, method, false);
    }
    for method in &model.others {
        check_method_markers(cx, method);
        match (method.tool_markers.first(), method.on_summary) {
            (Some(tool), Some(_)) => cx.error_spanned_by(
                tool,
                "a method cannot be both `#[tool]` and `#[on_summary]`",
            ),
            _ => check_unmarked_params(cx, method),
        }
    }
    check_duplicate_tools(cx, &model.tools);
    check_args_parameter(cx, &model.tools);
    check_summary_handlers(cx, &model.summaries);
}

/// Markers on a method that are misplaced whatever its role.
fn check_method_markers(cx: &mut Ctxt, method: &Method) {
    if let Some(extra) = method.tool_markers.get(1) {
        cx.error_spanned_by(extra, "duplicate `#[tool]` attribute");
    }
    if let Some(attr) = method.sensitive {
        cx.error_spanned_by(
            attr,
            "`#[sensitive]` goes on a tool parameter, not on the method",
        );
    }
}

/// One tool on its own: signature, name, rate limit, description and
/// parameters.
fn check_tool(cx: &mut Ctxt, tool: &Tool) {
    check_signature(cx, tool.method.syn);
    if let Some(name) = &tool.attr.name
        && !agent_rules::function::is_valid(&name.value)
    {
        cx.error_at(
            name.span,
            format!(
                "tool `name` must match {} (SignalWire rejects other names)",
                agent_rules::function::GRAMMAR
            ),
        );
    }
    if agent_rules::function::is_reserved(&tool.name) {
        cx.error_at(
            tool.name_span,
            format!(
                "`{}` is a reserved function name (the runtime or the platform uses it); give the tool another `#[tool(name = \"...\")]`",
                tool.name
            ),
        );
    }
    if let Some(rate) = &tool.attr.rate_limit
        && let Err(e) = agent_rules::rate::parse(&rate.value)
    {
        cx.error_at(rate.span, format!("invalid `rate_limit`: {e}"));
    }
    if tool.description.is_empty() {
        cx.error_spanned_by(
            &tool.method.syn.sig.ident,
            "tool is missing a description; add a `///` doc comment saying what it does (the model reads it to decide when to call the tool)",
        );
    }
    check_params(cx, &tool.method, tool.is_secure());
}

/// A tool is a `&self` method that returns a tool result, and nothing the
/// generated call could not express (generic, const, unsafe, extern,
/// variadic).
fn check_signature(cx: &mut Ctxt, method: &ImplItemFn) {
    let sig = &method.sig;
    match sig.receiver() {
        Some(r) if !matches!(&r.kind, syn::ReceiverKind::Reference(_, _, None)) => {
            cx.error_spanned_by(r, "a tool takes `&self`; tools run concurrently and cannot take `self` by value or `&mut self`");
        }
        Some(_) => {}
        None => cx.error_spanned_by(
            &sig.ident,
            "a tool is a method taking `&self`; add `&self` as the first parameter",
        ),
    }
    if !sig.generics.params.is_empty() {
        cx.error_spanned_by(
            &sig.generics,
            "a tool cannot be generic; its argument types must be concrete to derive a schema",
        );
    }
    if let Some(c) = &sig.constness {
        cx.error_spanned_by(c, "a tool cannot be a `const fn`");
    }
    if let syn::Safety::Unsafe(u) = &sig.safety {
        cx.error_spanned_by(u, "a tool cannot be `unsafe`");
    }
    if let Some(abi) = &sig.abi {
        cx.error_spanned_by(abi, "a tool cannot declare an `extern` ABI");
    }
    if let Some(v) = &sig.variadic {
        cx.error_spanned_by(v, "a tool cannot be variadic");
    }
    if matches!(sig.output, syn::ReturnType::Default) {
        cx.error_spanned_by(
            &sig.ident,
            "a tool must return a tool result; add `-> ToolResult` (or `-> Result<ToolResult, E>`)",
        );
    }
}

/// The parameters of a tool (or summary handler): plain names, immutable
/// context, markers only where they mean something, secret-looking names
/// marked, secrets only on secure tools.
fn check_params(cx: &mut Ctxt, method: &Method, secure: bool) {
    for pattern in &method.patterns {
        cx.error_spanned_by(
            pattern,
            "tool parameters must be plain names (`amount: f64`), not patterns",
        );
    }
    for p in &method.params {
        if let ParamKind::Context(reference) = &p.kind {
            if let Some(m) = &reference.mutability {
                cx.error_spanned_by(
                    m,
                    "platform context is borrowed immutably; write `&T`, not `&mut T`",
                );
            }
            if let Some(attr) = p.sensitive.or(p.last_four) {
                cx.error_spanned_by(
                    attr,
                    "`#[sensitive]` marks an argument the model fills; platform context parameters cannot carry it",
                );
            }
        }
        check_sensitive_marker(cx, p.ident, p.sensitive, p.last_four, p.not_sensitive);
        let is_argument = matches!(p.kind, ParamKind::Argument);
        if is_argument && p.ident != "args" && p.last_four.is_none() {
            check_secret_name(cx, p.ident, "parameter", p.sensitive, p.not_sensitive);
        } else if let Some(attr) = p.not_sensitive {
            cx.error_spanned_by(
                attr,
                "`#[not_sensitive]` only applies to an argument the model fills",
            );
        }
        if let (Some(attr), true, false) = (p.sensitive, is_argument, secure) {
            cx.error_spanned_by(
                attr,
                "`#[sensitive]` parameter on a tool that is not secure; secrets may only reach tools with a per-call token: write `#[tool(secure)]`",
            );
        }
    }
}

/// A method without `#[tool]` must not carry parameter markers.
fn check_unmarked_params(cx: &mut Ctxt, method: &Method) {
    for marker in &method.param_markers {
        let path = marker.path();
        cx.error_spanned_by(
            marker,
            format!(
                "`#[{}]` has no meaning on a method that is not a `#[tool]`",
                quote::quote!(#path)
            ),
        );
    }
}

/// Two tools with one name would be one SWAIG function.
fn check_duplicate_tools(cx: &mut Ctxt, tools: &[Tool]) {
    let mut seen: HashMap<&str, &syn::Ident> = HashMap::new();
    for tool in tools {
        if let Some(first) = seen.insert(tool.name.as_str(), &tool.method.syn.sig.ident) {
            cx.error_at(
                tool.name_span,
                format!(
                    "duplicate tool name `{}` (also used by method `{first}`); give one of them another `#[tool(name = \"...\")]`",
                    tool.name
                ),
            );
        }
    }
}

/// A parameter named `args` is the whole argument object, so it must be the
/// only argument, and its secrets are marked on its fields.
fn check_args_parameter(cx: &mut Ctxt, tools: &[Tool]) {
    for tool in tools {
        let args = tool.method.arguments().find(|p| p.ident == "args");
        let Some(args) = args else { continue };
        if tool.method.arguments().nth(1).is_some() {
            cx.error_spanned_by(
                args.ident,
                "a parameter named `args` is the whole argument object and must be the only argument; rename it or move the other arguments into its struct",
            );
        }
        if args.sensitive.is_some() || args.last_four.is_some() {
            cx.error_spanned_by(
                args.ident,
                "`#[sensitive]` on `args` would hide every field; mark the secret fields of the struct instead",
            );
        }
    }
}

/// At most one `#[on_summary]` method, taking exactly one summary value.
fn check_summary_handlers(cx: &mut Ctxt, summaries: &[Method]) {
    if let Some(extra) = summaries.get(1) {
        cx.error_spanned_by(
            &extra.syn.sig.ident,
            "only one method can be `#[on_summary]`",
        );
    }
    for method in summaries {
        if method.arguments().count() != 1 {
            cx.error_spanned_by(
                &method.syn.sig.ident,
                "an `#[on_summary]` method takes `&self`, optional context such as `&Call`, and one `summary: Option<Value>` parameter",
            );
        }
    }
}

/// What a `#[sensitive]` marker with other arguments is told.
const SENSITIVE_FORMS: &str = "`#[sensitive]` takes no argument (the whole value is secret) or `last_four` (logged as its last four characters, `******7890`)";

/// The form of a `#[sensitive]` marker: none, or `last_four`; and
/// `last_four` only where the name does not look secret (part of a secret
/// is still a secret) and not together with `#[not_sensitive]`.
fn check_sensitive_marker(
    cx: &mut Ctxt,
    ident: &syn::Ident,
    sensitive: Option<&syn::Attribute>,
    last_four: Option<&syn::Attribute>,
    not_sensitive: Option<&syn::Attribute>,
) {
    if let Some(attr) = sensitive
        && crate::attr::sensitive_mode(attr) == crate::attr::SensitiveMode::Invalid
    {
        cx.error_spanned_by(attr, SENSITIVE_FORMS);
    }
    let Some(attr) = last_four else { return };
    if not_sensitive.is_some() {
        cx.error_spanned_by(
            attr,
            "`#[sensitive(last_four)]` and `#[not_sensitive]` contradict each other; keep one",
        );
    }
    let name = ident.to_string();
    if agent_rules::names::classify(&name).is_some() {
        cx.error_spanned_by(
            attr,
            format!(
                "`{name}` looks like a secret, and the last four characters of a secret are still part of it; write `#[sensitive]`"
            ),
        );
    }
}

/// The secret-name rule (`agent_rules::names`) on a parameter or field;
/// `what` is `parameter` or `field`. Card data is refused whatever the
/// markers say; a secret-looking name needs one of the two markers.
fn check_secret_name(
    cx: &mut Ctxt,
    ident: &syn::Ident,
    what: &str,
    sensitive: Option<&syn::Attribute>,
    not_sensitive: Option<&syn::Attribute>,
) {
    if let (Some(_), Some(not)) = (sensitive, not_sensitive) {
        cx.error_spanned_by(
            not,
            "`#[sensitive]` and `#[not_sensitive]` contradict each other; keep one",
        );
        return;
    }
    let name = ident.to_string();
    match agent_rules::names::classify(&name) {
        Some(NameKind::Card) => cx.error_spanned_by(
            ident,
            format!(
                "{what} `{name}` would carry payment card data; card data must never pass through the LLM: collect it with the `pay` action, `ToolResult::new(..).pay(Pay::new(..))`, which hands the caller to the payment connector (if this is not card data, give it a more specific name)"
            ),
        ),
        Some(NameKind::Secret) if sensitive.is_none() && not_sensitive.is_none() => cx
            .error_spanned_by(
                ident,
                format!(
                    "{what} `{name}` looks like it holds a secret; mark it `#[sensitive]` (and prefer the type `Secret<T>`, read with `.expose_secret()`), or add `#[not_sensitive]` if it does not hold one"
                ),
            ),
        _ => {}
    }
}

/// `#[tool_args]` on a struct: field names and markers, and no derive or
/// serde setting that would undo the redaction of `#[sensitive]` fields.
pub(crate) fn check_args_struct(cx: &mut Ctxt, model: &ArgsStruct) {
    for field in &model.fields {
        match &field.syn.ident {
            Some(ident) => {
                check_sensitive_marker(
                    cx,
                    ident,
                    field.sensitive,
                    field.last_four,
                    field.not_sensitive,
                );
                if field.last_four.is_none() {
                    check_secret_name(cx, ident, "field", field.sensitive, field.not_sensitive);
                }
            }
            None => {
                if let Some(attr) = field.sensitive
                    && crate::attr::sensitive_mode(attr) == crate::attr::SensitiveMode::Invalid
                {
                    cx.error_spanned_by(attr, SENSITIVE_FORMS);
                }
                if let Some(attr) = field.not_sensitive {
                    cx.error_spanned_by(
                        attr,
                        "`#[not_sensitive]` is only needed on a named field whose name looks secret",
                    );
                }
            }
        }
    }
    if !model.any_sensitive() {
        return;
    }
    if let Some(path) = &model.derives_debug {
        cx.error_spanned_by(
            path,
            "`#[derive(Debug)]` would print the `#[sensitive]` fields; `#[tool_args]` already implements `Debug` with them shown as `[REDACTED]`: remove `Debug` from the derive",
        );
    }
    if let Some(attr) = model.rename_all {
        cx.error_spanned_by(
            attr,
            "`#[serde(rename_all)]` together with `#[sensitive]` fields is not supported; rename fields one by one with `#[serde(rename = \"...\")]`",
        );
    }
}

/// `#[tool_args]` on an enum: no markers on variant fields.
pub(crate) fn check_args_enum(cx: &mut Ctxt, model: &ArgsEnum) {
    for attr in &model.field_markers {
        cx.error_spanned_by(
            attr,
            "markers on enum variant fields are not supported; make the secret field a `Secret<T>`",
        );
    }
}

/// `#[sensitive]` on a whole struct: a value to hide, no redundant field
/// markers, and no derive that would print or serialize the secret.
pub(crate) fn check_sensitive_struct(cx: &mut Ctxt, model: &SensitiveStruct) {
    if matches!(model.item.fields, syn::Fields::Unit) {
        cx.error_spanned_by(
            &model.item.ident,
            "a unit struct holds no value to keep secret",
        );
    }
    for attr in &model.field_markers {
        cx.error_spanned_by(
            attr,
            "the whole struct is already `#[sensitive]`; remove this marker (or remove the one on the struct and mark single fields of a `#[tool_args]` struct)",
        );
    }
    if let Some(path) = &model.derives_debug {
        cx.error_spanned_by(
            path,
            "`#[derive(Debug)]` would print the secret; `#[sensitive]` already implements `Debug` as `[REDACTED]`: remove `Debug` from the derive",
        );
    }
    if let Some(path) = &model.derives_serialize {
        cx.error_spanned_by(
            path,
            "`#[derive(Serialize)]` would write the secret to logs and records; `#[sensitive]` already implements `Serialize` as `\"[REDACTED]\"`: remove `Serialize` from the derive",
        );
    }
}
