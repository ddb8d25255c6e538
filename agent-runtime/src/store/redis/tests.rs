//! The Redis store against a real `redis-server` (started per test by
//! [`TestRedis`]; skipped with a loud line when it is not installed, unless
//! `AGENT_REQUIRE_REDIS` is set).

use std::future::Future;
use std::time::{Duration, Instant};

use serde_json::json;

use super::RedisStore;
use super::test_server::TestRedis;
use crate::ratelimit::Rate;
use crate::store::{Lockout, MemoryStore, StateStore, StoreError, subject_key};

/// Runs `f` on a runtime of its own that ends with it, as the CLI does:
/// every test below uses the store from several short-lived runtimes.
fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(f)
}

fn scopes(list: &[(&str, &str)]) -> Vec<(String, Rate)> {
    list.iter()
        .map(|(scope, rate)| ((*scope).to_owned(), rate.parse().expect("a rate")))
        .collect()
}

fn store(server: &TestRedis, namespace: &str, list: &[(&str, &str)]) -> RedisStore {
    RedisStore::new(&server.url(), namespace, scopes(list)).expect("a store")
}

/// A plain connection, to look at what the store wrote.
fn inspect(server: &TestRedis) -> redis::Connection {
    redis::Client::open(server.url())
        .and_then(|c| c.get_connection())
        .expect("a direct connection")
}

fn pttl(con: &mut redis::Connection, key: &str) -> i64 {
    redis::cmd("PTTL").arg(key).query(con).expect("PTTL")
}

#[test]
fn rate_allows_exactly_the_burst_across_replicas_then_refuses_with_the_wait() {
    let Some(server) = TestRedis::start("rate_allows_exactly_the_burst") else {
        return;
    };
    let rates = [("transfer", "3/min")];
    let (a, b) = (
        store(&server, "bank", &rates),
        store(&server, "bank", &rates),
    );
    let memory = MemoryStore::new(scopes(&rates));
    let first = Instant::now();
    block_on(async {
        assert_eq!(a.rate("transfer", "+15550001").await, Ok(Ok(())));
        assert_eq!(b.rate("transfer", "+15550001").await, Ok(Ok(())));
        assert_eq!(a.rate("transfer", "+15550001").await, Ok(Ok(())));
        for replica in [&a, &b] {
            let wait = replica
                .rate("transfer", "+15550001")
                .await
                .expect("an answer")
                .expect_err("the burst of 3 is used up");
            // One use comes back every 20 s, counted from the first.
            let interval = Duration::from_secs(20);
            assert!(
                wait <= interval && wait + first.elapsed() >= interval,
                "{wait:?}"
            );
        }
        // The in-process limiter says the same for the same rate.
        for _ in 0..3 {
            assert!(memory.rate("transfer", "+15550001").is_ok());
        }
        let local = memory.rate("transfer", "+15550001").expect_err("refused");
        let shared = a.rate("transfer", "+15550001").await.expect("an answer");
        let shared = shared.expect_err("refused");
        assert!(local.abs_diff(shared) < Duration::from_secs(1));

        assert_eq!(b.rate("transfer", "+15550002").await, Ok(Ok(())));
        assert_eq!(b.rate("no_such_scope", "+15550001").await, Ok(Ok(())));
        let other_agent = store(&server, "other-agent", &rates);
        assert_eq!(other_agent.rate("transfer", "+15550001").await, Ok(Ok(())));
    });
}

#[test]
fn rate_refills_evenly_and_its_key_lives_until_the_allowance_is_full() {
    let Some(server) = TestRedis::start("rate_refills_evenly") else {
        return;
    };
    // Bounds below allow for a slow machine: they are measured from the
    // first use, not assumed.
    let interval = Duration::from_secs(1);
    let a = store(&server, "ns", &[("t", "1/sec")]);
    let key = format!("swml:ns:rate:t:{}", subject_key("caller"));
    let mut con = inspect(&server);
    let first = Instant::now();
    assert_eq!(block_on(a.rate("t", "caller")), Ok(Ok(())));
    let ttl = Duration::from_millis(pttl(&mut con, &key).try_into().expect("a TTL"));
    // PTTL truncates to whole milliseconds: up to 1 ms of the TTL is not
    // shown (a fast answer once failed the bound by exactly that).
    let truncated = Duration::from_millis(1);
    assert!(
        ttl <= interval && ttl + truncated + first.elapsed() >= interval,
        "{ttl:?}"
    );
    let wait = block_on(a.rate("t", "caller"))
        .expect("an answer")
        .expect_err("refused");
    assert!(
        wait <= interval && wait + truncated + first.elapsed() >= interval,
        "{wait:?}"
    );
    std::thread::sleep(wait + Duration::from_millis(20));
    block_on(async {
        assert_eq!(a.rate("t", "caller").await, Ok(Ok(())), "one use came back");
        assert!(
            matches!(a.rate("t", "caller").await, Ok(Err(_))),
            "only one"
        );
    });
    std::thread::sleep(interval + Duration::from_millis(100));
    let exists: bool = redis::cmd("EXISTS")
        .arg(&key)
        .query(&mut con)
        .expect("EXISTS");
    assert!(!exists, "a full allowance is not kept");
}

