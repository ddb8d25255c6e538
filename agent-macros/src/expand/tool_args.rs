//! `#[tool_args]` on a struct or enum: the serde and schemars derives through
//! the runtime, the keys of `#[sensitive]` fields, the schema marker on those
//! fields (and on the struct when it is `#[sensitive]` as a whole), a
//! redacting `Debug`, and `NamedFields` for a struct that can be a whole
//! `args` parameter.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{Fields, Item, ItemEnum, ItemStruct};

use super::common::{
    flagged_names, last_four_schema_attr, marks_schema_sensitive, parse_item, remove_markers,
    sensitive_schema_attr, wrong_item,
};
use crate::ast::{ArgsEnum, ArgsField, ArgsStruct};
use crate::attr::{self, NOT_SENSITIVE, SENSITIVE};
use crate::check;
use crate::ctxt::Ctxt;

const TAKES_NO_ARGS: &str = "`#[tool_args]` takes no arguments";

pub(crate) fn expand_tool_args(args: TokenStream, input: TokenStream) -> TokenStream {
    let item = match parse_item(input) {
        Ok(item) => item,
        Err(tokens) => return tokens,
    };
    let mut cx = Ctxt::default();
    match item {
        Item::Struct(s) => {
            attr::parse_no_args(&mut cx, &args, TAKES_NO_ARGS);
            expand_args_struct(cx, s)
        }
        Item::Enum(e) => {
            attr::parse_no_args(&mut cx, &args, TAKES_NO_ARGS);
            expand_args_enum(cx, e)
        }
        other => wrong_item(
            &other,
            "`#[tool_args]` goes on a struct or an enum that describes tool arguments",
        ),
    }
}

/// A struct: its impls are generated even when a rule is broken, so that
/// the tools using it keep compiling and only the mistake is reported.
fn expand_args_struct(mut cx: Ctxt, item: ItemStruct) -> TokenStream {
    let model = ArgsStruct::from_ast(&item);
    check::check_args_struct(&mut cx, &model);
    let debug =
        (model.any_sensitive() && model.derives_debug.is_none()).then(|| redacting_debug(&model));
    let sensitive = sensitive_fields_impl(&model);
    let object = named_fields_impl(&model);
    let named = matches!(item.fields, Fields::Named(_));
    let mut cleaned = item.clone();
    for (field, model_field) in cleaned.fields.iter_mut().zip(&model.fields) {
        if model_field.sensitive.is_some() {
            field.attrs.push(sensitive_schema_attr());
        } else if model_field.last_four.is_some() {
            field.attrs.push(last_four_schema_attr());
        }
        remove_markers(&mut field.attrs, &[SENSITIVE, NOT_SENSITIVE]);
    }
    // `#[sensitive]` on the struct itself expands after this macro, which
    // may be after the derives have read the struct: mark the schema here.
    if attr::find_marker(&item.attrs, SENSITIVE).is_some() && !marks_schema_sensitive(&item.attrs) {
        cleaned.attrs.push(sensitive_schema_attr());
    }
    with_derives(
        cx,
        &Item::Struct(cleaned),
        named,
        quote!(#debug #sensitive #object),
    )
}

/// An enum: never an argument object, and it has no field markers (its
/// variants' secrets are `Secret<T>` fields).
fn expand_args_enum(mut cx: Ctxt, item: ItemEnum) -> TokenStream {
    let model = ArgsEnum::from_ast(&item);
    check::check_args_enum(&mut cx, &model);
    let ident = &model.item.ident;
    let (impl_g, ty_g, where_c) = model.item.generics.split_for_impl();
    let impls = quote! {
        #[automatically_derived]
        impl #impl_g ::agent_runtime::__private::SensitiveFields for #ident #ty_g #where_c {
            const SENSITIVE: &'static [&'static ::std::primitive::str] = &[];
        }
    };
    let mut cleaned = item.clone();
    for field in cleaned
        .variants
        .iter_mut()
        .flat_map(|v| v.fields.iter_mut())
    {
        remove_markers(&mut field.attrs, &[SENSITIVE, NOT_SENSITIVE]);
    }
    with_derives(cx, &Item::Enum(cleaned), false, impls)
}

/// The item with the runtime's serde and schemars derives (unknown fields
/// refused for a struct with named fields), the errors, and the generated
/// impls.
fn with_derives(cx: Ctxt, item: &Item, deny_unknown: bool, impls: TokenStream) -> TokenStream {
    let errors = cx.into_compile_errors();
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
        const _: () = {
            #impls
        };
    }
}

