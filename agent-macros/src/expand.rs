//! Code generation. Generated code is thin: a description of each tool plus a
//! small function that decodes the arguments and calls the method; all logic
//! lives in the runtime.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Item, ItemImpl, ItemStruct};

use crate::ast::{self, AgentImpl, Param, ParamKind, Tool};
use crate::attr;
use crate::check;
use crate::ctxt::Ctxt;

pub(crate) fn expand_agent(args: TokenStream, input: TokenStream) -> TokenStream {
    let item: Item = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(e) => {
            let e = e.to_compile_error();
            return quote!(#e #input);
        }
    };
    match item {
        Item::Struct(s) => expand_struct(args, s),
        Item::Impl(i) => expand_impl(args, i),
        other => {
            let what = match &other {
                Item::Enum(_) => "an enum",
                Item::Union(_) => "a union",
                Item::Trait(_) => "a trait",
                Item::Fn(_) => "a function",
                _ => "this item",
            };
            let err = syn::Error::new(
                item_keyword_span(&other),
                format!("`#[agent]` cannot be applied to {what}; it goes on a struct and on that struct's `impl` block"),
            )
            .to_compile_error();
            quote!(#err #other)
        }
    }
}

fn item_keyword_span(item: &Item) -> Span {
    match item {
        Item::Enum(e) => e.enum_token.span,
        Item::Union(u) => u.union_token.span,
        Item::Trait(t) => t.trait_token.span,
        Item::Fn(f) => f.sig.fn_token.span,
        other => other.span(),
    }
}

fn expand_struct(args: TokenStream, item: ItemStruct) -> TokenStream {
    let mut cx = Ctxt::default();
    let attr = attr::parse_agent_attr(&mut cx, args);
    let model = ast::struct_from_ast(&mut cx, &item, attr);
    let ident = &item.ident;
    let name = &model.name;
    let route = &model.route;
    let errors = cx.into_compile_errors();
    if !model.item.generics.params.is_empty() {
        // Already reported; an impl for `#ident` without its parameters
        // would only add a second error.
        return quote!(#item #errors);
    }
    quote! {
        #item
        #errors
        #[automatically_derived]
        impl ::agent_runtime::__private::AgentIdentity for #ident {
            const NAME: &'static str = #name;
            const ROUTE: &'static str = #route;
        }
    }
}

fn expand_impl(args: TokenStream, item: ItemImpl) -> TokenStream {
    let mut cx = Ctxt::default();
    if !args.is_empty() {
        cx.error_spanned_by(
            &args,
            "`#[agent]` on an impl block takes no arguments; put `name` and `route` on the struct's `#[agent(...)]`",
        );
    }
    let model = ast::impl_from_ast(&mut cx, &item);
    check::check_impl(&mut cx, &model);
    let mut cleaned = item.clone();
    ast::strip_helpers(&mut cleaned);
    let self_ty = &item.self_ty;
    if cx.has_errors() {
        let errors = cx.into_compile_errors();
        // Placeholder impl so the rest of the program type-checks and only
        // the real mistakes are reported.
        return quote! {
            #cleaned
            #errors
            #[automatically_derived]
            impl ::agent_runtime::__private::Agent for #self_ty {
                fn tools() -> ::agent_runtime::__private::Vec<::agent_runtime::__private::ToolDef<Self>> {
                    ::agent_runtime::__private::Vec::new()
                }
            }
        };
    }
    let tools: Vec<TokenStream> = model
        .tools
        .iter()
        .map(|t| expand_tool(self_ty, t))
        .collect();
    let defs: Vec<TokenStream> = model.tools.iter().map(tool_def).collect();
    let (summary_fn, summary_method) = expand_summary(self_ty, &model);
    quote! {
        #cleaned
        const _: () = {
            #(#tools)*
            #summary_fn
            #[automatically_derived]
            impl ::agent_runtime::__private::Agent for #self_ty {
                fn tools() -> ::agent_runtime::__private::Vec<::agent_runtime::__private::ToolDef<Self>> {
                    ::std::vec![#(#defs),*]
                }
                #summary_method
            }
        };
    }
}

