//! What the fuzz targets compare the runtime against.
//!
//! [`Node`] is an independent reading of JSON: the same tokenizer
//! (serde_json's), but every object keeps *all* of its entries, repeats
//! included, in order. From it a target can tell whether a body names a key
//! twice (and where), and what a plain `serde_json::Value` reading of a body
//! without repeats would give, without going through the runtime's own
//! repeated-key machinery (`KeySet`, `Skip`, `StrictValue`) that it checks.

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A JSON value whose objects keep every entry, repeated keys included.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`, a boolean, a number or a string.
    Scalar(Value),
    /// An array.
    Array(Vec<Node>),
    /// An object: every entry in the order written.
    Object(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Scalar(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Scalar(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Scalar(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Scalar(Value::from(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Scalar(Value::String(v.to_owned())))
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar(Value::Null))
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Node, S::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::Array(items))
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Node, M::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Node>()? {
                    entries.push(entry);
                }
                Ok(Node::Object(entries))
            }
        }
        d.deserialize_any(NodeVisitor)
    }
}

impl Node {
    /// The body read as JSON, or `None` when it is not one JSON text.
    pub fn parse(bytes: &[u8]) -> Option<Node> {
        serde_json::from_slice(bytes).ok()
    }

    /// True when some object, at any depth, names a key twice.
    pub fn has_repeat(&self) -> bool {
        match self {
            Node::Scalar(_) => false,
            Node::Array(items) => items.iter().any(Node::has_repeat),
            Node::Object(entries) => {
                let mut seen = HashSet::new();
                entries.iter().any(|(k, _)| !seen.insert(k.as_str()))
                    || entries.iter().any(|(_, v)| v.has_repeat())
            }
        }
    }

    /// True when a key is repeated anywhere except inside the values of the
    /// top-level keys in `left_for_later` (which a parser keeps as raw text
    /// and checks only when it decodes them).
    pub fn has_repeat_outside(&self, left_for_later: &[&str]) -> bool {
        match self {
            Node::Object(entries) => {
                let mut seen = HashSet::new();
                entries.iter().any(|(k, _)| !seen.insert(k.as_str()))
                    || entries
                        .iter()
                        .filter(|(k, _)| !left_for_later.contains(&k.as_str()))
                        .any(|(_, v)| v.has_repeat())
            }
            other => other.has_repeat(),
        }
    }

    /// The value of `key` in an object (the first one when it is repeated),
    /// `None` for a missing key or a node that is not an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// The `serde_json::Value` of a node without repeated keys (with
    /// repeats, the last value of a key wins, as in serde_json).
    pub fn to_value(&self) -> Value {
        match self {
            Node::Scalar(v) => v.clone(),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(entries) => {
                let mut map = Map::new();
                for (k, v) in entries {
                    map.insert(k.clone(), v.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

/// Splits fuzz input into `n` parts at the first `n - 1` zero bytes (missing
/// parts are empty), so one input can carry a URL, a body and a header.
pub fn split_parts(data: &[u8], n: usize) -> Vec<&[u8]> {
    let mut parts = Vec::with_capacity(n);
    let mut rest = data;
    while parts.len() + 1 < n {
        match rest.iter().position(|&b| b == 0) {
            Some(i) => {
                parts.push(&rest[..i]);
                rest = &rest[i + 1..];
            }
            None => {
                parts.push(rest);
                rest = &[];
            }
        }
    }
    parts.push(rest);
    parts
}
