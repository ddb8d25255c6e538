//! `AGENT_ENV=production` refuses development-only settings, naming the
//! variable to set for each.

use std::collections::HashMap;

use agent_runtime::{AgentConfig, BuildError};

use crate::secure_bank;

/// Builds the bank from exactly `vars`, without the harness's test defaults:
/// what production refuses depends on what is left unset.
fn build(vars: &[(&str, &str)]) -> Result<(), Vec<String>> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    let config = AgentConfig::from_lookup(|k| map.get(k).cloned()).unwrap();
    match secure_bank::builder().config(config).build() {
        Ok(_) => Ok(()),
        Err(BuildError::Production(problems)) => Err(problems),
        Err(other) => panic!("unexpected error: {other}"),
    }
}

const STRONG: &str = "a-very-long-production-password-0123456789";

#[test]
fn development_defaults_are_refused_with_every_variable_named() {
    let problems = build(&[("AGENT_ENV", "production")]).unwrap_err();
    let all = problems.join("\n");
    for var in [
        "SWML_BASIC_AUTH_PASSWORD",
        "SIGNALWIRE_SWAIG_SECRET",
        "SWML_PROXY_URL_BASE",
    ] {
        assert!(all.contains(var), "{all}");
    }
    assert_eq!(problems.len(), 3);
}

#[test]
fn short_password_is_refused_and_not_shown() {
    let problems = build(&[
        ("AGENT_ENV", "production"),
        ("SWML_BASIC_AUTH_USER", "agent"),
        ("SWML_BASIC_AUTH_PASSWORD", "short-Canary-pw"),
        (
            "SIGNALWIRE_SWAIG_SECRET",
            "0123456789abcdef0123456789abcdef-secret",
        ),
        ("SWML_PROXY_URL_BASE", "https://agents.example.com"),
    ])
    .unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].contains("shorter than 32"));
    assert!(!problems.join(" ").contains("Canary"));
}

#[test]
fn production_configuration_starts_and_development_is_lenient() {
    let full = [
        ("AGENT_ENV", "production"),
        ("SWML_BASIC_AUTH_USER", "agent"),
        ("SWML_BASIC_AUTH_PASSWORD", STRONG),
        (
            "SIGNALWIRE_SWAIG_SECRET",
            "0123456789abcdef0123456789abcdef-secret",
        ),
        ("SWML_PROXY_URL_BASE", "https://agents.example.com"),
    ];
    assert_eq!(build(&full), Ok(()));
    assert_eq!(
        build(&[]),
        Ok(()),
        "outside production the defaults are allowed"
    );
}
