//! Actions that change the data the platform keeps for a call: the global
//! data every function sees, and the metadata private to one function.

use serde::Serialize;
use serde_json::Value;

use super::ToolResult;

/// `{key: value}` objects for global data and function metadata.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) enum DataAction {
    /// Merges an object into the call's global data.
    #[serde(rename = "set_global_data")]
    SetGlobal(Value),
    /// Removes global data keys.
    #[serde(rename = "unset_global_data")]
    UnsetGlobal(Keys),
    /// Merges an object into this function's metadata.
    #[serde(rename = "set_meta_data")]
    SetMeta(Value),
    /// Removes metadata keys.
    #[serde(rename = "unset_meta_data")]
    UnsetMeta(Keys),
}

/// Keys to remove: one key is sent as a bare string, several as an array,
/// as the reference does.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub(super) enum Keys {
    /// A single key.
    One(String),
    /// Several keys, in the order given.
    Many(Vec<String>),
}

impl Keys {
    fn many<I, K>(keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: Into<String>,
    {
        Keys::Many(keys.into_iter().map(Into::into).collect())
    }
}

impl ToolResult {
    /// Merges `data` into the call's global data: `{"set_global_data": data}`.
    pub fn update_global_data(self, data: Value) -> Self {
        self.push(DataAction::SetGlobal(data))
    }

    /// Removes one global data key: `{"unset_global_data": "key"}`.
    pub fn remove_global_data(self, key: impl Into<String>) -> Self {
        self.push(DataAction::UnsetGlobal(Keys::One(key.into())))
    }

    /// Removes several global data keys: `{"unset_global_data": [..]}`.
    pub fn remove_global_data_keys<I, K>(self, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: Into<String>,
    {
        self.push(DataAction::UnsetGlobal(Keys::many(keys)))
    }

    /// Merges `data` into this function's metadata: `{"set_meta_data": data}`.
    pub fn set_metadata(self, data: Value) -> Self {
        self.push(DataAction::SetMeta(data))
    }

    /// Removes one metadata key: `{"unset_meta_data": "key"}`.
    pub fn remove_metadata(self, key: impl Into<String>) -> Self {
        self.push(DataAction::UnsetMeta(Keys::One(key.into())))
    }

    /// Removes several metadata keys: `{"unset_meta_data": [..]}`.
    pub fn remove_metadata_keys<I, K>(self, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: Into<String>,
    {
        self.push(DataAction::UnsetMeta(Keys::many(keys)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_key_is_a_string_and_several_an_array() {
        let result = ToolResult::new("x")
            .update_global_data(json!({"b": 1, "a": 2}))
            .remove_global_data("a")
            .remove_metadata_keys(["m", "n"])
            .remove_metadata("m")
            .set_metadata(json!({"m": 1}));
        assert_eq!(
            String::from_utf8(result.to_json_vec()).expect("UTF-8"),
            concat!(
                r#"{"response":"x","action":[{"set_global_data":{"b":1,"a":2}},"#,
                r#"{"unset_global_data":"a"},{"unset_meta_data":["m","n"]},"#,
                r#"{"unset_meta_data":"m"},{"set_meta_data":{"m":1}}]}"#
            )
        );
    }
}
