//! The model of an agent: the struct and the impl block, with references to
//! the user's syntax so every error can point at the token to change.

use proc_macro2::Span;
use syn::{Attribute, FnArg, ImplItem, ImplItemFn, ItemImpl, ItemStruct, Pat, Type};

use crate::attr::{self, AgentAttr, doc_text, is_marker};
use crate::ctxt::Ctxt;

pub(crate) struct AgentStruct<'a> {
    pub item: &'a ItemStruct,
    pub name: String,
    pub route: String,
}

pub(crate) struct AgentImpl<'a> {
    pub tools: Vec<Tool<'a>>,
    pub summaries: Vec<Summary<'a>>,
}

pub(crate) struct Tool<'a> {
    pub method: &'a ImplItemFn,
    pub name: String,
    pub name_span: Span,
    pub description: String,
    pub secure: bool,
    pub rate_limit: Option<String>,
    pub guard: Option<syn::Path>,
    pub params: Vec<Param<'a>>,
}

pub(crate) struct Summary<'a> {
    pub method: &'a ImplItemFn,
    pub params: Vec<Param<'a>>,
}

pub(crate) enum ParamKind<'a> {
    /// `&T`: platform context borrowed from the call.
    Context(&'a Type),
    /// Owned: filled by the model.
    Argument,
}

pub(crate) struct Param<'a> {
    pub ident: syn::Ident,
    pub ty: &'a Type,
    pub kind: ParamKind<'a>,
    /// The `#[sensitive]` attribute, if present.
    pub sensitive: Option<&'a Attribute>,
    /// The key of the argument in the JSON object (`#[serde(rename)]` or the
    /// parameter name).
    pub key: String,
    pub doc: String,
    /// `#[schemars(..)]` / `#[serde(..)]` forwarded to the generated field.
    pub forwarded: Vec<&'a Attribute>,
}

pub(crate) fn kebab_case(ident: &str) -> String {
    let mut out = String::new();
    for (i, c) in ident.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.extend(c.to_lowercase());
        } else if c == '_' {
            out.push('-');
        } else {
            out.push(c);
        }
    }
    out
}

pub(crate) fn struct_from_ast<'a>(
    cx: &mut Ctxt,
    item: &'a ItemStruct,
    attr: AgentAttr,
) -> AgentStruct<'a> {
    if !item.generics.params.is_empty() {
        cx.error_spanned_by(
            &item.generics,
            "an agent struct cannot be generic; remove the type parameters",
        );
    }
    let name = match attr.name {
        Some(n) => {
            let ok = !n.value.is_empty()
                && n.value.len() <= 64
                && n.value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !ok {
                cx.syn_error(syn::Error::new(
                    n.span,
                    "agent `name` must be 1 to 64 letters, digits, `-` or `_`",
                ));
            }
            n.value
        }
        None => kebab_case(&item.ident.to_string()),
    };
    let route = match attr.route {
        Some(r) => {
            if let Err(msg) = crate::check::check_route(&r.value) {
                cx.syn_error(syn::Error::new(r.span, msg));
            }
            r.value
        }
        None => "/".to_owned(),
    };
    AgentStruct { item, name, route }
}

pub(crate) fn impl_from_ast<'a>(cx: &mut Ctxt, item: &'a ItemImpl) -> AgentImpl<'a> {
    if let Some((path, _)) = &item.trait_ {
        cx.error_spanned_by(
            path,
            "`#[agent]` goes on the inherent `impl` block of the agent, not on a trait impl",
        );
    }
    if !item.generics.params.is_empty() {
        cx.error_spanned_by(&item.generics, "an `#[agent]` impl block cannot be generic");
    }
    let mut tools = Vec::new();
    let mut summaries = Vec::new();
    for impl_item in &item.items {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        let tool_attrs: Vec<&Attribute> = method
            .attrs
            .iter()
            .filter(|a| is_marker(a, "tool"))
            .collect();
        let is_summary = method.attrs.iter().any(|a| is_marker(a, "on_summary"));
        if let Some(extra) = tool_attrs.get(1) {
            cx.error_spanned_by(extra, "duplicate `#[tool]` attribute");
        }
        if let Some(attr) = method.attrs.iter().find(|a| is_marker(a, "sensitive")) {
            cx.error_spanned_by(
                attr,
                "`#[sensitive]` goes on a tool parameter, not on the method",
            );
        }
        match (tool_attrs.first(), is_summary) {
            (Some(t), true) => {
                cx.error_spanned_by(t, "a method cannot be both `#[tool]` and `#[on_summary]`")
            }
            (Some(t), false) => tools.push(tool_from_ast(cx, method, t)),
            (None, true) => summaries.push(Summary {
                method,
                params: params_from_ast(cx, method, false),
            }),
            (None, false) => check_unmarked_params(cx, method),
        }
    }
    AgentImpl { tools, summaries }
}

