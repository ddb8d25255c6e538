//! Query strings: the only parameters the runtime reads from them are the
//! tool token (`__token`) and, for SWML, `call_id`.

use crate::response::{HttpError, bad_request};

/// Finds one query parameter. A repeated parameter is an error (two tokens
/// must never be ambiguous).
pub(crate) fn query_param(query: &str, name: &str) -> Result<Option<String>, HttpError> {
    let mut found: Option<String> = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key != name {
            continue;
        }
        if found.is_some() {
            return Err(HttpError::BadRequest(bad_request::INVALID_QUERY));
        }
        let value = value.replace('+', " ");
        let decoded = percent_encoding::percent_decode_str(&value)
            .decode_utf8()
            .map_err(|_| HttpError::BadRequest(bad_request::INVALID_QUERY))?;
        found = Some(decoded.into_owned());
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_param_rules() {
        assert_eq!(
            query_param("a=1&__token=abc", "__token"),
            Ok(Some("abc".into()))
        );
        assert_eq!(query_param("a=1", "__token"), Ok(None));
        assert_eq!(query_param("__token=", "__token"), Ok(Some(String::new())));
        assert_eq!(query_param("__token", "__token"), Ok(Some(String::new())));
        assert_eq!(
            query_param("call_id=a%20b", "call_id"),
            Ok(Some("a b".into()))
        );
        assert!(query_param("__token=a&__token=b", "__token").is_err());
        assert!(query_param("call_id=%ff", "call_id").is_err());
    }
}
