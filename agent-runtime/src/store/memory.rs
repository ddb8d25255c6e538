//! The in-process store: one replica's state, in memory, bounded.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::{AttemptStatus, Lockout, subject_key};
use crate::ratelimit::{InMemoryRateLimits, Rate};

/// The most attempt subjects and calls kept; past it, expired entries are
/// dropped at once, and if none has expired the oldest entries go.
const MAX_ENTRIES: usize = 100_000;

/// Failures and lock of one subject.
#[derive(Debug, Clone, Copy)]
struct Attempts {
    failures: u32,
    window_ends: Instant,
    locked_until: Option<Instant>,
}

/// The facts of one call, until they expire.
#[derive(Debug, Clone)]
struct CallFacts {
    expires: Instant,
    facts: Map<String, Value>,
}

/// In-memory state of one process.
pub(crate) struct MemoryStore {
    rates: InMemoryRateLimits,
    attempts: Mutex<HashMap<String, Attempts>>,
    calls: Mutex<HashMap<String, CallFacts>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves whole entries, not broken ones.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Drops what `expired` says has expired when the map is full; then, if it
/// is still full, drops entries until there is room (the map has no order,
/// so which go is arbitrary: under a flood of distinct subjects, bounded
/// memory wins over keeping every one).
fn make_room<V>(map: &mut HashMap<String, V>, now: Instant, expired: impl Fn(&V, Instant) -> bool) {
    if map.len() < MAX_ENTRIES {
        return;
    }
    map.retain(|_, v| !expired(v, now));
    if map.len() >= MAX_ENTRIES {
        let excess = map.len() - MAX_ENTRIES + MAX_ENTRIES / 100;
        let victims: Vec<String> = map.keys().take(excess).cloned().collect();
        for key in victims {
            map.remove(&key);
        }
    }
}

impl MemoryStore {
    pub(crate) fn new(scopes: Vec<(String, Rate)>) -> Self {
        MemoryStore {
            rates: InMemoryRateLimits::new(scopes),
            attempts: Mutex::new(HashMap::new()),
            calls: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn rate(&self, scope: &str, key: &str) -> Result<(), Duration> {
        self.rates.check(scope, key)
    }

    fn status(entry: Option<&Attempts>, limit: Lockout, now: Instant) -> AttemptStatus {
        let locked_for = entry
            .and_then(|e| e.locked_until)
            .and_then(|until| until.checked_duration_since(now))
            .filter(|d| !d.is_zero());
        let failures = entry
            .filter(|e| e.window_ends > now && locked_for.is_none())
            .map_or(0, |e| e.failures);
        AttemptStatus {
            failures,
            remaining: if locked_for.is_some() {
                0
            } else {
                limit.max_failures.saturating_sub(failures)
            },
            locked_for,
        }
    }

    pub(crate) fn attempts(&self, kind: &str, subject: &str, limit: Lockout) -> AttemptStatus {
        let key = format!("{kind}\0{}", subject_key(subject));
        let map = lock(&self.attempts);
        Self::status(map.get(&key), limit, Instant::now())
    }

    pub(crate) fn attempt_failed(
        &self,
        kind: &str,
        subject: &str,
        limit: Lockout,
    ) -> AttemptStatus {
        let key = format!("{kind}\0{}", subject_key(subject));
        let now = Instant::now();
        let mut map = lock(&self.attempts);
        make_room(&mut map, now, |e: &Attempts, now| {
            e.window_ends <= now && e.locked_until.is_none_or(|u| u <= now)
        });
        let entry = map.entry(key).or_insert(Attempts {
            failures: 0,
            window_ends: now + limit.window,
            locked_until: None,
        });
        if entry.locked_until.is_some_and(|until| until > now) {
            return Self::status(Some(entry), limit, now);
        }
        if entry.window_ends <= now || entry.locked_until.is_some() {
            *entry = Attempts {
                failures: 0,
                window_ends: now + limit.window,
                locked_until: None,
            };
        }
        entry.failures += 1;
        if entry.failures >= limit.max_failures {
            entry.locked_until = Some(now + limit.lock_for);
        }
        Self::status(Some(entry), limit, now)
    }

    pub(crate) fn attempts_reset(&self, kind: &str, subject: &str) {
        let key = format!("{kind}\0{}", subject_key(subject));
        let now = Instant::now();
        let mut map = lock(&self.attempts);
        // A running lock stays; only the count is forgotten.
        if map
            .get(&key)
            .is_none_or(|e| e.locked_until.is_none_or(|u| u <= now))
        {
            map.remove(&key);
        }
    }

    pub(crate) fn call_facts(&self, call_id: &str) -> Map<String, Value> {
        let map = lock(&self.calls);
        map.get(call_id)
            .filter(|c| c.expires > Instant::now())
            .map(|c| c.facts.clone())
            .unwrap_or_default()
    }

    pub(crate) fn set_call_fact(&self, call_id: &str, name: &str, value: &Value, ttl: Duration) {
        let now = Instant::now();
        let mut map = lock(&self.calls);
        make_room(&mut map, now, |c: &CallFacts, now| c.expires <= now);
        let entry = map.entry(call_id.to_owned()).or_insert_with(|| CallFacts {
            expires: now + ttl,
            facts: Map::new(),
        });
        if entry.expires <= now {
            entry.facts.clear();
        }
        entry.expires = now + ttl;
        entry.facts.insert(name.to_owned(), value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn three_failures_lock_and_success_only_forgets_the_count() {
        let store = MemoryStore::new(vec![]);
        let limit = Lockout::after(3).lock_for(Duration::from_secs(60));
        let first = store.attempt_failed("pin", "+15550001", limit);
        assert_eq!(
            (first.failures, first.remaining, first.is_locked()),
            (1, 2, false)
        );
        store.attempt_failed("pin", "+15550001", limit);
        let third = store.attempt_failed("pin", "+15550001", limit);
        assert!(third.is_locked());
        assert_eq!(third.remaining, 0);
        assert!(store.attempts("pin", "+15550001", limit).is_locked());
        // Another subject and another kind are untouched.
        assert_eq!(store.attempts("pin", "+15550002", limit).failures, 0);
        assert!(!store.attempts("otp", "+15550001", limit).is_locked());
        // A success during the lock does not lift it.
        store.attempts_reset("pin", "+15550001");
        assert!(store.attempts("pin", "+15550001", limit).is_locked());
        store.attempt_failed("pin", "+15550002", limit);
        store.attempts_reset("pin", "+15550002");
        assert_eq!(store.attempts("pin", "+15550002", limit).failures, 0);
    }

    #[test]
    fn locks_and_windows_expire() {
        let store = MemoryStore::new(vec![]);
        let limit = Lockout::after(1)
            .within(Duration::from_millis(30))
            .lock_for(Duration::from_millis(30));
        assert!(store.attempt_failed("pin", "a", limit).is_locked());
        std::thread::sleep(Duration::from_millis(60));
        let after = store.attempts("pin", "a", limit);
        assert!(!after.is_locked());
        assert_eq!(after.remaining, 1);
    }

    #[test]
    fn call_facts_are_kept_per_call_until_they_expire() {
        let store = MemoryStore::new(vec![]);
        store.set_call_fact(
            "c1",
            "pin_verified",
            &json!(true),
            Duration::from_millis(40),
        );
        assert_eq!(store.call_facts("c1")["pin_verified"], true);
        assert!(store.call_facts("c2").is_empty());
        std::thread::sleep(Duration::from_millis(60));
        assert!(store.call_facts("c1").is_empty());
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_subjects() {
        let store = MemoryStore::new(vec![]);
        let limit = Lockout::after(5);
        for i in 0..(MAX_ENTRIES + 5_000) {
            store.attempt_failed("pin", &format!("+1{i}"), limit);
        }
        assert!(lock(&store.attempts).len() <= MAX_ENTRIES);
    }
}