fn tool_from_ast<'a>(cx: &mut Ctxt, method: &'a ImplItemFn, attr: &Attribute) -> Tool<'a> {
    let a = attr::parse_tool_attr(cx, attr);
    let sig = &method.sig;
    check_signature(cx, method);
    let (name, name_span) = match a.name {
        Some(n) => {
            if !crate::check::is_valid_function_name(&n.value) {
                cx.syn_error(syn::Error::new(
                    n.span,
                    "tool `name` must match `^[A-Za-z_][A-Za-z0-9_]*$` and be at most 64 characters (SignalWire rejects other names)",
                ));
            }
            (n.value, n.span)
        }
        None => (sig.ident.to_string(), sig.ident.span()),
    };
    let description = match a.description {
        Some(d) => d.value,
        None => doc_text(&method.attrs),
    };
    if description.trim().is_empty() {
        cx.error_spanned_by(
            &sig.ident,
            "tool is missing a description; add a `///` doc comment saying what it does (the model reads it to decide when to call the tool)",
        );
    }
    let params = params_from_ast(cx, method, a.secure.is_some());
    Tool {
        method,
        name,
        name_span,
        description,
        secure: a.secure.is_some(),
        rate_limit: a.rate_limit.map(|r| r.value),
        guard: a.guard,
        params,
    }
}

fn check_signature(cx: &mut Ctxt, method: &ImplItemFn) {
    let sig = &method.sig;
    match sig.receiver() {
        Some(r) => {
            let by_shared_ref = matches!(&r.kind, syn::ReceiverKind::Reference(_, _, None));
            if !by_shared_ref {
                cx.error_spanned_by(r, "a tool takes `&self`; tools run concurrently and cannot take `self` by value or `&mut self`");
            }
        }
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

fn params_from_ast<'a>(cx: &mut Ctxt, method: &'a ImplItemFn, secure: bool) -> Vec<Param<'a>> {
    let mut out = Vec::new();
    for input in &method.sig.inputs {
        let FnArg::Typed(pt) = input else { continue };
        let ident = match &*pt.pat {
            Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => pi.ident.clone(),
            other => {
                cx.error_spanned_by(
                    other,
                    "tool parameters must be plain names (`amount: f64`), not patterns",
                );
                continue;
            }
        };
        let sensitive = pt.attrs.iter().find(|a| is_marker(a, "sensitive"));
        let kind = match &*pt.ty {
            Type::Reference(r) => {
                if let Some(m) = &r.mutability {
                    cx.error_spanned_by(
                        m,
                        "platform context is borrowed immutably; write `&T`, not `&mut T`",
                    );
                }
                if let Some(attr) = sensitive {
                    cx.error_spanned_by(
                        attr,
                        "`#[sensitive]` marks an argument the model fills; platform context parameters cannot carry it",
                    );
                }
                ParamKind::Context(&r.elem)
            }
            _ => ParamKind::Argument,
        };
        let not_sensitive = pt.attrs.iter().find(|a| is_marker(a, "not_sensitive"));
        if matches!(kind, ParamKind::Argument) && ident != "args" {
            let marks = crate::names::Marks {
                sensitive,
                not_sensitive,
            };
            crate::names::check_name(cx, &ident, "parameter", &marks);
        } else if let Some(attr) = not_sensitive {
            cx.error_spanned_by(
                attr,
                "`#[not_sensitive]` only applies to an argument the model fills",
            );
        }
        if let (Some(attr), ParamKind::Argument, false) = (sensitive, &kind, secure) {
            cx.error_spanned_by(
                attr,
                "`#[sensitive]` parameter on a tool that is not secure; secrets may only reach tools with a per-call token: write `#[tool(secure)]`",
            );
        }
        let forwarded = pt
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("schemars") || a.path().is_ident("serde"))
            .collect();
        out.push(Param {
            key: attr::serde_rename(&pt.attrs).unwrap_or_else(|| ident.to_string()),
            ident,
            ty: &pt.ty,
            kind,
            sensitive,
            doc: doc_text(&pt.attrs),
            forwarded,
        });
    }
    out
}

/// A method without `#[tool]` must not carry parameter markers.
fn check_unmarked_params(cx: &mut Ctxt, method: &ImplItemFn) {
    for input in &method.sig.inputs {
        if let FnArg::Typed(pt) = input
            && let Some(a) = pt
                .attrs
                .iter()
                .find(|a| is_marker(a, "sensitive") || is_marker(a, "not_sensitive"))
        {
            let name = if is_marker(a, "sensitive") {
                "sensitive"
            } else {
                "not_sensitive"
            };
            cx.error_spanned_by(
                a,
                format!("`#[{name}]` has no meaning on a method that is not a `#[tool]`"),
            );
        }
    }
}

/// Removes our helper attributes (and parameter docs, which Rust does not
/// allow on parameters) so the item can be emitted again.
pub(crate) fn strip_helpers(item: &mut ItemImpl) {
    for impl_item in &mut item.items {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        let is_ours = method
            .attrs
            .iter()
            .any(|a| is_marker(a, "tool") || is_marker(a, "on_summary"));
        method.attrs.retain(|a| {
            !is_marker(a, "tool") && !is_marker(a, "on_summary") && !is_marker(a, "sensitive")
        });
        for input in &mut method.sig.inputs {
            if let FnArg::Typed(pt) = input {
                pt.attrs.retain(|a| {
                    !(is_marker(a, "sensitive")
                        || is_marker(a, "not_sensitive")
                        || (is_ours
                            && (is_marker(a, "doc")
                                || is_marker(a, "schemars")
                                || is_marker(a, "serde"))))
                });
            }
        }
    }
}
