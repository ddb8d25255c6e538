//! The model of what the user wrote: an agent struct, an agent impl block
//! with its tools, a `#[tool_args]` type, a `#[sensitive]` struct.
//!
//! Each model keeps references to the user's syntax, so `check` can point an
//! error at the exact token to change and `expand` can reuse the user's
//! types. Building a model only reads: attributes are parsed here (through
//! `attr`, which reports what cannot be parsed) but no rule is applied; the
//! rules run in `check` once the whole model exists.

use proc_macro2::Span;
use syn::{
    Attribute, FnArg, ImplItem, ImplItemFn, ItemEnum, ItemImpl, ItemStruct, Pat, Type,
    TypeReference,
};

use crate::attr::{
    self, AgentAttr, DocPiece, NOT_SENSITIVE, ON_SUMMARY, SENSITIVE, SpannedStr, TOOL, TOOL_ARGS,
    ToolAttr, find_marker, is_marker,
};
use crate::ctxt::Ctxt;

/// A struct marked `#[agent(..)]`.
pub(crate) struct AgentStruct<'a> {
    pub item: &'a ItemStruct,
    /// `name = "..."`, when given.
    pub name: Option<SpannedStr>,
    /// `route = "..."`, when given.
    pub route: Option<SpannedStr>,
}

/// An impl block marked `#[agent]`: its methods sorted by role.
pub(crate) struct AgentImpl<'a> {
    pub item: &'a ItemImpl,
    pub tools: Vec<Tool<'a>>,
    /// Methods marked `#[on_summary]` (at most one is allowed).
    pub summaries: Vec<Method<'a>>,
    /// Every other method, including one marked both `#[tool]` and
    /// `#[on_summary]`.
    pub others: Vec<Method<'a>>,
}

/// A method of an agent impl block, with the markers found on it.
pub(crate) struct Method<'a> {
    pub syn: &'a ImplItemFn,
    /// Every `#[tool]` attribute (more than one is a mistake).
    pub tool_markers: Vec<&'a Attribute>,
    pub on_summary: Option<&'a Attribute>,
    /// `#[sensitive]` on the method itself (a mistake).
    pub sensitive: Option<&'a Attribute>,
    pub params: Vec<Param<'a>>,
    /// Parameters written as patterns (`(a, b): (u8, u8)`), which have no
    /// name to be an argument key.
    pub patterns: Vec<&'a Pat>,
    /// The first `#[sensitive]` or `#[not_sensitive]` of each parameter
    /// that has one, named or not.
    pub param_markers: Vec<&'a Attribute>,
}

/// A method marked `#[tool]`.
pub(crate) struct Tool<'a> {
    pub method: Method<'a>,
    pub attr: ToolAttr,
    /// The SWAIG function name: `name = "..."` or the method name.
    pub name: String,
    pub name_span: Span,
    pub description: Description<'a>,
}

/// A tool's description: `description = "..."`, else its doc comments.
pub(crate) struct Description<'a> {
    pub pieces: Vec<DescriptionPiece<'a>>,
}

/// Part of a description: text known now, or a macro call such as
/// `include_str!("..")` from `#[doc = include_str!("..")]`, expanded by the
/// compiler inside the generated `concat!`.
pub(crate) enum DescriptionPiece<'a> {
    Text(String),
    Macro(&'a syn::Expr),
}

/// Where a parameter's value comes from.
pub(crate) enum ParamKind<'a> {
    /// `&T`: platform context borrowed from the call.
    Context(&'a TypeReference),
    /// Owned: filled by the model.
    Argument,
}

/// A named parameter of a tool or summary method.
pub(crate) struct Param<'a> {
    pub ident: &'a syn::Ident,
    pub ty: &'a Type,
    pub kind: ParamKind<'a>,
    /// `#[sensitive]` (or a marker with arguments other than `last_four`,
    /// redacted whole while `check` reports it).
    pub sensitive: Option<&'a Attribute>,
    /// `#[sensitive(last_four)]`.
    pub last_four: Option<&'a Attribute>,
    pub not_sensitive: Option<&'a Attribute>,
    /// The key of the argument in the JSON object (`#[serde(rename)]` or the
    /// parameter name).
    pub key: String,
    /// The parameter's `///` text: its description in the schema.
    pub doc: String,
    /// `#[schemars(..)]` / `#[serde(..)]` forwarded to the generated field.
    pub forwarded: Vec<&'a Attribute>,
}

/// A struct marked `#[tool_args]`.
pub(crate) struct ArgsStruct<'a> {
    pub item: &'a ItemStruct,
    pub fields: Vec<ArgsField<'a>>,
    /// `Debug` in the struct's `#[derive(..)]`.
    pub derives_debug: Option<syn::Path>,
    /// The `#[serde(..)]` attribute holding `rename_all`.
    pub rename_all: Option<&'a Attribute>,
    /// `#[serde(transparent)]` / `#[schemars(transparent)]`: described as
    /// its only field, so not an object.
    pub transparent: bool,
}

