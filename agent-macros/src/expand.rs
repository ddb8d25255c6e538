//! Code generation. Generated code is thin: a description of each tool plus a
//! small closure that decodes the arguments and calls the method; all logic
//! lives in the runtime.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
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

pub(crate) fn item_keyword_span(item: &Item) -> Span {
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
    let structs: Vec<TokenStream> = model
        .tools
        .iter()
        .filter(|t| whole_args(&t.params).is_none())
        .map(args_struct)
        .collect();
    let defs: Vec<TokenStream> = model.tools.iter().map(|t| tool_def(self_ty, t)).collect();
    let (summary_fn, summary_method) = expand_summary(self_ty, &model);
    quote! {
        #cleaned
        const _: () = {
            #(#structs)*
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

/// Whether a parameter's field in the argument struct is a type parameter
/// (see [`args_struct`]) rather than the parameter's own type.
fn is_generic_field(p: &Param) -> bool {
    !p.forwarded.iter().any(|a| attr::needs_concrete_type(a))
}

/// An argument type as generated code names it: through `ToolArgument`, so a
/// type that cannot be an argument is reported once, on the type, and every
/// other use of it is left undetermined instead of failing again.
fn decoded(ty: &syn::Type) -> TokenStream {
    quote_spanned! {ty.span()=>
        <#ty as ::agent_runtime::__private::ToolArgument<_>>::Decoded
    }
}

/// The type the arguments of a tool that does not take `args` whole are
/// decoded into and described by: the argument struct instantiated with the
/// parameters' types.
fn decoded_args_ty(tool: &Tool) -> TokenStream {
    let ident = args_struct_ident(tool);
    let params: Vec<TokenStream> = owned(&tool.params)
        .into_iter()
        .filter(|p| is_generic_field(p))
        .map(|p| decoded(p.ty))
        .collect();
    if params.is_empty() {
        quote!(#ident)
    } else {
        quote!(#ident<#(#params),*>)
    }
}

/// The argument struct of a tool that does not take `args` whole. Its fields
/// are type parameters, instantiated with the parameters' types only where
/// the tool is described and invoked: the derived impls are then generic and
/// never name a user type, so a type that is not deserializable is reported
/// by `ToolArgument` alone rather than again inside each derived method.
/// Fields whose forwarded attributes need the concrete type keep it.
fn args_struct(tool: &Tool) -> TokenStream {
    let ident = args_struct_ident(tool);
    let name = ident.to_string();
    let mut generics = Vec::new();
    let fields: Vec<TokenStream> = owned(&tool.params)
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let field = &p.ident;
            let doc = &p.doc;
            let doc = (!doc.is_empty()).then(|| quote!(#[doc = #doc]));
            let fwd = &p.forwarded;
            let ty = if is_generic_field(p) {
                let param = format_ident!("__AgentT{}", i);
                generics.push(param.clone());
                quote!(#param)
            } else {
                let ty = p.ty;
                quote!(#ty)
            };
            quote!(#doc #(#fwd)* #field: #ty)
        })
        .collect();
    let generics = (!generics.is_empty()).then(|| quote!(<#(#generics),*>));
    quote! {
        #[allow(unused_imports)]
        use ::std::convert::{From as _, Into as _};
        #[derive(::agent_runtime::__private::serde::Deserialize, ::agent_runtime::__private::schemars::JsonSchema)]
        #[serde(crate = "::agent_runtime::__private::serde", deny_unknown_fields)]
        #[schemars(crate = "::agent_runtime::__private::schemars", rename = #name)]
        #[allow(non_camel_case_types)]
        struct #ident #generics { #(#fields),* }
    }
}

/// `from_decoded::<Ty, _>(value)`, the argument of type `Ty` from its decoded
/// form. The path runs from the first to the last token of `Ty` so that an
/// error on it has the span of the whole type, like the one on [`decoded`],
/// and the compiler reports the two as one.
fn from_decoded(ty: &syn::Type, value: TokenStream) -> TokenStream {
    let (first, last) = first_last(ty);
    let close = quote_spanned!(last=> >);
    quote_spanned! {first=>
        ::agent_runtime::__private::from_decoded::<#ty, _ #close(#value)
    }
}

/// `<Ty as ArgumentObject<_>>::<method>`, spanned like [`from_decoded`] from
/// the first to the last token of `Ty`, so that a type that is no
/// `ArgumentObject` is reported on the whole type.
fn argument_object_fn(ty: &syn::Type, method: &str) -> TokenStream {
    let (first, last) = first_last(ty);
    let method = syn::Ident::new(method, last);
    quote_spanned! {first=>
        <#ty as ::agent_runtime::__private::ArgumentObject<_>>::#method
    }
}

/// The spans of the first and the last token of `ty`.
fn first_last(ty: &syn::Type) -> (Span, Span) {
    let first = ty.span();
    let last = ty
        .to_token_stream()
        .into_iter()
        .last()
        .map_or(first, |t| t.span());
    (first, last)
}

/// The closure that decodes a tool's arguments and calls the method. It is
/// written inside `Agent::tools` next to the schema, so the two uses of each
/// argument type are checked together and a bad type is reported once.
///
/// A whole `args` parameter is decoded by `ArgumentObject::decode_object`
/// and described by `ArgumentObject::object_schema` (in [`tool_def`]), and
/// named by no other bound: a type that is not an argument object (a string,
/// an enum, a tuple struct, a struct without `#[tool_args]`) is reported once,
/// on the type.
fn invoke_closure(self_ty: &syn::Type, tool: &Tool) -> TokenStream {
    let method = &tool.method.sig.ident;
    let whole = whole_args(&tool.params);
    let decode = match whole {
        Some(p) => {
            let decode = argument_object_fn(p.ty, "decode_object");
            let decode = quote_spanned!(p.ty.span()=> #decode(__agent_value));
            quote!(let __agent_args = #decode?;)
        }
        None => {
            let args_ty = decoded_args_ty(tool);
            quote!(let __agent_args: #args_ty = ::agent_runtime::__private::decode_args(__agent_value)?;)
        }
    };
    let whole = whole.is_some();
    let call_args = tool.params.iter().map(|p| match p.kind {
        ParamKind::Context(elem) => quote_spanned! {p.ty.span()=>
            <#elem as ::agent_runtime::__private::FromCall>::from_call(__agent_call)
        },
        ParamKind::Argument => {
            let value = if whole {
                quote!(__agent_args)
            } else {
                let name = &p.ident;
                quote!(__agent_args.#name)
            };
            if !whole && is_generic_field(p) {
                from_decoded(p.ty, value)
            } else {
                value
            }
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
    quote! {
        |__agent_self, __agent_call, __agent_value| {
            ::agent_runtime::__private::Box::pin(async move {
                #decode
                let __agent_out = <#self_ty>::#method(__agent_self, #(#call_args),*) #awaited;
                #convert
            })
        }
    }
}

fn tool_def(self_ty: &syn::Type, tool: &Tool) -> TokenStream {
    let name = &tool.name;
    let description = &tool.description;
    let secure = tool.secure;
    let invoke = invoke_closure(self_ty, tool);
    let whole = whole_args(&tool.params);
    let schema = match whole {
        Some(p) => argument_object_fn(p.ty, "object_schema"),
        None => {
            let args_ty = decoded_args_ty(tool);
            quote!(::agent_runtime::__private::schema_for::<#args_ty>)
        }
    };
    let sensitive = match whole {
        Some(p) => {
            let ty = p.ty;
            quote! {{
                #[allow(unused_imports)]
                use ::agent_runtime::__private::ProbeFallback as _;
                <::agent_runtime::__private::Probe<#ty>>::SENSITIVE_FIELDS
            }}
        }
        None => sensitive_names(&owned(&tool.params)),
    };
    let rate_limit = match &tool.rate_limit {
        Some(r) => quote!(::agent_runtime::__private::Option::Some(#r)),
        None => quote!(::agent_runtime::__private::Option::None),
    };
    let guard = match &tool.guard {
        Some(path) => {
            let run = quote_spanned! {path.span()=>
                ::agent_runtime::__private::run_guard(#path, __agent_self, __agent_call)
            };
            quote!(::agent_runtime::__private::Option::Some(|__agent_self, __agent_call| #run))
        }
        None => quote!(::agent_runtime::__private::Option::None),
    };
    quote! {
        ::agent_runtime::__private::ToolDef {
            name: #name,
            description: #description,
            secure: #secure,
            sensitive: #sensitive,
            rate_limit: #rate_limit,
            guard: #guard,
            schema: #schema,
            invoke: #invoke,
        }
    }
}

/// The keys of the secret arguments: parameters marked `#[sensitive]`, and
/// those whose type is sensitive as a whole (`Secret<T>`, `#[sensitive]`
/// types), decided at compile time.
pub(crate) fn sensitive_names(params: &[&Param]) -> TokenStream {
    let flags = params.iter().map(|p| {
        let key = &p.key;
        let ty = p.ty;
        if p.sensitive.is_some() {
            quote!((#key, true))
        } else if mentions_self(ty) {
            // A nested constant cannot name `Self`; only markers count here.
            quote!((#key, false))
        } else {
            quote!((#key, <::agent_runtime::__private::Probe<#ty>>::IS_SENSITIVE))
        }
    });
    flagged_names(quote!(#(#flags),*))
}

/// A `&'static [&'static str]` of the flagged names among `(name, flag)`
/// pairs.
pub(crate) fn flagged_names(pairs: TokenStream) -> TokenStream {
    quote! {{
        #[allow(unused_imports)]
        use ::agent_runtime::__private::ProbeFallback as _;
        const __AGENT_FLAGS: &[(&::std::primitive::str, ::std::primitive::bool)] = &[#pairs];
        const __AGENT_NAMES: [&::std::primitive::str; ::agent_runtime::__private::count_flagged(__AGENT_FLAGS)] =
            ::agent_runtime::__private::flagged_names(__AGENT_FLAGS);
        &__AGENT_NAMES
    }}
}

fn mentions_self(ty: &syn::Type) -> bool {
    fn walk(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(i) => i == "Self",
            proc_macro2::TokenTree::Group(g) => walk(g.stream()),
            _ => false,
        })
    }
    walk(quote!(#ty))
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
