//! Defence in depth for untyped text and JSON that may reach a log: card-number
//! and SSN look-alikes are masked, values under secret-looking keys are
//! replaced. Whether a key looks secret is decided by the shared rule of
//! `agent_rules::names`, so the macros and the redaction always agree.
//!
//! Values that are secret by their type (`Secret<T>`, `#[sensitive]`) are
//! found by the redaction plan each tool reads from its argument schema at
//! start-up; the rules here apply on top of that plan in the audit copy of
//! the arguments, and alone to what has no schema (a handler's error text).

use serde_json::Value;

use crate::secret::REDACTED;

/// True when a field or key name says its value is a secret or card data:
/// the one secret-name rule (see [`agent_rules::names`]), the same that
/// decides at compile time whether a parameter must be `#[sensitive]`.
pub use agent_rules::names::is_secret as is_secret_key;

/// True when a field or key name says its value is an account or bank
/// number, kept in audit records as its last four characters (see
/// [`agent_rules::names::masks_last_four`]).
pub use agent_rules::names::masks_last_four as is_masked_key;

/// Values shorter than this are not shortened to their last four characters
/// but replaced whole: four of six characters would say too much.
pub const LAST_FOUR_MIN_CHARS: usize = 8;

/// A value kept by its last four characters, the others replaced by `*`
/// (`1000000001` → `******0001`). A value of fewer than
/// [`LAST_FOUR_MIN_CHARS`] characters becomes `[REDACTED]`.
///
/// ```
/// use agent_runtime::redact::mask_last_four;
/// assert_eq!(mask_last_four("1000007890"), "******7890");
/// assert_eq!(mask_last_four("1234"), "[REDACTED]");
/// ```
pub fn mask_last_four(value: &str) -> String {
    let count = value.chars().count();
    if count < LAST_FOUR_MIN_CHARS {
        return REDACTED.to_owned();
    }
    let start = value.char_indices().nth_back(3).map_or(0, |(i, _)| i);
    let mut out = "*".repeat(count - 4);
    out.push_str(&value[start..]);
    out
}

/// The last-four form of a JSON value: strings and numbers masked
/// ([`mask_last_four`]), every item of a list masked, an object scrubbed as
/// [`scrub_json`] does, `null` and booleans kept.
pub fn mask_json(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(mask_last_four(s)),
        Value::Number(n) => Value::String(mask_last_four(&n.to_string())),
        Value::Array(items) => Value::Array(items.iter().map(mask_json).collect()),
        Value::Object(_) => scrub_json(value),
        Value::Null | Value::Bool(_) => value.clone(),
    }
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

/// One group of digits inside a run: byte range and the digits.
struct DigitGroup {
    start: usize,
    end: usize,
    digits: Vec<u8>,
}

/// Splits the digit run starting at `i` into groups separated by single
/// spaces or dashes. Returns the groups and the end of the run.
fn digit_groups(bytes: &[u8], mut i: usize) -> (Vec<DigitGroup>, usize) {
    let mut groups = Vec::new();
    loop {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        groups.push(DigitGroup {
            start,
            end: i,
            digits: bytes[start..i].iter().map(|b| b - b'0').collect(),
        });
        let continues =
            i + 1 < bytes.len() && matches!(bytes[i], b' ' | b'-') && bytes[i + 1].is_ascii_digit();
        if !continues {
            return (groups, i);
        }
        i += 1;
    }
}

/// The mask for groups `g[i..=j]`, when they look like a card number or an
/// SSN.
fn mask_for(groups: &[DigitGroup], i: usize, j: usize) -> Option<&'static str> {
    let window = &groups[i..=j];
    let count: usize = window.iter().map(|g| g.digits.len()).sum();
    if (13..=19).contains(&count) {
        let digits: Vec<u8> = window
            .iter()
            .flat_map(|g| g.digits.iter().copied())
            .collect();
        if luhn_ok(&digits) {
            return Some("[REDACTED-CARD]");
        }
    }
    let lens: Vec<usize> = window.iter().map(|g| g.digits.len()).collect();
    if lens == [3, 2, 4] || lens == [9] {
        return Some("[REDACTED-SSN]");
    }
    None
}

/// Words after which the next word is taken to be a secret in free text
/// ("my password is hunter2", "PIN: 4931").
const SECRET_WORDS: &[&str] = &[
    "password",
    "passcode",
    "passphrase",
    "pin",
    "secret",
    "token",
    "cvv",
    "cvc",
];

