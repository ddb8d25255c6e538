//! `#[sensitive]` on a whole struct: a redacting `Debug` and `Serialize`, a
//! wiping `Drop`, `expose_secret()` on a newtype, and the schema marker when
//! the struct gets a `JsonSchema` derive.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Fields, Item, ItemStruct};

use super::common::{
    item_kind, marks_schema_sensitive, parse_item, remove_markers, sensitive_schema_attr,
    wrong_item,
};
use crate::ast::SensitiveStruct;
use crate::attr::{self, SENSITIVE};
use crate::check;
use crate::ctxt::Ctxt;

pub(crate) fn expand_sensitive(args: TokenStream, input: TokenStream) -> TokenStream {
    let item = match parse_item(input) {
        Ok(Item::Struct(s)) => s,
        Ok(other) => {
            let message = format!(
                "`#[sensitive]` cannot be applied to {}; it goes on a struct whose whole value is secret, on a field of a `#[tool_args]` struct, or on a tool parameter (to hide part of a value, make that part a `Secret<T>`)",
                item_kind(&other)
            );
            return wrong_item(&other, &message);
        }
        Err(tokens) => return tokens,
    };
    let mut cx = Ctxt::default();
    attr::parse_no_args(
        &mut cx,
        &args,
        "`#[sensitive]` takes no arguments; the whole value of this struct is secret",
    );
    let model = SensitiveStruct::from_ast(&item);
    check::check_sensitive_struct(&mut cx, &model);
    // A derived `Debug` or `Serialize` is reported; generating ours as well
    // would add a conflicting-impl error for the same mistake.
    let debug = model.derives_debug.is_none().then(|| whole_debug(&item));
    let serialize = model
        .derives_serialize
        .is_none()
        .then(|| whole_serialize(&item));
    let drop_and_access = whole_drop_and_access(&item);
    let mut cleaned = item.clone();
    for field in cleaned.fields.iter_mut() {
        remove_markers(&mut field.attrs, &[SENSITIVE]);
    }
    // With a schema to come (`#[tool_args]` or a derive of `JsonSchema`
    // still to expand), the marker makes the value redacted wherever the
    // type is used in tool arguments.
    if model.gets_schema && !marks_schema_sensitive(&item.attrs) {
        cleaned.attrs.push(sensitive_schema_attr());
    }
    let errors = cx.into_compile_errors();
    quote! {
        #errors
        #cleaned
        const _: () = {
            #debug
            #serialize
            #drop_and_access
        };
    }
}

/// `Debug` as `Name([REDACTED])`, and the `SensitiveValue` marker that makes
/// a tool parameter of this type a secret argument even where its schema
/// lacks the marker.
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

/// `Serialize` as the string `"[REDACTED]"`, so the value never reaches a
/// log or record through serde.
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
