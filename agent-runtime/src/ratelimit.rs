//! Rate limits: per caller and tool (a polite spoken refusal) and per client
//! address at the HTTP level (429 with `Retry-After`). The state lives behind
//! [`RateLimitStore`] so a shared store can replace the in-memory one.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// Where rate-limit state lives. `check` answers `Err(retry_after)` when the
/// key has used up its allowance in `scope`.
pub trait RateLimitStore: Send + Sync + 'static {
    /// Counts one use of `key` in `scope` (a tool name, or `http`).
    fn check(&self, scope: &str, key: &str) -> Result<(), Duration>;
}

/// In-memory limits (one process). Scopes and their rates are fixed at
/// start-up; keys are forgotten once their allowance is full again.
pub struct InMemoryRateLimits {
    limiters: HashMap<String, DefaultKeyedRateLimiter<String>>,
    checks: AtomicU64,
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
    pub fn new(scopes: impl IntoIterator<Item = (String, Rate)>) -> Self {
        InMemoryRateLimits {
            limiters: scopes
                .into_iter()
                .map(|(scope, rate)| (scope, DefaultKeyedRateLimiter::keyed(rate.quota())))
                .collect(),
            checks: AtomicU64::new(0),
        }
    }
}

impl RateLimitStore for InMemoryRateLimits {
    fn check(&self, scope: &str, key: &str) -> Result<(), Duration> {
        let Some(limiter) = self.limiters.get(scope) else {
            return Ok(());
        };
        // Forget idle keys now and then so memory stays bounded.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            limiter.retain_recent();
        }
        limiter
            .check_key(&key.to_owned())
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
}
