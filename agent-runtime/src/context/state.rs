//! What a handler (or guard) can know and record on the server's side, in
//! the shared state store: facts about the call ("this caller passed PIN
//! verification"), kept for the lifetime of the call's tokens, and attempt
//! counters with lockout that outlive the call (a redial does not reset
//! them) and are shared by every replica.
//!
//! The platform echoes `global_data` back, and anyone holding the basic-auth
//! credentials can write it into a request body, so a security decision must
//! never rest on it: it rests on facts stored here.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::store::{AttemptStatus, Lockout, StateStore, StoreError};

/// The store behind one call's context.
#[derive(Clone, Debug)]
pub(crate) struct StoreAccess {
    pub store: StateStore,
    /// How long facts live (the token lifetime).
    pub ttl: Duration,
    /// The facts loaded before a guard ran (guards cannot wait on the store).
    pub loaded: Option<Map<String, Value>>,
}

/// The server-side facts of one call (see [`Call::facts`](super::Call::facts)).
#[derive(Debug, Clone, Copy)]
pub struct CallFacts<'a> {
    pub(super) call_id: Option<&'a str>,
    pub(super) access: Option<&'a StoreAccess>,
}

impl CallFacts<'_> {
    fn target(&self) -> Result<(&str, &StoreAccess), StoreError> {
        // A call without an id has no facts to keep; a context built by hand
        // has no store.
        match (self.call_id, self.access) {
            (Some(id), Some(access)) => Ok((id, access)),
            _ => Err(StoreError::Unavailable),
        }
    }

    /// One fact, read from the store.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be read (or the call has no id):
    /// treat it as "not known", never as "verified".
    pub async fn get<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StoreError> {
        let (id, access) = self.target()?;
        let facts = access.store.call_facts(id).await?;
        Ok(facts.get(name).and_then(|v| T::deserialize(v).ok()))
    }

    /// Records one fact for the rest of the call (it expires with the call's
    /// tokens).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written (or the call has no
    /// id): the fact is then not recorded.
    pub async fn set(&self, name: &str, value: impl Serialize) -> Result<(), StoreError> {
        let (id, access) = self.target()?;
        let value = serde_json::to_value(value).map_err(|_| StoreError::Malformed)?;
        access
            .store
            .set_call_fact(id, name, &value, access.ttl)
            .await
    }

    /// One fact as loaded before the tool's guard ran: what a guard, which
    /// cannot wait on the store, reads. `None` when the fact is not set (or
    /// nothing was loaded: the runtime loads facts for tools that declare a
    /// guard, and refuses the call when the store cannot be read).
    pub fn loaded<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        self.access
            .and_then(|a| a.loaded.as_ref())
            .and_then(|facts| facts.get(name))
            .and_then(|v| T::deserialize(v).ok())
    }
}

/// Attempt counters of one subject (see [`Call::attempts`](super::Call::attempts)).
#[derive(Debug, Clone)]
pub struct Attempts<'a> {
    pub(super) kind: &'a str,
    pub(super) subject: &'a str,
    pub(super) limit: Lockout,
    pub(super) access: Option<&'a StoreAccess>,
}

impl Attempts<'_> {
    fn store(&self) -> Result<&StateStore, StoreError> {
        self.access.map(|a| &a.store).ok_or(StoreError::Unavailable)
    }

    /// Where the subject stands (locked or not, failures left).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be read: treat it as locked.
    pub async fn status(&self) -> Result<AttemptStatus, StoreError> {
        self.store()?
            .attempts(self.kind, self.subject, self.limit)
            .await
    }

    /// Records one failure; the returned status says whether the subject is
    /// now locked.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written: treat it as locked.
    pub async fn failed(&self) -> Result<AttemptStatus, StoreError> {
        self.store()?
            .attempt_failed(self.kind, self.subject, self.limit)
            .await
    }

    /// Records a success: the failures are forgotten (a running lock stays
    /// until it ends).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be written.
    pub async fn succeeded(&self) -> Result<(), StoreError> {
        self.store()?.attempts_reset(self.kind, self.subject).await
    }
}