#[test]
fn attempts_lock_after_n_failures_across_replicas_for_the_lock_time() {
    let Some(server) = TestRedis::start("attempts_lock_after_n_failures") else {
        return;
    };
    let (a, b) = (store(&server, "bank", &[]), store(&server, "bank", &[]));
    let lock = Duration::from_millis(1500);
    let limit = Lockout::after(3).lock_for(lock);
    let started = Instant::now();
    let locked_for = block_on(async {
        let first = a.attempt_failed("pin", "+15550001", limit).await.unwrap();
        assert_eq!(
            (first.failures, first.remaining, first.is_locked()),
            (1, 2, false)
        );
        let second = b.attempt_failed("pin", "+15550001", limit).await.unwrap();
        assert_eq!(
            (second.failures, second.remaining, second.is_locked()),
            (2, 1, false)
        );
        let third = a.attempt_failed("pin", "+15550001", limit).await.unwrap();
        assert_eq!((third.failures, third.remaining), (0, 0));
        let locked_for = third.locked_for.expect("locked");
        assert!(locked_for <= lock && locked_for + started.elapsed() >= lock);
        let seen = b.attempts("pin", "+15550001", limit).await.unwrap();
        assert!(seen.is_locked(), "the other replica sees the lock");
        // A failure during the lock does not extend it.
        let again = b.attempt_failed("pin", "+15550001", limit).await.unwrap();
        assert!(again.locked_for.expect("still locked") <= locked_for);
        // Another subject and another kind are untouched.
        assert_eq!(
            b.attempts("pin", "+15550002", limit)
                .await
                .unwrap()
                .failures,
            0
        );
        assert!(
            !b.attempts("otp", "+15550001", limit)
                .await
                .unwrap()
                .is_locked()
        );
        locked_for
    });
    std::thread::sleep(locked_for + Duration::from_millis(100));
    // As in the in-process store: once the lock has ended inside the
    // window, the window's failures show again (none remaining, but not
    // locked), and the next failure starts a new window.
    let after = block_on(a.attempts("pin", "+15550001", limit)).unwrap();
    assert_eq!(
        (after.failures, after.remaining, after.is_locked()),
        (3, 0, false)
    );
    let next = block_on(b.attempt_failed("pin", "+15550001", limit)).unwrap();
    assert_eq!(
        (next.failures, next.remaining, next.is_locked()),
        (1, 2, false)
    );
}

#[test]
fn a_reset_forgets_the_failures_but_not_a_running_lock() {
    let Some(server) = TestRedis::start("a_reset_forgets_the_failures") else {
        return;
    };
    let (a, b) = (store(&server, "bank", &[]), store(&server, "bank", &[]));
    let limit = Lockout::after(3).lock_for(Duration::from_secs(60));
    block_on(async {
        for _ in 0..3 {
            a.attempt_failed("pin", "+15550001", limit).await.unwrap();
        }
        b.attempts_reset("pin", "+15550001").await.unwrap();
        assert!(
            a.attempts("pin", "+15550001", limit)
                .await
                .unwrap()
                .is_locked()
        );

        a.attempt_failed("pin", "+15550002", limit).await.unwrap();
        a.attempt_failed("pin", "+15550002", limit).await.unwrap();
        b.attempts_reset("pin", "+15550002").await.unwrap();
        let fresh = a.attempts("pin", "+15550002", limit).await.unwrap();
        assert_eq!((fresh.failures, fresh.remaining), (0, 3));
        // Resetting a subject that has nothing is fine.
        b.attempts_reset("pin", "+15550003").await.unwrap();
    });
}