/// A field of a `#[tool_args]` struct.
pub(crate) struct ArgsField<'a> {
    pub syn: &'a syn::Field,
    pub member: syn::Member,
    /// Its key in the JSON arguments (named fields only).
    pub key: Option<String>,
    /// `#[sensitive]` (or a marker with arguments other than `last_four`).
    pub sensitive: Option<&'a Attribute>,
    /// `#[sensitive(last_four)]`.
    pub last_four: Option<&'a Attribute>,
    pub not_sensitive: Option<&'a Attribute>,
}

/// An enum marked `#[tool_args]`.
pub(crate) struct ArgsEnum<'a> {
    pub item: &'a ItemEnum,
    /// `#[sensitive]` / `#[not_sensitive]` on variant fields (not supported).
    pub field_markers: Vec<&'a Attribute>,
}

/// A struct marked `#[sensitive]` as a whole.
pub(crate) struct SensitiveStruct<'a> {
    pub item: &'a ItemStruct,
    /// `#[sensitive]` on its fields (redundant, so a mistake).
    pub field_markers: Vec<&'a Attribute>,
    pub derives_debug: Option<syn::Path>,
    pub derives_serialize: Option<syn::Path>,
    /// `#[tool_args]` or a derive of `JsonSchema` is still to expand on it.
    pub gets_schema: bool,
}

impl<'a> AgentStruct<'a> {
    pub(crate) fn from_ast(item: &'a ItemStruct, attr: AgentAttr) -> Self {
        AgentStruct {
            item,
            name: attr.name,
            route: attr.route,
        }
    }

    /// The agent's name: `name = "..."`, else the struct name in kebab case.
    pub(crate) fn name(&self) -> String {
        match &self.name {
            Some(name) => name.value.clone(),
            None => agent_rules::agent::kebab_case(&self.item.ident.to_string()),
        }
    }

    /// The agent's route as written, `/` by default (the runtime normalizes
    /// it when the agent is built).
    pub(crate) fn route(&self) -> &str {
        self.route.as_ref().map_or("/", |r| r.value.as_str())
    }
}

impl<'a> AgentImpl<'a> {
    pub(crate) fn from_ast(cx: &mut Ctxt, item: &'a ItemImpl) -> Self {
        let mut model = AgentImpl {
            item,
            tools: Vec::new(),
            summaries: Vec::new(),
            others: Vec::new(),
        };
        for impl_item in &item.items {
            let ImplItem::Fn(original) = impl_item else {
                continue;
            };
            let method = Method::from_ast(original);
            match (method.tool_markers.first(), method.on_summary) {
                (Some(&marker), None) => model.tools.push(Tool::from_ast(cx, method, marker)),
                (None, Some(_)) => model.summaries.push(method),
                _ => model.others.push(method),
            }
        }
        model
    }
}

impl<'a> Method<'a> {
    fn from_ast(original: &'a ImplItemFn) -> Self {
        let mut params = Vec::new();
        let mut patterns = Vec::new();
        let mut param_markers = Vec::new();
        for input in &original.sig.inputs {
            let FnArg::Typed(pt) = input else { continue };
            param_markers.extend(
                pt.attrs
                    .iter()
                    .find(|a| is_marker(a, SENSITIVE) || is_marker(a, NOT_SENSITIVE)),
            );
            match &*pt.pat {
                Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                    params.push(Param::from_ast(&pi.ident, pt));
                }
                other => patterns.push(other),
            }
        }
        Method {
            syn: original,
            tool_markers: original
                .attrs
                .iter()
                .filter(|a| is_marker(a, TOOL))
                .collect(),
            on_summary: find_marker(&original.attrs, ON_SUMMARY),
            sensitive: find_marker(&original.attrs, SENSITIVE),
            params,
            patterns,
            param_markers,
        }
    }

    /// The parameters the model fills.
    pub(crate) fn arguments(&self) -> impl Iterator<Item = &Param<'a>> {
        self.params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::Argument))
    }

    /// The single `args` parameter, when the method takes its argument
    /// object whole.
    pub(crate) fn whole_args(&self) -> Option<&Param<'a>> {
        let mut arguments = self.arguments();
        match (arguments.next(), arguments.next()) {
            (Some(only), None) if only.ident == "args" => Some(only),
            _ => None,
        }
    }
}

