//! Why an agent could not be built.

use std::fmt;

use agent_rules::rate::RateError;
use agent_rules::route::RouteError;

use crate::config::{CheckItem, ConfigError};
use crate::schema::SchemaError;

/// Why an agent could not be built. Each message says what to change.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// A configuration value (environment or builder) is unusable.
    Config(ConfigError),
    /// The prompt is missing or malformed.
    Prompt(String),
    /// A tool cannot be served as declared.
    Tool {
        /// The tool.
        tool: &'static str,
        /// What is wrong with it.
        source: ToolError,
    },
    /// The route is not a valid path prefix.
    Route(RouteError),
    /// `AGENT_ENV=production` and the production checklist has items that
    /// fail and are not waived (each says what to change).
    Production(Vec<CheckItem>),
    /// The agent records calls and this tool takes a secret (a
    /// `#[sensitive]` parameter or field, a `Secret<T>`, a `#[sensitive]`
    /// type) without saying whether its input may be recorded: it must be
    /// `#[tool(unrecorded)]` or `#[tool(recorded)]`.
    RecordingNotDeclared {
        /// The tool.
        tool: &'static str,
    },
}

/// What is wrong with one tool (the cause of [`BuildError::Tool`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum ToolError {
    /// The name breaks the function-name grammar (generated tools cannot:
    /// the macros check it at compile time).
    InvalidName,
    /// Another tool has the same name.
    DuplicateName,
    /// The name is reserved (`post_prompt` and the platform's hooks; the
    /// macros refuse it at compile time).
    ReservedName,
    /// The argument type's schema cannot be described to the model or
    /// enforced.
    Schema(SchemaError),
    /// The declared rate limit breaks the rate grammar.
    RateLimit(RateError),
    /// The tool is unrecorded and the agent records calls, but another tool
    /// already has the name of the companion that pauses the recording
    /// (the macros refuse this at compile time).
    CompanionNameTaken {
        /// The companion's name (`prepare_<tool>`).
        companion: &'static str,
    },
    /// The companion's name breaks the function-name grammar (generated
    /// tools cannot: the macros check it at compile time).
    InvalidCompanionName {
        /// The companion's name.
        companion: &'static str,
    },
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::InvalidName => {
                write!(f, "the name must match {}", agent_rules::function::GRAMMAR)
            }
            ToolError::DuplicateName => f.write_str("two tools have this name"),
            ToolError::ReservedName => f.write_str(
                "the name is reserved (post_prompt, startup_hook, hangup_hook, summarize_conversation)",
            ),
            ToolError::Schema(e) => e.fmt(f),
            ToolError::RateLimit(e) => e.fmt(f),
            ToolError::CompanionNameTaken { companion } => write!(
                f,
                "the function `{companion}` that pauses the recording before this unrecorded tool cannot be registered: another tool has that name; rename one of the two"
            ),
            ToolError::InvalidCompanionName { companion } => write!(
                f,
                "the function `{companion}` that pauses the recording before this unrecorded tool must match {}",
                agent_rules::function::GRAMMAR
            ),
        }
    }
}

impl std::error::Error for ToolError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ToolError::Schema(e) => Some(e),
            ToolError::RateLimit(e) => Some(e),
            ToolError::InvalidName
            | ToolError::DuplicateName
            | ToolError::ReservedName
            | ToolError::CompanionNameTaken { .. }
            | ToolError::InvalidCompanionName { .. } => None,
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Config(e) => e.fmt(f),
            BuildError::Prompt(p) => write!(f, "invalid prompt: {p}"),
            BuildError::Tool { tool, source } => write!(f, "tool `{tool}`: {source}"),
            BuildError::Route(e) => write!(f, "invalid route: {e}"),
            BuildError::Production(items) => {
                write!(
                    f,
                    "refusing to start with AGENT_ENV=production; the production checklist fails:"
                )?;
                items.iter().try_for_each(|item| write!(f, "\n  {item}"))
            }
            BuildError::RecordingNotDeclared { tool } => write!(
                f,
                "tool `{tool}` takes sensitive input and this agent records calls, but the tool does not say whether that input may be recorded: declare `#[tool(unrecorded)]` to pause the recording while the caller gives it (recommended), or `#[tool(recorded)]` if recording it is acceptable"
            ),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Config(e) => Some(e),
            BuildError::Tool { source, .. } => Some(source),
            BuildError::Route(e) => Some(e),
            BuildError::Prompt(_)
            | BuildError::Production(_)
            | BuildError::RecordingNotDeclared { .. } => None,
        }
    }
}

impl From<ConfigError> for BuildError {
    fn from(e: ConfigError) -> Self {
        BuildError::Config(e)
    }
}

impl From<BuildError> for std::io::Error {
    fn from(e: BuildError) -> Self {
        std::io::Error::other(e.to_string())
    }
}
