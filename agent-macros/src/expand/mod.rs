//! Code generation, one file per kind of item a macro is applied to. Each
//! expander runs the pipeline for its item (parse attributes, build the
//! model, check it) and then generates code; on error it emits the user's
//! item again without our helper attributes, plus the errors, plus whatever
//! placeholder keeps the rest of the program compiling, so one mistake gives
//! one error.
//!
//! Generated code is thin: descriptions, small closures and trait impls that
//! call generic runtime code through `::agent_runtime::__private`.

mod agent_impl;
mod agent_struct;
mod sensitive;
mod tool_args;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::spanned::Spanned as _;
use syn::{Attribute, Item};

pub(crate) use sensitive::expand_sensitive;
pub(crate) use tool_args::expand_tool_args;

/// `#[agent]` on a struct or on its impl block.
pub(crate) fn expand_agent(args: TokenStream, input: TokenStream) -> TokenStream {
    let item = match parse_item(input) {
        Ok(item) => item,
        Err(tokens) => return tokens,
    };
    match item {
        Item::Struct(s) => agent_struct::expand_agent_struct(args, s),
        Item::Impl(i) => agent_impl::expand_agent_impl(args, i),
        other => wrong_item(
            &other,
            &format!(
                "`#[agent]` cannot be applied to {}; it goes on a struct and on that struct's `impl` block",
                item_kind(&other)
            ),
        ),
    }
}

/// `#[tool]` that runs on its own: an `#[agent]` impl reads and removes the
/// marker before it can, so reaching here means the impl is not an agent.
pub(crate) fn expand_tool_outside_agent(input: TokenStream) -> TokenStream {
    let err = syn::Error::new(
        Span::call_site(),
        "`#[tool]` belongs on a method inside an `#[agent]` impl block; add `#[agent]` to the impl",
    )
    .to_compile_error();
    quote!(#err #input)
}

/// The item a macro is applied to; on a syntax error, that error plus the
/// input unchanged (the compiler reports the syntax error itself too).
fn parse_item(input: TokenStream) -> Result<Item, TokenStream> {
    syn::parse2(input.clone()).map_err(|e| {
        let e = e.to_compile_error();
        quote!(#e #input)
    })
}

/// An error on the keyword of an item the macro does not apply to, and the
/// item unchanged.
fn wrong_item(item: &Item, message: &str) -> TokenStream {
    let err = syn::Error::new(item_keyword_span(item), message).to_compile_error();
    quote!(#err #item)
}

/// `an enum`, `a function`, ... for "cannot be applied to" errors.
fn item_kind(item: &Item) -> &'static str {
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

/// Removes the helper attributes `names` from `attrs`.
fn remove_markers(attrs: &mut Vec<Attribute>, names: &[&str]) {
    attrs.retain(|a| !names.iter().any(|name| a.path().is_ident(name)));
}

/// A `&'static [&'static str]` of the names flagged `true` among `(name,
/// flag)` pairs; the flags may be constants only the compiler can evaluate
/// (whether a type is sensitive).
fn flagged_names(pairs: TokenStream) -> TokenStream {
    quote! {{
        #[allow(unused_imports)]
        use ::agent_runtime::__private::ProbeFallback as _;
        const __AGENT_FLAGS: &[(&::std::primitive::str, ::std::primitive::bool)] = &[#pairs];
        const __AGENT_NAMES: [&::std::primitive::str; ::agent_runtime::__private::count_flagged(__AGENT_FLAGS)] =
            ::agent_runtime::__private::flagged_names(__AGENT_FLAGS);
        &__AGENT_NAMES
    }}
}