impl<'a> Tool<'a> {
    fn from_ast(cx: &mut Ctxt, method: Method<'a>, marker: &Attribute) -> Self {
        let mut attr = attr::parse_tool_attr(cx, marker);
        let ident = &method.syn.sig.ident;
        let (name, name_span) = match &attr.name {
            Some(n) => (n.value.clone(), n.span),
            None => (ident.to_string(), ident.span()),
        };
        let description = match attr.description.take() {
            Some(d) => Description {
                pieces: vec![DescriptionPiece::Text(d.value)],
            },
            None => Description::from_doc(attr::doc_pieces(&method.syn.attrs)),
        };
        Tool {
            method,
            attr,
            name,
            name_span,
            description,
        }
    }

    pub(crate) fn is_secure(&self) -> bool {
        self.attr.secure.is_some()
    }
}

impl<'a> Description<'a> {
    /// Joins doc comment lines the way the model should read them: lines of
    /// one paragraph with a space (comments are wrapped prose), paragraphs
    /// with a blank line, leading and trailing blank lines dropped. A macro
    /// piece is text of its own (usually a whole file with its own line
    /// breaks), so it is set off from its neighbours with a line break, as
    /// rustdoc does.
    fn from_doc(doc: Vec<DocPiece<'a>>) -> Self {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut started = false;
        let mut after_macro = false;
        let mut paragraph_break = false;
        for piece in doc {
            match piece {
                DocPiece::Line(line) if line.is_empty() => paragraph_break = started,
                DocPiece::Line(line) => {
                    if started {
                        text.push_str(match (paragraph_break, after_macro) {
                            (true, _) => "\n\n",
                            (false, true) => "\n",
                            (false, false) => " ",
                        });
                    }
                    text.push_str(&line);
                    (started, after_macro, paragraph_break) = (true, false, false);
                }
                DocPiece::Macro(expr) => {
                    if started {
                        text.push_str(if paragraph_break { "\n\n" } else { "\n" });
                    }
                    if !text.is_empty() {
                        pieces.push(DescriptionPiece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(DescriptionPiece::Macro(expr));
                    (started, after_macro, paragraph_break) = (true, true, false);
                }
            }
        }
        if !text.is_empty() || pieces.is_empty() {
            pieces.push(DescriptionPiece::Text(text));
        }
        Description { pieces }
    }

    /// True when there is no text and nothing the compiler will fill in.
    pub(crate) fn is_empty(&self) -> bool {
        self.pieces.iter().all(|p| match p {
            DescriptionPiece::Text(text) => text.trim().is_empty(),
            DescriptionPiece::Macro(_) => false,
        })
    }
}

impl<'a> Param<'a> {
    fn from_ast(ident: &'a syn::Ident, pt: &'a syn::PatType) -> Self {
        let kind = match &*pt.ty {
            Type::Reference(r) => ParamKind::Context(r),
            _ => ParamKind::Argument,
        };
        let (sensitive, last_four) = split_sensitive(find_marker(&pt.attrs, SENSITIVE));
        Param {
            ident,
            ty: &pt.ty,
            kind,
            sensitive,
            last_four,
            not_sensitive: find_marker(&pt.attrs, NOT_SENSITIVE),
            key: attr::serde_rename(&pt.attrs).unwrap_or_else(|| ident.to_string()),
            doc: doc_text(&pt.attrs),
            forwarded: pt
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("schemars") || a.path().is_ident("serde"))
                .collect(),
        }
    }
}

/// A `#[sensitive]` marker as (whole, last four): `#[sensitive(last_four)]`
/// is the second; any other form the first.
fn split_sensitive(marker: Option<&Attribute>) -> (Option<&Attribute>, Option<&Attribute>) {
    match marker {
        Some(a) if attr::sensitive_mode(a) == attr::SensitiveMode::LastFour => (None, Some(a)),
        other => (other, None),
    }
}

/// The text of the `///` comments among `attrs`, joined as a description.
/// Only literal lines count: a parameter's description is a schema string.
fn doc_text(attrs: &[Attribute]) -> String {
    let lines = attr::doc_pieces(attrs)
        .into_iter()
        .filter(|piece| matches!(piece, DocPiece::Line(_)))
        .collect();
    Description::from_doc(lines)
        .pieces
        .into_iter()
        .map(|piece| match piece {
            DescriptionPiece::Text(text) => text,
            DescriptionPiece::Macro(_) => String::new(),
        })
        .collect()
}

impl<'a> ArgsStruct<'a> {
    pub(crate) fn from_ast(item: &'a ItemStruct) -> Self {
        let fields = item
            .fields
            .iter()
            .enumerate()
            .map(|(i, field)| {
                let (sensitive, last_four) = split_sensitive(find_marker(&field.attrs, SENSITIVE));
                ArgsField {
                    syn: field,
                    member: match &field.ident {
                        Some(ident) => syn::Member::Named(ident.clone()),
                        None => syn::Member::Unnamed(syn::Index::from(i)),
                    },
                    key: field.ident.as_ref().map(|id| {
                        attr::serde_rename(&field.attrs).unwrap_or_else(|| id.to_string())
                    }),
                    sensitive,
                    last_four,
                    not_sensitive: find_marker(&field.attrs, NOT_SENSITIVE),
                }
            })
            .collect();
        ArgsStruct {
            item,
            fields,
            derives_debug: attr::derived(&item.attrs, "Debug"),
            rename_all: attr::serde_rename_all(&item.attrs),
            transparent: attr::is_transparent(&item.attrs),
        }
    }

