//! SWAIG function names: what SignalWire accepts as a function name, and the
//! name the runtime gives the companion of an unrecorded tool.

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

/// The prefix of the function that pauses the call recording before an
/// unrecorded tool collects its input: `prepare_verify_pin` for
/// `verify_pin` (see [`recording_companion`]).
pub const COMPANION_PREFIX: &str = "prepare_";

/// The longest name an unrecorded tool can have: its companion's name must
/// still fit in [`MAX_LEN`].
pub const MAX_UNRECORDED_LEN: usize = MAX_LEN - COMPANION_PREFIX.len();

/// The name of the function registered beside an unrecorded tool `tool`
/// (`#[tool(unrecorded)]`) on an agent that records calls: the AI calls it
/// before asking the caller for the tool's input, and its result pauses the
/// recording. It is a valid function name exactly when `tool` is one of at
/// most [`MAX_UNRECORDED_LEN`] characters.
pub fn recording_companion(tool: &str) -> String {
    format!("{COMPANION_PREFIX}{tool}")
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
    fn companions_of_valid_names_up_to_the_bound_are_valid() {
        assert_eq!(recording_companion("verify_pin"), "prepare_verify_pin");
        let longest = "a".repeat(MAX_UNRECORDED_LEN);
        assert!(is_valid(&recording_companion(&longest)));
        let too_long = "a".repeat(MAX_UNRECORDED_LEN + 1);
        assert!(is_valid(&too_long));
        assert!(!is_valid(&recording_companion(&too_long)));
        assert!(!is_reserved(&recording_companion("post_prompt")));
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
