//! Agent names (`#[agent(name = "...")]`), shown in banners, logs and the
//! command line.

/// The grammar in words, for error messages.
pub const GRAMMAR: &str = "1 to 64 letters, digits, `-` or `_`";

/// True for 1 to 64 ASCII letters, digits, `-` or `_`.
pub fn is_valid(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The default name of an agent struct: its identifier in kebab case
/// (`SecureBank` → `secure-bank`).
pub fn kebab_case(ident: &str) -> String {
    let mut out = String::new();
    for (i, c) in ident.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.extend(c.to_lowercase());
        } else if c == '_' {
            out.push('-');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_valid("secure-bank_2"));
        assert!(!is_valid(""));
        assert!(!is_valid("a b"));
        assert!(!is_valid(&"a".repeat(65)));
        assert_eq!(kebab_case("SecureBank"), "secure-bank");
        assert_eq!(kebab_case("pin_check"), "pin-check");
    }
}
