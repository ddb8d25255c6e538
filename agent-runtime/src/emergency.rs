//! Emergency mode: the switch, its scopes, and what requests see while it
//! is on (documented on [`EmergencySwitch`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::audit::{AuditEvent, AuditRecord, AuditTrail};
use crate::store::{StateStore, StoreError};
use crate::swml::template::{SwmlSpec, SwmlTemplate, Variant};

/// What every new call hears, before the call ends, while the whole agent is
/// withdrawn ([`EmergencyScope::WholeAgent`]).
pub const AGENT_EMERGENCY_MESSAGE: &str = "We're sorry: this service is temporarily unavailable. \
     Please call again later.";

/// How old the local copy of the shared scopes may be.
pub const REFRESH_AFTER: Duration = Duration::from_millis(500);

/// One thing emergency mode can withdraw (see [`EmergencySwitch`]). Parses from and prints as
/// `secure`, `tool:<name>`, `group:<name>`, `agent`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EmergencyScope {
    /// Every secure tool.
    SecureTools,
    /// One tool, by its function name.
    Tool(String),
    /// The tools of a named group.
    Group(String),
    /// The whole agent.
    WholeAgent,
}

impl fmt::Display for EmergencyScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmergencyScope::SecureTools => f.write_str("secure"),
            EmergencyScope::Tool(name) => write!(f, "tool:{name}"),
            EmergencyScope::Group(name) => write!(f, "group:{name}"),
            EmergencyScope::WholeAgent => f.write_str("agent"),
        }
    }
}

/// A scope that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeSyntaxError;

impl fmt::Display for ScopeSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scope is `secure`, `agent`, `tool:<name>` or `group:<name>`")
    }
}

impl std::error::Error for ScopeSyntaxError {}

/// Names of tools and groups: the function-name grammar.
fn valid_name(name: &str) -> bool {
    agent_rules::function::is_valid(name)
}

impl FromStr for EmergencyScope {
    type Err = ScopeSyntaxError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "secure" => Ok(EmergencyScope::SecureTools),
            "agent" => Ok(EmergencyScope::WholeAgent),
            _ => match s.split_once(':') {
                Some(("tool", name)) if valid_name(name) => Ok(EmergencyScope::Tool(name.into())),
                Some(("group", name)) if valid_name(name) => Ok(EmergencyScope::Group(name.into())),
                _ => Err(ScopeSyntaxError),
            },
        }
    }
}

/// Why a switch did not happen, or happened on this replica only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmergencyError {
    /// The agent has no tool of that name.
    UnknownTool,
    /// The agent declares no group of that name.
    UnknownGroup,
    /// The shared store could not be written: the scope was switched on
    /// this replica only.
    Store(StoreError),
}

impl fmt::Display for EmergencyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmergencyError::UnknownTool => f.write_str("the agent has no tool of that name"),
            EmergencyError::UnknownGroup => f.write_str("the agent declares no group of that name"),
            EmergencyError::Store(e) => write!(f, "{e}: switched on this replica only"),
        }
    }
}

impl std::error::Error for EmergencyError {}

impl From<StoreError> for EmergencyError {
    fn from(e: StoreError) -> Self {
        EmergencyError::Store(e)
    }
}

/// Why a tool is withdrawn (the reason of its refusal record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Withdrawal {
    /// A secure tool under the `secure` scope.
    Secure,
    /// Under a `tool:` or `group:` scope.
    Tool,
    /// The whole agent.
    WholeAgent,
}

impl Withdrawal {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Withdrawal::Secure => "emergency_mode",
            Withdrawal::Tool => "emergency_tool",
            Withdrawal::WholeAgent => "emergency_agent",
        }
    }
}

