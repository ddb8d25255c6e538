//! Code generation for types: `#[tool_args]` (argument structs, with
//! `#[sensitive]` fields) and `#[sensitive]` on a whole struct.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::punctuated::Punctuated;
use syn::{Attribute, Fields, Item, ItemStruct};

use crate::attr::{is_marker, serde_rename};
use crate::ctxt::Ctxt;
use crate::expand::{flagged_names, item_keyword_span};
use crate::names::{self, Marks};

fn parse_item(input: TokenStream) -> Result<Item, TokenStream> {
    syn::parse2(input.clone()).map_err(|e| {
        let e = e.to_compile_error();
        quote!(#e #input)
    })
}

/// The path of `Debug` (or `Serialize`) in a `#[derive(..)]` among `attrs`.
fn derived(attrs: &[Attribute], trait_name: &str) -> Option<syn::Path> {
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

/// One field of an argument struct.
struct FieldInfo {
    member: syn::Member,
    /// Its key in the JSON arguments (named fields only).
    key: Option<String>,
    ty: syn::Type,
    sensitive: bool,
}

/// Reads and removes `#[sensitive]` / `#[not_sensitive]` from the fields,
/// applying the name policy to named fields.
fn take_field_marks(cx: &mut Ctxt, fields: &mut Fields) -> Vec<FieldInfo> {
    let mut out = Vec::new();
    for (i, field) in fields.iter_mut().enumerate() {
        let sensitive = field
            .attrs
            .iter()
            .find(|a| is_marker(a, "sensitive"))
            .cloned();
        let not_sensitive = field
            .attrs
            .iter()
            .find(|a| is_marker(a, "not_sensitive"))
            .cloned();
        if let Some(ident) = &field.ident {
            let marks = Marks {
                sensitive: sensitive.as_ref(),
                not_sensitive: not_sensitive.as_ref(),
            };
            names::check_name(cx, ident, "field", &marks);
        } else if let Some(a) = &not_sensitive {
            cx.error_spanned_by(
                a,
                "`#[not_sensitive]` is only needed on a named field whose name looks secret",
            );
        }
        field
            .attrs
            .retain(|a| !is_marker(a, "sensitive") && !is_marker(a, "not_sensitive"));
        out.push(FieldInfo {
            member: match &field.ident {
                Some(ident) => syn::Member::Named(ident.clone()),
                None => syn::Member::Unnamed(syn::Index::from(i)),
            },
            key: field
                .ident
                .as_ref()
                .map(|id| serde_rename(&field.attrs).unwrap_or_else(|| id.to_string())),
            ty: field.ty.clone(),
            sensitive: sensitive.is_some(),
        });
    }
    out
}

/// A `Debug` impl printing every field, with `[REDACTED]` for the sensitive
/// ones.
fn redacting_debug(item: &ItemStruct, fields: &[FieldInfo]) -> TokenStream {
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
    let value = |f: &FieldInfo| {
        let member = &f.member;
        if f.sensitive {
            quote!(&::agent_runtime::__private::RedactedField)
        } else {
            quote!(&self.#member)
        }
    };
    let body = match &item.fields {
        Fields::Named(_) => {
            let entries = fields.iter().map(|f| {
                let label = f.member.to_token_stream().to_string();
                let label = label.trim_start_matches("r#");
                let v = value(f);
                quote!(.field(#label, #v))
            });
            quote!(__agent_f.debug_struct(#name) #(#entries)* .finish())
        }
        Fields::Unnamed(_) => {
            let entries = fields.iter().map(|f| {
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

/// `SensitiveFields` (the JSON keys of the secret fields) and, for a tuple
/// struct whose every field is sensitive, `SensitiveValue`.
fn sensitive_impls(item: &ItemStruct, fields: &[FieldInfo]) -> TokenStream {
    let ident = &item.ident;
    let (impl_g, ty_g, where_c) = item.generics.split_for_impl();
    let list = if item.generics.params.is_empty() {
        let pairs = fields.iter().filter_map(|f| {
            let key = f.key.as_ref()?;
            let ty = &f.ty;
            Some(if f.sensitive {
                quote!((#key, true))
            } else {
                quote!((#key, <::agent_runtime::__private::Probe<#ty>>::IS_SENSITIVE))
            })
        });
        flagged_names(quote!(#(#pairs),*))
    } else {
        // Constants cannot name the type parameters: markers only.
        let keys = fields
            .iter()
            .filter(|f| f.sensitive)
            .filter_map(|f| f.key.as_ref());
        quote!(&[#(#keys),*])
    };
    let whole = matches!(item.fields, Fields::Unnamed(_))
        && !fields.is_empty()
        && fields.iter().all(|f| f.sensitive);
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
fn named_fields_impl(item: &ItemStruct) -> Option<TokenStream> {
    if !matches!(item.fields, Fields::Named(_)) || is_transparent(&item.attrs) {
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

/// `#[serde(transparent)]` or `#[schemars(transparent)]` on the container.
fn is_transparent(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde") || a.path().is_ident("schemars"))
        .any(|a| {
            let mut found = false;
            let _ = a.parse_nested_meta(|meta| {
                found |= meta.path.is_ident("transparent");
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                } else if meta.input.peek(syn::token::Paren) {
                    let _content;
                    syn::parenthesized!(_content in meta.input);
                }
                Ok(())
            });
            found
        })
}

/// `#[serde(rename_all = ..)]` on the container.
fn renames_all(attrs: &[Attribute]) -> Option<&Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .find(|a| {
            let mut found = false;
            let _ = a.parse_nested_meta(|meta| {
                found |= meta.path.is_ident("rename_all");
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            });
            found
        })
}

pub(crate) fn expand_tool_args(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut item = match parse_item(input) {
        Ok(item) => item,
        Err(tokens) => return tokens,
    };
    let mut cx = Ctxt::default();
    if !args.is_empty() {
        cx.error_spanned_by(&args, "`#[tool_args]` takes no arguments");
    }
    let (deny_unknown, generated) = match &mut item {
        Item::Struct(s) => {
            let fields = take_field_marks(&mut cx, &mut s.fields);
            let any_sensitive = fields.iter().any(|f| f.sensitive);
            let mut debug = TokenStream::new();
            if any_sensitive {
                if let Some(path) = derived(&s.attrs, "Debug") {
                    cx.error_spanned_by(
                        path,
                        "`#[derive(Debug)]` would print the `#[sensitive]` fields; `#[tool_args]` already implements `Debug` with them shown as `[REDACTED]`: remove `Debug` from the derive",
                    );
                } else {
                    debug = redacting_debug(s, &fields);
                }
                if let Some(attr) = renames_all(&s.attrs) {
                    cx.error_spanned_by(
                        attr,
                        "`#[serde(rename_all)]` together with `#[sensitive]` fields is not supported; rename fields one by one with `#[serde(rename = \"...\")]`",
                    );
                }
            }
            let impls = sensitive_impls(s, &fields);
            let object = named_fields_impl(s);
            (
                matches!(s.fields, Fields::Named(_)),
                quote!(#debug #impls #object),
            )
        }
        Item::Enum(e) => {
            for field in e.variants.iter_mut().flat_map(|v| v.fields.iter_mut()) {
                if let Some(a) = field
                    .attrs
                    .iter()
                    .find(|a| is_marker(a, "sensitive") || is_marker(a, "not_sensitive"))
                {
                    cx.error_spanned_by(
                        a,
                        "markers on enum variant fields are not supported; make the secret field a `Secret<T>`",
                    );
                }
                field
                    .attrs
                    .retain(|a| !is_marker(a, "sensitive") && !is_marker(a, "not_sensitive"));
            }
            let ident = &e.ident;
            let (impl_g, ty_g, where_c) = e.generics.split_for_impl();
            let impls = quote! {
                #[automatically_derived]
                impl #impl_g ::agent_runtime::__private::SensitiveFields for #ident #ty_g #where_c {
                    const SENSITIVE: &'static [&'static ::std::primitive::str] = &[];
                }
            };
            (false, impls)
        }
        other => {
            let err = syn::Error::new(
                item_keyword_span(other),
                "`#[tool_args]` goes on a struct or an enum that describes tool arguments",
            )
            .to_compile_error();
            return quote!(#err #other);
        }
    };
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
        #generated
    }
}

pub(crate) fn expand_sensitive(args: TokenStream, input: TokenStream) -> TokenStream {
    let item = match parse_item(input) {
        Ok(item) => item,
        Err(tokens) => return tokens,
    };
    let mut s = match item {
        Item::Struct(s) => s,
        other => {
            let what = match &other {
                Item::Enum(_) => "an enum",
                Item::Union(_) => "a union",
                Item::Fn(_) => "a function",
                _ => "this item",
            };
            let err = syn::Error::new(
                item_keyword_span(&other),
                format!(
                    "`#[sensitive]` cannot be applied to {what}; it goes on a struct whose whole value is secret, on a field of a `#[tool_args]` struct, or on a tool parameter (to hide part of a value, make that part a `Secret<T>`)"
                ),
            )
            .to_compile_error();
            return quote!(#err #other);
        }
    };
    let mut cx = Ctxt::default();
    if !args.is_empty() {
        cx.error_spanned_by(
            &args,
            "`#[sensitive]` takes no arguments; the whole value of this struct is secret",
        );
    }
    if matches!(s.fields, Fields::Unit) {
        cx.error_spanned_by(&s.ident, "a unit struct holds no value to keep secret");
    }
    for field in s.fields.iter_mut() {
        if let Some(a) = field.attrs.iter().find(|a| is_marker(a, "sensitive")) {
            cx.error_spanned_by(
                a,
                "the whole struct is already `#[sensitive]`; remove this marker (or remove the one on the struct and mark single fields of a `#[tool_args]` struct)",
            );
        }
        field.attrs.retain(|a| !is_marker(a, "sensitive"));
    }
    let mut impls = TokenStream::new();
    match derived(&s.attrs, "Debug") {
        Some(path) => cx.error_spanned_by(
            path,
            "`#[derive(Debug)]` would print the secret; `#[sensitive]` already implements `Debug` as `[REDACTED]`: remove `Debug` from the derive",
        ),
        None => impls.extend(whole_debug(&s)),
    }
    match derived(&s.attrs, "Serialize") {
        Some(path) => cx.error_spanned_by(
            path,
            "`#[derive(Serialize)]` would write the secret to logs and records; `#[sensitive]` already implements `Serialize` as `\"[REDACTED]\"`: remove `Serialize` from the derive",
        ),
        None => impls.extend(whole_serialize(&s)),
    }
    impls.extend(whole_drop_and_access(&s));
    let errors = cx.into_compile_errors();
    quote! {
        #errors
        #s
        #impls
    }
}

fn whole_debug(s: &ItemStruct) -> TokenStream {
    let ident = &s.ident;
    let shown = format!("{ident}([REDACTED])");
    let (impl_g, ty_g, where_c) = s.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_g ::agent_runtime::__private::Debug for #ident #ty_g #where_c {
            fn fmt(
                &self,
                __agent_f: &mut ::agent_runtime::__private::Formatter<'_>,
            ) -> ::agent_runtime::__private::FmtResult {
                __agent_f.write_str(#shown)
            }
        }
        #[automatically_derived]
        impl #impl_g ::agent_runtime::__private::SensitiveValue for #ident #ty_g #where_c {}
    }
}

fn whole_serialize(s: &ItemStruct) -> TokenStream {
    let ident = &s.ident;
    let (impl_g, ty_g, where_c) = s.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_g ::agent_runtime::__private::serde::Serialize for #ident #ty_g #where_c {
            fn serialize<__AgentS: ::agent_runtime::__private::serde::Serializer>(
                &self,
                __agent_s: __AgentS,
            ) -> ::agent_runtime::__private::Result<__AgentS::Ok, __AgentS::Error> {
                __agent_s.serialize_str(::agent_runtime::__private::REDACTED)
            }
        }
    }
}

/// `Drop` wiping every field whose type allows it, and for a newtype an
/// `expose_secret` accessor.
fn whole_drop_and_access(s: &ItemStruct) -> TokenStream {
    let ident = &s.ident;
    let (impl_g, ty_g, where_c) = s.generics.split_for_impl();
    let members = s.fields.members();
    let access = match &s.fields {
        Fields::Unnamed(f) if f.unnamed.len() == 1 => {
            let vis = &s.vis;
            let ty = &f.unnamed[0].ty;
            Some(quote! {
                impl #impl_g #ident #ty_g #where_c {
                    /// Reads the secret. Every call is a place where the
                    /// secret leaves its box.
                    #[allow(dead_code)]
                    #vis fn expose_secret(&self) -> &#ty {
                        &self.0
                    }
                }
            })
        }
        _ => None,
    };
    quote! {
        #[automatically_derived]
        impl #impl_g ::std::ops::Drop for #ident #ty_g #where_c {
            fn drop(&mut self) {
                #[allow(unused_imports)]
                use ::agent_runtime::__private::WipeFallback as _;
                #(::agent_runtime::__private::Wipe(&mut self.#members).wipe();)*
            }
        }
        #access
    }
}
