//! A tool's argument schema: what the model is told and what is enforced.
mod normalize;
mod validate;

pub use normalize::{SchemaError, to_swaig_parameters};
pub(crate) use normalize::{display_value, format_number, integer_width};
pub use validate::{ArgsValidator, Violation, Violations};
