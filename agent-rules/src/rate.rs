//! Rates such as `5/min`: how often one caller may use a tool, or one client
//! address may call the agent.

use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

/// A rate: `count` uses per `per`, refilled evenly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateSpec {
    /// Uses allowed in a burst, and per period.
    pub count: NonZeroU32,
    /// The period.
    pub per: Duration,
}

/// A rate that breaks the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateError;

impl fmt::Display for RateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a rate is written `N/sec`, `N/min` or `N/hour` with N at least 1 (also `s`, `second`, `m`, `minute`, `h`), e.g. `5/min`",
        )
    }
}

impl std::error::Error for RateError {}

/// Parses `N/sec`, `N/s`, `N/second`, `N/min`, `N/m`, `N/minute`, `N/hour`,
/// `N/h` (spaces around the parts allowed), N at least 1.
pub fn parse(text: &str) -> Result<RateSpec, RateError> {
    let (n, unit) = text.trim().split_once('/').ok_or(RateError)?;
    let count = n
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(NonZeroU32::new)
        .ok_or(RateError)?;
    let per = match unit.trim() {
        "s" | "sec" | "second" => Duration::from_secs(1),
        "m" | "min" | "minute" => Duration::from_secs(60),
        "h" | "hour" => Duration::from_secs(3600),
        _ => return Err(RateError),
    };
    Ok(RateSpec { count, per })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        let r = parse(" 5 / min ").unwrap();
        assert_eq!((r.count.get(), r.per), (5, Duration::from_secs(60)));
        assert_eq!(parse("1/h").unwrap().per, Duration::from_secs(3600));
        assert_eq!(parse("20/second").unwrap().per, Duration::from_secs(1));
        for bad in [
            "0/min",
            "5/fortnight",
            "five/min",
            "5",
            "-1/min",
            "5/min/x",
            "",
        ] {
            assert_eq!(parse(bad), Err(RateError), "{bad}");
        }
    }
}
