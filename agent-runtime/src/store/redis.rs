//! The Redis store (`SWML_STATE_URL`). Not connected yet: every operation
//! reports the store as unavailable, so every decision that depends on it
//! fails closed.

use std::time::Duration;

use serde_json::{Map, Value};

use super::{AttemptStatus, Lockout, StoreError};
use crate::ratelimit::Rate;

/// A Redis-backed store for one agent.
pub(crate) struct RedisStore;

impl RedisStore {
    pub(crate) fn new(
        _url: &str,
        _namespace: &str,
        _scopes: Vec<(String, Rate)>,
    ) -> Result<Self, StoreError> {
        Ok(RedisStore)
    }

    pub(crate) async fn rate(
        &self,
        _scope: &str,
        _key: &str,
    ) -> Result<Result<(), Duration>, StoreError> {
        Err(StoreError::Unavailable)
    }

    pub(crate) async fn attempts(
        &self,
        _kind: &str,
        _subject: &str,
        _limit: Lockout,
    ) -> Result<AttemptStatus, StoreError> {
        Err(StoreError::Unavailable)
    }

    pub(crate) async fn attempt_failed(
        &self,
        _kind: &str,
        _subject: &str,
        _limit: Lockout,
    ) -> Result<AttemptStatus, StoreError> {
        Err(StoreError::Unavailable)
    }

    pub(crate) async fn attempts_reset(
        &self,
        _kind: &str,
        _subject: &str,
    ) -> Result<(), StoreError> {
        Err(StoreError::Unavailable)
    }

    pub(crate) async fn call_facts(
        &self,
        _call_id: &str,
    ) -> Result<Map<String, Value>, StoreError> {
        Err(StoreError::Unavailable)
    }

    pub(crate) async fn set_call_fact(
        &self,
        _call_id: &str,
        _name: &str,
        _value: &Value,
        _ttl: Duration,
    ) -> Result<(), StoreError> {
        Err(StoreError::Unavailable)
    }

    pub(crate) async fn emergency(&self) -> Result<bool, StoreError> {
        Err(StoreError::Unavailable)
    }

    pub(crate) async fn set_emergency(&self, _on: bool) -> Result<(), StoreError> {
        Err(StoreError::Unavailable)
    }
}
