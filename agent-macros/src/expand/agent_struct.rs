//! `#[agent(name = "...", route = "...")]` on a struct: the agent's identity.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemStruct;

use crate::ast::AgentStruct;
use crate::attr;
use crate::check;
use crate::ctxt::Ctxt;

pub(super) fn expand_agent_struct(args: TokenStream, item: ItemStruct) -> TokenStream {
    let mut cx = Ctxt::default();
    let attr = attr::parse_agent_attr(&mut cx, args);
    let model = AgentStruct::from_ast(&item, attr);
    check::check_agent_struct(&mut cx, &model);
    let errors = cx.into_compile_errors();
    if !item.generics.params.is_empty() {
        // Already reported; an impl for the struct without its parameters
        // would only add a second error.
        return quote!(#item #errors);
    }
    // Emitted even when the name or route is wrong: the impl block's
    // `#[agent]` needs it, and the one error is already reported.
    let ident = &item.ident;
    let name = model.name();
    let route = model.route();
    quote! {
        #item
        #errors
        const _: () = {
            #[automatically_derived]
            impl ::agent_runtime::__private::AgentIdentity for #ident {
                const NAME: &'static str = #name;
                const ROUTE: &'static str = #route;
            }
        };
    }
}
