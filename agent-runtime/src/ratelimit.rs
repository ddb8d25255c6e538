//! Rate limits: per caller and tool (a polite spoken refusal) and per client
//! address at the HTTP level (429 with `Retry-After`). [`Rate`] is the limit;
//! the in-process limiter here keeps the state of one replica, and the
//! shared state store (`SWML_STATE_URL`) applies the same rule across
//! replicas.

use std::collections::HashMap;
use std::hash::{BuildHasher as _, RandomState};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// A limit such as `5/min`: `count` calls, refilled evenly over `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Calls allowed in a burst, and per period.
    pub count: NonZeroU32,
    /// The period.
    pub per: Duration,
}

/// Why a rate could not be parsed (`5/min` is the form).
pub use agent_rules::rate::RateError;

impl std::str::FromStr for Rate {
    type Err = RateError;

    /// Parses `N/sec`, `N/s`, `N/second`, `N/min`, `N/m`, `N/minute`,
    /// `N/hour`, `N/h`, with N at least 1 (the grammar `#[tool(rate_limit)]`
    /// is checked against at compile time).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let spec = agent_rules::rate::parse(s)?;
        Ok(Rate {
            count: spec.count,
            per: spec.per,
        })
    }
}

impl Rate {
    fn quota(self) -> Quota {
        let period = self.per / self.count.get();
        Quota::with_period(period.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(self.count))
            .allow_burst(self.count)
    }
}

/// The most keys one scope keeps before it sweeps idle ones, and the most
/// it holds after a sweep before new keys share one bucket.
pub(crate) const MAX_KEYS_PER_SCOPE: usize = 50_000;

/// How often (in checks) a scope forgets keys whose allowance is full again.
const SWEEP_EVERY: u64 = 4096;

/// The key a scope uses for every caller while it is full of keys.
const OVERFLOW_KEY: Key = [0, 0];

/// A fixed-size key: two independent keyed 64-bit hashes (SipHash with
/// per-process random keys) of the caller id, call id or client address. A
/// key costs 16 bytes whatever the caller sent, and keys cannot be chosen to
/// collide without the process's random hash keys.
type Key = [u64; 2];

/// In-memory limits (one process). Scopes and their rates are fixed at
/// start-up. Memory is bounded: keys whose allowance is full again are
/// forgotten every few thousand checks and whenever a scope passes
/// [`MAX_KEYS_PER_SCOPE`]; if a sweep cannot bring it back under that cap
/// (a flood of distinct callers), every new caller of that scope shares one
/// bucket until it can, so a key flood throttles the flood instead of
/// growing memory.
pub(crate) struct InMemoryRateLimits {
    limiters: HashMap<String, Scope>,
    hashers: [RandomState; 2],
}

/// One scope's limiter and whether it is saturated.
struct Scope {
    limiter: DefaultKeyedRateLimiter<Key>,
    checks: AtomicU64,
    saturated: AtomicBool,
}

impl std::fmt::Debug for InMemoryRateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryRateLimits")
            .field("scopes", &self.limiters.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl InMemoryRateLimits {
    /// Limits for these scopes.
    pub(crate) fn new(scopes: impl IntoIterator<Item = (String, Rate)>) -> Self {
        InMemoryRateLimits {
            limiters: scopes
                .into_iter()
                .map(|(scope, rate)| {
                    let scope_state = Scope {
                        limiter: DefaultKeyedRateLimiter::keyed(rate.quota()),
                        checks: AtomicU64::new(0),
                        saturated: AtomicBool::new(false),
                    };
                    (scope, scope_state)
                })
                .collect(),
            hashers: [RandomState::new(), RandomState::new()],
        }
    }

    fn key(&self, text: &str) -> Key {
        [
            self.hashers[0].hash_one(text),
            self.hashers[1].hash_one(text),
        ]
    }

    /// Keys held by `scope` (for tests and monitoring).
    #[cfg(test)]
    pub(crate) fn keys_held(&self, scope: &str) -> usize {
        self.limiters.get(scope).map_or(0, |s| s.limiter.len())
    }
}

impl Scope {
    /// Forgets idle keys now and then, and when the scope is over its cap;
    /// marks the scope saturated while a sweep leaves it over the cap.
    fn sweep_if_due(&self) {
        let due = self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1;
        let over = || self.limiter.len() > MAX_KEYS_PER_SCOPE;
        if due || (self.checks.load(Ordering::Relaxed).is_multiple_of(256) && over()) {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
            self.saturated.store(over(), Ordering::Relaxed);
        }
    }
}

impl InMemoryRateLimits {
    /// Counts one use of `key` in `scope` (a tool name, or the HTTP scope):
    /// `Err(retry_after)` when the key has used up its allowance.
    pub(crate) fn check(&self, scope: &str, key: &str) -> Result<(), Duration> {
        let Some(state) = self.limiters.get(scope) else {
            return Ok(());
        };
        state.sweep_if_due();
        let key = if state.saturated.load(Ordering::Relaxed) {
            OVERFLOW_KEY
        } else {
            self.key(key)
        };
        state
            .limiter
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rates() {
        let r: Rate = "5/min".parse().unwrap();
        assert_eq!((r.count.get(), r.per), (5, Duration::from_secs(60)));
        assert!("0/min".parse::<Rate>().is_err());
        assert!("5/fortnight".parse::<Rate>().is_err());
        assert!("five/min".parse::<Rate>().is_err());
    }

    #[test]
    fn allows_exactly_the_burst_per_key() {
        let limits = InMemoryRateLimits::new([("transfer".to_owned(), "3/min".parse().unwrap())]);
        for _ in 0..3 {
            assert!(limits.check("transfer", "+1555").is_ok());
        }
        let wait = limits.check("transfer", "+1555").unwrap_err();
        assert!(
            wait > Duration::from_secs(10) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(
            limits.check("transfer", "+1666").is_ok(),
            "another caller is served"
        );
        assert!(limits.check("other_scope", "+1555").is_ok());
    }

    #[test]
    fn a_flood_of_distinct_callers_cannot_grow_memory_past_the_cap() {
        let limits = InMemoryRateLimits::new([("t".to_owned(), "5/min".parse().unwrap())]);
        let mut refused = 0;
        for i in 0..(MAX_KEYS_PER_SCOPE + 20_000) {
            if limits.check("t", &format!("+1555{i:07}")).is_err() {
                refused += 1;
            }
        }
        let held = limits.keys_held("t");
        assert!(held <= MAX_KEYS_PER_SCOPE + 256, "{held} keys held");
        // Once saturated, the new callers share one bucket of 5.
        assert!(refused >= 19_000, "{refused} refused");
    }

    #[test]
    fn keys_are_fixed_size_whatever_the_caller_sent() {
        let limits = InMemoryRateLimits::new([("t".to_owned(), "2/min".parse().unwrap())]);
        let huge = "9".repeat(900_000);
        assert!(limits.check("t", &huge).is_ok());
        assert!(limits.check("t", &huge).is_ok());
        assert!(
            limits.check("t", &huge).is_err(),
            "the same huge id is one caller"
        );
        assert_eq!(limits.keys_held("t"), 1);
        assert_eq!(size_of::<Key>(), 16);
    }
}
