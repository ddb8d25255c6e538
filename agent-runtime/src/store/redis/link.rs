//! The one connection to Redis, and how requests reach it.
//!
//! actix-web runs one single-threaded tokio runtime per worker, and the CLI
//! and tests run short-lived runtimes. A `redis` connection is not free to
//! move between them: its socket belongs to the runtime that opened it, and
//! the task that drives it is spawned on whichever runtime first awaits it
//! (checked in the crate's source: `ConnectionManager` connects lazily, on
//! the first request, and spawns the connection's driver there). A
//! connection first used by a CLI runtime would die with it; one first used
//! by worker 1 would make every other worker depend on worker 1.
//!
//! So the connection lives on a thread of its own ([`Link::start`]): a
//! small current-thread tokio runtime owns a `ConnectionManager` (the
//! crate's reconnecting wrapper around one multiplexed connection). Callers
//! hand it prepared commands through a bounded channel and wait for the
//! answer on a oneshot channel; neither channel cares which runtime, if
//! any, the caller runs on. Nothing on that thread can pile up without
//! bound:
//!
//! - the queue holds [`QUEUE`] requests; when it is full the caller gets
//!   `Unavailable` at once instead of waiting;
//! - at most [`IN_FLIGHT`] requests run at a time; past that the thread
//!   stops taking requests from the queue, which then fills;
//! - a request is dropped as soon as its caller stops waiting (the caller's
//!   own timeout, `SWML_STATE_TIMEOUT_MS`), and in any case after
//!   [`DEADLINE`].
//!
//! Reconnection is the manager's: a request that finds the connection
//! broken starts a new one in the background. A watchdog on the same
//! thread pings the server every [`PING_EVERY`], so a connection that broke
//! while idle is replaced before the next request needs it, a server that
//! comes back is used again within a second, and one that stops answering
//! without closing the connection (a network partition: the manager sees
//! only timeouts, never a broken connection) gets a fresh manager after
//! [`SILENT_PINGS`] silent pings. The watchdog also logs the transitions
//! (reachable, unreachable), never per request.

use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::{Either, select};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Cmd, ErrorKind, RedisError, ServerErrorKind, Value};
use tokio::sync::{Semaphore, mpsc, oneshot};

use super::scripts::Lua;
use crate::store::StoreError;

/// Requests waiting for the connection thread.
const QUEUE: usize = 1024;
/// Requests the connection thread runs at once.
const IN_FLIGHT: usize = 1024;
/// The longest a request lives on the connection thread, whatever its
/// caller does (callers normally give up much sooner).
const DEADLINE: Duration = Duration::from_secs(2);
/// The longest one attempt to open a connection (TCP, TLS, `AUTH`,
/// `SELECT`) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How often the watchdog pings.
const PING_EVERY: Duration = Duration::from_secs(1);
/// Pings in a row that time out before the connection is given up.
const SILENT_PINGS: u32 = 3;

/// Where the store is, as parsed from its URL. `Debug` and `Display` show
/// the address and database, never the user name or password.
#[derive(Clone)]
pub(super) struct Target {
    client: Client,
    description: String,
}

