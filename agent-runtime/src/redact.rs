//! Defence in depth for untyped text and JSON that may reach a log: card-number
//! and SSN look-alikes are masked, values under secret-looking keys are
//! replaced.

use serde_json::Value;

use crate::secret::REDACTED;

/// Key fragments that mark a value as secret (compared case-insensitively,
/// ignoring `_` and `-`).
const SECRET_KEY_PARTS: &[&str] = &[
    "password",
    "passwd",
    "passcode",
    "pin",
    "secret",
    "token",
    "ssn",
    "socialsecurity",
    "cardnumber",
    "cvv",
    "cvc",
    "securitycode",
    "authorization",
    "apikey",
];

/// True when a field or key name looks like it holds a secret.
pub fn is_secret_key(key: &str) -> bool {
    let norm: String = key
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    SECRET_KEY_PARTS.iter().any(|part| norm.contains(part))
}

fn luhn_ok(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(*d);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// Masks card-number-like runs (13 to 19 digits passing the Luhn check, with or
/// without space/dash separators) and SSN-like values (`123-45-6789`,
/// `123 45 6789`, or 9 bare digits) in free text.
pub fn scrub_text(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let starts_run =
            bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
        if !starts_run {
            i += 1;
            continue;
        }
        // Collect a run of digits with single separators between them.
        let mut j = i;
        let mut digits = Vec::new();
        let mut last_digit_end = i;
        while j < bytes.len() {
            let b = bytes[j];
            if b.is_ascii_digit() {
                digits.push(b - b'0');
                j += 1;
                last_digit_end = j;
            } else if (b == b' ' || b == b'-')
                && j + 1 < bytes.len()
                && bytes[j + 1].is_ascii_digit()
            {
                j += 1;
            } else {
                break;
            }
        }
        let end = last_digit_end;
        let followed_ok = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
        let mask = if !followed_ok {
            None
        } else if (13..=19).contains(&digits.len()) && luhn_ok(&digits) {
            Some("[REDACTED-CARD]")
        } else if digits.len() == 9 {
            Some("[REDACTED-SSN]")
        } else {
            None
        };
        if let Some(mask) = mask {
            out.push_str(&text[copied..i]);
            out.push_str(mask);
            copied = end;
        }
        i = end.max(i + 1);
    }
    out.push_str(&text[copied..]);
    out
}

/// Returns a copy of `value` with every value under a secret-looking key
/// replaced by `[REDACTED]` and every string scrubbed with [`scrub_text`].
pub fn scrub_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_secret_key(k) {
                        Value::String(REDACTED.to_owned())
                    } else {
                        scrub_json(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(scrub_json).collect()),
        Value::String(s) => Value::String(scrub_text(s)),
        other => other.clone(),
    }
}

/// The arguments as they may appear in an audit record: `#[sensitive]`
/// parameters and values under secret-looking keys replaced, strings scrubbed.
pub fn redact_arguments(args: &Value, sensitive: &[&str]) -> Value {
    match args {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if sensitive.contains(&k.as_str()) || is_secret_key(k) {
                        Value::String(REDACTED.to_owned())
                    } else {
                        scrub_json(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => scrub_json(other),
    }
}

/// String forms of the values of `sensitive` top-level fields and of any field
/// under a secret-looking key, anywhere in `args` (used to scrub handler error
/// text before it is logged).
pub(crate) fn secret_values(args: &Value, sensitive: &[&str]) -> Vec<crate::secret::SecretString> {
    fn walk(v: &Value, out: &mut Vec<crate::secret::SecretString>, force: bool) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    walk(v, out, force || is_secret_key(k));
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out, force)),
            Value::String(s) if force && !s.is_empty() => {
                out.push(crate::secret::SecretString::new(s.clone()))
            }
            Value::Number(n) if force => out.push(crate::secret::SecretString::new(n.to_string())),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Value::Object(map) = args {
        for (k, v) in map {
            walk(
                v,
                &mut out,
                sensitive.contains(&k.as_str()) || is_secret_key(k),
            );
        }
    }
    out
}

/// Replaces every occurrence of each known secret in `text`.
pub(crate) fn scrub_known(text: &str, secrets: &[crate::secret::SecretString]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        let s = s.expose_secret();
        if !s.is_empty() {
            out = out.replace(s.as_str(), REDACTED);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cards_and_ssns_are_masked() {
        for card in [
            "4111111111111111",
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
        ] {
            let s = scrub_text(&format!("card {card} ok"));
            assert_eq!(s, "card [REDACTED-CARD] ok", "{card}");
        }
        assert_eq!(scrub_text("ssn 123-45-6789."), "ssn [REDACTED-SSN].");
        assert_eq!(scrub_text("ssn 123456789"), "ssn [REDACTED-SSN]");
        // Not a Luhn number, not 9 digits: left alone.
        assert_eq!(
            scrub_text("order 4111111111111112"),
            "order 4111111111111112"
        );
        assert_eq!(scrub_text("amount 125.50"), "amount 125.50");
    }

    #[test]
    fn secret_keys_are_replaced() {
        let v = scrub_json(
            &json!({"user_pin": "1234", "nested": {"Password": "x", "note": "4111111111111111"}, "n": 5}),
        );
        assert_eq!(
            v,
            json!({"user_pin": "[REDACTED]", "nested": {"Password": "[REDACTED]", "note": "[REDACTED-CARD]"}, "n": 5})
        );
        assert!(is_secret_key("cardNumber"));
        assert!(is_secret_key("card_number"));
        assert!(!is_secret_key("account"));
    }

    #[test]
    fn known_secrets_are_scrubbed_from_text() {
        let args = json!({"pin": "4931", "account": "1000000001", "nested": {"password": "Hunter2"}, "code": 7});
        let secrets = secret_values(&args, &["code"]);
        let text = scrub_known(
            "pin 4931 password Hunter2 code 7 account 1000000001",
            &secrets,
        );
        assert_eq!(
            text,
            "pin [REDACTED] password [REDACTED] code [REDACTED] account 1000000001"
        );
    }
}