#[test]
fn windows_and_locks_expire() {
    let Some(server) = TestRedis::start("windows_and_locks_expire") else {
        return;
    };
    let a = store(&server, "ns", &[]);
    let limit = Lockout::after(1)
        .within(Duration::from_millis(200))
        .lock_for(Duration::from_millis(200));
    assert!(
        block_on(a.attempt_failed("pin", "a", limit))
            .unwrap()
            .is_locked()
    );
    let window = Lockout::after(3).within(Duration::from_millis(200));
    block_on(a.attempt_failed("pin", "b", window)).unwrap();
    std::thread::sleep(Duration::from_millis(400));
    let after = block_on(a.attempts("pin", "a", limit)).unwrap();
    assert_eq!((after.is_locked(), after.remaining), (false, 1));
    let b = block_on(a.attempts("pin", "b", window)).unwrap();
    assert_eq!((b.failures, b.remaining), (0, 3), "the window ended");
    let next = block_on(a.attempt_failed("pin", "b", window)).unwrap();
    assert_eq!(next.failures, 1, "a new window");
}

#[test]
fn attempts_follow_the_in_process_rules_step_by_step() {
    let Some(server) = TestRedis::start("attempts_follow_the_in_process_rules") else {
        return;
    };
    let redis = store(&server, "ns", &[]);
    let memory = MemoryStore::new(vec![]);
    // f: a failure, r: a reset, s: a read.
    let script = "fsffsrfsffffrsfs";
    for max in 1..=4 {
        let limit = Lockout::after(max);
        let subject = format!("subject-{max}");
        for (step, op) in script.chars().enumerate() {
            let (local, shared) = match op {
                'f' => (
                    memory.attempt_failed("pin", &subject, limit),
                    block_on(redis.attempt_failed("pin", &subject, limit)).unwrap(),
                ),
                'r' => {
                    memory.attempts_reset("pin", &subject);
                    block_on(redis.attempts_reset("pin", &subject)).unwrap();
                    (
                        memory.attempts("pin", &subject, limit),
                        block_on(redis.attempts("pin", &subject, limit)).unwrap(),
                    )
                }
                _ => (
                    memory.attempts("pin", &subject, limit),
                    block_on(redis.attempts("pin", &subject, limit)).unwrap(),
                ),
            };
            assert_eq!(
                (local.failures, local.remaining, local.is_locked()),
                (shared.failures, shared.remaining, shared.is_locked()),
                "max {max}, step {step} ({op})"
            );
        }
    }
}

#[test]
fn after_a_lock_ends_both_stores_say_the_same() {
    let Some(server) = TestRedis::start("after_a_lock_ends_both_stores_say_the_same") else {
        return;
    };
    let redis = store(&server, "ns", &[]);
    let memory = MemoryStore::new(vec![]);
    let limit = Lockout::after(2).lock_for(Duration::from_millis(1000));
    let both = |op: char| {
        let (local, shared) = match op {
            'f' => (
                memory.attempt_failed("pin", "s", limit),
                block_on(redis.attempt_failed("pin", "s", limit)).unwrap(),
            ),
            _ => (
                memory.attempts("pin", "s", limit),
                block_on(redis.attempts("pin", "s", limit)).unwrap(),
            ),
        };
        assert_eq!(
            (local.failures, local.remaining, local.is_locked()),
            (shared.failures, shared.remaining, shared.is_locked()),
            "{op}"
        );
    };
    both('f');
    both('f');
    both('s');
    std::thread::sleep(Duration::from_millis(1300));
    both('s');
    both('f');
    both('s');
}

