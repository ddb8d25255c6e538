//! Which parts of a tool's arguments are secret, read once from the full
//! JSON Schema of the argument type, and what is made from that per request:
//! the audit copy of the arguments and the secret values to take out of a
//! handler's error text.
//!
//! Sensitivity travels with the type. `Secret<T>`, `#[sensitive]` types, and
//! `#[sensitive]` fields and parameters put the marker
//! [`SENSITIVE_MARKER`] into their schema, so it is there wherever the type
//! is used: inside an `Option`, a list, a map, a nested struct, under a key
//! renamed for deserialisation. [`RedactionPlan::new`] walks the schema once,
//! at start-up, following `$ref`s into `$defs`, `properties`,
//! `additionalProperties` (maps), `items` and `prefixItems`, and the branches
//! of `anyOf`, `oneOf`, `allOf` and `if`/`then`/`else`; it keeps only the
//! paths that lead to a secret. Per request, the argument value is walked
//! beside the plan; the schema is never read again.
//!
//! Where a union has several branches, the plan cannot know which one a
//! value matched, so a position is secret when it is secret in any branch
//! (an `Option<T>`, a union of `T` and `null`, is simply `T`). A schema the
//! plan cannot read (a `$ref` out of the document, which the build refuses
//! anyway) makes its position secret. Over-redacting is preferred to a leak.
//!
//! The secret-name rule and the text scrub of [`crate::redact`] still apply
//! on top of the plan, as defence in depth: a value under a secret-looking key
//! is redacted whatever its type, and every string left in clear is scrubbed
//! of card numbers, SSNs and words after "password"/"PIN".

use serde_json::{Map, Value};

use crate::redact::{is_masked_key, is_secret_key, mask_json, push_secret_values, scrub_json};
use crate::secret::{LAST_FOUR_MARK, REDACTED, SENSITIVE_MARKER, SecretString};

/// What the arguments of one tool hide, compiled from their full schema at
/// start-up (see the module documentation).
#[derive(Debug, PartialEq)]
pub(crate) struct RedactionPlan {
    root: Node,
}

/// The plan for one position in the argument value.
#[derive(Debug, Clone, Default, PartialEq)]
enum Node {
    /// Nothing at or below this position is secret by its type.
    #[default]
    Clear,
    /// The whole value at this position is secret.
    Secret,
    /// The value at this position is kept by its last four characters
    /// (`#[sensitive(last_four)]`).
    LastFour,
    /// Some values below this position are secret.
    Within(Box<Within>),
}

/// The secret parts below an object or list position.
#[derive(Debug, Clone, Default, PartialEq)]
struct Within {
    /// Object keys whose plan differs from `other_properties`.
    properties: Vec<(String, Node)>,
    /// Every other key of an object (the values of a map).
    other_properties: Node,
    /// List items at these positions (tuples) whose plan differs from
    /// `items`.
    prefix_items: Vec<Node>,
    /// Every other list item.
    items: Node,
}

impl RedactionPlan {
    /// Reads the plan from a tool's full argument schema (`schemars` output,
    /// with its `$defs`).
    pub(crate) fn new(schema: &Value) -> Self {
        let mut reader = Reader {
            root: schema,
            resolving: Vec::new(),
        };
        RedactionPlan {
            root: reader.node(schema),
        }
    }

    /// Also treats these top-level keys as secret: the names `#[agent]`
    /// flagged at compile time (`ToolDef::sensitive`), which still hold when
    /// a sensitive type's `JsonSchema` is written by hand without the marker.
    pub(crate) fn with_secret_fields(self, names: &[&str]) -> Self {
        if names.is_empty() {
            return self;
        }
        let named = Within {
            properties: names
                .iter()
                .map(|name| ((*name).to_owned(), Node::Secret))
                .collect(),
            ..Within::default()
        };
        RedactionPlan {
            root: self.root.merge(Node::Within(Box::new(named))),
        }
    }

    /// True when some position of the arguments is secret by its type.
    pub(crate) fn has_secrets(&self) -> bool {
        self.root != Node::Clear
    }

    /// The arguments as an audit record may hold them: every value at a
    /// secret position and under a secret-looking key replaced by
    /// `[REDACTED]` (a `null` stays `null`: no value is no secret), every
    /// other string scrubbed.
    pub(crate) fn audit_copy(&self, args: &Value) -> Value {
        self.root.copy(args)
    }

