//! What may be a tool argument, and how arguments are decoded and described
//! to the model. Generated code reaches the user's argument types only
//! through the traits here, so a type that cannot be an argument gives one
//! error on the parameter.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::ToolFailure;

/// Deserialises validated arguments into the tool's argument type, reporting
/// only the path of a refused field (never its value).
pub fn decode_args<T: DeserializeOwned>(value: Value) -> Result<T, ToolFailure> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "(arguments)".to_owned()
        } else {
            path
        };
        // A type that states its rule (a `Sanitized` text) is refused with
        // that rule; any other decoding error says "is not valid".
        match crate::sanitize::Rejection::from_phrase(&e.inner().to_string()) {
            Some(rejection) => ToolFailure::ArgumentRule {
                field,
                rule: rejection.phrase(),
            },
            None => ToolFailure::InvalidArguments { field },
        }
    })
}

/// A type a tool can take as an argument: anything the model's JSON can be
/// decoded into (`Deserialize`) and that describes itself to the model
/// (`JsonSchema`). Strings, numbers, `bool`, `Option<T>`, `Vec<T>`,
/// [`Secret<T>`](crate::Secret) and every type declared with `#[tool_args]`
/// qualify; nothing needs to implement this trait by hand.
///
/// Generated code names each argument type only through this trait, so a
/// type that does not qualify gives one error on the parameter's type (with
/// the message below) instead of one per place the arguments are decoded or
/// described. `Via` only serves that purpose: besides the impl for every
/// qualifying type there is a second, sealed one that applies to no type, so
/// the compiler weighs both, finds neither, and reports this trait instead of
/// the first missing bound of the first impl. `Decoded` (always `Self`) and
/// `from_decoded` serve it too: for a type that does not qualify, `Decoded`
/// stays undetermined instead of becoming the type, so the code that decodes
/// and describes the arguments raises no second error.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a tool argument",
    label = "declare it with `#[tool_args]` (or derive `Deserialize` and `JsonSchema`)",
    note = "a tool argument is decoded from the model's JSON and described to it by a JSON Schema: a string, number, `bool`, `Secret<T>`, a struct or enum declared with `#[tool_args]`, or an `Option<T>` or `Vec<T>` of one"
)]
pub trait ToolArgument<Via>: Sized {
    /// The type the arguments are decoded into: always `Self`.
    type Decoded: DeserializeOwned + schemars::JsonSchema;

    /// The argument, from its decoded form.
    fn from_decoded(decoded: Self::Decoded) -> Self;
}

/// The `Via` of the impl that applies (see [`ToolArgument`] and
/// [`ArgumentObject`]).
#[derive(Debug)]
pub enum Serde {}

impl<T: DeserializeOwned + schemars::JsonSchema> ToolArgument<Serde> for T {
    type Decoded = T;

    fn from_decoded(decoded: T) -> T {
        decoded
    }
}

mod sealed {
    /// Implemented by no type.
    pub trait Never {}

    /// The `Via` of the impl that never applies.
    #[derive(Debug)]
    pub enum Unreachable {}
}

impl<T: sealed::Never + DeserializeOwned + schemars::JsonSchema> ToolArgument<sealed::Unreachable>
    for T
{
    type Decoded = T;

    fn from_decoded(decoded: T) -> T {
        decoded
    }
}

/// A struct with named fields, whose JSON Schema is an object: what a tool
/// can take whole as its `args` parameter (see [`ArgumentObject`]).
/// `#[tool_args]` implements it for structs with named fields, never for
/// enums, tuple or unit structs, or `transparent` structs. A struct that
/// derives `Deserialize` and `JsonSchema` itself may implement it by hand
/// (`impl NamedFields for MyArgs {}`); the schema is still checked to be an
/// object when the agent is built.
pub trait NamedFields: DeserializeOwned + schemars::JsonSchema {}

/// A type a tool can take whole as its `args` parameter: a struct with named
/// fields declared with `#[tool_args]` (any [`NamedFields`] type). The
/// model's arguments are always a JSON object, so a parameter named `args`,
/// which stands for that whole object, could never receive them as any other
/// type. Nothing needs to implement this trait by hand.
///
/// Generated code names the type of a whole `args` parameter only through
/// this trait, so a type that does not qualify (a string, a list, an enum, a
/// tuple struct, a struct without `#[tool_args]`) gives one error, on the
/// parameter's type, with the message below. `Via` serves that purpose as in
/// [`ToolArgument`]: with two impls to weigh and neither applying, the
/// compiler reports this trait rather than the missing [`NamedFields`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the whole argument object",
    label = "a parameter named `args` must be a struct with named fields declared with `#[tool_args]`",
    note = "the model's arguments are always a JSON object and `args` receives all of it: make its type a struct with named fields declared with `#[tool_args]`, or give the tool one parameter per field instead of `args`"
)]
pub trait ArgumentObject<Via>: Sized {
    /// Decodes the whole argument object.
    fn decode_object(value: Value) -> Result<Self, ToolFailure>;

    /// The full JSON Schema of the whole argument object.
    fn object_schema() -> schemars::Schema;
}

impl<T: NamedFields> ArgumentObject<Serde> for T {
    fn decode_object(value: Value) -> Result<T, ToolFailure> {
        decode_args(value)
    }

    fn object_schema() -> schemars::Schema {
        schema_for::<T>()
    }
}

impl<T: sealed::Never + NamedFields> ArgumentObject<sealed::Unreachable> for T {
    fn decode_object(value: Value) -> Result<T, ToolFailure> {
        decode_args(value)
    }

    fn object_schema() -> schemars::Schema {
        schema_for::<T>()
    }
}

/// An argument from its decoded form (generated code calls this with the
/// parameter's type, so a type that is no [`ToolArgument`] is reported there).
#[doc(hidden)]
pub fn from_decoded<T: ToolArgument<Via>, Via>(decoded: T::Decoded) -> T {
    T::from_decoded(decoded)
}

/// The full JSON Schema of an argument type (draft 2020-12, as schemars
/// generates it). Generated code stores `schema_for::<Args>` per tool; it is
/// called once at start-up.
#[doc(hidden)]
pub fn schema_for<T: schemars::JsonSchema>() -> schemars::Schema {
    schemars::SchemaGenerator::default().into_root_schema_for::<T>()
}