/// A `Debug` impl printing every field, with `[REDACTED]` for the sensitive
/// ones and the last four characters of the `last_four` ones.
fn redacting_debug(model: &ArgsStruct) -> TokenStream {
    let item = model.item;
    let ident = &item.ident;
    let name = ident.to_string();
    let mut generics = item.generics.clone();
    for param in item.generics.type_params() {
        let t = &param.ident;
        generics
            .make_where_clause()
            .predicates
            .push(syn::parse_quote!(#t: ::agent_runtime::__private::Debug));
    }
    let (impl_g, ty_g, where_c) = generics.split_for_impl();
    let value = |f: &ArgsField| {
        let member = &f.member;
        if f.sensitive.is_some() {
            quote!(&::agent_runtime::__private::RedactedField)
        } else if f.last_four.is_some() {
            quote!(&::agent_runtime::__private::LastFourField(&self.#member))
        } else {
            quote!(&self.#member)
        }
    };
    let body = match &item.fields {
        Fields::Named(_) => {
            let entries = model.fields.iter().map(|f| {
                let label = f.member.to_token_stream().to_string();
                let label = label.trim_start_matches("r#");
                let v = value(f);
                quote!(.field(#label, #v))
            });
            quote!(__agent_f.debug_struct(#name) #(#entries)* .finish())
        }
        Fields::Unnamed(_) => {
            let entries = model.fields.iter().map(|f| {
                let v = value(f);
                quote!(.field(#v))
            });
            quote!(__agent_f.debug_tuple(#name) #(#entries)* .finish())
        }
        Fields::Unit => quote!(__agent_f.write_str(#name)),
    };
    quote! {
        #[automatically_derived]
        impl #impl_g ::agent_runtime::__private::Debug for #ident #ty_g #where_c {
            fn fmt(
                &self,
                __agent_f: &mut ::agent_runtime::__private::Formatter<'_>,
            ) -> ::agent_runtime::__private::FmtResult {
                #body
            }
        }
    }
}

/// `SensitiveFields` (the JSON keys of the secret fields: marked, or of a
/// sensitive type) and, for a tuple struct whose every field is marked,
/// `SensitiveValue`.
fn sensitive_fields_impl(model: &ArgsStruct) -> TokenStream {
    let item = model.item;
    let ident = &item.ident;
    let (impl_g, ty_g, where_c) = item.generics.split_for_impl();
    let list = if item.generics.params.is_empty() {
        let pairs = model.fields.iter().filter_map(|f| {
            let key = f.key.as_ref()?;
            let ty = &f.syn.ty;
            Some(if f.sensitive.is_some() {
                quote!((#key, true))
            } else {
                quote!((#key, <::agent_runtime::__private::Probe<#ty>>::IS_SENSITIVE))
            })
        });
        flagged_names(quote!(#(#pairs),*))
    } else {
        // Constants cannot name the type parameters: markers only.
        let keys = model
            .fields
            .iter()
            .filter(|f| f.sensitive.is_some())
            .filter_map(|f| f.key.as_ref());
        quote!(&[#(#keys),*])
    };
    let whole = matches!(item.fields, Fields::Unnamed(_))
        && !model.fields.is_empty()
        && model.fields.iter().all(|f| f.sensitive.is_some());
    let value = whole.then(|| {
        quote! {
            #[automatically_derived]
            impl #impl_g ::agent_runtime::__private::SensitiveValue for #ident #ty_g #where_c {}
        }
    });
    quote! {
        #[automatically_derived]
        impl #impl_g ::agent_runtime::__private::SensitiveFields for #ident #ty_g #where_c {
            const SENSITIVE: &'static [&'static ::std::primitive::str] = #list;
        }
        #value
    }
}

/// `NamedFields` for a struct with named fields (whose schema is an
/// object, so it can be a tool's whole `args`); nothing for tuple and unit
/// structs, nor for a `transparent` struct, described as its only field.
fn named_fields_impl(model: &ArgsStruct) -> Option<TokenStream> {
    let item = model.item;
    if !matches!(item.fields, Fields::Named(_)) || model.transparent {
        return None;
    }
    let ident = &item.ident;
    let mut generics = item.generics.clone();
    if !generics.params.is_empty() {
        // The derives bound the parameters; the impl holds where they do.
        let (_, ty_g, _) = item.generics.split_for_impl();
        generics
            .make_where_clause()
            .predicates
            .push(syn::parse_quote!(
                #ident #ty_g: ::agent_runtime::__private::serde::de::DeserializeOwned
                    + ::agent_runtime::__private::schemars::JsonSchema
            ));
    }
    let (impl_g, ty_g, where_c) = generics.split_for_impl();
    Some(quote! {
        #[automatically_derived]
        impl #impl_g ::agent_runtime::__private::NamedFields for #ident #ty_g #where_c {}
    })
}
