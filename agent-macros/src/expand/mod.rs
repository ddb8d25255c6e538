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
mod common;
mod sensitive;
mod tool_args;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Item;

use common::{item_kind, parse_item, wrong_item};

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