impl Target {
    /// Parses `redis://[user:password@]host[:port][/db]` or the same with
    /// `rediss://` (TLS through rustls, the server's certificate checked
    /// against the system's roots). Anything else is refused, including
    /// `#insecure` (no certificate check). The error carries no text: the
    /// URL may hold a password.
    pub(super) fn parse(url: &str) -> Result<Self, StoreError> {
        let parsed = redis::parse_redis_url(url).ok_or(StoreError::Unavailable)?;
        let tls = match parsed.scheme() {
            "redis" => false,
            "rediss" => true,
            _ => return Err(StoreError::Unavailable),
        };
        if parsed.fragment().is_some() {
            return Err(StoreError::Unavailable);
        }
        let client = Client::open(parsed).map_err(|_| StoreError::Unavailable)?;
        let info = client.get_connection_info();
        let description = format!(
            "{}://{}/{}",
            if tls { "rediss" } else { "redis" },
            info.addr(),
            info.redis_settings().db()
        );
        Ok(Target {
            client,
            description,
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

/// A command for the connection thread, and where its answer goes.
struct Request {
    cmd: Cmd,
    /// The script `cmd` calls by digest, to resend as `EVAL` on `NOSCRIPT`.
    script: Option<&'static Lua>,
    reply: oneshot::Sender<Result<Value, StoreError>>,
}

/// The caller's end of the connection thread. Dropping it (with the store)
/// ends the thread.
pub(super) struct Link {
    requests: mpsc::Sender<Request>,
}

impl Link {
    /// Starts the connection thread for `target` and returns at once: the
    /// connection is opened in the background, so a store that is down at
    /// start-up delays nothing (requests fail as `Unavailable` until it is
    /// up).
    pub(super) fn start(target: Target) -> Result<Self, StoreError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|_| StoreError::Unavailable)?;
        let (requests, queue) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("agent-state-redis".to_owned())
            .spawn(move || runtime.block_on(serve(target, queue)))
            .map_err(|_| StoreError::Unavailable)?;
        Ok(Link { requests })
    }

    /// Sends `cmd` and waits for its answer.
    pub(super) async fn query(&self, cmd: Cmd) -> Result<Value, StoreError> {
        self.send(cmd, None).await
    }

    /// Sends `cmd`, a call of `script` built by [`Lua::call`], and waits for
    /// its answer.
    pub(super) async fn script(&self, script: &'static Lua, cmd: Cmd) -> Result<Value, StoreError> {
        self.send(cmd, Some(script)).await
    }

    async fn send(&self, cmd: Cmd, script: Option<&'static Lua>) -> Result<Value, StoreError> {
        let (reply, answer) = oneshot::channel();
        // A full queue means the store is slower than the traffic: waiting
        // for room would only make the caller's timeout the queue's.
        self.requests
            .try_send(Request { cmd, script, reply })
            .map_err(|_| StoreError::Unavailable)?;
        answer.await.unwrap_or(Err(StoreError::Unavailable))
    }
}

/// The manager in use; the watchdog replaces it when the connection stops
/// answering.
type Current = Arc<Mutex<ConnectionManager>>;

fn current(shared: &Current) -> ConnectionManager {
    // Cloning the manager cannot panic; a poisoned lock still holds a
    // whole manager.
    shared
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

fn manager(target: &Target) -> Result<ConnectionManager, RedisError> {
    // Few, quick retries: while the server is down a request should fail
    // within its caller's timeout, not wait for a long back-off; the
    // watchdog keeps trying every second anyway.
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(CONNECT_TIMEOUT))
        .set_response_timeout(Some(DEADLINE))
        .set_number_of_retries(1)
        .set_min_delay(Duration::from_millis(50))
        .set_max_delay(Duration::from_millis(500));
    // Lazy: connects on first use, on this thread's runtime.
    ConnectionManager::new_lazy_with_config(target.client.clone(), config)
}

/// The connection thread: takes requests off the queue until every
/// [`Link`] is gone.
async fn serve(target: Target, mut queue: mpsc::Receiver<Request>) {
    let shared: Current = match manager(&target) {
        Ok(m) => Arc::new(Mutex::new(m)),
        Err(e) => {
            // Only a bad configuration fails here; every request will then
            // answer `Unavailable` (the queue is closed when this returns).
            tracing::error!(store = %target, reason = reason(&e), "the state store cannot be used");
            return;
        }
    };
    tokio::spawn(watchdog(target, shared.clone()));
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    while let Some(request) = queue.recv().await {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let mut connection = current(&shared);
        tokio::spawn(async move {
            run(request, &mut connection).await;
            drop(slot);
        });
    }
}

/// Runs one request, unless its caller stops waiting first.
async fn run(mut request: Request, connection: &mut ConnectionManager) {
    let answer = {
        let gone = pin!(request.reply.closed());
        let work = pin!(tokio::time::timeout(
            DEADLINE,
            execute(connection, &request.cmd, request.script)
        ));
        match select(gone, work).await {
            Either::Left(_) => return,
            Either::Right((Ok(result), _)) => result.map_err(|e| classify(&e)),
            Either::Right((Err(_elapsed), _)) => Err(StoreError::Unavailable),
        }
    };
    // The caller may have left meanwhile: nobody to tell.
    let _ = request.reply.send(answer);
}

async fn execute(
    connection: &mut ConnectionManager,
    cmd: &Cmd,
    script: Option<&'static Lua>,
) -> Result<Value, RedisError> {
    match (cmd.query_async::<Value>(connection).await, script) {
        (Err(e), Some(lua)) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
            lua.eval_form(cmd).query_async(connection).await
        }
        (result, _) => result,
    }
}

/// Pings every [`PING_EVERY`]: keeps the connection open and replaced when
/// broken, logs when the store becomes unreachable and reachable again.
async fn watchdog(target: Target, shared: Current) {
    let mut ticks = tokio::time::interval(PING_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // None: not known yet (no ping answered or failed since start-up).
    let mut reachable: Option<bool> = None;
    let mut silent = 0u32;
    loop {
        ticks.tick().await;
        let mut connection = current(&shared);
        let ping = redis::cmd("PING");
        let outcome = tokio::time::timeout(PING_EVERY, ping.query_async::<Value>(&mut connection))
            .await
            .unwrap_or_else(|_| Err(std::io::Error::from(std::io::ErrorKind::TimedOut).into()));
        match outcome {
            Ok(_) => {
                silent = 0;
                if reachable != Some(true) {
                    tracing::info!(store = %target, "the state store is reachable");
                }
                reachable = Some(true);
            }
            Err(e) => {
                if reachable != Some(false) {
                    tracing::warn!(
                        store = %target,
                        reason = reason(&e),
                        "the state store is unreachable; decisions that need it fail until it answers again"
                    );
                }
                reachable = Some(false);
                // The manager reconnects by itself after an I/O error (a
                // refused or broken connection). It does not after a
                // timeout (the connection may be fine, the server slow) or
                // after a failed handshake (authentication, a server still
                // loading its data): it would keep failing with the same
                // error. Those get a fresh manager: at once after a
                // handshake error, after a few silent pings otherwise.
                let replace = if e.is_timeout() {
                    silent += 1;
                    silent >= SILENT_PINGS
                } else {
                    silent = 0;
                    !e.is_io_error()
                };
                if replace {
                    silent = 0;
                    if let Ok(fresh) = manager(&target) {
                        *shared.lock().unwrap_or_else(PoisonError::into_inner) = fresh;
                    }
                }
            }
        }
    }
}

/// A short, fixed description of why the store failed, for the log: never
/// the error's own text, which could in principle carry what a server or
/// a URL said.
fn reason(e: &RedisError) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connection_refusal() {
        "connection refused"
    } else if e.is_connection_dropped() {
        "connection lost"
    } else {
        match e.kind() {
            ErrorKind::AuthenticationFailed => "authentication failed",
            ErrorKind::InvalidClientConfig => "invalid configuration",
            ErrorKind::Io => "I/O error",
            ErrorKind::Server(ServerErrorKind::NoPerm) => "permission denied (ACL)",
            ErrorKind::Server(ServerErrorKind::BusyLoading) => "server loading its data",
            ErrorKind::Server(ServerErrorKind::ReadOnly) => "server is a read-only replica",
            ErrorKind::Server(_) | ErrorKind::Extension => "server error",
            _ => "client error",
        }
    }
}

/// Error codes by which a server says it cannot serve now, rather than that
/// the request or the data is wrong.
const UNAVAILABLE_CODES: [&str; 6] = [
    "OOM",
    "BUSY",
    "NOAUTH",
    "MISCONF",
    "NOREPLICAS",
    "WRONGPASS",
];

/// What an error means to the caller: the store answered something
/// unexpected (wrong type, a value this runtime did not write), or it could
/// not answer.
fn classify(e: &RedisError) -> StoreError {
    match e.kind() {
        ErrorKind::UnexpectedReturnType | ErrorKind::Parse => StoreError::Malformed,
        ErrorKind::Server(
            ServerErrorKind::ResponseError
            | ServerErrorKind::NoScript
            | ServerErrorKind::CrossSlot
            | ServerErrorKind::NotBusy
            | ServerErrorKind::NoSub,
        )
        | ErrorKind::Extension => {
            if e.code().is_some_and(|c| UNAVAILABLE_CODES.contains(&c)) {
                StoreError::Unavailable
            } else {
                StoreError::Malformed
            }
        }
        _ => StoreError::Unavailable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_parsed_without_showing_credentials() {
        for (url, shown) in [
            ("redis://127.0.0.1:6390/2", "redis://127.0.0.1:6390/2"),
            ("redis://localhost", "redis://localhost:6379/0"),
            (
                "redis://agent:s3cret-pw@10.0.0.5:6380/1",
                "redis://10.0.0.5:6380/1",
            ),
            ("redis://:s3cret-pw@10.0.0.5/0", "redis://10.0.0.5:6379/0"),
            (
                "rediss://agent:s3cret-pw@cache.example.com:6380/3",
                "rediss://cache.example.com:6380/3",
            ),
        ] {
            let target = Target::parse(url).unwrap_or_else(|_| panic!("{shown} parses"));
            assert_eq!(target.to_string(), shown);
            assert_eq!(format!("{target:?}"), shown);
            assert!(!format!("{target:?}").contains("s3cret"));
        }
        for bad in [
            "http://127.0.0.1:6379",
            "redis+unix:///tmp/redis.sock",
            "unix:///tmp/redis.sock",
            "rediss://cache.example.com/#insecure",
            "redis://127.0.0.1:6379/not-a-db",
            "redis://",
            "not a url",
        ] {
            assert_eq!(
                Target::parse(bad).err(),
                Some(StoreError::Unavailable),
                "{bad}"
            );
        }
    }

    #[test]
    fn errors_are_classified() {
        let refused: RedisError =
            std::io::Error::from(std::io::ErrorKind::ConnectionRefused).into();
        assert_eq!(classify(&refused), StoreError::Unavailable);
        let wrong_type: RedisError = (ErrorKind::UnexpectedReturnType, "not an integer").into();
        assert_eq!(classify(&wrong_type), StoreError::Malformed);
        let foreign = redis::make_extension_error("WRONGTYPE".to_owned(), None);
        assert_eq!(classify(&foreign), StoreError::Malformed);
        let oom = redis::make_extension_error("OOM".to_owned(), None);
        assert_eq!(classify(&oom), StoreError::Unavailable);
        let auth: RedisError = (ErrorKind::AuthenticationFailed, "denied").into();
        assert_eq!(classify(&auth), StoreError::Unavailable);
        assert!(!auth.is_io_error(), "the watchdog replaces the manager");
        // What the watchdog makes of a ping that did not answer in time.
        let silent: RedisError = std::io::Error::from(std::io::ErrorKind::TimedOut).into();
        assert!(silent.is_timeout());
        assert_eq!(reason(&silent), "timed out");
        assert_eq!(classify(&silent), StoreError::Unavailable);
    }
}
