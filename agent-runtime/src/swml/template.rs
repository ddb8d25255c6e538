//! SWML rendering. The whole document is serialised once at start-up into a
//! template of byte pieces; per request only the tokens of secure tools (and of
//! the post-prompt URL) are minted and spliced in.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};

use crate::security::token::TokenSigner;

/// Characters escaped in the user-info part of a URL: everything but RFC 3986
/// "unreserved".
const USERINFO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The function name post-prompt tokens are bound to.
pub(crate) const POST_PROMPT_FUNCTION: &str = "post_prompt";

/// One tool as it appears in SWML.
#[derive(Debug, Clone)]
pub(crate) struct SwmlFunction {
    pub name: &'static str,
    /// As the model reads it: the doc comment, plus for an unrecorded tool
    /// of a recording agent the instruction to call its companion first.
    pub description: Cow<'static, str>,
    pub secure: bool,
    pub parameters: Value,
}

/// Everything static that goes into the document.
#[derive(Debug, Clone)]
pub(crate) struct SwmlSpec {
    pub prompt: Value,
    pub post_prompt: Option<String>,
    pub params: Map<String, Value>,
    pub hints: Vec<Value>,
    pub languages: Vec<Value>,
    pub global_data: Map<String, Value>,
    pub record_call: Option<Value>,
    pub functions: Vec<SwmlFunction>,
    /// `scheme://user:pass@host[:port]<route>` (credentials percent-encoded).
    pub url_base: String,
}

/// Which parts a rendering includes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Variant {
    /// Secure tools are listed (with token URLs).
    pub secure_tools: bool,
    /// `post_prompt_url` is present (with a token).
    pub post_prompt_url: bool,
}

enum Piece {
    Static(Box<[u8]>),
    Token(&'static str),
}

/// A pre-serialised document with holes for tokens.
pub(crate) struct SwmlTemplate {
    pieces: Vec<Piece>,
    static_len: usize,
}

impl std::fmt::Debug for SwmlTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SwmlTemplate")
            .field("pieces", &self.pieces.len())
            .field("static_len", &self.static_len)
            .finish()
    }
}

/// Builds `scheme://user:pass@host...` with the credentials percent-encoded.
pub(crate) fn url_with_credentials(
    public_base: &str,
    user: &str,
    password: &str,
    route: &str,
) -> String {
    let (scheme, rest) = public_base
        .split_once("://")
        .unwrap_or(("http", public_base));
    let route = route.trim_end_matches('/');
    format!(
        "{scheme}://{}:{}@{rest}{route}",
        utf8_percent_encode(user, USERINFO),
        utf8_percent_encode(password, USERINFO)
    )
}

impl SwmlTemplate {
    /// Serialises the document for `variant` once.
    pub(crate) fn compile(spec: &SwmlSpec, variant: Variant) -> Result<Self, serde_json::Error> {
        Self::compile_keeping(spec, variant, |_| true)
    }

    /// [`compile`](Self::compile), listing only the tools `keep` accepts
    /// (emergency mode withdrawing single tools or groups).
    pub(crate) fn compile_keeping(
        spec: &SwmlSpec,
        variant: Variant,
        keep: impl Fn(&SwmlFunction) -> bool,
    ) -> Result<Self, serde_json::Error> {
        let marker = hole_marker();
        let mut holes: Vec<&'static str> = Vec::new();
        let mut hole = |function: &'static str| {
            holes.push(function);
            format!("{marker}{}#", holes.len() - 1)
        };
        let swaig_url = format!("{}/swaig/", spec.url_base);

