//! `#[agent]` on the impl block: the `Agent` impl listing every tool (name,
//! description, schema, sensitive keys, rate limit, guard, and the closure
//! that decodes the arguments and calls the method), and the summary handler.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{FnArg, ImplItem, ItemImpl};

use super::common::{flagged_names, last_four_schema_attr, remove_markers, sensitive_schema_attr};
use crate::ast::{AgentImpl, Description, DescriptionPiece, Method, Param, ParamKind, Tool};
use crate::attr::{self, NOT_SENSITIVE, ON_SUMMARY, SENSITIVE, TOOL};
use crate::check;
use crate::ctxt::Ctxt;

pub(super) fn expand_agent_impl(args: TokenStream, item: ItemImpl) -> TokenStream {
    let mut cx = Ctxt::default();
    attr::parse_no_args(
        &mut cx,
        &args,
        "`#[agent]` on an impl block takes no arguments; put `name` and `route` on the struct's `#[agent(...)]`",
    );
    let model = AgentImpl::from_ast(&mut cx, &item);
    check::check_agent_impl(&mut cx, &model);
    let mut cleaned = item.clone();
    strip_helper_attrs(&mut cleaned);
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
        .filter(|t| t.method.whole_args().is_none())
        .map(args_struct)
        .collect();
    let defs: Vec<TokenStream> = model.tools.iter().map(|t| tool_def(self_ty, t)).collect();
    let (summary_fn, summary_method) = match model.summaries.first() {
        Some(summary) => expand_summary(self_ty, summary),
        None => (TokenStream::new(), TokenStream::new()),
    };
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

/// Removes our helper attributes so the impl block can be emitted again, and
/// on tool and summary methods the parameter attributes that were only for
/// the generated argument struct (Rust allows no doc comment on a parameter).
fn strip_helper_attrs(item: &mut ItemImpl) {
    for impl_item in &mut item.items {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        let is_ours = method
            .attrs
            .iter()
            .any(|a| attr::is_marker(a, TOOL) || attr::is_marker(a, ON_SUMMARY));
        remove_markers(&mut method.attrs, &[TOOL, ON_SUMMARY, SENSITIVE]);
        for input in &mut method.sig.inputs {
            if let FnArg::Typed(pt) = input {
                remove_markers(&mut pt.attrs, &[SENSITIVE, NOT_SENSITIVE]);
                if is_ours {
                    remove_markers(&mut pt.attrs, &["doc", "schemars", "serde"]);
                }
            }
        }
    }
}

fn args_struct_ident(tool: &Tool) -> syn::Ident {
    format_ident!("__AgentArgs_{}", tool.method.syn.sig.ident)
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
    let params: Vec<TokenStream> = tool
        .method
        .arguments()
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
    let fields: Vec<TokenStream> = tool
        .method
        .arguments()
        .enumerate()
        .map(|(i, p)| {
            let field = p.ident;
            let doc = &p.doc;
            let doc = (!doc.is_empty()).then(|| quote!(#[doc = #doc]));
            let fwd = &p.forwarded;
            let mark = match (p.sensitive, p.last_four) {
                (Some(_), _) => Some(sensitive_schema_attr()),
                (None, Some(_)) => Some(last_four_schema_attr()),
                (None, None) => None,
            };
            let ty = if is_generic_field(p) {
                let param = format_ident!("__AgentT{}", i);
                generics.push(param.clone());
                quote!(#param)
            } else {
                let ty = p.ty;
                quote!(#ty)
            };
            quote!(#doc #(#fwd)* #mark #field: #ty)
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

/// The arguments of a call to a tool or summary method: context parameters
/// from the call, the others from `argument(param)`.
fn call_args<'m>(
    method: &'m Method,
    mut argument: impl FnMut(&Param) -> TokenStream + 'm,
) -> impl Iterator<Item = TokenStream> + 'm {
    method.params.iter().map(move |p| match p.kind {
        ParamKind::Context(reference) => {
            let elem = &reference.elem;
            quote_spanned! {p.ty.span()=>
                <#elem as ::agent_runtime::__private::FromCall>::from_call(__agent_call)
            }
        }
        ParamKind::Argument => argument(p),
    })
}

/// The span of a method's return type, where a wrong one is reported.
fn return_span(method: &Method) -> Span {
    match &method.syn.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => method.syn.sig.ident.span(),
    }
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
    let method = &tool.method.syn.sig.ident;
    let whole = tool.method.whole_args().is_some();
    let decode = match tool.method.whole_args() {
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
    let call_args = call_args(&tool.method, |p| {
        if whole {
            return quote!(__agent_args);
        }
        let name = p.ident;
        let value = quote!(__agent_args.#name);
        if is_generic_field(p) {
            from_decoded(p.ty, value)
        } else {
            value
        }
    });
    let awaited = tool.method.syn.sig.asyncness.map(|_| quote!(.await));
    let convert = quote_spanned! {return_span(&tool.method)=>
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
    let description = description(&tool.description);
    let secure = tool.is_secure();
    let invoke = invoke_closure(self_ty, tool);
    let whole = tool.method.whole_args();
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
        None => sensitive_names(tool.method.arguments()),
    };
    let rate_limit = match &tool.attr.rate_limit {
        Some(r) => {
            let r = &r.value;
            quote!(::agent_runtime::__private::Option::Some(#r))
        }
        None => quote!(::agent_runtime::__private::Option::None),
    };
    let guard = match &tool.attr.guard {
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

/// A tool's description as a `&'static str`: a literal when all of it is
/// known now, else `concat!` of the known text and the user's macro calls
/// (`include_str!(..)`, spanned in the user's file so its path resolves
/// from there).
fn description(description: &Description) -> TokenStream {
    if let [DescriptionPiece::Text(text)] = description.pieces.as_slice() {
        return quote!(#text);
    }
    let pieces = description.pieces.iter().map(|piece| match piece {
        DescriptionPiece::Text(text) => quote!(#text),
        DescriptionPiece::Macro(expr) => quote!(#expr),
    });
    quote!(::std::concat!(#(#pieces),*))
}

/// The keys of the secret arguments: parameters marked `#[sensitive]`, and
/// those whose type is sensitive as a whole (`Secret<T>`, `#[sensitive]`
/// types), decided at compile time.
fn sensitive_names<'p, 'a: 'p>(params: impl Iterator<Item = &'p Param<'a>>) -> TokenStream {
    let flags = params.map(|p| {
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

/// The summary handler: a function calling the `#[on_summary]` method, and
/// the `Agent::summary_handler` returning it.
fn expand_summary(self_ty: &syn::Type, summary: &Method) -> (TokenStream, TokenStream) {
    let method = &summary.syn.sig.ident;
    let call_args = call_args(summary, |p| quote_spanned!(p.ty.span()=> __agent_summary));
    let awaited = summary.syn.sig.asyncness.map(|_| quote!(.await));
    let finish = quote_spanned! {return_span(summary)=>
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