    /// The string form of every value at a secret position or under a
    /// secret-looking key, at any depth, to be taken out of a handler's
    /// error text before it is logged.
    pub(crate) fn secret_values(&self, args: &Value) -> Vec<SecretString> {
        let mut out = Vec::new();
        self.root.collect(args, &mut out);
        out
    }

    /// The secret positions in the validator's notation (`contact.word`,
    /// `phrases[]`, `named.*`, `pair[1]`), for the `tools` command.
    #[cfg(any(feature = "cli", test))]
    pub(crate) fn secret_paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.root.paths(String::new(), &mut out);
        out
    }
}

impl Node {
    /// The plan for a position that may hold a value matching either plan.
    fn merge(self, other: Node) -> Node {
        match (self, other) {
            (Node::Secret, _) | (_, Node::Secret) => Node::Secret,
            (Node::Clear, node) | (node, Node::Clear) => node,
            // Masked in one branch, structured in another: masked (a mask
            // of an object scrubs it).
            (Node::LastFour, _) | (_, Node::LastFour) => Node::LastFour,
            (Node::Within(a), Node::Within(b)) => a.merge(*b).finish(),
        }
    }

    fn copy(&self, value: &Value) -> Value {
        match (self, value) {
            (Node::Clear, value) => scrub_json(value),
            (Node::Secret, Value::Null) => Value::Null,
            (Node::Secret, _) => Value::String(REDACTED.to_owned()),
            (Node::LastFour, value) => mask_json(value),
            (Node::Within(within), Value::Object(map)) => Value::Object(
                map.iter()
                    .map(|(key, value)| {
                        let node = within.property(key);
                        let value = if is_secret_key(key) {
                            Value::String(REDACTED.to_owned())
                        } else if is_masked_key(key) && *node != Node::Secret {
                            mask_json(value)
                        } else {
                            node.copy(value)
                        };
                        (key.clone(), value)
                    })
                    .collect(),
            ),
            (Node::Within(within), Value::Array(items)) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| within.item(i).copy(item))
                    .collect(),
            ),
            (Node::Within(_), scalar) => scrub_json(scalar),
        }
    }

    fn collect(&self, value: &Value, out: &mut Vec<SecretString>) {
        match (self, value) {
            (Node::Clear, value) => push_secret_values(value, false, out),
            // A masked value in full must not reach an error line either.
            (Node::Secret | Node::LastFour, value) => push_secret_values(value, true, out),
            (Node::Within(within), Value::Object(map)) => {
                for (key, value) in map {
                    if is_secret_key(key) {
                        push_secret_values(value, true, out);
                    } else {
                        within.property(key).collect(value, out);
                    }
                }
            }
            (Node::Within(within), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    within.item(i).collect(item, out);
                }
            }
            (Node::Within(_), _) => {}
        }
    }

    #[cfg(any(feature = "cli", test))]
    fn paths(&self, at: String, out: &mut Vec<String>) {
        match self {
            Node::Clear => {}
            Node::Secret if at.is_empty() => out.push("(arguments)".to_owned()),
            Node::Secret => out.push(at),
            Node::LastFour if at.is_empty() => out.push("(arguments) (last four)".to_owned()),
            Node::LastFour => out.push(format!("{at} (last four)")),
            Node::Within(within) => {
                let key = |name: &str| {
                    if at.is_empty() {
                        name.to_owned()
                    } else {
                        format!("{at}.{name}")
                    }
                };
                for (name, node) in &within.properties {
                    node.paths(key(name), out);
                }
                within.other_properties.paths(key("*"), out);
                for (i, node) in within.prefix_items.iter().enumerate() {
                    node.paths(format!("{at}[{i}]"), out);
                }
                within.items.paths(format!("{at}[]"), out);
            }
        }
    }
}

impl Within {
    /// The plan for the value under `key`.
    fn property(&self, key: &str) -> &Node {
        self.properties
            .iter()
            .find(|(name, _)| name == key)
            .map_or(&self.other_properties, |(_, node)| node)
    }

    /// The plan for the list item at `index`.
    fn item(&self, index: usize) -> &Node {
        self.prefix_items.get(index).unwrap_or(&self.items)
    }

