//! SWAIG function names: what SignalWire accepts as a function name.

/// The longest function name, in bytes.
pub const MAX_LEN: usize = 64;

/// The grammar in words, for error messages.
pub const GRAMMAR: &str = "`^[A-Za-z_][A-Za-z0-9_]*$`, at most 64 characters";

/// Names a tool cannot have: `post_prompt` is the function the runtime binds
/// post-prompt tokens to (a tool of that name would accept them), and the
/// others name the platform's own hooks.
pub const RESERVED: [&str; 4] = [
    "post_prompt",
    "startup_hook",
    "hangup_hook",
    "summarize_conversation",
];

/// True when `name` is one of the [`RESERVED`] names.
pub fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name)
}

/// True for `^[A-Za-z_][A-Za-z0-9_]{0,63}$`.
pub fn is_valid(name: &str) -> bool {
    match name.as_bytes().split_first() {
        Some((first, rest)) => {
            name.len() <= MAX_LEN
                && (first.is_ascii_alphabetic() || *first == b'_')
                && rest.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_names() {
        assert!(is_reserved("post_prompt"));
        assert!(is_reserved("hangup_hook"));
        assert!(!is_reserved("post_prompt_summary"));
        assert!(!is_reserved("Post_Prompt"));
    }

    #[test]
    fn grammar() {
        for ok in ["get_balance", "_x9", "A", &"a".repeat(64)] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in ["", "9x", "a-b", "a b", "é", &"a".repeat(65)] {
            assert!(!is_valid(bad), "{bad}");
        }
    }
}
