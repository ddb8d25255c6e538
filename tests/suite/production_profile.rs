//! One production rule: for every configuration, `check` and an
//! `AGENT_ENV=production` start-up agree (check exits 0 exactly when the
//! production start succeeds, and the items check marks FAIL are exactly the
//! ones start-up refuses), waivers are named variables that show in both,
//! and an unknown `AGENT_ENV` stops start-up.

use std::collections::HashMap;

use agent_runtime::cli::run_with;
use agent_runtime::{AgentConfig, BuildError};

use crate::secure_bank;

const STRONG: &str = "a-very-long-production-password-0123456789";
const SECRET: &str = "0123456789abcdef0123456789abcdef-secret";

/// A configuration that passes every item.
fn fit() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AGENT_ENV", "production"),
        ("SWML_BASIC_AUTH_USER", "agent"),
        ("SWML_BASIC_AUTH_PASSWORD", STRONG),
        ("SIGNALWIRE_SWAIG_SECRET", SECRET),
        ("SWML_PROXY_URL_BASE", "https://agents.example.com"),
        (
            "SIGNALWIRE_SIGNING_KEY",
            "PSK_signing_key_for_tests_0123456789",
        ),
        ("SWML_STATE_URL", "rediss://state.internal.example:6380/0"),
    ]
}

/// `fit()` with these variables set (an empty value removes one).
fn with(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut vars = fit();
    for (k, v) in changes {
        vars.retain(|(key, _)| key != k);
        if !v.is_empty() {
            vars.push((k, v));
        }
    }
    vars
}

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    move |k| map.get(k).cloned()
}

/// What a production start says: `Ok` or the names of the refused items.
fn start(vars: &[(&str, &str)]) -> Result<(), Vec<String>> {
    let config = AgentConfig::from_lookup(lookup(vars)).expect("the values themselves parse");
    match secure_bank::builder().config(config).build() {
        Ok(_) => Ok(()),
        Err(BuildError::Production(items)) => {
            Err(items.iter().map(|i| i.name.to_owned()).collect())
        }
        Err(other) => panic!("unexpected error: {other}"),
    }
}

/// What `check` says: its exit code and the names of the FAIL items.
fn check(vars: &[(&str, &str)]) -> (u8, Vec<String>, String) {
    let out = run_with(
        secure_bank::builder(),
        ["secure-bank", "check"],
        lookup(vars),
    );
    let failed = out
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("FAIL    "))
        .map(|l| l.split(':').next().unwrap_or("").to_owned())
        .collect();
    (out.code, failed, out.stdout)
}

/// A configuration: its name, its variables, and the items it must fail.
type Case = (
    &'static str,
    Vec<(&'static str, &'static str)>,
    &'static [&'static str],
);