    /// Both plans at once: a key declared on one side only may still fall
    /// under the other side's `other_properties`, and an item position past
    /// one side's tuple under its `items`.
    fn merge(self, other: Within) -> Within {
        let mut properties: Vec<(String, Node)> = Vec::new();
        for (name, node) in &self.properties {
            properties.push((
                name.clone(),
                node.clone().merge(other.property(name).clone()),
            ));
        }
        for (name, node) in &other.properties {
            if !properties.iter().any(|(n, _)| n == name) {
                properties.push((
                    name.clone(),
                    self.property(name).clone().merge(node.clone()),
                ));
            }
        }
        let longest = self.prefix_items.len().max(other.prefix_items.len());
        let prefix_items = (0..longest)
            .map(|i| self.item(i).clone().merge(other.item(i).clone()))
            .collect();
        Within {
            properties,
            other_properties: self.other_properties.merge(other.other_properties),
            prefix_items,
            items: self.items.merge(other.items),
        }
    }

    /// Drops what adds nothing (keys and positions planned like their
    /// defaults); nothing left to hide is [`Node::Clear`].
    fn finish(mut self) -> Node {
        let other = &self.other_properties;
        self.properties.retain(|(_, node)| node != other);
        while self.prefix_items.last() == Some(&self.items) {
            self.prefix_items.pop();
        }
        let nothing = self.properties.is_empty()
            && self.prefix_items.is_empty()
            && self.other_properties == Node::Clear
            && self.items == Node::Clear;
        if nothing {
            Node::Clear
        } else {
            Node::Within(Box::new(self))
        }
    }
}

/// Reads one schema document into a plan.
struct Reader<'a> {
    /// The whole document, where `$ref`s point.
    root: &'a Value,
    /// The `$ref` targets being read, innermost last (to stop on a cycle).
    resolving: Vec<&'a str>,
}

impl<'a> Reader<'a> {
    /// The plan for the values a (sub)schema describes.
    fn node(&mut self, schema: &'a Value) -> Node {
        let Value::Object(obj) = schema else {
            return Node::Clear;
        };
        match obj.get(SENSITIVE_MARKER) {
            Some(Value::Bool(true)) => return Node::Secret,
            Some(Value::String(mode)) if mode == LAST_FOUR_MARK => return Node::LastFour,
            // Any other value is a marker this plan cannot read: secret.
            Some(Value::Bool(false)) | None => {}
            Some(_) => return Node::Secret,
        }
        let mut node = self.own_keywords(obj);
        if let Some(target) = obj.get("$ref") {
            node = node.merge(self.reference(target));
        }
        // Subschemas that apply to this same value.
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(Value::Array(branches)) = obj.get(key) {
                for branch in branches {
                    node = node.merge(self.node(branch));
                }
            }
        }
        for key in ["then", "else"] {
            if let Some(branch) = obj.get(key) {
                node = node.merge(self.node(branch));
            }
        }
        if let Some(Value::Object(dependent)) = obj.get("dependentSchemas") {
            for branch in dependent.values() {
                node = node.merge(self.node(branch));
            }
        }
        node
    }

    /// The plan from this schema's own object and list keywords.
    fn own_keywords(&mut self, obj: &'a Map<String, Value>) -> Node {
        let mut within = Within::default();
        if let Some(Value::Object(properties)) = obj.get("properties") {
            for (name, schema) in properties {
                let node = self.node(schema);
                within.properties.push((name.clone(), node));
            }
        }
        for key in ["additionalProperties", "unevaluatedProperties"] {
            if let Some(schema) = obj.get(key) {
                let node = self.node(schema);
                within.other_properties = std::mem::take(&mut within.other_properties).merge(node);
            }
        }
        if let Some(Value::Object(patterns)) = obj.get("patternProperties") {
            // Which keys a pattern matches is not worked out: its plan
            // applies to every key.
            for schema in patterns.values() {
                let node = self.node(schema);
                for (_, declared) in &mut within.properties {
                    *declared = std::mem::take(declared).merge(node.clone());
                }
                within.other_properties = std::mem::take(&mut within.other_properties).merge(node);
            }
        }
        // `items` is the schema of every item (2020-12) or, as an array, of
        // the first items (draft 7, with `additionalItems` for the rest).
        let tuple = match (obj.get("prefixItems"), obj.get("items")) {
            (Some(Value::Array(tuple)), _) | (None, Some(Value::Array(tuple))) => Some(tuple),
            _ => None,
        };
        if let Some(tuple) = tuple {
            within.prefix_items = tuple.iter().map(|schema| self.node(schema)).collect();
        }
        for key in ["items", "additionalItems", "unevaluatedItems"] {
            if let Some(schema) = obj.get(key).filter(|s| !s.is_array()) {
                let node = self.node(schema);
                within.items = std::mem::take(&mut within.items).merge(node);
            }
        }
        within.finish()
    }

    /// The plan of the definition a `$ref` names.
    fn reference(&mut self, target: &'a Value) -> Node {
        let Some(target) = target.as_str() else {
            return Node::Secret;
        };
        let Some(definition) = target
            .strip_prefix('#')
            .and_then(|pointer| self.root.pointer(pointer))
        else {
            // Outside this document: what it holds cannot be known here.
            return Node::Secret;
        };
        if self.resolving.contains(&target) {
            // A type that contains itself (which the build refuses before a
            // plan is made): everything under the cycle is secret if the
            // type holds a secret anywhere.
            return if mentions_marker(definition) {
                Node::Secret
            } else {
                Node::Clear
            };
        }
        self.resolving.push(target);
        let node = self.node(definition);
        self.resolving.pop();
        node
    }
}

