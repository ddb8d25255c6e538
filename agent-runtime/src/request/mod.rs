//! Reading what the platform sends: the SWML and SWAIG request bodies
//! ([`envelope`]), the query string ([`query`]) and the platform strings they
//! carry ([`check_call_id`]). Every failure is one of the fixed 400 bodies.

pub(crate) mod envelope;
#[cfg(test)]
mod props;
pub(crate) mod query;
mod strict;

use serde_json::{Map, Value};

use crate::response::{HttpError, bad_request};

/// Longest call id accepted (platform ids are UUIDs).
const MAX_CALL_ID_LEN: usize = 256;

/// Checks a call id: bounded length, no control characters. An empty id is
/// no id.
pub(crate) fn check_call_id(id: Option<String>) -> Result<Option<String>, HttpError> {
    match id {
        Some(id) if id.is_empty() => Ok(None),
        Some(id) if id.len() > MAX_CALL_ID_LEN || id.chars().any(char::is_control) => {
            Err(HttpError::BadRequest(bad_request::INVALID_CALL_ID))
        }
        other => Ok(other),
    }
}

/// Parses a body that must be a JSON object naming every key once (the
/// post-prompt body, which is not on the hot path).
pub(crate) fn parse_object(body: &[u8]) -> Result<Map<String, Value>, HttpError> {
    match serde_json::from_slice::<strict::StrictValue>(body) {
        Ok(strict::StrictValue(Value::Object(m))) => Ok(m),
        Err(e) if e.is_data() => Err(HttpError::BadRequest(bad_request::REPEATED_KEY)),
        _ => Err(HttpError::BadRequest(bad_request::INVALID_JSON)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_ids() {
        assert_eq!(check_call_id(Some(String::new())), Ok(None));
        assert!(check_call_id(Some("a\nb".into())).is_err());
        assert!(check_call_id(Some("x".repeat(300))).is_err());
        assert_eq!(check_call_id(Some("abc".into())), Ok(Some("abc".into())));
    }
}
