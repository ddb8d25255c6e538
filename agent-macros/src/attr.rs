//! Attribute parsing: `#[agent(..)]`, `#[tool(..)]`, the marker attributes,
//! doc comments and the few `#[serde]` / `#[derive]` settings the generated
//! code depends on.
//!
//! This module only turns attributes into values. It reports what cannot be
//! parsed (an unknown key, a key given twice, a value of the wrong kind) and
//! nothing else: whether a name, route or rate is acceptable is decided in
//! `check`, once the whole model is built.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser as _;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{Attribute, LitStr};

use crate::ctxt::Ctxt;

/// The keys `#[agent(..)]` on a struct accepts, for "unknown key" errors.
const AGENT_KEYS: &str = "`name`, `route`";
/// The keys `#[tool(..)]` accepts, for "unknown key" errors.
const TOOL_KEYS: &str = "`secure`, `name`, `description`, `rate_limit`, `guard`";

/// The helper attributes `#[agent]`, `#[tool_args]` and `#[sensitive]` read
/// and remove. They are not macros of their own (except `tool` and
/// `sensitive`, which report misuse when they run alone).
pub(crate) const TOOL: &str = "tool";
pub(crate) const ON_SUMMARY: &str = "on_summary";
pub(crate) const SENSITIVE: &str = "sensitive";
pub(crate) const NOT_SENSITIVE: &str = "not_sensitive";
/// `#[tool_args]`, looked for by `#[sensitive]` on the same struct.
pub(crate) const TOOL_ARGS: &str = "tool_args";

/// A string setting with the span of its literal, so an error can point at
/// the value to change.
pub(crate) struct SpannedStr {
    pub value: String,
    pub span: Span,
}

/// `#[agent(name = "...", route = "...")]` on a struct.
#[derive(Default)]
pub(crate) struct AgentAttr {
    pub name: Option<SpannedStr>,
    pub route: Option<SpannedStr>,
}

/// `#[tool(secure, name = "...", description = "...", rate_limit = "5/min",
/// guard = path)]`.
#[derive(Default)]
pub(crate) struct ToolAttr {
    pub secure: Option<Span>,
    pub name: Option<SpannedStr>,
    pub description: Option<SpannedStr>,
    pub rate_limit: Option<SpannedStr>,
    pub guard: Option<syn::Path>,
}

/// One `#[doc = ..]` attribute: a line of a `///` comment (trimmed), or a
/// macro call such as `include_str!("description.md")` whose text is only
/// known once the compiler expands it.
pub(crate) enum DocPiece<'a> {
    Line(String),
    Macro(&'a syn::Expr),
}

/// Parses the arguments of `#[agent(..)]` on a struct.
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

/// Reports arguments given to an attribute that takes none; `message` says
/// why and where they belong instead.
pub(crate) fn parse_no_args(cx: &mut Ctxt, args: &TokenStream, message: &str) {
    if !args.is_empty() {
        cx.error_spanned_by(args, message);
    }
}

/// Parses one `#[tool]` or `#[tool(..)]` attribute.
pub(crate) fn parse_tool_attr(cx: &mut Ctxt, attr: &Attribute) -> ToolAttr {
    let mut out = ToolAttr::default();
    match &attr.meta {
        syn::Meta::Path(_) => return out,
        syn::Meta::NameValue(nv) => {
            cx.error_spanned_by(
                nv,
                "expected `#[tool]` or `#[tool(secure, name = \"...\")]`",
            );
            return out;
        }
        syn::Meta::List(_) => {}
    }
    let result = attr.parse_nested_meta(|meta| {
        let key = key_of(&meta);
        match key.as_str() {
            "secure" => parse_secure(cx, &mut out.secure, &meta),
            "name" => set_once(cx, &mut out.name, &meta, "name"),
            "description" => set_once(cx, &mut out.description, &meta, "description"),
            "rate_limit" => set_once(cx, &mut out.rate_limit, &meta, "rate_limit"),
            "guard" => parse_guard(cx, &mut out.guard, &meta),
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

/// `secure`, a flag without a value.
fn parse_secure(cx: &mut Ctxt, slot: &mut Option<Span>, meta: &ParseNestedMeta) -> syn::Result<()> {
    if slot.is_some() {
        cx.error_spanned_by(&meta.path, "duplicate `secure` in attribute");
    }
    if meta.input.peek(syn::Token![=]) {
        return Err(meta.error("`secure` takes no value; write `#[tool(secure)]`"));
    }
    *slot = Some(meta.path.span());
    Ok(())
}

/// `guard = path`: a path, not a string, so the compiler resolves it and
/// checks its signature.
fn parse_guard(
    cx: &mut Ctxt,
    slot: &mut Option<syn::Path>,
    meta: &ParseNestedMeta,
) -> syn::Result<()> {
    let value = meta.value()?;
    if value.peek(LitStr) {
        return Err(value.error(
            "`guard` takes a path to a function, not a string: write `guard = Self::is_verified` or `guard = checks::is_verified`",
        ));
    }
    let path: syn::Path = value.parse()?;
    if slot.is_some() {
        cx.error_spanned_by(&meta.path, "duplicate `guard` in attribute");
    } else {
        *slot = Some(path);
    }
    Ok(())
}

/// `key = "value"`, reported when given twice (the first one is kept).
fn set_once(
    cx: &mut Ctxt,
    slot: &mut Option<SpannedStr>,
    meta: &ParseNestedMeta,
    key: &str,
) -> syn::Result<()> {
    let lit: LitStr = meta.value()?.parse()?;
    if slot.is_some() {
        cx.error_spanned_by(&meta.path, format!("duplicate `{key}` in attribute"));
    } else {
        *slot = Some(SpannedStr {
            value: lit.value(),
            span: lit.span(),
        });
    }
    Ok(())
}

/// The key of a nested meta as the user wrote it, for error messages.
fn key_of(meta: &ParseNestedMeta) -> String {
    meta.path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_else(|| {
            let path = &meta.path;
            quote::quote!(#path).to_string().replace(' ', "")
        })
}

/// What a `#[sensitive]` marker on a field or parameter asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SensitiveMode {
    /// `#[sensitive]`: the whole value is secret.
    Whole,
    /// `#[sensitive(last_four)]`: logged by its last four characters.
    LastFour,
    /// Anything else (reported by `check`; redacted whole meanwhile).
    Invalid,
}

/// The mode of a `#[sensitive]` marker.
pub(crate) fn sensitive_mode(attr: &Attribute) -> SensitiveMode {
    match &attr.meta {
        syn::Meta::Path(_) => SensitiveMode::Whole,
        syn::Meta::List(list) => match list.parse_args::<syn::Ident>() {
            Ok(ident) if ident == "last_four" => SensitiveMode::LastFour,
            _ => SensitiveMode::Invalid,
        },
        syn::Meta::NameValue(_) => SensitiveMode::Invalid,
    }
}

/// Whether `attr` is the helper attribute `name` (`#[sensitive]`, ...).
pub(crate) fn is_marker(attr: &Attribute, name: &str) -> bool {
    attr.path().is_ident(name)
}

/// Whether `attr` calls the macro `name`, however its path is written
/// (`tool_args`, `agent_runtime::tool_args`).
pub(crate) fn names_macro(attr: &Attribute, name: &str) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == name)
}

/// The first helper attribute `name` among `attrs`.
pub(crate) fn find_marker<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
    attrs.iter().find(|a| is_marker(a, name))
}

/// Every `#[doc = ..]` among `attrs`, in order. Values that are neither a
/// string nor a macro call are not documentation and are skipped.
pub(crate) fn doc_pieces(attrs: &[Attribute]) -> Vec<DocPiece<'_>> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => Some(&nv.value),
            _ => None,
        })
        .filter_map(|value| match value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(DocPiece::Line(s.value().trim().to_owned())),
            syn::Expr::Macro(_) => Some(DocPiece::Macro(value)),
            _ => None,
        })
        .collect()
}

