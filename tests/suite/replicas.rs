//! Two replicas of one agent sharing one Redis, as deployed: two real
//! processes of the built `pin_verification` example, each on its own
//! loopback port, with the same credentials, the same token secret and the
//! same `SWML_STATE_URL`, driven over HTTP the way the platform drives them
//! (the SWML document first, then SWAIG calls with the URL it carries).
//!
//! The first test shows what the replicas share: a token minted by one is
//! accepted by the other for the same call (and refused for another call),
//! a call fact written on one guards a tool on the other, a per-caller limit
//! of [`LIMIT`] calls counts the calls made on both, three wrong PINs spread
//! over both and over two calls lock the number on both and on a new call,
//! and `emergency on|off` (the binary's command, talking to the store) is
//! honoured by both within [`SWITCH_BOUND`].
//!
//! The second test stops the store: secure tools refuse with the spoken
//! `state_unavailable` refusal (the handler does not run: no `tool_call`
//! record), within a bounded time, while `/health`, `/ready` and the SWML
//! route keep answering; the store starts again on the same port, empty,
//! and calls succeed again without restarting either agent.
//!
//! Every child process (agents, commands) is given its environment
//! explicitly (`env_clear`); nothing here changes this process's environment.
//! Agents are killed by [`Replica`]'s `Drop`, so a failed assertion leaves
//! nothing running; their stderr (the default JSON log, audit records
//! included) goes to a file that is read for audit records and printed when
//! a test fails.

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use agent_runtime::harness::{basic_header, tool_tokens, webhook_in};
use serde_json::{Value, json};

use crate::support::redis::TestRedis;

const USER: &str = "replica-user";
const PASSWORD: &str = "replica-password-5f1c9a0e7d3b48c2a6e4";
const SECRET: &str = "replica-shared-swaig-secret-0123456789abcdef";

/// The example's demo customer and PIN (`examples/pin_verification.rs`).
const DEMO_NUMBER: &str = "+15551230000";
const PIN: &str = "4931";

/// The per-caller, per-tool limit both replicas run with
/// (`SWML_RATE_LIMIT`). Per hour, so that no allowance comes back while the
/// test runs, however slow the machine.
const LIMIT: usize = 8;

/// The bound asserted on the emergency switch: the promised second, plus a
/// margin of 500 ms for the measurement itself (a poll every 25 ms, each a
/// new connection and a SWAIG request to a debug build, on a shared
/// two-core machine running the whole suite). The mechanism re-reads the
/// shared flag when a replica's copy is older than 500 ms, so a replica
/// sees a flip after at most about 500 ms plus one store round trip. The
/// time is measured from the moment the command that wrote the flag has
/// returned, for each replica, both replicas polled in turn.
const SWITCH_BOUND: Duration = Duration::from_millis(1500);

/// What a caller hears for each refusal (`agent-runtime/src/dispatch/refused.rs`).
const RATE_LIMITED: &str = "requested too many times";
const EMERGENCY: &str = "temporarily limited";
const STATE_UNAVAILABLE: &str = "a system it depends on is not responding";