/// True when the marker appears anywhere in `schema`.
fn mentions_marker(schema: &Value) -> bool {
    match schema {
        Value::Object(obj) => {
            obj.get(SENSITIVE_MARKER)
                .is_some_and(|marker| marker != &Value::Bool(false))
                || obj.values().any(mentions_marker)
        }
        Value::Array(items) => items.iter().any(mentions_marker),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    fn plan(schema: Value) -> RedactionPlan {
        RedactionPlan::new(&schema)
    }

    #[test]
    fn a_schema_without_markers_plans_nothing() {
        let p = plan(json!({
            "type": "object",
            "properties": {"a": {"type": "string"}, "b": {"$ref": "#/$defs/B"}},
            "$defs": {"B": {"type": "array", "items": {"type": "integer"}}}
        }));
        assert!(!p.has_secrets());
        assert_eq!(p.root, Node::Clear);
        // The name rule and the text scrub still apply.
        assert_eq!(
            p.audit_copy(&json!({"a": "card 4111111111111111", "pin": "4931"})),
            json!({"a": "card [REDACTED-CARD]", "pin": "[REDACTED]"})
        );
    }

    #[test]
    fn secrets_are_found_through_refs_options_lists_and_maps() {
        let p = plan(json!({
            "type": "object",
            "properties": {
                "label": {"type": "string"},
                "maybe": {"type": ["string", "null"], "x-sensitive": true},
                "list": {"type": "array", "items": {"type": "string", "x-sensitive": true}},
                "map": {"type": "object", "additionalProperties": {"type": "string", "x-sensitive": true}},
                "nested": {"anyOf": [{"$ref": "#/$defs/Contact"}, {"type": "null"}]},
                "many": {"type": "array", "items": {"$ref": "#/$defs/Contact"}}
            },
            "$defs": {"Contact": {"type": "object", "properties": {
                "name": {"type": "string"},
                "word": {"type": "string", "x-sensitive": true}
            }}}
        }));
        let args = json!({
            "label": "l",
            "maybe": "s1",
            "list": ["s2", "s3"],
            "map": {"k": "s4"},
            "nested": {"name": "n", "word": "s5"},
            "many": [{"name": "m", "word": "s6"}]
        });
        assert_eq!(
            p.audit_copy(&args),
            json!({
                "label": "l",
                "maybe": "[REDACTED]",
                "list": ["[REDACTED]", "[REDACTED]"],
                "map": {"k": "[REDACTED]"},
                "nested": {"name": "n", "word": "[REDACTED]"},
                "many": [{"name": "m", "word": "[REDACTED]"}]
            })
        );
        let values: Vec<String> = p
            .secret_values(&args)
            .iter()
            .map(|s| s.expose_secret().clone())
            .collect();
        assert_eq!(values, ["s1", "s2", "s3", "s4", "s5", "s6"]);
        assert_eq!(
            p.secret_paths(),
            ["maybe", "list[]", "map.*", "nested.word", "many[].word"]
        );
        // Absent and null values hide nothing.
        assert_eq!(
            p.audit_copy(&json!({"label": "l", "maybe": null, "nested": null})),
            json!({"label": "l", "maybe": null, "nested": null})
        );
    }

    #[test]
    fn a_position_is_secret_when_any_branch_there_is() {
        let p = plan(json!({
            "type": "object",
            "properties": {"either": {"oneOf": [
                {"type": "object", "properties": {"a": {"type": "string", "x-sensitive": true}}},
                {"type": "object", "properties": {"b": {"type": "string"}},
                 "additionalProperties": {"type": "string", "x-sensitive": true}},
                {"type": "integer"}
            ]}}
        }));
        // `a` is secret in the first branch (and any key but `b` in the
        // second); `b` is clear in both.
        assert_eq!(
            p.audit_copy(&json!({"either": {"a": "s", "b": "c", "z": "s"}})),
            json!({"either": {"a": "[REDACTED]", "b": "c", "z": "[REDACTED]"}})
        );
        assert_eq!(p.audit_copy(&json!({"either": 5})), json!({"either": 5}));
        let whole = plan(json!({"type": "object", "properties": {"v": {"anyOf": [
            {"type": "string", "x-sensitive": true}, {"type": "integer"}
        ]}}}));
        assert_eq!(
            whole.audit_copy(&json!({"v": 7})),
            json!({"v": "[REDACTED]"})
        );
    }

    #[test]
    fn tuples_keep_their_positions() {
        let p = plan(json!({"type": "object", "properties": {"pair": {
            "type": "array",
            "prefixItems": [{"type": "string"}, {"type": "string", "x-sensitive": true}],
            "items": false
        }}}));
        assert_eq!(
            p.audit_copy(&json!({"pair": ["a", "b"]})),
            json!({"pair": ["a", "[REDACTED]"]})
        );
        assert_eq!(p.secret_paths(), ["pair[1]"]);
    }

    #[test]
    fn unreadable_and_recursive_refs_are_treated_as_secret() {
        let outside = plan(json!({"type": "object", "properties": {
            "r": {"$ref": "https://example.com/x.json"}, "c": {"type": "string"}
        }}));
        assert_eq!(
            outside.audit_copy(&json!({"r": {"x": 1}, "c": "c"})),
            json!({"r": "[REDACTED]", "c": "c"})
        );
        let recursive = plan(json!({
            "$ref": "#/$defs/Node",
            "$defs": {"Node": {"type": "object", "properties": {
                "word": {"type": "string", "x-sensitive": true},
                "label": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}
            }}}
        }));
        assert_eq!(
            recursive.audit_copy(&json!({"label": "l", "word": "w", "children": [{"label": "x"}]})),
            json!({"label": "l", "word": "[REDACTED]", "children": ["[REDACTED]"]})
        );
        let harmless = plan(json!({
            "$ref": "#/$defs/Node",
            "$defs": {"Node": {"type": "object", "properties": {
                "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}
            }}}
        }));
        assert!(!harmless.has_secrets());
    }

    #[test]
    fn names_flagged_at_compile_time_join_the_plan() {
        let p = plan(json!({"type": "object", "properties": {
            "code": {"$ref": "#/$defs/Code"}, "n": {"type": "integer"}
        }, "$defs": {"Code": {"type": "string"}}}))
        .with_secret_fields(&["code"]);
        assert!(p.has_secrets());
        assert_eq!(
            p.audit_copy(&json!({"code": "c", "n": 1})),
            json!({"code": "[REDACTED]", "n": 1})
        );
    }

    #[test]
    fn the_name_rule_and_the_scrub_still_apply_beside_the_plan() {
        let p = plan(json!({"type": "object", "properties": {
            "word": {"type": "string", "x-sensitive": true},
            "inner": {"type": "object", "properties": {"w": {"type": "string", "x-sensitive": true}}}
        }}));
        let args = json!({
            "word": "w",
            "inner": {"w": "x", "password": "hunter2", "note": "ssn 123-45-6789"},
        });
        assert_eq!(
            p.audit_copy(&args),
            json!({
                "word": "[REDACTED]",
                "inner": {"w": "[REDACTED]", "password": "[REDACTED]", "note": "ssn [REDACTED-SSN]"},
            })
        );
        let values: Vec<String> = p
            .secret_values(&args)
            .iter()
            .map(|s| s.expose_secret().clone())
            .collect();
        assert_eq!(values, ["w", "x", "hunter2"]);
    }
}