#[test]
fn check_and_production_start_agree_on_every_configuration() {
    let table: Vec<Case> = vec![
        ("fit for production", fit(), &[]),
        (
            "development defaults",
            vec![("AGENT_ENV", "production")],
            &[
                "credentials",
                "password strength",
                "token secret",
                "transport",
                "signing key",
                "shared state",
            ],
        ),
        (
            "no signing key",
            with(&[("SIGNALWIRE_SIGNING_KEY", "")]),
            &["signing key"],
        ),
        (
            "signing key waived",
            with(&[
                ("SIGNALWIRE_SIGNING_KEY", ""),
                (
                    "AGENT_WAIVE_SIGNING_KEY",
                    "private network, the platform does not sign",
                ),
            ]),
            &[],
        ),
        (
            "plain http proxy",
            with(&[("SWML_PROXY_URL_BASE", "http://agents.example.com")]),
            &["transport"],
        ),
        (
            "no proxy, no TLS",
            with(&[("SWML_PROXY_URL_BASE", "")]),
            &["transport"],
        ),
        (
            "transport waived",
            with(&[
                ("SWML_PROXY_URL_BASE", ""),
                ("AGENT_WAIVE_TRANSPORT", "TLS ends at the load balancer"),
            ]),
            &[],
        ),
        (
            "repetitive password",
            with(&[(
                "SWML_BASIC_AUTH_PASSWORD",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            )]),
            &["password strength"],
        ),
        (
            "short password",
            with(&[("SWML_BASIC_AUTH_PASSWORD", "short-Canary-pw")]),
            &["password strength"],
        ),
        (
            "no token secret",
            with(&[("SIGNALWIRE_SWAIG_SECRET", "")]),
            &["token secret"],
        ),
        (
            "generated credentials",
            with(&[
                ("SWML_BASIC_AUTH_USER", ""),
                ("SWML_BASIC_AUTH_PASSWORD", ""),
            ]),
            &["credentials", "password strength"],
        ),
        (
            "rate limits off",
            with(&[("SWML_RATE_LIMIT", "off")]),
            &["rate limits"],
        ),
        (
            "replicas without a shared store",
            with(&[("SWML_STATE_URL", "")]),
            &["shared state"],
        ),
        (
            "one replica, shared state waived",
            with(&[
                ("SWML_STATE_URL", ""),
                ("AGENT_WAIVE_SHARED_STATE", "exactly one replica runs"),
            ]),
            &[],
        ),
        (
            "rate limits off, waived",
            with(&[
                ("SWML_RATE_LIMIT", "off"),
                ("AGENT_WAIVE_RATE_LIMITS", "limited at the gateway"),
            ]),
            &[],
        ),
        (
            "a waiver does not cover another item",
            with(&[
                ("SIGNALWIRE_SIGNING_KEY", ""),
                ("AGENT_WAIVE_TRANSPORT", "TLS ends at the load balancer"),
            ]),
            &["signing key"],
        ),
        (
            "metrics on their own listener, with basic auth",
            with(&[("SWML_METRICS_ADDR", "0.0.0.0:9464")]),
            &[],
        ),
        (
            "metrics without auth, reachable from other hosts",
            with(&[
                ("SWML_METRICS_ADDR", "0.0.0.0:9464"),
                ("SWML_METRICS_AUTH", "off"),
            ]),
            &["metrics"],
        ),
        (
            "metrics without auth on loopback",
            with(&[
                ("SWML_METRICS_ADDR", "127.0.0.1:9464"),
                ("SWML_METRICS_AUTH", "off"),
            ]),
            &[],
        ),
        (
            "metrics without auth, waived",
            with(&[
                ("SWML_METRICS_ADDR", "10.0.0.5:9464"),
                ("SWML_METRICS_AUTH", "off"),
                (
                    "AGENT_WAIVE_METRICS",
                    "only the scraper's network reaches it",
                ),
            ]),
            &[],
        ),
    ];
    assert!(table.len() >= 12);
    for (name, vars, refused) in &table {
        let started = start(vars);
        let (code, failed, stdout) = check(vars);
        let refused: Vec<String> = refused.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(
            started,
            if refused.is_empty() {
                Ok(())
            } else {
                Err(refused.clone())
            },
            "{name}: start-up"
        );
        assert_eq!(failed, refused, "{name}: check\n{stdout}");
        assert_eq!(
            code == 0,
            started.is_ok(),
            "{name}: exit code {code}\n{stdout}"
        );
        assert!(!stdout.contains("Canary"), "{name}: a password was printed");
        // Every waiver shows in check's output, with its variable.
        for (var, reason) in vars.iter().filter(|(k, _)| k.starts_with("AGENT_WAIVE_")) {
            let shown = stdout
                .lines()
                .any(|l| l.starts_with("WAIVED") && l.contains(var) && l.contains(reason));
            let applies = !(name.contains("does not cover"));
            assert_eq!(shown, applies, "{name}: {var}\n{stdout}");
        }
    }
}

#[test]
fn an_unknown_agent_env_stops_start_up() {
    for value in ["prod", "staging", "Production-ish", "live-eu"] {
        let e = AgentConfig::from_lookup(lookup(&[("AGENT_ENV", value)])).unwrap_err();
        assert_eq!(e.setting, "AGENT_ENV", "{value}");
        assert!(
            e.to_string().contains("must be production or development"),
            "{e}"
        );
    }
    let e = AgentConfig::from_lookup(lookup(&[("AGENT_ENV", "staging-Canary")])).unwrap_err();
    assert!(
        !e.to_string().contains("Canary"),
        "the value is not echoed: {e}"
    );
    for value in ["production", "PRODUCTION", " development "] {
        assert!(
            AgentConfig::from_lookup(lookup(&[("AGENT_ENV", value)])).is_ok(),
            "{value}"
        );
    }
}

#[test]
fn outside_production_the_defaults_start() {
    assert_eq!(start(&[]), Ok(()));
    assert_eq!(start(&[("AGENT_ENV", "development")]), Ok(()));
}