/// What the switch knows of the agent: its tools, groups and SWML, to
/// check scopes and compile the documents with tools left out.
pub(crate) struct EmergencyPlan {
    /// Every tool: name and whether it is secure.
    pub tools: Vec<(&'static str, bool)>,
    /// Declared groups: name → tool names.
    pub groups: BTreeMap<String, Vec<&'static str>>,
    /// Unrecorded tools and their `prepare_<tool>` companions: a withdrawn
    /// tool takes its companion with it.
    pub companions: Vec<(&'static str, &'static str)>,
    /// The agent's SWML, for documents without the withdrawn tools.
    pub spec: SwmlSpec,
    /// The document every new call gets while the whole agent is withdrawn.
    pub agent_document: Arc<[u8]>,
}

/// The scopes in force and what follows from them, rebuilt on each switch.
struct Snapshot {
    scopes: BTreeSet<EmergencyScope>,
    secure: bool,
    agent: bool,
    /// Tools withdrawn by a `tool:` or `group:` scope.
    tools: BTreeSet<&'static str>,
    /// The documents without the withdrawn tools (with a call id, without).
    documents: Option<(SwmlTemplate, SwmlTemplate)>,
}

/// What a SWML request is served while emergency scopes are in force.
pub(crate) enum EmergencyDocument<'a> {
    /// The whole agent is withdrawn: this fixed document.
    Agent(&'a [u8]),
    /// These templates, with a call id and without.
    Filtered(&'a SwmlTemplate, &'a SwmlTemplate),
}

impl Snapshot {
    fn build(plan: &EmergencyPlan, scopes: BTreeSet<EmergencyScope>) -> Self {
        let mut tools = BTreeSet::new();
        for scope in &scopes {
            match scope {
                EmergencyScope::Tool(name) => {
                    if let Some((n, _)) = plan.tools.iter().find(|(n, _)| n == name) {
                        tools.insert(*n);
                    }
                }
                EmergencyScope::Group(group) => {
                    tools.extend(plan.groups.get(group).into_iter().flatten().copied());
                }
                EmergencyScope::SecureTools | EmergencyScope::WholeAgent => {}
            }
        }
        let companions: Vec<&'static str> = plan
            .companions
            .iter()
            .filter(|(tool, _)| tools.contains(tool))
            .map(|(_, companion)| *companion)
            .collect();
        tools.extend(companions);
        let secure = scopes.contains(&EmergencyScope::SecureTools);
        let agent = scopes.contains(&EmergencyScope::WholeAgent);
        let documents = (!scopes.is_empty() && !agent)
            .then(|| {
                let keep = |f: &crate::swml::template::SwmlFunction| {
                    let withdrawn = (secure && f.secure) || tools.contains(f.name);
                    !withdrawn
                };
                let with_call = SwmlTemplate::compile_keeping(
                    &plan.spec,
                    Variant {
                        secure_tools: true,
                        post_prompt_url: true,
                    },
                    keep,
                );
                let without_call = SwmlTemplate::compile_keeping(
                    &plan.spec,
                    Variant {
                        secure_tools: false,
                        post_prompt_url: false,
                    },
                    keep,
                );
                // Both documents compiled at start-up from the same spec, so
                // this cannot fail; if it ever did, the switch would still
                // refuse the tools at dispatch.
                with_call.ok().zip(without_call.ok())
            })
            .flatten();
        Snapshot {
            scopes,
            secure,
            agent,
            tools,
            documents,
        }
    }