fn args_struct_ident(tool: &Tool) -> syn::Ident {
    format_ident!("__AgentArgs_{}", tool.method.sig.ident)
}

fn invoke_ident(tool: &Tool) -> syn::Ident {
    format_ident!("__agent_invoke_{}", tool.method.sig.ident)
}

fn owned<'t, 'a>(params: &'t [Param<'a>]) -> Vec<&'t Param<'a>> {
    params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::Argument))
        .collect()
}

/// The single `args` parameter, when the tool takes its argument object whole.
fn whole_args<'t, 'a>(params: &'t [Param<'a>]) -> Option<&'t Param<'a>> {
    match owned(params).as_slice() {
        [only] if only.ident == "args" => Some(only),
        _ => None,
    }
}

/// The argument struct (generated unless the tool takes `args` whole) and the
/// function that decodes arguments and calls the method.
fn expand_tool(self_ty: &syn::Type, tool: &Tool) -> TokenStream {
    let method = &tool.method.sig.ident;
    let invoke = invoke_ident(tool);
    let whole = whole_args(&tool.params);
    let (args_struct, args_ty) = match whole {
        Some(p) => {
            let ty = p.ty;
            (TokenStream::new(), quote!(#ty))
        }
        None => {
            let ident = args_struct_ident(tool);
            let fields = owned(&tool.params).into_iter().map(|p| {
                let name = &p.ident;
                let ty = p.ty;
                let doc = &p.doc;
                let doc = (!doc.is_empty()).then(|| quote!(#[doc = #doc]));
                let fwd = &p.forwarded;
                quote!(#doc #(#fwd)* #name: #ty)
            });
            (
                quote! {
                    #[allow(unused_imports)]
                    use ::std::convert::{From as _, Into as _};
                    #[derive(::agent_runtime::__private::serde::Deserialize, ::agent_runtime::__private::schemars::JsonSchema)]
                    #[serde(crate = "::agent_runtime::__private::serde", deny_unknown_fields)]
                    #[schemars(crate = "::agent_runtime::__private::schemars")]
                    #[allow(non_camel_case_types)]
                    struct #ident { #(#fields),* }
                },
                quote!(#ident),
            )
        }
    };
    let call_args = tool.params.iter().map(|p| match p.kind {
        ParamKind::Context(elem) => quote_spanned! {p.ty.span()=>
            <#elem as ::agent_runtime::__private::FromCall>::from_call(__agent_call)
        },
        ParamKind::Argument if whole.is_some() => quote!(__agent_args),
        ParamKind::Argument => {
            let name = &p.ident;
            quote!(__agent_args.#name)
        }
    });
    let awaited = tool.method.sig.asyncness.map(|_| quote!(.await));
    let ret_span = match &tool.method.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => tool.method.sig.ident.span(),
    };
    let convert = quote_spanned! {ret_span=>
        ::agent_runtime::__private::IntoToolResult::into_tool_result(__agent_out)
    };
    let decode = match whole {
        Some(p) => {
            let ty = p.ty;
            quote_spanned! {ty.span()=> ::agent_runtime::__private::decode_args::<#ty>(__agent_value) }
        }
        None => quote!(::agent_runtime::__private::decode_args(__agent_value)),
    };
    quote! {
        #args_struct
        #[allow(non_snake_case)]
        fn #invoke<'__agent_a>(
            __agent_self: &'__agent_a #self_ty,
            __agent_call: &'__agent_a ::agent_runtime::__private::Call,
            __agent_value: ::agent_runtime::__private::serde_json::Value,
        ) -> ::agent_runtime::__private::ToolFuture<'__agent_a> {
            ::agent_runtime::__private::Box::pin(async move {
                let __agent_args: #args_ty = #decode?;
                let __agent_out = <#self_ty>::#method(__agent_self, #(#call_args),*) #awaited;
                #convert
            })
        }
    }
}

fn tool_def(tool: &Tool) -> TokenStream {
    let name = &tool.name;
    let description = &tool.description;
    let secure = tool.secure;
    let invoke = invoke_ident(tool);
    let sensitive = tool
        .params
        .iter()
        .filter(|p| p.sensitive.is_some())
        .map(|p| p.ident.to_string());
    let args_ty = match whole_args(&tool.params) {
        Some(p) => {
            let ty = p.ty;
            quote!(#ty)
        }
        None => {
            let ident = args_struct_ident(tool);
            quote!(#ident)
        }
    };
    quote! {
        ::agent_runtime::__private::ToolDef {
            name: #name,
            description: #description,
            secure: #secure,
            sensitive: &[#(#sensitive),*],
            schema: ::agent_runtime::__private::schema_for::<#args_ty>,
            invoke: #invoke,
        }
    }
}

fn expand_summary(self_ty: &syn::Type, model: &AgentImpl) -> (TokenStream, TokenStream) {
    let Some(summary) = model.summaries.first() else {
        return (TokenStream::new(), TokenStream::new());
    };
    let method = &summary.method.sig.ident;
    let call_args = summary.params.iter().map(|p| match p.kind {
        ParamKind::Context(elem) => quote_spanned! {p.ty.span()=>
            <#elem as ::agent_runtime::__private::FromCall>::from_call(__agent_call)
        },
        ParamKind::Argument => quote_spanned!(p.ty.span()=> __agent_summary),
    });
    let awaited = summary.method.sig.asyncness.map(|_| quote!(.await));
    let ret_span = match &summary.method.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => summary.method.sig.ident.span(),
    };
    let finish = quote_spanned! {ret_span=>
        ::agent_runtime::__private::IntoSummaryOutcome::into_outcome(__agent_out)
    };
    let func = quote! {
        fn __agent_on_summary<'__agent_a>(
            __agent_self: &'__agent_a #self_ty,
            __agent_call: &'__agent_a ::agent_runtime::__private::Call,
            __agent_summary: ::agent_runtime::__private::Option<::agent_runtime::__private::serde_json::Value>,
        ) -> ::agent_runtime::__private::SummaryFuture<'__agent_a> {
            ::agent_runtime::__private::Box::pin(async move {
                let __agent_out = <#self_ty>::#method(__agent_self, #(#call_args),*) #awaited;
                #finish
            })
        }
    };
    let method = quote! {
        fn summary_handler() -> ::agent_runtime::__private::Option<::agent_runtime::__private::SummaryHandler<Self>> {
            ::agent_runtime::__private::Option::Some(__agent_on_summary)
        }
    };
    (func, method)
}

pub(crate) fn expand_tool_args(args: TokenStream, input: TokenStream) -> TokenStream {
    let item: Item = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(e) => {
            let e = e.to_compile_error();
            return quote!(#e #input);
        }
    };
    let mut errors = TokenStream::new();
    if !args.is_empty() {
        errors.extend(
            syn::Error::new_spanned(&args, "`#[tool_args]` takes no arguments").to_compile_error(),
        );
    }
    let deny_unknown = match &item {
        Item::Struct(s) => matches!(s.fields, syn::Fields::Named(_)),
        Item::Enum(_) => false,
        other => {
            let err = syn::Error::new(
                item_keyword_span(other),
                "`#[tool_args]` goes on a struct or an enum that describes tool arguments",
            )
            .to_compile_error();
            return quote!(#err #other);
        }
    };
    let deny = deny_unknown.then(|| quote!(#[serde(deny_unknown_fields)]));
    quote! {
        #errors
        // The schemars expansion calls `.into()` and `Schema::from`; these
        // anonymous imports keep it compiling under `#![no_implicit_prelude]`.
        #[allow(unused_imports)]
        use ::std::convert::{From as _, Into as _};
        #[derive(::agent_runtime::__private::serde::Deserialize, ::agent_runtime::__private::schemars::JsonSchema)]
        #[serde(crate = "::agent_runtime::__private::serde")]
        #[schemars(crate = "::agent_runtime::__private::schemars")]
        #deny
        #item
    }
}
