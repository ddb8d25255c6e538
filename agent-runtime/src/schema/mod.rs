//! A tool's argument schema: what the model is told, and what is enforced.
//!
//! The product's promise is that the two are the same. Both start from the
//! full JSON Schema of the Rust argument type (`schemars` output):
//!
//! - [`to_swaig_parameters`] normalises it into the restricted dialect that
//!   SignalWire's official SWML schema accepts for a SWAIG function's
//!   `parameters`, stating every rule the dialect cannot carry (a length, a
//!   range, "no unknown fields") as a sentence in the property's description.
//! - [`ArgsValidator`] compiles the same schema once, at start-up, enforces
//!   every rule of it, and reports a refusal as [`Violations`]: which field
//!   broke which rule, never the offending value.
//!
//! Both sides word a rule through one `Rule` (module `rules`) and read a
//! schema's bounds through one module (`stated`), so the sentence in a
//! description and the phrase in a refusal are the same words ("Must be 3 to
//! 10 characters long." / "`name` must be 3 to 10 characters long"). A test
//! (`schema::tests`) breaks every kind of rule and checks that the validator's
//! phrase is what the model was told about that field.
//!
//! A third product of the same schema is the [`RedactionPlan`]: which
//! positions of the arguments are secret, read from the
//! [`SENSITIVE_MARKER`](crate::secret::SENSITIVE_MARKER) that secret types
//! carry into their schema (module `redaction`). The marker is an `x-`
//! extension, which the normaliser drops, so the model never sees it.

use std::fmt;

mod normalize;
mod redaction;
mod rules;
mod stated;
#[cfg(test)]
mod tests;
mod validate;

pub use normalize::to_swaig_parameters;
pub(crate) use redaction::RedactionPlan;
pub(crate) use rules::Rule;
pub(crate) use validate::Violation;
pub use validate::{ArgsValidator, Violations};

/// Why a tool's argument schema cannot be offered to the model or enforced.
///
/// Returned when an agent is built, so a type the SWAIG dialect cannot
/// express is refused at start-up rather than described wrongly to the
/// model. The `Display` text names the field and what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemaError {
    /// The root schema does not describe a JSON object (a struct).
    NotAnObject,
    /// A type refers to itself, which the dialect cannot express; carries the
    /// type's name.
    RecursiveType(String),
    /// A `$ref` points somewhere other than this schema's own definitions.
    UnresolvedRef(String),
    /// A property uses a shape the dialect cannot express at all.
    Unsupported {
        /// Dotted path of the property (`(arguments)` for the root).
        field: String,
        /// What could not be expressed.
        reason: String,
    },
    /// The schema could not be compiled into a validator.
    Invalid(String),
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnObject => f.write_str(
                "tool arguments must be described by an object schema (a struct with named fields)",
            ),
            Self::RecursiveType(name) => write!(
                f,
                "type `{name}` is recursive, which SWAIG parameters cannot express"
            ),
            Self::UnresolvedRef(target) => write!(
                f,
                "schema reference `{target}` does not point into this schema's definitions"
            ),
            Self::Unsupported { field, reason } => {
                write!(
                    f,
                    "field `{field}` cannot be expressed in SWAIG parameters: {reason}"
                )
            }
            Self::Invalid(detail) => write!(f, "schema could not be compiled: {detail}"),
        }
    }
}

impl std::error::Error for SchemaError {}