#[test]
fn call_facts_round_trip_as_json_across_replicas_and_expire() {
    let Some(server) = TestRedis::start("call_facts_round_trip") else {
        return;
    };
    let (a, b) = (store(&server, "bank", &[]), store(&server, "bank", &[]));
    let profile = json!({
        "tier": "gold",
        "limits": [1, 2.5, null, -3],
        "note": "ünïcödé \"quoted\" \\ line\nbreak",
        "nested": {"ok": true, "empty": {}}
    });
    let key = format!("swml:bank:call:{}", subject_key("call-1"));
    let mut con = inspect(&server);
    block_on(async {
        let ttl = Duration::from_secs(5);
        a.set_call_fact("call-1", "pin_verified", &json!(true), ttl)
            .await
            .unwrap();
        a.set_call_fact("call-1", "profile", &profile, ttl)
            .await
            .unwrap();
        a.set_call_fact("call-1", "attempts", &json!(2), ttl)
            .await
            .unwrap();
        let facts = b.call_facts("call-1").await.unwrap();
        assert_eq!(facts.len(), 3);
        assert_eq!(facts["pin_verified"], json!(true));
        assert_eq!(facts["profile"], profile);
        assert_eq!(facts["attempts"], json!(2));
        assert!(b.call_facts("call-2").await.unwrap().is_empty());
        // Every set re-arms the call's time to live (here from 5 s to 60 s).
        b.set_call_fact(
            "call-1",
            "pin_verified",
            &json!(false),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    });
    let ttl = pttl(&mut con, &key);
    assert!(ttl > 50_000 && ttl <= 60_000, "{ttl}");
    assert_eq!(
        block_on(a.call_facts("call-1")).unwrap()["pin_verified"],
        json!(false)
    );
    block_on(async {
        a.set_call_fact("call-3", "x", &json!("short"), Duration::from_secs(1))
            .await
            .unwrap();
        assert_eq!(a.call_facts("call-3").await.unwrap()["x"], "short");
    });
    std::thread::sleep(Duration::from_millis(1300));
    assert!(block_on(b.call_facts("call-3")).unwrap().is_empty());
    let zero = block_on(a.set_call_fact("call-4", "x", &json!(1), Duration::ZERO));
    assert_eq!(zero, Ok(()));
    assert!(block_on(b.call_facts("call-4")).unwrap().is_empty());
}

#[test]
fn the_emergency_flag_set_by_one_replica_is_read_by_another() {
    let Some(server) = TestRedis::start("the_emergency_flag") else {
        return;
    };
    let (a, b) = (store(&server, "bank", &[]), store(&server, "bank", &[]));
    let mut con = inspect(&server);
    let week_ms = 7 * 24 * 3600 * 1000;
    assert_eq!(
        block_on(a.emergency()),
        Ok(None),
        "never set: the replica decides"
    );
    block_on(a.set_emergency("secure,tool:transfer")).unwrap();
    assert_eq!(
        block_on(b.emergency()),
        Ok(Some("secure,tool:transfer".to_owned()))
    );
    assert!(pttl(&mut con, "swml:bank:emergency") > week_ms - 10_000);
    // A read re-arms the time to live.
    let _: () = redis::cmd("PEXPIRE")
        .arg("swml:bank:emergency")
        .arg(60_000)
        .query(&mut con)
        .unwrap();
    assert_eq!(
        block_on(b.emergency()),
        Ok(Some("secure,tool:transfer".to_owned()))
    );
    assert!(pttl(&mut con, "swml:bank:emergency") > week_ms - 10_000);
    block_on(b.set_emergency("")).unwrap();
    assert_eq!(block_on(a.emergency()), Ok(Some(String::new())));
    // Off is written, not deleted, and expires too.
    assert!(pttl(&mut con, "swml:bank:emergency") > week_ms - 10_000);
    // Another agent's flag is its own.
    block_on(a.set_emergency("agent")).unwrap();
    assert_eq!(block_on(store(&server, "other", &[]).emergency()), Ok(None));
    // The flag as versions before scopes wrote it.
    let _: () = redis::cmd("SET")
        .arg("swml:bank:emergency")
        .arg("1")
        .query(&mut con)
        .unwrap();
    assert_eq!(block_on(b.emergency()), Ok(Some("secure".to_owned())));
}

#[test]
fn every_key_has_a_ttl_and_no_key_holds_caller_text() {
    let Some(server) = TestRedis::start("every_key_has_a_ttl") else {
        return;
    };
    // Rates slow enough that no rate key expires during the test.
    let a = store(
        &server,
        "bank",
        &[("transfer", "5/min"), ("http", "100/hour")],
    );
    let callers = [
        "+15550001",
        "caller:with:colons",
        "*wild?card[s]",
        "swml:bank:emergency",
        "ünïcödé",
        &"9".repeat(10_000),
    ];
    let limit = Lockout::after(2).lock_for(Duration::from_secs(30));
    block_on(async {
        for caller in callers {
            a.rate("transfer", caller).await.unwrap().unwrap();
            a.rate("http", caller).await.unwrap().unwrap();
            a.attempt_failed("pin", caller, limit).await.unwrap();
            a.attempt_failed("pin", caller, limit).await.unwrap();
            a.attempt_failed("otp", caller, limit).await.unwrap();
            a.set_call_fact(caller, "verified", &json!(caller), Duration::from_secs(60))
                .await
                .unwrap();
        }
        a.set_emergency("secure").await.unwrap();
    });
    let mut con = inspect(&server);
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut con).unwrap();
    // 6 callers x (2 rate scopes + 2 attempt kinds + 1 call) + the flag.
    assert_eq!(keys.len(), 6 * 5 + 1, "{keys:#?}");
    let hashes: Vec<String> = callers.iter().map(|c| subject_key(c)).collect();
    for key in &keys {
        let ttl = pttl(&mut con, key);
        assert!(ttl > 0, "{key} has no time to live ({ttl})");
        let rest = key.strip_prefix("swml:bank:").expect("namespaced");
        if rest == "emergency" {
            continue;
        }
        let (kind, hash) = rest.rsplit_once(':').expect("kind:hash");
        assert!(
            [
                "rate:transfer",
                "rate:http",
                "attempts:pin",
                "attempts:otp",
                "call"
            ]
            .contains(&kind),
            "{key}"
        );
        assert!(hashes.contains(&hash.to_owned()), "{key}");
        for caller in callers {
            assert!(!key.contains(caller), "{key}");
        }
    }
}

