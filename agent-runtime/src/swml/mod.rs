//! The SWML document an agent serves at the start of a call: the prompt and
//! settings the user configures ([`prompt`]), compiled once into a template
//! whose only per-request work is minting tokens ([`template`]).

mod prompt;
pub(crate) mod template;

pub use prompt::{Hint, Language, Recording, RecordingFormat, Section};