        let mut ai = Map::new();
        ai.insert("prompt".into(), spec.prompt.clone());
        if let Some(pp) = &spec.post_prompt {
            ai.insert("post_prompt".into(), json!({ "text": pp }));
            if variant.post_prompt_url {
                let url = format!(
                    "{}/post_prompt/?__token={}",
                    spec.url_base,
                    hole(POST_PROMPT_FUNCTION)
                );
                ai.insert("post_prompt_url".into(), Value::String(url));
            }
        }
        let mut functions = Vec::new();
        for f in spec
            .functions
            .iter()
            .filter(|f| (variant.secure_tools || !f.secure) && keep(f))
        {
            let mut entry = Map::new();
            entry.insert("function".into(), Value::String(f.name.to_owned()));
            entry.insert(
                "description".into(),
                Value::String(f.description.clone().into_owned()),
            );
            entry.insert("parameters".into(), f.parameters.clone());
            if f.secure {
                let url = format!("{swaig_url}?__token={}", hole(f.name));
                entry.insert("web_hook_url".into(), Value::String(url));
            }
            functions.push(Value::Object(entry));
        }
        if !functions.is_empty() {
            ai.insert(
                "SWAIG".into(),
                json!({"functions": functions, "defaults": {"web_hook_url": swaig_url}}),
            );
        }
        ai.insert("params".into(), Value::Object(spec.params.clone()));
        if !spec.hints.is_empty() {
            ai.insert("hints".into(), Value::Array(spec.hints.clone()));
        }
        if !spec.languages.is_empty() {
            ai.insert("languages".into(), Value::Array(spec.languages.clone()));
        }
        if !spec.global_data.is_empty() {
            ai.insert(
                "global_data".into(),
                Value::Object(spec.global_data.clone()),
            );
        }

        let mut main = vec![json!({"answer": {}})];
        if let Some(rec) = &spec.record_call {
            main.push(json!({ "record_call": rec }));
        }
        main.push(json!({ "ai": ai }));
        let doc = json!({"version": "1.0.0", "sections": {"main": main}});
        let text = serde_json::to_string(&doc)?;
        Ok(Self::split(&text, &marker, &holes))
    }

    fn split(text: &str, marker: &str, holes: &[&'static str]) -> Self {
        let mut pieces = Vec::new();
        let mut rest = text;
        let mut static_len = 0;
        while let Some(at) = rest.find(marker) {
            let (before, after) = rest.split_at(at);
            pieces.push(Piece::Static(before.as_bytes().into()));
            static_len += before.len();
            let after = &after[marker.len()..];
            let end = after.find('#').unwrap_or(after.len());
            let index: usize = after[..end].parse().unwrap_or(usize::MAX);
            if let Some(function) = holes.get(index) {
                pieces.push(Piece::Token(function));
            }
            rest = after.get(end + 1..).unwrap_or("");
        }
        pieces.push(Piece::Static(rest.as_bytes().into()));
        static_len += rest.len();
        SwmlTemplate { pieces, static_len }
    }

    /// Renders the document, minting one token per hole bound to `call_id`.
    pub(crate) fn render(&self, signer: &TokenSigner, call_id: &str) -> Vec<u8> {
        let holes = self.pieces.len() / 2;
        let mut out = Vec::with_capacity(self.static_len + holes * 192);
        // Clock, call hash and nonce once per document, not per token.
        let minter = (holes > 0).then(|| signer.minter(call_id));
        for piece in &self.pieces {
            match (piece, &minter) {
                (Piece::Static(bytes), _) => out.extend_from_slice(bytes),
                (Piece::Token(function), Some(minter)) => minter.mint_into(function, &mut out),
                (Piece::Token(_), None) => {}
            }
        }
        out
    }
}

/// A marker that cannot collide with user text: random per compilation.
fn hole_marker() -> String {
    let mut nonce = [0u8; 12];
    // On the (theoretical) failure of the OS random source the marker is still
    // unusual enough; it never leaves the process.
    let _ = getrandom::fill(&mut nonce);
    let hex: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    format!("@@agent-hole-{hex}-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_percent_encoded() {
        let u = url_with_credentials("http://localhost:3000", "user", "p@ss:w/rd#1", "/bank");
        assert_eq!(u, "http://user:p%40ss%3Aw%2Frd%231@localhost:3000/bank");
        let u = url_with_credentials("https://a.example", "u", "pw", "/");
        assert_eq!(u, "https://u:pw@a.example");
    }
}