#[test]
fn a_stopped_server_is_unavailable_within_the_timeout_and_service_resumes_after_restart() {
    let Some(mut server) = TestRedis::start("a_stopped_server_is_unavailable") else {
        return;
    };
    let timeout = Duration::from_millis(250);
    let store = StateStore::redis(&server.url(), "ns", scopes(&[("t", "100/sec")]), timeout)
        .expect("a store");
    let limit = Lockout::after(3);
    assert_eq!(block_on(store.rate("t", "a")), Ok(Ok(())));
    assert_eq!(block_on(store.emergency()), Ok(None));

    server.stop();
    // The caller's timeout, and slack for a busy machine: the point is that
    // nothing waits for the server to come back.
    let within = |what: &str, started: Instant| {
        let took = started.elapsed();
        assert!(took < timeout + Duration::from_secs(1), "{what}: {took:?}");
    };
    for round in 0..3 {
        let t = Instant::now();
        assert_eq!(block_on(store.rate("t", "a")), Err(StoreError::Unavailable));
        within(&format!("rate, round {round}"), t);
        let t = Instant::now();
        assert_eq!(
            block_on(store.attempt_failed("pin", "a", limit)),
            Err(StoreError::Unavailable)
        );
        within("attempt_failed", t);
        let t = Instant::now();
        assert_eq!(
            block_on(store.attempts("pin", "a", limit)),
            Err(StoreError::Unavailable)
        );
        within("attempts", t);
        let t = Instant::now();
        assert_eq!(
            block_on(store.attempts_reset("pin", "a")),
            Err(StoreError::Unavailable)
        );
        within("attempts_reset", t);
        let t = Instant::now();
        assert_eq!(
            block_on(store.call_facts("c")),
            Err(StoreError::Unavailable)
        );
        within("call_facts", t);
        let t = Instant::now();
        assert_eq!(
            block_on(store.set_call_fact("c", "x", &json!(1), Duration::from_secs(5))),
            Err(StoreError::Unavailable)
        );
        within("set_call_fact", t);
        let t = Instant::now();
        assert_eq!(block_on(store.emergency()), Err(StoreError::Unavailable));
        within("emergency", t);
        let t = Instant::now();
        assert_eq!(
            block_on(store.set_emergency("secure")),
            Err(StoreError::Unavailable)
        );
        within("set_emergency", t);
    }
    // Many at once: none hangs, none succeeds.
    let t = Instant::now();
    let answers = block_on(futures_util::future::join_all((0..500).map(|i| {
        let store = store.clone();
        async move { store.rate("t", &format!("caller-{i}")).await }
    })));
    assert!(answers.iter().all(|a| *a == Err(StoreError::Unavailable)));
    within("500 at once", t);

    server.restart();
    let t = Instant::now();
    while block_on(store.rate("t", "a")) != Ok(Ok(())) {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the store did not come back"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for _ in 0..20 {
        assert_eq!(block_on(store.emergency()), Ok(None));
        assert!(
            !block_on(store.attempt_failed("pin", "a", Lockout::after(100)))
                .unwrap()
                .is_locked()
        );
    }
}

