//! What a field, parameter or JSON key name says about its value.
//!
//! One rule, used everywhere a name is judged: by `#[agent]` and
//! `#[tool_args]` at compile time (a secret-looking parameter must be marked
//! `#[sensitive]` or `#[not_sensitive]`; card data is refused outright), by
//! the runtime when it redacts arguments and `global_data` for audit records
//! and logs, and by the agent's `check` command.
//!
//! # The rule
//!
//! A name is split into lowercase words at `_`, `-`, any other character that
//! is not a letter or digit, and camel-case boundaries (`newPIN_code` →
//! `new pin code`, `PINCode` → `pin code`).
//!
//! - **Card data** ([`NameKind::Card`]): a word is a security code (`cvv`,
//!   `cvc`, ...); or consecutive words starting at a word boundary spell a
//!   card term (`card number`, `creditCard`, `security_code`, `card_expiry`);
//!   or the whole name is a card's number or expiry (`pan`, `expiry_date`).
//! - **Secret** ([`NameKind::Secret`]): a word names a secret (`pin`,
//!   `password`, `token`, `otp`, `dob`, ...) or consecutive words spell one
//!   (`api key`, `date of birth`, `verification code`, `memorable word`,
//!   `security answer`), **unless** the name is *about* the secret rather than
//!   the secret itself: its last word is a word such as `attempts`, `count`,
//!   `hint`, `length`, `used`, `verified` or `status` (`pin_attempts`,
//!   `token_count`, `password_hint`), or its first word is `is`, `has`,
//!   `needs` or `requires` (`has_pin`).
//! - Words are matched whole: `spin`, `shipping`, `pinned`, `secretary` and
//!   `tokenizer` name nothing.
//! - **Account numbers** ([`masks_last_four`]): a word names an account or
//!   bank number (`account`, `acct`, `iban`, `routing`, `sort_code` ...),
//!   with the same exceptions for names *about* it (`account_type`,
//!   `account_status`, `has_account`). Such values are not secrets to the
//!   compiler (a tool may take `account` as plain text), but audit records
//!   keep only their last four characters (`******7890`).
//!
//! Deciding in one place means a parameter that compiles as "not secret" is
//! also logged in clear, and one that must be marked is also redacted.

/// What a name says about its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A payment card number, security code or expiry: never allowed through
    /// a tool (the `pay` action collects card data).
    Card,
    /// A secret: a PIN, password, token, one-time code, date of birth, ...
    Secret,
}

/// Words that name a secret on their own.
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
    "totp",
    "dob",
    "credential",
    "credentials",
    "authorization",
];

/// Consecutive words that name a secret (matched at word boundaries, the
/// words joined: `date_of_birth`, `dateOfBirth` and `dateofbirth` alike).
const SECRET_COMPOUNDS: &[&str] = &[
    "socialsecurity",
    "apikey",
    "privatekey",
    "accesskey",
    "signingkey",
    "verificationcode",
    "accesscode",
    "authcode",
    "authenticationcode",
    "onetimecode",
    "securitycodeword",
    "securityanswer",
    "securityquestionanswer",
    "secretanswer",
    "challengeanswer",
    "memorableword",
    "memorableinformation",
    "mothersmaidenname",
    "maidenname",
    "dateofbirth",
    "birthdate",
];

/// Last words that make a name *about* a secret rather than the secret.
const ABOUT_WORDS: &[&str] = &[
    "attempt",
    "attempts",
    "tries",
    "retries",
    "count",
    "counter",
    "hint",
    "hints",
    "length",
    "len",
    "used",
    "remaining",
    "left",
    "required",
    "set",
    "present",
    "verified",
    "valid",
    "validated",
    "matched",
    "expiry",
    "expires",
    "expired",
    "expiration",
    "ttl",
    "age",
    "changed",
    "updated",
    "status",
    "state",
    "type",
    "kind",
    "policy",
    "format",
    "enabled",
    "disabled",
    "allowed",
    "locked",
    "lockout",
];

/// First words that make a name a question about a secret (`has_pin`).
const PREDICATE_WORDS: &[&str] = &["is", "has", "needs", "requires"];

/// Words that name an account or bank number (their values are logged as
/// their last four characters).
const ACCOUNT_WORDS: &[&str] = &[
    "account", "accounts", "acct", "accno", "iban", "ibans", "routing", "bban", "aba",
];

/// Consecutive words that name an account or bank number.
const ACCOUNT_COMPOUNDS: &[&str] = &["sortcode", "bankaccount", "accountnumber", "memberid"];

/// Words that name card data on their own.
const CARD_WORDS: &[&str] = &["cvv", "cvc", "cvv2", "cvc2", "cvn", "cid"];

