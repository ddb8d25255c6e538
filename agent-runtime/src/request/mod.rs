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
pub(crate) const MAX_CALL_ID_LEN: usize = 256;
/// Longest caller number accepted (E.164 numbers have at most 15 digits).
pub(crate) const MAX_CALLER_NUMBER_LEN: usize = 32;
/// Longest caller name accepted (caller-name databases hold 15 characters).
pub(crate) const MAX_CALLER_NAME_CHARS: usize = 64;

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

/// Checks a caller number: 1 to [`MAX_CALLER_NUMBER_LEN`] characters that an
/// E.164 number or its usual spellings use (digits, `+`, space, `-`, `.`,
/// `(`, `)`, `*`, `#`) or letters (`anonymous`, `restricted`). Blank is no
/// number. Anything else is refused: the number names the caller in audit
/// records and keys their rate limits, so it must not carry arbitrary text.
pub(crate) fn check_caller_number(number: Option<String>) -> Result<Option<String>, HttpError> {
    let Some(number) = number.filter(|n| !n.trim().is_empty()) else {
        return Ok(None);
    };
    let allowed = |b: u8| {
        b.is_ascii_alphanumeric()
            || matches!(b, b'+' | b' ' | b'-' | b'.' | b'(' | b')' | b'*' | b'#')
    };
    if number.len() > MAX_CALLER_NUMBER_LEN || !number.bytes().all(allowed) {
        return Err(HttpError::BadRequest(bad_request::INVALID_CALLER_NUMBER));
    }
    Ok(Some(number))
}

/// Checks a caller name: at most [`MAX_CALLER_NAME_CHARS`] characters, no
/// control characters. Blank is no name.
pub(crate) fn check_caller_name(name: Option<String>) -> Result<Option<String>, HttpError> {
    let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
        return Ok(None);
    };
    if name.chars().count() > MAX_CALLER_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(HttpError::BadRequest(bad_request::INVALID_CALLER_NAME));
    }
    Ok(Some(name))
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
    fn caller_numbers_and_names() {
        for ok in [
            "+15551230000",
            "+1 (555) 123-0000",
            "anonymous",
            "*67#",
            "0044.20.7946",
        ] {
            assert_eq!(
                check_caller_number(Some(ok.into())),
                Ok(Some(ok.into())),
                "{ok}"
            );
        }
        assert_eq!(check_caller_number(Some("  ".into())), Ok(None));
        assert_eq!(check_caller_number(None), Ok(None));
        for bad in [
            "9".repeat(33),
            "sip:alice@example.com".into(),
            "+1555\n".into(),
            "+1555\u{0}".into(),
            "+１５５５".into(),
        ] {
            assert!(check_caller_number(Some(bad.clone())).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_caller_name(Some("Jane Caller".into())),
            Ok(Some("Jane Caller".into()))
        );
        assert_eq!(
            check_caller_name(Some("Zoë Ünal".into())),
            Ok(Some("Zoë Ünal".into()))
        );
        assert!(check_caller_name(Some("x".repeat(65))).is_err());
        assert!(check_caller_name(Some("a\u{7}b".into())).is_err());
    }

    #[test]
    fn call_ids() {
        assert_eq!(check_call_id(Some(String::new())), Ok(None));
        assert!(check_call_id(Some("a\nb".into())).is_err());
        assert!(check_call_id(Some("x".repeat(300))).is_err());
        assert_eq!(check_call_id(Some("abc".into())), Ok(Some("abc".into())));
    }
}