/// The name set by `#[serde(rename = "...")]` or
/// `#[serde(rename(deserialize = "..."))]`, if any: the key the value has in
/// the JSON arguments, which are only ever deserialised (a name given for
/// serialisation only does not change it).
pub(crate) fn serde_rename(attrs: &[Attribute]) -> Option<String> {
    let mut out = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if !meta.path.is_ident("rename") {
                return skip_meta_value(&meta);
            }
            if meta.input.peek(syn::Token![=]) {
                let lit: LitStr = meta.value()?.parse()?;
                out = Some(lit.value());
                return Ok(());
            }
            meta.parse_nested_meta(|inner| {
                if inner.path.is_ident("deserialize") {
                    let lit: LitStr = inner.value()?.parse()?;
                    out = Some(lit.value());
                    Ok(())
                } else {
                    skip_meta_value(&inner)
                }
            })
        });
    }
    out
}

/// `#[serde(transparent)]` or `#[schemars(transparent)]` among `attrs`.
pub(crate) fn is_transparent(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde") || a.path().is_ident("schemars"))
        .any(|a| has_key(a, "transparent"))
}

/// The `#[serde(..)]` attribute holding `rename_all`, if any.
pub(crate) fn serde_rename_all(attrs: &[Attribute]) -> Option<&Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .find(|a| has_key(a, "rename_all"))
}

/// Whether the list attribute `attr` has the top-level key `key`.
fn has_key(attr: &Attribute, key: &str) -> bool {
    let mut found = false;
    let _ = attr.parse_nested_meta(|meta| {
        found |= meta.path.is_ident(key);
        skip_meta_value(&meta)
    });
    found
}

/// Consumes `= value` or `(..)` after a key that is not looked at.
fn skip_meta_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        let _: syn::Expr = meta.value()?.parse()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in meta.input);
    }
    Ok(())
}

/// The path naming `trait_name` in a `#[derive(..)]` among `attrs`
/// (`Debug`, `std::fmt::Debug`, ...).
pub(crate) fn derived(attrs: &[Attribute], trait_name: &str) -> Option<syn::Path> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .filter_map(|a| {
            a.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
                .ok()
        })
        .flatten()
        .find(|p| p.segments.last().is_some_and(|s| s.ident == trait_name))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rename_of(attr: Attribute) -> Option<String> {
        serde_rename(&[attr])
    }

    #[test]
    fn the_json_key_is_the_deserialisation_name() {
        assert_eq!(
            rename_of(syn::parse_quote!(#[serde(rename = "a")])),
            Some("a".to_owned())
        );
        assert_eq!(
            rename_of(syn::parse_quote!(#[serde(rename(deserialize = "b"))])),
            Some("b".to_owned())
        );
        assert_eq!(
            rename_of(
                syn::parse_quote!(#[serde(default, rename(serialize = "s", deserialize = "c"))])
            ),
            Some("c".to_owned())
        );
        // Renamed for serialisation only: the arguments keep the field name.
        assert_eq!(
            rename_of(syn::parse_quote!(#[serde(rename(serialize = "s"))])),
            None
        );
        assert_eq!(rename_of(syn::parse_quote!(#[serde(default)])), None);
    }
}