/// Card terms: consecutive words starting at a word boundary that begin with
/// one of these (so `card_number`, `cardNumbers`, `card_expiry_month`).
const CARD_PREFIXES: &[&str] = &[
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

/// Words that make a tool name look destructive or financial.
const DESTRUCTIVE_WORDS: &[&str] = &[
    "delete", "remove", "transfer", "pay", "refund", "close", "change", "reset", "update",
    "cancel", "withdraw", "wire", "send",
];

/// What `name` says about its value: card data, a secret, or nothing.
pub fn classify(name: &str) -> Option<NameKind> {
    with_words(name, classify_words)
}

/// True when a value under `name` must never appear in a log: card data or a
/// secret. The runtime redacts such keys wherever they appear.
pub fn is_secret(name: &str) -> bool {
    classify(name).is_some()
}

/// True when a value under `name` is an account or bank number whose audit
/// copy keeps only its last four characters: a word of the name is
/// `account`, `acct`, `iban`, `routing` (or the name spells `sort code`,
/// `member id`), and the name is not *about* the number (its last word is
/// not one of the words such as `type`, `status`, `count`, and its first
/// word is not `is`, `has`, `needs` or `requires`). Names that are secret
/// or card data are not masked but redacted whole ([`is_secret`]).
pub fn masks_last_four(name: &str) -> bool {
    with_words(name, |words| {
        if classify_words(words).is_some() {
            return false;
        }
        let names_account = words.iter().any(|w| ACCOUNT_WORDS.contains(w))
            || ACCOUNT_COMPOUNDS.iter().any(|t| words.spell(t, true));
        names_account && !is_about(words)
    })
}

/// True when a tool name looks destructive or financial: one of its words
/// starts with `delete`, `remove`, `transfer`, `pay`, `refund`, `close`,
/// `change`, `reset`, `update`, `cancel`, `withdraw`, `wire` or `send`. The
/// `check` command asks that such tools be `#[tool(secure)]`.
pub fn looks_destructive(tool: &str) -> bool {
    with_words(tool, |w| {
        w.iter()
            .any(|w| DESTRUCTIVE_WORDS.iter().any(|d| w.starts_with(d)))
    })
}

/// The lowercase words of a name (`newPIN_code` → `["new", "pin", "code"]`).
pub fn words(name: &str) -> Vec<String> {
    with_words(name, |w| w.iter().map(|s| (*s).to_owned()).collect())
}

/// Names up to this many bytes are split on the stack.
const STACK_NAME: usize = 96;
/// At most this many words are looked at (names longer than that are split
/// on the heap).
const STACK_WORDS: usize = 24;

/// Calls `f` with the words of `name`. ASCII names of ordinary length (nearly
/// all of them) are lowercased and split without allocating.
fn with_words<R>(name: &str, f: impl FnOnce(&Words<'_>) -> R) -> R {
    let name = name.strip_prefix("r#").unwrap_or(name);
    if name.len() <= STACK_NAME && name.is_ascii() {
        let mut buf = [0u8; STACK_NAME];
        for (dst, src) in buf.iter_mut().zip(name.bytes()) {
            *dst = src;
        }
        let chars = &buf[..name.len()];
        let mut spans = [(0u8, 0u8); STACK_WORDS];
        let mut count = 0;
        let mut overflow = false;
        split_ascii(chars, |start, end| {
            if count < STACK_WORDS {
                // Both bounds are at most STACK_NAME (96), so they fit a u8.
                spans[count] = (start as u8, end as u8);
                count += 1;
            } else {
                overflow = true;
            }
        });
        if !overflow {
            let mut lower = [0u8; STACK_NAME];
            for (dst, src) in lower.iter_mut().zip(chars) {
                *dst = src.to_ascii_lowercase();
            }
            let mut words = [""; STACK_WORDS];
            for (word, &(s, e)) in words.iter_mut().zip(&spans[..count]) {
                // ASCII bytes are always valid UTF-8.
                *word = std::str::from_utf8(&lower[usize::from(s)..usize::from(e)]).unwrap_or("");
            }
            return f(&Words(&words[..count]));
        }
    }
    let owned = split_general(name);
    let borrowed: Vec<&str> = owned.iter().map(String::as_str).collect();
    f(&Words(&borrowed))
}

/// Splits ASCII bytes into word spans at non-alphanumeric bytes and
/// camel-case boundaries.
fn split_ascii(chars: &[u8], mut push: impl FnMut(usize, usize)) {
    let mut start: Option<usize> = None;
    for i in 0..chars.len() {
        let c = chars[i];
        if !c.is_ascii_alphanumeric() {
            if let Some(s) = start.take() {
                push(s, i);
            }
            continue;
        }
        if let Some(s) = start
            && c.is_ascii_uppercase()
        {
            let prev = chars[i - 1];
            let next = chars.get(i + 1).copied();
            let boundary = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()));
            if boundary {
                push(s, i);
                start = Some(i);
            }
        }
        if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        push(s, chars.len());
    }
}