    fn encode(&self) -> String {
        self.scopes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Emergency mode: a switch that withdraws tools, or the whole agent, while
/// an incident is handled.
///
/// What is withdrawn is a set of [`EmergencyScope`]s, each switched on and
/// off on its own:
///
/// | Scope | Written | Effect |
/// | --- | --- | --- |
/// | [`SecureTools`](EmergencyScope::SecureTools) | `secure` | every secure tool |
/// | [`Tool`](EmergencyScope::Tool) | `tool:<name>` | one tool, secure or not |
/// | [`Group`](EmergencyScope::Group) | `group:<name>` | the tools of a group declared with [`AgentBuilder::tool_group`](crate::AgentBuilder::tool_group) |
/// | [`WholeAgent`](EmergencyScope::WholeAgent) | `agent` | the whole agent: every new call hears the emergency message and is ended; every tool call is refused |
///
/// A withdrawn tool is left out of new SWML documents and refused at
/// dispatch with a polite spoken message (each refusal an
/// `emergency_refusal` audit record, reason `emergency_mode` for secure
/// tools, `emergency_tool` for a tool or group, `emergency_agent` for the
/// whole agent). Every switch is an `emergency_switch` record naming the
/// scope and who switched it. While nothing is withdrawn, the request path
/// pays one atomic load.
///
/// With a shared state store (`SWML_STATE_URL`) the scopes are shared by
/// every replica of the agent: a switch on one replica (or with the agent's
/// `emergency on|off [SCOPE]` command) is seen by the others within
/// half a second, because each replica re-reads the shared scopes when
/// its copy is older than that (on the request path, one read at a time,
/// within the store's timeout; while the store cannot be read, the last
/// known scopes hold). A switch reads the shared scopes, changes one, and
/// writes them back: two operators switching different scopes within the
/// same few milliseconds can lose one of the two switches (the audit trail
/// shows both); switch from one place during an incident.
///
/// Clone it freely; all clones control the same agent.
///
/// ```no_run
/// # async fn demo<A: agent_runtime::Agent>(svc: &agent_runtime::AgentService<A>) {
/// use agent_runtime::EmergencyScope;
/// let switch = svc.emergency_switch();
/// // Withdraw one tool, then the secure ones, then end it all.
/// let _ = switch.withdraw(EmergencyScope::Tool("transfer_funds".into())).await;
/// let _ = switch.set(true).await;
/// let _ = switch.set(false).await;
/// # }
/// ```
#[derive(Clone)]
pub struct EmergencySwitch {
    inner: Arc<Inner>,
}

struct Inner {
    /// Whether any scope is in force (the fast path).
    active: AtomicBool,
    current: RwLock<Arc<Snapshot>>,
    plan: EmergencyPlan,
    store: StateStore,
    audit: AuditTrail,
    agent: &'static str,
    started: Instant,
    /// When the local copy was last read from the shared store, in
    /// milliseconds since `started` (0: never).
    refreshed_ms: AtomicU64,
    refreshing: AtomicBool,
}

impl fmt::Debug for EmergencySwitch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmergencySwitch")
            .field("scopes", &self.scopes())
            .field("shared", &self.inner.store.is_shared())
            .finish()
    }
}

impl EmergencySwitch {
    pub(crate) fn new(
        secure_on: bool,
        plan: EmergencyPlan,
        store: StateStore,
        audit: AuditTrail,
        agent: &'static str,
    ) -> Self {
        let scopes: BTreeSet<_> = secure_on
            .then_some(EmergencyScope::SecureTools)
            .into_iter()
            .collect();
        let snapshot = Snapshot::build(&plan, scopes);
        EmergencySwitch {
            inner: Arc::new(Inner {
                active: AtomicBool::new(secure_on),
                current: RwLock::new(Arc::new(snapshot)),
                plan,
                store,
                audit,
                agent,
                started: Instant::now(),
                refreshed_ms: AtomicU64::new(0),
                refreshing: AtomicBool::new(false),
            }),
        }
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        match self.inner.current.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn install(&self, snapshot: Snapshot) {
        let active = !snapshot.scopes.is_empty();
        match self.inner.current.write() {
            Ok(mut s) => *s = Arc::new(snapshot),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(snapshot),
        }
        self.inner.active.store(active, Ordering::Release);
    }

    /// Whether any scope is in force (as last known on this replica).
    pub fn is_on(&self) -> bool {
        self.inner.active.load(Ordering::Acquire)
    }

    /// The scopes in force (as last known on this replica), in order.
    pub fn scopes(&self) -> Vec<EmergencyScope> {
        self.snapshot().scopes.iter().cloned().collect()
    }

    /// Withdraws every secure tool (`true`), or ends emergency mode: every
    /// scope, whichever was in force (`false`). At once on this replica, and
    /// in the shared store when there is one (then on every replica within
    /// half a second). Audited as made by this process.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the shared store could not be written; the
    /// switch is then flipped on this replica only.
    pub async fn set(&self, on: bool) -> Result<(), StoreError> {
        let result = if on {
            self.switch(EmergencyScope::SecureTools, true, &process_who())
                .await
        } else {
            self.clear(&process_who()).await
        };
        match result {
            Ok(()) => Ok(()),
            Err(EmergencyError::Store(e)) => Err(e),
            // `secure` and clearing name no tool or group.
            Err(_) => Ok(()),
        }
    }

    /// Withdraws `scope` (see [`EmergencyScope`]), audited as made by this
    /// process.
    ///
    /// # Errors
    ///
    /// [`EmergencyError::UnknownTool`] / [`UnknownGroup`](EmergencyError::UnknownGroup)
    /// for a scope naming nothing of this agent (nothing changes);
    /// [`EmergencyError::Store`] when the shared store could not be written
    /// (switched on this replica only).
    pub async fn withdraw(&self, scope: EmergencyScope) -> Result<(), EmergencyError> {
        self.switch(scope, true, &process_who()).await
    }

    /// Puts `scope` back in service; other scopes stay in force. Errors as
    /// for [`withdraw`](Self::withdraw).
    ///
    /// # Errors
    ///
    /// As [`withdraw`](Self::withdraw).
    pub async fn restore(&self, scope: EmergencyScope) -> Result<(), EmergencyError> {
        self.switch(scope, false, &process_who()).await
    }

    /// [`set`](Self::set) from a plain thread outside any async runtime (an
    /// operator console, a signal-handling thread). It runs the flip on a
    /// small runtime of its own; do not call it from async code.
    ///
    /// # Errors
    ///
    /// As [`set`](Self::set).
    pub fn set_blocking(&self, on: bool) -> Result<(), StoreError> {
        actix_web::rt::System::new().block_on(self.set(on))
    }

    /// Checks that `scope` names a tool or group of this agent.
    pub(crate) fn check_scope(&self, scope: &EmergencyScope) -> Result<(), EmergencyError> {
        let plan = &self.inner.plan;
        match scope {
            EmergencyScope::Tool(name) if !plan.tools.iter().any(|(n, _)| n == name) => {
                Err(EmergencyError::UnknownTool)
            }
            EmergencyScope::Group(name) if !plan.groups.contains_key(name) => {
                Err(EmergencyError::UnknownGroup)
            }
            _ => Ok(()),
        }
    }

    /// Switches one scope on (`on`) or off, naming `who` in the audit
    /// record. The shared scopes are read first, so a switch keeps what
    /// other replicas switched.
    pub(crate) async fn switch(
        &self,
        scope: EmergencyScope,
        on: bool,
        who: &str,
    ) -> Result<(), EmergencyError> {
        self.check_scope(&scope)?;
        let mut scopes = self.current_scopes().await;
        let changed = if on {
            scopes.insert(scope.clone())
        } else {
            scopes.remove(&scope)
        };
        self.commit(scopes, on, &scope.to_string(), changed, who)
            .await
    }

    /// Ends emergency mode: no scope in force.
    pub(crate) async fn clear(&self, who: &str) -> Result<(), EmergencyError> {
        let changed = !self.current_scopes().await.is_empty();
        self.commit(BTreeSet::new(), false, "all", changed, who)
            .await
    }

    /// The scopes to change: the shared ones when the store can be read,
    /// else this replica's.
    async fn current_scopes(&self) -> BTreeSet<EmergencyScope> {
        if self.inner.store.is_shared()
            && let Ok(Some(text)) = self.inner.store.emergency().await
        {
            return parse_scopes(&text);
        }
        self.snapshot().scopes.clone()
    }

    async fn commit(
        &self,
        scopes: BTreeSet<EmergencyScope>,
        on: bool,
        scope: &str,
        changed: bool,
        who: &str,
    ) -> Result<(), EmergencyError> {
        let snapshot = Snapshot::build(&self.inner.plan, scopes);
        let encoded = snapshot.encode();
        let active: Vec<String> = snapshot.scopes.iter().map(ToString::to_string).collect();
        self.install(snapshot);
        let shared = self.inner.store.set_emergency(&encoded).await;
        let mut record = AuditRecord::new(
            AuditEvent::EmergencySwitch,
            if on { "on" } else { "off" },
            who,
        );
        record.function = Some(self.inner.agent.to_owned());
        record.details = Some(serde_json::json!({ "scope": scope, "in_force": active }));
        if !changed && shared.is_ok() {
            record.reason.push_str(" (no change)");
        }
        if shared.is_err() {
            record
                .reason
                .push_str(" (this replica only: the shared store was not written)");
        }
        self.inner.audit.emit(&record);
        shared.map_err(EmergencyError::Store)
    }

    /// The shared scopes as the store holds them now (none when the store
    /// holds none).
    #[cfg(feature = "cli")]
    pub(crate) async fn shared_scopes(&self) -> Result<Vec<EmergencyScope>, StoreError> {
        let text = self.inner.store.emergency().await?.unwrap_or_default();
        Ok(parse_scopes(&text).into_iter().collect())
    }

    /// Why `tool` is withdrawn now, if it is.
    pub(crate) fn withdrawal(&self, tool: &str, secure: bool) -> Option<Withdrawal> {
        if !self.is_on() {
            return None;
        }
        let s = self.snapshot();
        if s.agent {
            Some(Withdrawal::WholeAgent)
        } else if secure && s.secure {
            Some(Withdrawal::Secure)
        } else if s.tools.contains(tool) {
            Some(Withdrawal::Tool)
        } else {
            None
        }
    }

    /// Renders the SWML document for a request while scopes are in force
    /// (`None`: nothing is withdrawn, serve the normal documents).
    pub(crate) fn render(
        &self,
        signer: &crate::security::token::TokenSigner,
        call_id: Option<&str>,
    ) -> Option<Vec<u8>> {
        if !self.is_on() {
            return None;
        }
        let s = self.snapshot();
        match document(&s, &self.inner.plan)? {
            EmergencyDocument::Agent(bytes) => Some(bytes.to_vec()),
            EmergencyDocument::Filtered(with_call, without_call) => Some(match call_id {
                Some(id) => with_call.render(signer, id),
                None => without_call.render(signer, ""),
            }),
        }
    }

    /// Re-reads the shared scopes when the local copy is older than half a
    /// second and no other request is reading them. Without a shared store,
    /// or while the store cannot be read, the local copy holds.
    pub(crate) async fn refresh(&self) {
        let inner = &self.inner;
        if !inner.store.is_shared() {
            return;
        }
        let now = u64::try_from(inner.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = inner.refreshed_ms.load(Ordering::Relaxed);
        let stale = last == 0 || now.saturating_sub(last) >= REFRESH_AFTER.as_millis() as u64;
        if !stale || inner.refreshing.swap(true, Ordering::Acquire) {
            return;
        }
        if let Ok(Some(text)) = inner.store.emergency().await {
            let scopes = parse_scopes(&text);
            if scopes != self.snapshot().scopes {
                self.install(Snapshot::build(&inner.plan, scopes));
            }
        }
        inner.refreshed_ms.store(now.max(1), Ordering::Relaxed);
        inner.refreshing.store(false, Ordering::Release);
    }
}

fn document<'a>(s: &'a Snapshot, plan: &'a EmergencyPlan) -> Option<EmergencyDocument<'a>> {
    if s.agent {
        return Some(EmergencyDocument::Agent(&plan.agent_document));
    }
    s.documents
        .as_ref()
        .map(|(with_call, without_call)| EmergencyDocument::Filtered(with_call, without_call))
}

fn process_who() -> String {
    format!("process {} (run-time switch)", std::process::id())
}

/// The scopes of a shared value; a part this version cannot read (written
/// by a newer one) is skipped.
fn parse_scopes(text: &str) -> BTreeSet<EmergencyScope> {
    text.split(',')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_and_print_the_same() {
        for text in ["secure", "agent", "tool:transfer_funds", "group:payments"] {
            let scope: EmergencyScope = text.parse().unwrap();
            assert_eq!(scope.to_string(), text);
        }
        for bad in [
            "",
            "on",
            "tool:",
            "tool:a b",
            "group:x,y",
            "TOOL:x",
            "tool:1abc",
        ] {
            assert_eq!(
                bad.parse::<EmergencyScope>(),
                Err(ScopeSyntaxError),
                "{bad}"
            );
        }
        assert_eq!(
            parse_scopes("secure,tool:x,nonsense,,agent")
                .into_iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
            ["secure", "tool:x", "agent"]
        );
    }
}
