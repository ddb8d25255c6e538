//! Helpers every expander shares: reading the item with a fallback on a
//! syntax error, the "wrong kind of item" error, removing helper attributes,
//! the list of flagged names used for sensitive keys, and the schema marker
//! of secret values.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens as _, quote};
use syn::spanned::Spanned as _;
use syn::{Attribute, Item};

/// The item a macro is applied to; on a syntax error, that error plus the
/// input unchanged (the compiler reports the syntax error itself too).
pub(super) fn parse_item(input: TokenStream) -> Result<Item, TokenStream> {
    syn::parse2(input.clone()).map_err(|e| {
        let e = e.to_compile_error();
        quote!(#e #input)
    })
}

/// An error on the keyword of an item the macro does not apply to, and the
/// item unchanged.
pub(super) fn wrong_item(item: &Item, message: &str) -> TokenStream {
    let err = syn::Error::new(item_keyword_span(item), message).to_compile_error();
    quote!(#err #item)
}

/// `an enum`, `a function`, ... for "cannot be applied to" errors.
pub(super) fn item_kind(item: &Item) -> &'static str {
    match item {
        Item::Enum(_) => "an enum",
        Item::Union(_) => "a union",
        Item::Trait(_) => "a trait",
        Item::Fn(_) => "a function",
        _ => "this item",
    }
}

/// The span of the keyword that says what an item is (`enum`, `fn`, ...):
/// the narrowest token to point at when the item is of the wrong kind.
fn item_keyword_span(item: &Item) -> Span {
    match item {
        Item::Enum(e) => e.enum_token.span,
        Item::Union(u) => u.union_token.span,
        Item::Trait(t) => t.trait_token.span,
        Item::Fn(f) => f.sig.fn_token.span,
        other => other.span(),
    }
}

/// `#[schemars(transform = ..)]` that marks the schema of the field or type
/// it is put on as secret (the runtime's `mark_sensitive`). The marker goes
/// wherever the type goes, so the runtime redacts the value at any depth of
/// the arguments: inside an `Option`, a list, a map or a nested struct.
pub(super) fn sensitive_schema_attr() -> Attribute {
    syn::parse_quote!(#[schemars(transform = ::agent_runtime::__private::mark_sensitive)])
}

/// `#[schemars(transform = ..)]` that marks the schema of a
/// `#[sensitive(last_four)]` field or parameter (the runtime's
/// `mark_last_four`): its audit copy keeps the last four characters.
pub(super) fn last_four_schema_attr() -> Attribute {
    syn::parse_quote!(#[schemars(transform = ::agent_runtime::__private::mark_last_four)])
}

/// Whether `attrs` already mark the schema as secret (the other one of
/// `#[tool_args]` and `#[sensitive]` on the same struct added it).
pub(super) fn marks_schema_sensitive(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("schemars") && a.to_token_stream().to_string().contains("mark_sensitive")
    })
}

/// Removes the helper attributes `names` from `attrs`.
pub(super) fn remove_markers(attrs: &mut Vec<Attribute>, names: &[&str]) {
    attrs.retain(|a| !names.iter().any(|name| a.path().is_ident(name)));
}

/// A `&'static [&'static str]` of the names flagged `true` among `(name,
/// flag)` pairs; the flags may be constants only the compiler can evaluate
/// (whether a type is sensitive).
pub(super) fn flagged_names(pairs: TokenStream) -> TokenStream {
    quote! {{
        #[allow(unused_imports)]
        use ::agent_runtime::__private::ProbeFallback as _;
        const __AGENT_FLAGS: &[(&::std::primitive::str, ::std::primitive::bool)] = &[#pairs];
        const __AGENT_NAMES: [&::std::primitive::str; ::agent_runtime::__private::count_flagged(__AGENT_FLAGS)] =
            ::agent_runtime::__private::flagged_names(__AGENT_FLAGS);
        &__AGENT_NAMES
    }}
}