fn example_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let bin = exe
        .parent()?
        .parent()?
        .join("examples")
        .join(format!("pin_verification{}", std::env::consts::EXE_SUFFIX));
    bin.exists().then_some(bin)
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// One HTTP answer.
#[derive(Debug)]
struct Reply {
    status: u16,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The spoken `response` of a tool result (empty for anything else).
    fn response(&self) -> String {
        self.json()["response"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn hangs_up(&self) -> bool {
        self.json()["action"]
            .as_array()
            .is_some_and(|actions| actions.contains(&json!({"hangup": true})))
    }
}

/// One request on a fresh connection (`Connection: close`), with the
/// replicas' credentials when `auth`; `None` when nothing answered.
fn request(port: u16, method: &str, path: &str, auth: bool, body: &str) -> Option<Reply> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if auth {
        head.push_str(&format!(
            "Authorization: {}\r\n",
            basic_header(USER, PASSWORD)
        ));
    }
    stream
        .write_all(format!("{head}\r\n{body}").as_bytes())
        .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some(Reply {
        status,
        body: body.to_owned(),
    })
}

/// A SWAIG request body as the platform sends it.
fn swaig_body(function: &str, args: &Value, call_id: &str, caller: &str) -> String {
    json!({
        "function": function,
        "argument": {"parsed": [args], "raw": args.to_string(), "substituted": ""},
        "call_id": call_id,
        "caller_id_num": caller,
        "content_type": "text/swaig",
        "version": "2.0",
    })
    .to_string()
}

/// The environment every process of one pair gets, and nothing else.
fn agent_env(store: &str) -> Vec<(&'static str, String)> {
    vec![
        ("HOST", "127.0.0.1".to_owned()),
        ("SWML_BASIC_AUTH_USER", USER.to_owned()),
        ("SWML_BASIC_AUTH_PASSWORD", PASSWORD.to_owned()),
        ("SIGNALWIRE_SWAIG_SECRET", SECRET.to_owned()),
        ("SWML_STATE_URL", store.to_owned()),
        ("SWML_RATE_LIMIT", format!("{LIMIT}/hour")),
        ("SWML_WORKERS", "1".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ]
}

/// One agent process. Killed when dropped.
struct Replica {
    name: &'static str,
    port: u16,
    child: Child,
    log: PathBuf,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Replica {
    /// Starts `bin` on a free port and waits until it serves SWML with the
    /// pair's credentials (a port taken in between: tried again elsewhere).
    fn start(name: &'static str, bin: &Path, store: &str, dir: &Path) -> Replica {
        for attempt in 0..5 {
            let log = dir.join(format!("{name}-{attempt}.log"));
            let port = free_port();
            let child = Command::new(bin)
                .env_clear()
                .envs(agent_env(store))
                .env("PORT", port.to_string())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(File::create(&log).expect("log file"))
                .spawn()
                .expect("start the example");
            let mut replica = Replica {
                name,
                port,
                child,
                log,
            };
            if replica.wait_until_serving() {
                return replica;
            }
        }
        panic!("replica {name} did not start on any of 5 ports");
    }

    fn wait_until_serving(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return false;
            }
            if request(self.port, "POST", "/", true, "{}").is_some_and(|r| r.status == 200) {
                // Ours, not another server that happened to get the port.
                return self.child.try_wait().ok().flatten().is_none();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    fn post(&self, path: &str, body: &str) -> Reply {
        request(self.port, "POST", path, true, body)
            .unwrap_or_else(|| panic!("replica {} did not answer POST {path}", self.name))
    }

    /// The SWML document for `call_id`.
    fn swml(&self, call_id: &str) -> Value {
        let reply = self.post("/", &json!({"call": {"call_id": call_id}}).to_string());
        assert_eq!(reply.status, 200, "SWML from {}: {}", self.name, reply.body);
        reply.json()
    }

    /// The webhook path and query (with its token) of `function` in the
    /// SWML this replica renders for `call_id`.
    fn webhook(&self, function: &str, call_id: &str) -> String {
        let doc = self.swml(call_id);
        let url = webhook_in(&doc, function)
            .unwrap_or_else(|| panic!("{} offers no {function}: {doc}", self.name));
        assert!(url.contains("__token="), "{url}");
        url
    }

    /// `function` called at `webhook` (minted by either replica).
    fn call(
        &self,
        webhook: &str,
        function: &str,
        args: Value,
        call_id: &str,
        caller: &str,
    ) -> Reply {
        self.post(webhook, &swaig_body(function, &args, call_id, caller))
    }

    fn still_running(&mut self) -> bool {
        self.child.try_wait().ok().flatten().is_none()
    }

    /// The audit records this replica has written so far.
    fn audit(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["target"] == "agent_runtime::audit")
            .collect()
    }

    /// The first audit record matching `wanted`, waiting for the logger's
    /// background writer (it writes every 20 ms).
    fn audit_record(&self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(r) = self.audit().into_iter().find(|r| wanted(r)) {
                return r;
            }
            assert!(
                Instant::now() < deadline,
                "replica {} wrote no audit record {what}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Two replicas on one store, and a directory for their logs.
struct Pair {
    a: Replica,
    b: Replica,
    redis: TestRedis,
    bin: PathBuf,
    dir: PathBuf,
}

impl Pair {
    fn start(test: &str) -> Option<Pair> {
        let Some(bin) = example_binary() else {
            assert!(
                std::env::var_os("AGENT_REQUIRE_REDIS").is_none(),
                "{test}: the pin_verification example is not built (cargo test --workspace \
                 builds it; or cargo build --examples)"
            );
            let line = format!("\n*** SKIPPED (examples not built): {test} ***\n");
            let _ = std::io::stderr().write_all(line.as_bytes());
            return None;
        };
        let redis = TestRedis::start(test)?;
        let dir = std::env::temp_dir().join(format!(
            "agent-replicas-{}-{test}-{}",
            std::process::id(),
            redis.port()
        ));
        std::fs::create_dir_all(&dir).expect("log directory");
        let a = Replica::start("A", &bin, &redis.url(), &dir);
        let b = Replica::start("B", &bin, &redis.url(), &dir);
        assert_ne!(a.port, b.port);
        Some(Pair {
            a,
            b,
            redis,
            bin,
            dir,
        })
    }

    /// The agent binary's command line (`emergency on`, ...), with the
    /// replicas' environment.
    fn command(&self, args: &[&str]) -> Output {
        Command::new(&self.bin)
            .env_clear()
            .envs(agent_env(&self.redis.url()))
            .env("USER", "replicas-test")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run the agent's command")
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for replica in [&self.a, &self.b] {
                let log = std::fs::read_to_string(&replica.log).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(40).collect();
                eprintln!(
                    "--- replica {} (port {}), last lines of its log:",
                    replica.name, replica.port
                );
                for line in tail.iter().rev() {
                    eprintln!("{line}");
                }
            }
        }
        // The replicas are fields and are killed after this; the logs are
        // only read above.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// For each replica, how long after `since` it was first seen to satisfy
/// `seen`: all replicas are polled in turn every 25 ms, each until it
/// has; `None` for a replica that had not after `limit`.
fn poll_replicas<'r>(
    replicas: &[&'r Replica],
    since: Instant,
    limit: Duration,
    mut seen: impl FnMut(&Replica) -> bool,
) -> Vec<(&'r Replica, Option<Duration>)> {
    let mut took: Vec<(&Replica, Option<Duration>)> = replicas.iter().map(|r| (*r, None)).collect();
    while since.elapsed() < limit && took.iter().any(|(_, t)| t.is_none()) {
        for (replica, t) in took.iter_mut().filter(|(_, t)| t.is_none()) {
            if seen(replica) {
                *t = Some(since.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    took
}

/// Calls `attempt` every 25 ms until it returns true; how long that took,
/// or `None` after `limit`.
fn poll_until(limit: Duration, mut attempt: impl FnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if attempt() {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    None
}

#[test]
fn two_replicas_share_tokens_limits_lockouts_and_the_emergency_switch() {
    let Some(pair) = Pair::start("replicas_share") else {
        return;
    };
    let (a, b) = (&pair.a, &pair.b);

    // A token minted by A (in A's SWML for the call) is accepted by B for
    // that call, and the handler runs there.
    let call = "replicas-call-1";
    let doc = a.swml(call);
    assert_eq!(
        tool_tokens(&doc).keys().collect::<Vec<_>>(),
        ["account_summary", "prepare_verify_pin", "verify_pin"],
        "every secure tool carries a token (the recording pause of verify_pin too)"
    );
    let verify = webhook_in(&doc, "verify_pin").expect("verify_pin offered");
    let summary = webhook_in(&doc, "account_summary").expect("account_summary offered");
    let reply = b.call(
        &verify,
        "verify_pin",
        json!({"pin": PIN}),
        call,
        DEMO_NUMBER,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.response().contains("The PIN is correct"),
        "{}",
        reply.body
    );
    // The same token for another call is refused by either replica.
    for replica in [a, b] {
        let other = replica.call(
            &verify,
            "verify_pin",
            json!({"pin": PIN}),
            "replicas-other",
            DEMO_NUMBER,
        );
        assert_eq!(
            other.status, 403,
            "replica {}: {}",
            replica.name, other.body
        );
    }
    b.audit_record("token_failure for the other call", |r| {
        r["event"] == "token_failure"
            && r["call_id"] == "replicas-other"
            && r["reason"] == "token_wrong_call_id"
    });

    // The verification B recorded is a fact of the call in the store: A's
    // guard reads it. The caller may read the summary LIMIT times, on
    // whichever replica; the next call is refused on both.
    for i in 0..LIMIT {
        let replica = if i % 2 == 0 { a } else { b };
        let reply = replica.call(&summary, "account_summary", json!({}), call, DEMO_NUMBER);
        assert!(
            reply.response().contains("1,204.17"),
            "call {} of {LIMIT} on replica {}: {}",
            i + 1,
            replica.name,
            reply.body
        );
    }
    for replica in [b, a] {
        let reply = replica.call(&summary, "account_summary", json!({}), call, DEMO_NUMBER);
        assert_eq!(reply.status, 200);
        assert!(
            reply.response().contains(RATE_LIMITED),
            "call {} on replica {}: {}",
            LIMIT + 1,
            replica.name,
            reply.body
        );
        replica.audit_record("rate_limited", |r| {
            r["event"] == "rate_limited"
                && r["call_id"] == call
                && r["function"] == "account_summary"
        });
    }

    // Three wrong PINs from the demo number: two on one call (A, then B),
    // the third on a redial (A). The lock holds on B and on a new call,
    // even for the right PIN.
    let first = a.webhook("verify_pin", "replicas-lock-1");
    let redial = b.webhook("verify_pin", "replicas-lock-2");
    let steps = [
        (a, &first, "replicas-lock-1", "1111"),
        (b, &first, "replicas-lock-1", "2222"),
        (a, &redial, "replicas-lock-2", "3333"),
    ];
    for (n, (replica, webhook, call_id, pin)) in steps.into_iter().enumerate() {
        let reply = replica.call(
            webhook,
            "verify_pin",
            json!({ "pin": pin }),
            call_id,
            DEMO_NUMBER,
        );
        let said = reply.response();
        assert!(!said.contains(pin), "{said}");
        if n < 2 {
            let left = 2 - n;
            assert!(
                said.contains(&format!("{left} attempt")),
                "failure {}: {said}",
                n + 1
            );
            assert!(!reply.hangs_up());
        } else {
            assert!(said.contains("wrong three times"), "failure 3: {said}");
            assert!(reply.hangs_up(), "the third failure ends the call");
        }
    }
    for (replica, call_id) in [(b, "replicas-lock-3"), (a, "replicas-lock-4")] {
        let webhook = replica.webhook("verify_pin", call_id);
        let reply = replica.call(
            &webhook,
            "verify_pin",
            json!({"pin": PIN}),
            call_id,
            DEMO_NUMBER,
        );
        assert!(
            reply.response().contains("locked for this number"),
            "right PIN on replica {}, new call: {}",
            replica.name,
            reply.body
        );
        assert!(reply.hangs_up());
    }

    // The emergency switch, flipped with the binary's own command (which
    // talks to the store, not to either replica), reaches both replicas.
    let call = "replicas-emergency";
    let summary = a.webhook("account_summary", call);
    // Each poll from a new number, so polling never meets the rate limit.
    let polls = std::cell::Cell::new(0);
    let poll = |replica: &Replica| {
        polls.set(polls.get() + 1);
        let caller = format!("+1555010{:04}", polls.get());
        replica.call(&summary, "account_summary", json!({}), call, &caller)
    };
    let before = poll(b).response();
    assert!(before.contains("verify their PIN first"), "{before}");

    let on = pair.command(&["emergency", "on"]);
    let flipped = Instant::now();
    let stdout = String::from_utf8_lossy(&on.stdout);
    let stderr = String::from_utf8_lossy(&on.stderr);
    assert!(on.status.success(), "emergency on: {stdout}{stderr}");
    assert!(stdout.contains("now ON"), "{stdout}");
    assert!(
        stderr.contains("emergency_switch") && stderr.contains("command `emergency on secure`"),
        "the flip is audited, naming the command: {stderr}"
    );
    let seen = poll_replicas(&[b, a], flipped, Duration::from_secs(10), |replica| {
        poll(replica).response().contains(EMERGENCY)
    });
    for (replica, took) in seen {
        let took = took
            .unwrap_or_else(|| panic!("replica {} never refused in emergency mode", replica.name));
        eprintln!(
            "replicas: emergency on honoured by {} {took:?} after the command returned",
            replica.name
        );
        assert!(
            took < SWITCH_BOUND,
            "replica {}: emergency on seen after {took:?}, not within {SWITCH_BOUND:?}",
            replica.name
        );
        replica.audit_record("emergency_refusal", |r| {
            r["event"] == "emergency_refusal" && r["call_id"] == call
        });
    }
    // New documents leave the secure tools out.
    assert!(tool_tokens(&b.swml("replicas-emergency-2")).is_empty());
    let status = pair.command(&["emergency", "status"]);
    assert!(String::from_utf8_lossy(&status.stdout).contains("ON"));

    let off = pair.command(&["emergency", "off"]);
    let flipped = Instant::now();
    assert!(
        off.status.success(),
        "{}",
        String::from_utf8_lossy(&off.stderr)
    );
    let seen = poll_replicas(&[b, a], flipped, Duration::from_secs(10), |replica| {
        poll(replica).response().contains("verify their PIN first")
    });
    for (replica, took) in seen {
        let took =
            took.unwrap_or_else(|| panic!("replica {} stayed in emergency mode", replica.name));
        eprintln!(
            "replicas: emergency off honoured by {} {took:?} after the command returned",
            replica.name
        );
        assert!(
            took < SWITCH_BOUND,
            "replica {}: emergency off seen after {took:?}, not within {SWITCH_BOUND:?}",
            replica.name
        );
    }
}

#[test]
fn without_the_store_secure_tools_refuse_and_service_resumes_when_it_returns() {
    let Some(mut pair) = Pair::start("replicas_outage") else {
        return;
    };
    let verified = "replicas-before-outage";
    let summary = pair.a.webhook("account_summary", verified);
    let verify = pair.a.webhook("verify_pin", verified);
    let reply = pair.b.call(
        &verify,
        "verify_pin",
        json!({"pin": PIN}),
        verified,
        DEMO_NUMBER,
    );
    assert!(
        reply.response().contains("The PIN is correct"),
        "{}",
        reply.body
    );

    pair.redis.stop();

    // The SWML route does not need the store; the secure tools do, and
    // refuse: the runtime's spoken refusal, not the handler's words.
    let (a, b) = (&pair.a, &pair.b);
    let call = "replicas-outage";
    let verify = b.webhook("verify_pin", call);
    let started = Instant::now();
    let reply = a.call(
        &verify,
        "verify_pin",
        json!({"pin": PIN}),
        call,
        DEMO_NUMBER,
    );
    let waited = started.elapsed();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.response().contains(STATE_UNAVAILABLE),
        "{}",
        reply.body
    );
    eprintln!("replicas: refused {waited:?} after the request, store stopped");
    assert!(
        waited < Duration::from_secs(3),
        "the refusal took {waited:?}"
    );
    let record = a.audit_record("state_unavailable", |r| {
        r["event"] == "state_unavailable" && r["call_id"] == call
    });
    assert_eq!(record["outcome"], "refused", "{record}");
    assert_eq!(record["function"], "verify_pin", "{record}");
    // A fact written before the outage cannot be read: the guarded tool
    // refuses too, on the other replica.
    let reply = b.call(
        &summary,
        "account_summary",
        json!({}),
        verified,
        DEMO_NUMBER,
    );
    assert!(
        reply.response().contains(STATE_UNAVAILABLE),
        "{}",
        reply.body
    );
    b.audit_record("state_unavailable", |r| {
        r["event"] == "state_unavailable" && r["call_id"] == verified
    });
    // The handler never ran during the outage: the runtime writes a
    // `tool_call` record for every run (as it did for the verification
    // before the outage).
    b.audit_record("tool_call before the outage", |r| {
        r["event"] == "tool_call" && r["call_id"] == verified && r["function"] == "verify_pin"
    });
    b.audit_record("pin_check before the outage", |r| {
        r["event"] == "pin_check" && r["call_id"] == verified && r["reason"] == "pin_verified"
    });
    let ran = a
        .audit()
        .into_iter()
        .chain(b.audit())
        .filter(|r| r["event"] == "tool_call")
        .filter(|r| r["call_id"] == call || r["function"] == "account_summary")
        .count();
    assert_eq!(ran, 0, "a handler ran while the store was down");
    // Nor did verify_pin's handler record its own `pin_check` event (it
    // does on every run, "state_unavailable" included) for the outage call.
    let checked = a
        .audit()
        .into_iter()
        .filter(|r| r["event"] == "pin_check" && r["call_id"] == call)
        .count();
    assert_eq!(
        checked, 0,
        "verify_pin's handler ran while the store was down"
    );

    // Both keep serving their probes.
    for replica in [a, b] {
        for (path, status) in [("/health", "healthy"), ("/ready", "ready")] {
            let reply = request(replica.port, "GET", path, false, "")
                .unwrap_or_else(|| panic!("replica {} did not answer {path}", replica.name));
            assert_eq!(reply.status, 200, "{path} on {}", replica.name);
            assert_eq!(reply.json()["status"], status);
        }
    }

    // The store comes back on the same port (empty: this test server keeps
    // nothing on disk). The agents reconnect by themselves.
    pair.redis.restart();
    let (a, b) = (&pair.a, &pair.b);
    let call = "replicas-after-outage";
    let verify = a.webhook("verify_pin", call);
    let restarted = Instant::now();
    // Each replica reconnects on its own (its watchdog pings every second).
    poll_until(Duration::from_secs(20), || {
        b.call(
            &verify,
            "verify_pin",
            json!({"pin": PIN}),
            call,
            DEMO_NUMBER,
        )
        .response()
        .contains("The PIN is correct")
    })
    .expect("calls succeed again on B once the store is back");
    eprintln!(
        "replicas: B serves again {:?} after the store restarted",
        restarted.elapsed()
    );
    let after = b.webhook("account_summary", call);
    poll_until(Duration::from_secs(20), || {
        a.call(&after, "account_summary", json!({}), call, DEMO_NUMBER)
            .response()
            .contains("1,204.17")
    })
    .expect("calls succeed again on A once the store is back");
    eprintln!(
        "replicas: A serves again {:?} after the store restarted",
        restarted.elapsed()
    );
    // What the empty store forgot: the verification made before the outage.
    let reply = a.call(
        &summary,
        "account_summary",
        json!({}),
        verified,
        DEMO_NUMBER,
    );
    assert!(
        reply.response().contains("verify their PIN first"),
        "{}",
        reply.body
    );

    // The same two processes all along.
    assert!(pair.a.still_running() && pair.b.still_running());
}