#[test]
fn a_server_that_stops_answering_cannot_pile_up_requests() {
    let Some(server) = TestRedis::start("a_server_that_stops_answering") else {
        return;
    };
    let timeout = Duration::from_millis(250);
    let bounded = StateStore::redis(&server.url(), "ns", vec![], timeout).expect("a store");
    // The same store without the caller's timeout: only this layer's own
    // limits end its requests.
    let raw = RedisStore::new(&server.url(), "ns", vec![]).expect("a store");
    assert_eq!(block_on(bounded.emergency()), Ok(None));
    assert_eq!(block_on(raw.emergency()), Ok(None));

    server.pause();
    let t = Instant::now();
    assert_eq!(block_on(bounded.emergency()), Err(StoreError::Unavailable));
    assert!(t.elapsed() < timeout + Duration::from_secs(1));
    // Far more requests than the queue and the in-flight limit hold, with
    // nobody giving up on them: the excess is refused at once, the rest
    // end at the layer's deadline. Nothing waits for the server to return.
    let t = Instant::now();
    let answers = block_on(futures_util::future::join_all(
        (0..3000).map(|_| raw.emergency()),
    ));
    assert!(answers.iter().all(|a| *a == Err(StoreError::Unavailable)));
    assert!(t.elapsed() < Duration::from_secs(8), "{:?}", t.elapsed());

    server.resume();
    let t = Instant::now();
    while block_on(bounded.emergency()) != Ok(None) {
        assert!(t.elapsed() < Duration::from_secs(10), "did not come back");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(block_on(raw.emergency()), Ok(None));
}

#[test]
fn a_store_that_is_down_at_start_up_is_used_once_it_is_up() {
    let Some(mut server) = TestRedis::stopped("a_store_that_is_down_at_start_up") else {
        return;
    };
    let t = Instant::now();
    let store = StateStore::redis(&server.url(), "ns", vec![], Duration::from_millis(250))
        .expect("a store whose server is down still starts");
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    assert_eq!(block_on(store.emergency()), Err(StoreError::Unavailable));
    server.restart();
    let t = Instant::now();
    while block_on(store.emergency()) != Ok(None) {
        assert!(t.elapsed() < Duration::from_secs(10), "never connected");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(block_on(store.set_emergency("secure")), Ok(()));
    assert_eq!(block_on(store.emergency()), Ok(Some("secure".to_owned())));
}

#[test]
fn creating_a_store_does_not_wait_for_the_network() {
    // 192.0.2.1 (TEST-NET-1) is never routed: a connection attempt there
    // hangs until its own timeout, or fails at once where there is no
    // route at all. Either way, start-up does not wait for it.
    let t = Instant::now();
    let timeout = Duration::from_millis(250);
    let store =
        StateStore::redis("redis://192.0.2.1:6379/0", "ns", vec![], timeout).expect("a store");
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    let t = Instant::now();
    assert_eq!(block_on(store.emergency()), Err(StoreError::Unavailable));
    assert!(t.elapsed() < timeout + Duration::from_secs(1));
}

#[test]
fn the_connection_outlives_the_runtimes_that_used_it() {
    let Some(server) = TestRedis::start("the_connection_outlives_the_runtimes") else {
        return;
    };
    // Created inside a runtime that then ends, like a CLI command.
    let store = block_on(async { store(&server, "ns", &[("t", "1000/sec")]) });
    for _ in 0..5 {
        // A new runtime each time; the first one opened the connection.
        assert_eq!(block_on(store.rate("t", "a")), Ok(Ok(())));
    }
    // Several threads with runtimes of their own, like actix-web workers.
    std::thread::scope(|s| {
        for worker in 0..4 {
            let store = &store;
            s.spawn(move || {
                block_on(async {
                    for i in 0..50 {
                        let fact = json!(i);
                        store
                            .set_call_fact(
                                &format!("w{worker}"),
                                "n",
                                &fact,
                                Duration::from_secs(5),
                            )
                            .await
                            .unwrap();
                    }
                });
            });
        }
    });
    for worker in 0..4 {
        let facts = block_on(store.call_facts(&format!("w{worker}"))).unwrap();
        assert_eq!(facts["n"], json!(49));
    }
}

#[test]
fn credentials_in_the_url_are_used_and_never_shown() {
    let password = "s3cret-test-pw";
    let Some(server) = TestRedis::with_password("credentials_in_the_url", password) else {
        return;
    };
    let port = server.port();
    for url in [
        format!("redis://:{password}@127.0.0.1:{port}/0"),
        format!("redis://default:{password}@127.0.0.1:{port}/2"),
    ] {
        let store = RedisStore::new(&url, "ns", vec![]).expect("a store");
        assert!(!format!("{store:?}").contains(password), "{store:?}");
        block_on(store.set_emergency("secure")).unwrap();
        assert_eq!(block_on(store.emergency()), Ok(Some("secure".to_owned())));
    }
    let wrong = StateStore::redis(
        &format!("redis://default:wrong-pw@127.0.0.1:{port}/0"),
        "ns",
        vec![],
        Duration::from_millis(500),
    )
    .expect("a store");
    assert_eq!(block_on(wrong.emergency()), Err(StoreError::Unavailable));
    let anonymous = StateStore::redis(
        &format!("redis://127.0.0.1:{port}/0"),
        "ns",
        vec![],
        Duration::from_millis(500),
    )
    .expect("a store");
    assert!(block_on(anonymous.emergency()).is_err());
}

#[test]
fn resp3_connections_work_too() {
    let Some(server) = TestRedis::start("resp3_connections_work_too") else {
        return;
    };
    let url = format!("{}?protocol=resp3", server.url());
    let a = RedisStore::new(&url, "ns", scopes(&[("t", "1/min")])).expect("a store");
    block_on(async {
        assert_eq!(a.rate("t", "x").await, Ok(Ok(())));
        assert!(matches!(a.rate("t", "x").await, Ok(Err(_))));
        let limit = Lockout::after(1);
        assert!(
            a.attempt_failed("pin", "x", limit)
                .await
                .unwrap()
                .is_locked()
        );
        a.set_call_fact("c", "k", &json!({"a": [1]}), Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(a.call_facts("c").await.unwrap()["k"], json!({"a": [1]}));
        a.set_emergency("secure").await.unwrap();
        assert_eq!(a.emergency().await, Ok(Some("secure".to_owned())));
    });
}

#[test]
fn values_this_runtime_did_not_write_are_malformed() {
    let Some(server) = TestRedis::start("values_this_runtime_did_not_write") else {
        return;
    };
    let a = store(&server, "ns", &[("t", "5/min")]);
    let mut con = inspect(&server);
    let mut set = |key: String, value: &str| {
        let _: () = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .query(&mut con)
            .unwrap();
    };
    set(format!("swml:ns:rate:t:{}", subject_key("x")), "soon");
    set(format!("swml:ns:attempts:pin:{}", subject_key("x")), "3");
    set("swml:ns:emergency".to_owned(), "maybe");
    set(format!("swml:ns:call:{}", subject_key("x")), "{}");
    let _: () = redis::cmd("HSET")
        .arg(format!("swml:ns:call:{}", subject_key("y")))
        .arg("fact")
        .arg("not json")
        .query(&mut con)
        .unwrap();
    block_on(async {
        assert_eq!(a.rate("t", "x").await, Err(StoreError::Malformed));
        let limit = Lockout::after(3);
        assert_eq!(
            a.attempts("pin", "x", limit).await,
            Err(StoreError::Malformed)
        );
        assert_eq!(a.emergency().await, Err(StoreError::Malformed));
        assert_eq!(a.call_facts("x").await, Err(StoreError::Malformed));
        assert_eq!(a.call_facts("y").await, Err(StoreError::Malformed));
    });
}

#[test]
fn scripts_are_sent_again_after_the_server_forgets_them() {
    let Some(server) = TestRedis::start("scripts_are_sent_again") else {
        return;
    };
    let a = store(&server, "ns", &[("t", "100/min")]);
    let mut con = inspect(&server);
    for _ in 0..3 {
        let _: () = redis::cmd("SCRIPT").arg("FLUSH").query(&mut con).unwrap();
        block_on(async {
            assert_eq!(a.rate("t", "x").await, Ok(Ok(())));
            let status = a.attempt_failed("pin", "x", Lockout::after(100)).await;
            assert!(status.is_ok());
            let fact = json!(1);
            let set = a.set_call_fact("c", "k", &fact, Duration::from_secs(5));
            assert_eq!(set.await, Ok(()));
        });
    }
}
