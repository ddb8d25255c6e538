//! How `#[sensitive]` and `#[tool_args]` tell the runtime which values are
//! secret: marker traits, the compile-time [`Probe`] that asks a concrete
//! type about them, and the helpers generated `Debug` and `Drop` impls use.
//!
//! Redaction itself follows the schema: secret types and fields carry
//! [`SENSITIVE_MARKER`](crate::secret::SENSITIVE_MARKER) into their JSON
//! Schema, and each tool's redaction plan is read from it at start-up, at
//! any depth. The traits here answer a narrower question at compile time,
//! which top-level arguments of a tool are secret ([`ToolDef::sensitive`](super::ToolDef)):
//! that list joins the plan, so a sensitive type whose `JsonSchema` was
//! written by hand without the marker is still redacted as a parameter.

use std::fmt;

/// The `#[sensitive]` fields of an argument struct, implemented by
/// `#[tool_args]`. When the struct is a tool's whole `args`, these keys are
/// its top-level secret arguments (the schema marker finds them too, and
/// finds them at any depth).
pub trait SensitiveFields {
    /// Field names as they appear in the JSON arguments.
    const SENSITIVE: &'static [&'static str];
}

/// A type whose every value is secret: `#[sensitive]` types and
/// [`Secret<T>`](crate::Secret). A tool parameter of such a type is a
/// top-level secret argument even without `#[sensitive]` on the parameter
/// and even when the type's schema lacks the marker.
pub trait SensitiveValue {}

impl<T: zeroize::Zeroize> SensitiveValue for crate::secret::Secret<T> {}

/// Compile-time questions about a concrete type, answered by inherent
/// associated items (chosen when the bound holds) with trait fallbacks.
#[doc(hidden)]
pub struct Probe<T: ?Sized>(std::marker::PhantomData<T>);

impl<T: ?Sized> fmt::Debug for Probe<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Probe")
    }
}

impl<T: ?Sized + SensitiveValue> Probe<T> {
    /// The type is secret as a whole.
    pub const IS_SENSITIVE: bool = true;
}

impl<T: ?Sized + SensitiveFields> Probe<T> {
    /// The secret fields of the type.
    pub const SENSITIVE_FIELDS: &'static [&'static str] = T::SENSITIVE;
}

/// Fallbacks for [`Probe`] (in scope in generated code).
#[doc(hidden)]
pub trait ProbeFallback {
    /// Not secret as a whole.
    const IS_SENSITIVE: bool = false;
    /// No secret fields.
    const SENSITIVE_FIELDS: &'static [&'static str] = &[];
}

impl<T: ?Sized> ProbeFallback for Probe<T> {}

/// How many of `names` are flagged (for [`flagged_names`]).
#[doc(hidden)]
pub const fn count_flagged(names: &[(&'static str, bool)]) -> usize {
    let mut i = 0;
    let mut n = 0;
    while i < names.len() {
        if names[i].1 {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The flagged names, in order, as an array of length `N`
/// (= [`count_flagged`]).
#[doc(hidden)]
pub const fn flagged_names<const N: usize>(names: &[(&'static str, bool)]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    let mut n = 0;
    while i < names.len() {
        if names[i].1 {
            out[n] = names[i].0;
            n += 1;
        }
        i += 1;
    }
    out
}

/// What a `#[sensitive]` field prints as in a generated `Debug`.
#[doc(hidden)]
pub struct RedactedField;

impl fmt::Debug for RedactedField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::secret::REDACTED)
    }
}

/// What a `#[sensitive(last_four)]` field prints as in a generated `Debug`:
/// the last four characters of the innermost quoted text of the value's own
/// `Debug` (`AccountNumber("1000000001")` prints `"******0001"`), or of the
/// whole text when it has no quotes (a number). Fewer than eight characters
/// print `[REDACTED]`.
#[doc(hidden)]
pub struct LastFourField<'a, T: ?Sized>(pub &'a T);

impl<T: fmt::Debug + ?Sized> fmt::Debug for LastFourField<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!("{:?}", self.0);
        let inner = match (text.find('"'), text.rfind('"')) {
            (Some(open), Some(close)) if close > open => &text[open + 1..close],
            _ => text.as_str(),
        };
        let masked = crate::redact::mask_last_four(inner);
        if masked == crate::secret::REDACTED {
            f.write_str(&masked)
        } else {
            write!(f, "\"{masked}\"")
        }
    }
}

/// Wipes a field on drop when its type allows it (`Zeroize`); generated
/// `Drop` impls of `#[sensitive]` types call `Wipe(&mut field).wipe()`.
#[doc(hidden)]
pub struct Wipe<'a, T: ?Sized>(pub &'a mut T);

impl<T: ?Sized> fmt::Debug for Wipe<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Wipe")
    }
}

impl<T: ?Sized + zeroize::Zeroize> Wipe<'_, T> {
    /// Overwrites the value.
    pub fn wipe(self) {
        self.0.zeroize();
    }
}

/// Fallback for [`Wipe`]: types that cannot be wiped are left alone (a
/// [`Secret<T>`](crate::Secret) field wipes itself when dropped).
#[doc(hidden)]
pub trait WipeFallback {
    /// Does nothing.
    fn wipe(self);
}

impl<T: ?Sized> WipeFallback for Wipe<'_, T> {
    fn wipe(self) {}
}