/// True when `needle` (lowercase ASCII) occurs in `haystack`, ignoring ASCII
/// case.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn mask_after_secret_words(text: &str) -> String {
    // Without a secret word anywhere in the text nothing below can match
    // (every match needs one as a whole word), and the text is returned as is.
    if !SECRET_WORDS
        .iter()
        .any(|w| contains_ignore_ascii_case(text, w))
    {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut pending = false;
    while !rest.is_empty() {
        let word_end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
        let (word, tail) = rest.split_at(word_end);
        let bare = word
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_ascii_lowercase();
        let filler = matches!(bare.as_str(), "is" | "was" | "it's" | "its" | "")
            || word.chars().all(|c| c == ':' || c == '=');
        if pending && !filler {
            out.push_str(REDACTED);
            pending = false;
        } else {
            // "password:hunter2" or "pin=4931" in one word.
            let joined = word
                .find([':', '='])
                .filter(|p| *p + 1 < word.len())
                .filter(|p| {
                    let key = word[..*p]
                        .trim_matches(|c: char| !c.is_alphanumeric())
                        .to_ascii_lowercase();
                    SECRET_WORDS.contains(&key.as_str())
                });
            if let Some(pos) = joined {
                out.push_str(&word[..=pos]);
                out.push_str(REDACTED);
            } else {
                out.push_str(word);
                pending = SECRET_WORDS.contains(&bare.as_str()) || (pending && filler);
            }
        }
        let ws_end = tail
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(tail.len());
        out.push_str(&tail[..ws_end]);
        rest = &tail[ws_end..];
    }
    out
}

/// Masks, in free text: card-number-like digit groups (13 to 19 digits
/// passing the Luhn check, with or without space/dash separators, also when
/// more digits follow such as a security code), SSN-like values
/// (`123-45-6789`, `123 45 6789`, 9 bare digits), and the word following a
/// secret-naming word ("password is X", "PIN: X"). Over-masking is preferred
/// to a leak.
pub fn scrub_text(text: &str) -> String {
    let text = mask_after_secret_words(text);
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return text;
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let starts_run =
            bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
        if !starts_run {
            i += 1;
            continue;
        }
        let (groups, run_end) = digit_groups(bytes, i);
        let followed_ok = run_end == bytes.len() || !bytes[run_end].is_ascii_alphanumeric();
        let mut g = 0;
        while followed_ok && g < groups.len() {
            // The longest window starting at `g` that looks secret.
            let hit = (g..groups.len())
                .rev()
                .find_map(|j| mask_for(&groups, g, j).map(|m| (j, m)));
            match hit {
                Some((j, mask)) => {
                    out.push_str(&text[copied..groups[g].start]);
                    out.push_str(mask);
                    copied = groups[j].end;
                    g = j + 1;
                }
                None => g += 1,
            }
        }
        i = run_end.max(i + 1);
    }
    out.push_str(&text[copied..]);
    out
}

/// Returns a copy of `value` with every value under a secret-looking key
/// replaced by `[REDACTED]`, every value under an account-number key masked
/// to its last four characters ([`mask_json`]), and every other string
/// scrubbed with [`scrub_text`].
pub fn scrub_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), scrub_entry(k, v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(scrub_json).collect()),
        Value::String(s) => Value::String(scrub_text(s)),
        other => other.clone(),
    }
}

/// One value of an object under key `key`, as [`scrub_json`] copies it.
pub(crate) fn scrub_entry(key: &str, value: &Value) -> Value {
    if is_secret_key(key) {
        Value::String(REDACTED.to_owned())
    } else if is_masked_key(key) {
        mask_json(value)
    } else {
        scrub_json(value)
    }
}

/// Adds to `out` the string form of every string and number in `value`
/// that is secret: all of them when `secret` is set (the value sits at a
/// secret position), else those under a secret-looking key, at any depth.
/// Used to take the values of secret arguments out of a handler's error text
/// before it is logged ([`scrub_known`]).
pub(crate) fn push_secret_values(
    value: &Value,
    secret: bool,
    out: &mut Vec<crate::secret::SecretString>,
) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                push_secret_values(v, secret || is_secret_key(k), out);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| push_secret_values(item, secret, out)),
        Value::String(s) if secret && !s.is_empty() => {
            out.push(crate::secret::SecretString::new(s.clone()))
        }
        Value::Number(n) if secret => out.push(crate::secret::SecretString::new(n.to_string())),
        _ => {}
    }
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
        // A card followed by more digits (security code, expiry, SSN).
        assert_eq!(scrub_text("4111 1111 1111 1111 123"), "[REDACTED-CARD] 123");
        assert_eq!(scrub_text("4111111111111111 123"), "[REDACTED-CARD] 123");
        assert_eq!(
            scrub_text("4111 1111 1111 1111 123-45-6789"),
            "[REDACTED-CARD] [REDACTED-SSN]"
        );
        assert_eq!(scrub_text("call 555 1234 today"), "call 555 1234 today");
    }

    #[test]
    fn words_after_secret_words_are_masked() {
        assert_eq!(
            scrub_text("my password is Hunter2-Canary ok"),
            "my password is [REDACTED] ok"
        );
        assert_eq!(scrub_text("PIN: 4931."), "PIN: [REDACTED]");
        assert_eq!(scrub_text("pin=4931 and more"), "pin=[REDACTED] and more");
        assert_eq!(scrub_text("no secrets here"), "no secrets here");
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
        let args =
            json!({"pin": "4931", "account": "1000000001", "nested": {"password": "Hunter2"}});
        let mut secrets = Vec::new();
        push_secret_values(&args, false, &mut secrets);
        push_secret_values(&json!({"any": [7]}), true, &mut secrets);
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
