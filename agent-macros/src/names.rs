//! What a parameter or field name says about its value: payment card data
//! (never allowed: it goes through the `pay` action) or a secret (must be
//! `#[sensitive]` unless opted out with `#[not_sensitive]`).
//!
//! Names are split into lowercase words at `_` and camel-case boundaries
//! (`newPIN` → `new pin`). A name is secret when its *last* word names a
//! secret (`pin`, `new_pin`, `account_password`, `access_token`), when it
//! starts with `secret`, or when it spells a known compound
//! (`social_security_number`, `pin_code`, `api_key`). Other words in the
//! middle do not count, so `pin_attempts`, `tokens_used`, `token_count`,
//! `password_hint`, `spin` and `shipping` are not secret.

use crate::ctxt::Ctxt;

/// Last words that name a secret.
const SECRET_WORDS: &[&str] = &[
    "pin",
    "password",
    "passwd",
    "passcode",
    "passphrase",
    "ssn",
    "secret",
    "token",
    "otp",
];

/// Word sequences (joined) that name a secret wherever they appear.
const SECRET_COMPOUNDS: &[&str] = &[
    "socialsecurity",
    "pincode",
    "pinnumber",
    "apikey",
    "privatekey",
];

/// Words that name card data on their own.
const CARD_WORDS: &[&str] = &["cvv", "cvc", "cvv2", "cvc2"];

/// Word sequences (joined) that name card data wherever they appear.
const CARD_COMPOUNDS: &[&str] = &[
    "cardnumber",
    "cardnum",
    "cardno",
    "creditcard",
    "debitcard",
    "securitycode",
    "cardverification",
    "primaryaccountnumber",
    "cardpan",
    "cardexp",
];

/// Whole names that are a card's number or expiry.
const CARD_NAMES: &[&str] = &[
    "pan",
    "pannumber",
    "expiry",
    "expirydate",
    "expiration",
    "expirationdate",
    "expdate",
    "expirymonth",
    "expiryyear",
    "expirationmonth",
    "expirationyear",
];

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NameKind {
    /// A payment card number, security code or expiry.
    Card,
    /// A secret such as a PIN, password or token.
    Secret,
}

/// Splits `newPIN_code` into `["new", "pin", "code"]`.
pub(crate) fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.trim_start_matches("r#").chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1);
        let boundary = c.is_uppercase()
            && !word.is_empty()
            && (prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(char::is_uppercase)
                    && next.is_some_and(|n| n.is_lowercase())));
        if boundary {
            out.push(std::mem::take(&mut word));
        }
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

pub(crate) fn classify(name: &str) -> Option<NameKind> {
    let words = words(name);
    let joined: String = words.concat();
    let card = words.iter().any(|w| CARD_WORDS.contains(&w.as_str()))
        || CARD_COMPOUNDS.iter().any(|c| joined.contains(c))
        || CARD_NAMES.contains(&joined.as_str());
    if card {
        return Some(NameKind::Card);
    }
    let secret = words
        .last()
        .is_some_and(|w| SECRET_WORDS.contains(&w.as_str()))
        || words.first().is_some_and(|w| w == "secret")
        || SECRET_COMPOUNDS.iter().any(|c| joined.contains(c));
    secret.then_some(NameKind::Secret)
}

/// Markers on one parameter or field, for the name policy.
pub(crate) struct Marks<'a> {
    pub sensitive: Option<&'a syn::Attribute>,
    pub not_sensitive: Option<&'a syn::Attribute>,
}

/// Applies the name policy to a parameter or field; `what` is `parameter`
/// or `field`.
pub(crate) fn check_name(cx: &mut Ctxt, ident: &syn::Ident, what: &str, marks: &Marks) {
    if let (Some(_), Some(not)) = (marks.sensitive, marks.not_sensitive) {
        cx.error_spanned_by(
            not,
            "`#[sensitive]` and `#[not_sensitive]` contradict each other; keep one",
        );
        return;
    }
    let name = ident.to_string();
    match classify(&name) {
        Some(NameKind::Card) => cx.error_spanned_by(
            ident,
            format!(
                "{what} `{name}` would carry payment card data; card data must never pass through the LLM: collect it with the `pay` action, `ToolResult::new(..).pay(Pay::new(..))`, which hands the caller to the payment connector (if this is not card data, give it a more specific name)"
            ),
        ),
        Some(NameKind::Secret) if marks.sensitive.is_none() && marks.not_sensitive.is_none() => {
            cx.error_spanned_by(
                ident,
                format!(
                    "{what} `{name}` looks like it holds a secret; mark it `#[sensitive]` (and prefer the type `Secret<T>`, read with `.expose_secret()`), or add `#[not_sensitive]` if it does not hold one"
                ),
            )
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_snake_and_camel_case() {
        assert_eq!(words("newPIN"), ["new", "pin"]);
        assert_eq!(words("PINCode"), ["pin", "code"]);
        assert_eq!(words("card_number2"), ["card", "number2"]);
        assert_eq!(words("accountPassword"), ["account", "password"]);
    }

    #[test]
    fn classifies_names() {
        for secret in [
            "pin",
            "new_pin",
            "newPin",
            "password",
            "account_password",
            "passcode",
            "ssn",
            "social_security_number",
            "secret",
            "secret_answer",
            "access_token",
            "pin_code",
            "api_key",
        ] {
            assert_eq!(classify(secret), Some(NameKind::Secret), "{secret}");
        }
        for card in [
            "card_number",
            "cardNumber",
            "cardnumber",
            "credit_card",
            "pan",
            "cvv",
            "cvc",
            "security_code",
            "expiry",
            "expiration_date",
            "card_expiry",
        ] {
            assert_eq!(classify(card), Some(NameKind::Card), "{card}");
        }
        for plain in [
            "spin",
            "shipping",
            "tokens_used",
            "token_count",
            "pin_attempts",
            "password_hint",
            "pinned",
            "account",
            "panel",
            "policy_expiration_date_note",
            "company",
        ] {
            assert_eq!(classify(plain), None, "{plain}");
        }
    }
}