/// The same split for any Unicode name, lowercasing with Unicode rules.
fn split_general(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            continue;
        }
        if !word.is_empty() && c.is_uppercase() {
            let prev = chars[i - 1];
            let next = chars.get(i + 1);
            let boundary = prev.is_lowercase()
                || prev.is_numeric()
                || (prev.is_uppercase() && next.is_some_and(|n| n.is_lowercase()));
            if boundary {
                out.push(std::mem::take(&mut word));
            }
        }
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The words of one name.
struct Words<'a>(&'a [&'a str]);

impl Words<'_> {
    fn iter(&self) -> impl Iterator<Item = &&str> {
        self.0.iter()
    }

    /// True when the words starting at some word spell `term` exactly
    /// (`exact`) or begin with it.
    fn spell(&self, term: &str, exact: bool) -> bool {
        (0..self.0.len()).any(|start| {
            let mut rest = term.as_bytes();
            for word in &self.0[start..] {
                let w = word.as_bytes();
                if rest.len() >= w.len() {
                    if !rest.starts_with(w) {
                        return false;
                    }
                    rest = &rest[w.len()..];
                    if rest.is_empty() {
                        return true;
                    }
                } else {
                    return !exact && w.starts_with(rest);
                }
            }
            false
        })
    }

    /// True when the words joined equal `whole`.
    fn joined_is(&self, whole: &str) -> bool {
        let mut rest = whole.as_bytes();
        for word in self.0 {
            match rest.strip_prefix(word.as_bytes()) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        rest.is_empty() && !self.0.is_empty()
    }
}

fn classify_words(words: &Words<'_>) -> Option<NameKind> {
    let card = words.iter().any(|w| CARD_WORDS.contains(w))
        || CARD_PREFIXES.iter().any(|t| words.spell(t, false))
        || CARD_NAMES.iter().any(|n| words.joined_is(n));
    if card {
        return Some(NameKind::Card);
    }
    let names_secret = words.iter().any(|w| SECRET_WORDS.contains(w))
        || SECRET_COMPOUNDS.iter().any(|t| words.spell(t, true));
    if !names_secret {
        return None;
    }
    (!is_about(words)).then_some(NameKind::Secret)
}

/// True when the name is about a value rather than the value itself
/// (`pin_attempts`, `account_type`, `has_pin`).
fn is_about(words: &Words<'_>) -> bool {
    let last = words.0.last().copied().unwrap_or("");
    let first = words.0.first().copied().unwrap_or("");
    ABOUT_WORDS.contains(&last) || PREDICATE_WORDS.contains(&first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_snake_camel_and_other_separators() {
        assert_eq!(words("newPIN"), ["new", "pin"]);
        assert_eq!(words("PINCode"), ["pin", "code"]);
        assert_eq!(words("card_number2"), ["card", "number2"]);
        assert_eq!(words("accountPassword"), ["account", "password"]);
        assert_eq!(words("x-api-key"), ["x", "api", "key"]);
        assert_eq!(words("date of.birth"), ["date", "of", "birth"]);
        assert_eq!(words("r#type"), ["type"]);
        assert_eq!(words("__"), Vec::<String>::new());
        assert_eq!(words("Pässwort"), ["pässwort"]);
    }

    /// The rule, pinned name by name. Every entry is a decision: change it
    /// only on purpose, and the macros, the redaction and `check` follow.
    #[test]
    fn the_rule_name_by_name() {
        use NameKind::{Card, Secret};
        let table: &[(&str, Option<NameKind>)] = &[
            // Secrets by word.
            ("pin", Some(Secret)),
            ("PIN", Some(Secret)),
            ("new_pin", Some(Secret)),
            ("newPin", Some(Secret)),
            ("pin_code", Some(Secret)),
            ("pin_number", Some(Secret)),
            ("password", Some(Secret)),
            ("account_password", Some(Secret)),
            ("new_password_confirmation", Some(Secret)),
            ("passcode", Some(Secret)),
            ("passphrase", Some(Secret)),
            ("ssn", Some(Secret)),
            ("secret", Some(Secret)),
            ("secret_answer", Some(Secret)),
            ("client_secret", Some(Secret)),
            ("access_token", Some(Secret)),
            ("refresh_token", Some(Secret)),
            ("otp", Some(Secret)),
            ("otp_code", Some(Secret)),
            ("dob", Some(Secret)),
            ("Authorization", Some(Secret)),
            ("credentials", Some(Secret)),
            // Secrets by compound.
            ("social_security_number", Some(Secret)),
            ("SOCIAL-SECURITY", Some(Secret)),
            ("api_key", Some(Secret)),
            ("apiKey", Some(Secret)),
            ("x-api-key", Some(Secret)),
            ("private_key", Some(Secret)),
            ("verification_code", Some(Secret)),
            ("verificationCode", Some(Secret)),
            ("access_code", Some(Secret)),
            ("date_of_birth", Some(Secret)),
            ("dateOfBirth", Some(Secret)),
            ("birth_date", Some(Secret)),
            ("memorable_word", Some(Secret)),
            ("security_answer", Some(Secret)),
            ("security_question_answer", Some(Secret)),
            ("mothers_maiden_name", Some(Secret)),
            // About a secret, not the secret.
            ("pin_attempts", None),
            ("pin_attempts_remaining", None),
            ("token_count", None),
            ("tokens_used", None),
            ("password_hint", None),
            ("password_length", None),
            ("pin_verified", None),
            ("otp_expires", None),
            ("has_pin", None),
            ("is_password_set", None),
            ("verification_code_attempts", None),
            // Words are matched whole.
            ("spin", None),
            ("shipping", None),
            ("pinned", None),
            ("spinach", None),
            ("secretary", None),
            ("tokenizer", None),
            ("spin_code", None),
            ("discard_number", None),
            ("company", None),
            ("panel", None),
            ("account", None),
            ("to_account", None),
            ("amount", None),
            ("memo", None),
            ("postal_code", None),
            ("promo_code", None),
            ("policy_expiration_date_note", None),
            // Card data.
            ("card_number", Some(Card)),
            ("cardNumber", Some(Card)),
            ("cardnumber", Some(Card)),
            ("card_numbers", Some(Card)),
            ("credit_card", Some(Card)),
            ("credit_card_limit", Some(Card)),
            ("pan", Some(Card)),
            ("cvv", Some(Card)),
            ("cvv2", Some(Card)),
            ("cvc", Some(Card)),
            ("security_code", Some(Card)),
            ("expiry", Some(Card)),
            ("expiration_date", Some(Card)),
            ("card_expiry", Some(Card)),
            ("cardExpiryMonth", Some(Card)),
        ];
        assert!(table.len() >= 40);
        let wrong: Vec<String> = table
            .iter()
            .filter(|(name, want)| classify(name) != *want)
            .map(|(name, want)| format!("{name}: want {want:?}, got {:?}", classify(name)))
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn long_and_unicode_names_follow_the_same_rule() {
        let long = format!("{}_pin", "word_".repeat(40));
        assert_eq!(classify(&long), Some(NameKind::Secret));
        let many = format!("{}pin", "a_".repeat(30));
        assert_eq!(classify(&many), Some(NameKind::Secret));
        assert_eq!(classify(&format!("{long}_attempts")), None);
        assert_eq!(classify("Pässwort_PIN"), Some(NameKind::Secret));
        assert_eq!(classify("pässword"), None);
        // The Kelvin sign lowercases to `k` only under Unicode rules.
        assert_eq!(classify("TO\u{212A}EN"), Some(NameKind::Secret));
    }

    #[test]
    fn account_numbers_are_masked_by_name() {
        for name in [
            "account",
            "from_account",
            "toAccount",
            "account_number",
            "accountNo",
            "acct",
            "iban",
            "routing_number",
            "sort_code",
            "bank_account",
            "member_id",
            "accounts",
        ] {
            assert!(masks_last_four(name), "{name}");
            assert!(!is_secret(name), "{name} is not a secret to the compiler");
        }
        for name in [
            "account_type",
            "account_status",
            "has_account",
            "accountant",
            "amount",
            "count",
            "pin",
            "card_number",
            "member",
        ] {
            assert!(!masks_last_four(name), "{name}");
        }
    }

    #[test]
    fn destructive_tool_names() {
        for name in [
            "transfer_funds",
            "delete_account",
            "makePayment",
            "pay",
            "close_account",
            "refund_order",
            "reset_pin",
            "cancelSubscription",
            "wire_money",
        ] {
            assert!(looks_destructive(name), "{name}");
        }
        for name in ["get_balance", "display_menu", "disclose_hours", "lookup"] {
            assert!(!looks_destructive(name), "{name}");
        }
    }
}