    /// Whether a field is marked `#[sensitive]` in either mode (the
    /// struct then gets a redacting `Debug`).
    pub(crate) fn any_sensitive(&self) -> bool {
        self.fields
            .iter()
            .any(|f| f.sensitive.is_some() || f.last_four.is_some())
    }
}

impl<'a> ArgsEnum<'a> {
    pub(crate) fn from_ast(item: &'a ItemEnum) -> Self {
        let field_markers = item
            .variants
            .iter()
            .flat_map(|v| v.fields.iter())
            .filter_map(|f| {
                f.attrs
                    .iter()
                    .find(|a| is_marker(a, SENSITIVE) || is_marker(a, NOT_SENSITIVE))
            })
            .collect();
        ArgsEnum {
            item,
            field_markers,
        }
    }
}

impl<'a> SensitiveStruct<'a> {
    pub(crate) fn from_ast(item: &'a ItemStruct) -> Self {
        SensitiveStruct {
            item,
            field_markers: item
                .fields
                .iter()
                .filter_map(|f| find_marker(&f.attrs, SENSITIVE))
                .collect(),
            derives_debug: attr::derived(&item.attrs, "Debug"),
            derives_serialize: attr::derived(&item.attrs, "Serialize"),
            gets_schema: attr::derived(&item.attrs, "JsonSchema").is_some()
                || item.attrs.iter().any(|a| attr::names_macro(a, TOOL_ARGS)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens as _;

    /// A description as strings, a macro call written `name!(..)`.
    fn pieces(attrs: &[Attribute]) -> Vec<String> {
        Description::from_doc(attr::doc_pieces(attrs))
            .pieces
            .iter()
            .map(|piece| match piece {
                DescriptionPiece::Text(text) => text.clone(),
                DescriptionPiece::Macro(syn::Expr::Macro(m)) => {
                    format!("{}!(..)", m.mac.path.to_token_stream())
                }
                DescriptionPiece::Macro(other) => panic!("not a macro: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn comment_lines_join_as_prose_with_paragraphs_kept() {
        let attrs: Vec<Attribute> = vec![
            syn::parse_quote!(#[doc = ""]),
            syn::parse_quote!(#[doc = " Look up"]),
            syn::parse_quote!(#[doc = "   a balance. "]),
            syn::parse_quote!(#[doc = ""]),
            syn::parse_quote!(#[doc = "  "]),
            syn::parse_quote!(#[doc = " Second paragraph."]),
            syn::parse_quote!(#[doc = ""]),
        ];
        assert_eq!(pieces(&attrs), ["Look up a balance.\n\nSecond paragraph."]);
    }

    #[test]
    fn macro_pieces_keep_their_place_between_lines() {
        let attrs: Vec<Attribute> = vec![
            syn::parse_quote!(#[doc = " Intro."]),
            syn::parse_quote!(#[doc = include_str!("a.md")]),
            syn::parse_quote!(#[doc = " Outro."]),
            syn::parse_quote!(#[doc = ""]),
            syn::parse_quote!(#[doc = concat!("b", "c")]),
        ];
        assert_eq!(
            pieces(&attrs),
            [
                "Intro.\n",
                "include_str!(..)",
                "\nOutro.\n\n",
                "concat!(..)",
            ]
        );
    }

    #[test]
    fn a_macro_alone_is_the_whole_description() {
        let attrs: Vec<Attribute> = vec![syn::parse_quote!(#[doc = include_str!("a.md")])];
        assert_eq!(pieces(&attrs), ["include_str!(..)"]);
        let description = Description::from_doc(attr::doc_pieces(&attrs));
        assert!(!description.is_empty());
    }

    #[test]
    fn no_doc_is_an_empty_description() {
        let attrs: Vec<Attribute> = vec![
            syn::parse_quote!(#[inline]),
            syn::parse_quote!(#[doc = "   "]),
        ];
        let description = Description::from_doc(attr::doc_pieces(&attrs));
        assert_eq!(pieces(&attrs), [""]);
        assert!(description.is_empty());
    }

    #[test]
    fn parameter_docs_ignore_macro_pieces() {
        let attrs: Vec<Attribute> = vec![
            syn::parse_quote!(#[doc = " Amount"]),
            syn::parse_quote!(#[doc = include_str!("a.md")]),
            syn::parse_quote!(#[doc = " in dollars."]),
        ];
        assert_eq!(doc_text(&attrs), "Amount in dollars.");
    }
}
