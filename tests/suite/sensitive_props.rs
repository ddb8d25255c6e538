//! Property: `Debug` of any value containing a sensitive part never contains
//! that part — alone, in an `Option`, in a `Vec`, for a `#[sensitive]` field
//! of a `#[tool_args]` struct and for a `#[sensitive]` type.

use agent_runtime::prelude::*;
use proptest::prelude::*;

/// A PIN, secret as a whole.
#[tool_args]
#[sensitive]
pub struct Pin(String);

/// A sign-in with a plain-string and a `Secret` sensitive field.
#[tool_args]
#[allow(dead_code, reason = "the fields are only ever shown through `Debug`")]
pub struct SignIn {
    /// The user name.
    pub user: String,
    /// The password.
    #[sensitive]
    pub password: String,
    /// The memorable word.
    #[sensitive]
    pub word: Secret<String>,
}

fn shown_everywhere<T: std::fmt::Debug>(value: T) -> String {
    let one = format!("{value:?} {value:#?}");
    let option = format!("{:?}", Some(&value));
    let list = format!("{:?}", vec![&value, &value]);
    format!("{one} {option} {list}")
}

proptest! {
    #[test]
    fn sensitive_fields_never_appear_in_debug(
        user in "[a-z]{0,8}",
        password in "\\PC{4,40}",
        word in "\\PC{4,40}",
    ) {
        let sign_in = |password: &str, word: &str| SignIn {
            user: user.clone(),
            password: password.to_owned(),
            word: Secret::new(word.to_owned()),
        };
        // What is printed does not depend on the secrets at all...
        let skeleton = shown_everywhere(sign_in("-", "-"));
        let shown = shown_everywhere(sign_in(&password, &word));
        prop_assert_eq!(&shown, &skeleton);
        // ...so a secret shows only if it is part of the fixed text.
        prop_assume!(!skeleton.contains(&password) && !skeleton.contains(&word));
        prop_assert!(!shown.contains(&password), "{shown}");
        prop_assert!(!shown.contains(&word), "{shown}");
        prop_assert!(shown.contains("[REDACTED]"));
        prop_assert!(shown.contains(&format!("{user:?}")), "other fields are shown");
    }

    #[test]
    fn sensitive_types_never_appear_in_debug(pin in "\\PC{4,40}") {
        let skeleton = shown_everywhere(Pin("-".to_owned()));
        let shown = shown_everywhere(Pin(pin.clone()));
        prop_assert_eq!(&shown, &skeleton);
        prop_assume!(!skeleton.contains(&pin));
        prop_assert!(!shown.contains(&pin), "{shown}");
    }
}
