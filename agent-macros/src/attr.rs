//! Parsing of `#[agent(...)]`, `#[tool(...)]` and the marker attributes.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser as _;
use syn::{Attribute, LitStr};

use crate::ctxt::Ctxt;

pub(crate) const AGENT_KEYS: &str = "`name`, `route`";
pub(crate) const TOOL_KEYS: &str = "`secure`, `name`, `description`, `rate_limit`, `guard`";

/// A string setting with the span of its literal, for error messages.
pub(crate) struct Spanned {
    pub value: String,
    pub span: Span,
}

/// `#[agent(name = "...", route = "...")]` on a struct.
#[derive(Default)]
pub(crate) struct AgentAttr {
    pub name: Option<Spanned>,
    pub route: Option<Spanned>,
}

/// `#[tool(secure, name = "...", description = "...", rate_limit = "5/min",
/// guard = path)]`.
#[derive(Default)]
pub(crate) struct ToolAttr {
    pub secure: Option<Span>,
    pub name: Option<Spanned>,
    pub description: Option<Spanned>,
    pub rate_limit: Option<Spanned>,
    pub guard: Option<syn::Path>,
}

fn set_once(
    cx: &mut Ctxt,
    slot: &mut Option<Spanned>,
    meta: &ParseNestedMeta,
    key: &str,
) -> syn::Result<()> {
    let lit: LitStr = meta.value()?.parse()?;
    if slot.is_some() {
        cx.error_spanned_by(&meta.path, format!("duplicate `{key}` in attribute"));
    } else {
        *slot = Some(Spanned {
            value: lit.value(),
            span: lit.span(),
        });
    }
    Ok(())
}

fn key_of(meta: &ParseNestedMeta) -> String {
    meta.path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_else(|| {
            let path = &meta.path;
            quote::quote!(#path).to_string().replace(' ', "")
        })
}

pub(crate) fn parse_agent_attr(cx: &mut Ctxt, args: TokenStream) -> AgentAttr {
    let mut out = AgentAttr::default();
    let parser = syn::meta::parser(|meta| {
        let key = key_of(&meta);
        match key.as_str() {
            "name" => set_once(cx, &mut out.name, &meta, "name"),
            "route" => set_once(cx, &mut out.route, &meta, "route"),
            _ => Err(meta.error(format!(
                "unknown `#[agent]` key `{key}`; expected one of {AGENT_KEYS}"
            ))),
        }
    });
    if let Err(e) = parser.parse2(args) {
        cx.syn_error(e);
    }
    out
}

pub(crate) fn parse_tool_attr(cx: &mut Ctxt, attr: &Attribute) -> ToolAttr {
    let mut out = ToolAttr::default();
    if matches!(attr.meta, syn::Meta::Path(_)) {
        return out;
    }
    if let syn::Meta::NameValue(nv) = &attr.meta {
        cx.error_spanned_by(
            nv,
            "expected `#[tool]` or `#[tool(secure, name = \"...\")]`",
        );
        return out;
    }
    let result = attr.parse_nested_meta(|meta| {
        let key = key_of(&meta);
        match key.as_str() {
            "secure" => {
                if out.secure.is_some() {
                    cx.error_spanned_by(&meta.path, "duplicate `secure` in attribute");
                }
                if meta.input.peek(syn::Token![=]) {
                    return Err(meta.error("`secure` takes no value; write `#[tool(secure)]`"));
                }
                out.secure = Some(meta.path.span());
                Ok(())
            }
            "name" => set_once(cx, &mut out.name, &meta, "name"),
            "description" => set_once(cx, &mut out.description, &meta, "description"),
            "rate_limit" => {
                set_once(cx, &mut out.rate_limit, &meta, "rate_limit")?;
                if let Some(r) = &out.rate_limit
                    && let Err(msg) = crate::check::check_rate(&r.value)
                {
                    cx.syn_error(syn::Error::new(r.span, msg));
                }
                Ok(())
            }
            "guard" => {
                let value = meta.value()?;
                if value.peek(LitStr) {
                    return Err(value.error(
                        "`guard` takes a path to a function, not a string: write `guard = Self::is_verified` or `guard = checks::is_verified`",
                    ));
                }
                let path: syn::Path = value.parse()?;
                if out.guard.is_some() {
                    cx.error_spanned_by(&meta.path, "duplicate `guard` in attribute");
                } else {
                    out.guard = Some(path);
                }
                Ok(())
            }
            _ => Err(meta.error(format!(
                "unknown `#[tool]` key `{key}`; expected one of {TOOL_KEYS}"
            ))),
        }
    });
    if let Err(e) = result {
        cx.syn_error(e);
    }
    out
}

/// The text of the `///` doc comments on an item, trimmed, lines joined with
/// spaces (paragraph breaks kept as a single blank line).
pub(crate) fn doc_text(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
        {
            lines.push(s.value().trim().to_owned());
        }
    }
    let mut out = String::new();
    for line in lines {
        if line.is_empty() {
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push_str("\n\n");
            }
        } else {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push(' ');
            }
            out.push_str(&line);
        }
    }
    out.trim().to_owned()
}

/// The name set by `#[serde(rename = "...")]`, if any: the key the value
/// has in the JSON arguments.
pub(crate) fn serde_rename(attrs: &[Attribute]) -> Option<String> {
    let mut out = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") && meta.input.peek(syn::Token![=]) {
                let lit: LitStr = meta.value()?.parse()?;
                out = Some(lit.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in meta.input);
            }
            Ok(())
        });
    }
    out
}

/// Whether a forwarded `#[serde(..)]` / `#[schemars(..)]` attribute makes
/// the derived code depend on the field's concrete type (`default`, `with`,
/// `deserialize_with`, ...): such a field keeps that type in the generated
/// argument struct instead of a type parameter.
pub(crate) fn needs_concrete_type(attr: &Attribute) -> bool {
    const KEYS: &[&str] = &[
        "default",
        "with",
        "deserialize_with",
        "serialize_with",
        "skip_serializing_if",
        "bound",
    ];
    match &attr.meta {
        syn::Meta::List(list) => {
            list.tokens.clone().into_iter().any(
                |t| matches!(t, proc_macro2::TokenTree::Ident(i) if KEYS.iter().any(|k| i == k)),
            )
        }
        _ => false,
    }
}

pub(crate) fn is_marker(attr: &Attribute, name: &str) -> bool {
    attr.path().is_ident(name)
}

use syn::spanned::Spanned as _;
