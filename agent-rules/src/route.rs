//! Routes: the path prefix an agent answers under (`/bank` serves `/bank`,
//! `/bank/swaig` and `/bank/post_prompt`).

use std::fmt;

/// A route that breaks the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteError;

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a route starts with `/` and contains only letters, digits, `-`, `_`, `.` and single `/` separators, e.g. `/bank`",
        )
    }
}

impl std::error::Error for RouteError {}

/// The normal form of a route: trailing `/` removed, `""` for the root.
///
/// `""`, `"/"` and `"/bank/"` are accepted (as `""`, `""` and `"/bank"`); a
/// route without a leading `/`, with other characters, with `//`, or with a
/// `.` or `..` segment is refused.
pub fn normalize(route: &str) -> Result<&str, RouteError> {
    let trimmed = route.strip_suffix('/').unwrap_or(route);
    if trimmed.is_empty() {
        return Ok("");
    }
    let ok = trimmed.starts_with('/')
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'))
        && !trimmed.ends_with('/')
        && !trimmed.contains("//")
        && !trimmed.split('/').any(|seg| seg == "." || seg == "..");
    if ok { Ok(trimmed) } else { Err(RouteError) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(normalize(""), Ok(""));
        assert_eq!(normalize("/"), Ok(""));
        assert_eq!(normalize("/bank/"), Ok("/bank"));
        assert_eq!(normalize("/a/b.c-d_e"), Ok("/a/b.c-d_e"));
        for bad in [
            "bank", "/a/../b", "/a/./b", "/a b", "//", "/a//b", "/bank//", "/é",
        ] {
            assert_eq!(normalize(bad), Err(RouteError), "{bad}");
        }
    }
}
