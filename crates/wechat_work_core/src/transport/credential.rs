//! Credentials WeCom issues and the client caches: access tokens (`gettoken`) and JS-SDK
//! tickets (`get_jsapi_ticket`, `ticket/get?type=agent_config`).
//!
//! One cache for all of them, with the same guarantees:
//! * one value per key, shared by every client of the process (keys include the secret, since
//!   two apps of one corp share the corp id, and the agent id for agent tickets);
//! * single flight: the first caller fetches, the others wait (cancellably) for it;
//! * refreshed a margin before expiry;
//! * optionally shared between processes through a [`SharedStore`] (Rails.cache, Redis);
//! * compare-and-drop: a value WeCom rejected is dropped only if it is still the cached one;
//! * rebuilt, never dropped, after fork (the child starts with the parent's values).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::fork::ForkLocal;

/// A cache shared by processes. Implementations must be quick; failures are treated as a
/// miss (the value is then fetched from WeCom), never as a failed call.
pub trait SharedStore: Send + Sync {
    fn read(&self, key: &str) -> Result<Option<String>, String>;
    /// `value: None` deletes.
    fn write(&self, key: &str, value: Option<&str>, ttl: Duration) -> Result<(), String>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    AccessToken,
    /// The corp's jsapi_ticket, for `wx.config`.
    CorpTicket,
    /// An app's jsapi_ticket, for `wx.agentConfig`.
    AgentTicket,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AccessToken => "access_token",
            Kind::CorpTicket => "jsapi_ticket",
            Kind::AgentTicket => "agent_ticket",
        }
    }
}

#[derive(Clone)]
pub struct Credential {
    pub value: String,
    /// Past this instant the value is refetched (expiry minus a margin).
    pub refresh_at: Instant,
    /// Wall-clock expiry, for the shared store.
    pub expires_at_unix: u64,
    /// When WeCom issued it to this app (wall clock, shared through the store), if known: a
    /// value read from a store written by an older version has no date.
    pub fetched_at_unix: Option<u64>,
}

impl Credential {
    /// A value just fetched, living `expires_in` seconds.
    pub fn new(value: String, expires_in: u64) -> Self {
        let now = Instant::now();
        let unix = unix_now();
        Self {
            value,
            refresh_at: now + Duration::from_secs(expires_in.saturating_sub(margin(expires_in))),
            expires_at_unix: unix.saturating_add(expires_in),
            fetched_at_unix: Some(unix),
        }
    }

    pub fn is_fresh(&self) -> bool {
        Instant::now() < self.refresh_at
    }

    pub fn remaining_secs(&self) -> u64 {
        self.expires_at_unix.saturating_sub(unix_now())
    }

    /// What goes into the shared store.
    pub fn to_store_value(&self) -> String {
        match self.fetched_at_unix {
            Some(at) => {
                json!({"value": self.value, "expires_at": self.expires_at_unix, "fetched_at": at})
            }
            None => json!({"value": self.value, "expires_at": self.expires_at_unix}),
        }
        .to_string()
    }

    pub fn from_store_value(text: &str) -> Option<Credential> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        // "access_token": what versions before the credential cache wrote.
        let value = v
            .get("value")
            .or_else(|| v.get("access_token"))?
            .as_str()?
            .to_string();
        let expires_at = v.get("expires_at")?.as_u64()?;
        let remaining = expires_at.checked_sub(unix_now())?;
        let mut credential = Credential::new(value, remaining);
        credential.fetched_at_unix = v.get("fetched_at").and_then(|at| at.as_u64());
        credential.is_fresh().then_some(credential)
    }

    /// Seconds the value may stay in the shared store.
    pub fn store_ttl(&self) -> Duration {
        Duration::from_secs(self.remaining_secs().max(1))
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("value", &"[FILTERED]")
            .field("expires_at_unix", &self.expires_at_unix)
            .finish()
    }
}

/// Refresh this long before expiry: 5 minutes, or a quarter of a short lifetime. A quarter
/// (rather than a fixed margin) matters when WeCom hands back the same value with its
/// remaining lifetime: each refetch then extends the use instead of looping.
pub fn margin(expires_in: u64) -> u64 {
    (expires_in / 4).min(300)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Identifies one cached credential. Readable and stable across processes, without revealing
/// the secret: `wechat_work:access_token:<corp id>:<digest>`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Key {
    text: String,
    kind: Kind,
}

impl Key {
    pub fn new(
        kind: Kind,
        base_url: &str,
        corp_id: &str,
        secret: &str,
        agent_id: Option<i64>,
    ) -> Self {
        let mut digest = Sha256::new();
        digest.update(base_url.trim_end_matches('/').as_bytes());
        digest.update([0]);
        digest.update(corp_id.as_bytes());
        digest.update([0]);
        digest.update(secret.as_bytes());
        let hex: String = digest.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let text = match (kind, agent_id) {
            (Kind::AgentTicket, Some(agent)) => {
                format!("wechat_work:{}:{corp_id}:{agent}:{hex}", kind.as_str())
            }
            _ => format!("wechat_work:{}:{corp_id}:{hex}", kind.as_str()),
        };
        Key { text, kind }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }
}

/// One cached credential, and the lock that makes refetching single-flight.
#[derive(Default)]
pub struct Slot {
    cached: Mutex<Option<Credential>>,
    /// The last value WeCom rejected: a shared store may still hand it out for a moment.
    rejected: Mutex<Option<String>>,
    /// Held (asynchronously, so a waiter can be cancelled) by the one caller fetching.
    pub(crate) refresh: tokio::sync::Mutex<()>,
}

impl Slot {
    pub fn fresh(&self) -> Option<Credential> {
        self.cached
            .lock()
            .as_ref()
            .filter(|t| t.is_fresh())
            .cloned()
    }

    /// The cached value even past its refresh point, while it has not expired.
    pub fn latest(&self) -> Option<Credential> {
        self.cached
            .lock()
            .as_ref()
            .filter(|t| t.remaining_secs() > 0)
            .cloned()
    }

    pub fn set(&self, credential: Credential) {
        *self.cached.lock() = Some(credential);
    }

    /// Drops the cached value only if it is still `rejected`: one another thread already
    /// replaced must not be thrown away.
    pub fn invalidate(&self, rejected: &str) -> bool {
        let mut cached = self.cached.lock();
        *self.rejected.lock() = Some(rejected.to_string());
        if cached.as_ref().is_some_and(|t| t.value == rejected) {
            *cached = None;
            true
        } else {
            false
        }
    }

    /// Empties the cache without marking anything rejected (a new process, in tests).
    #[cfg(test)]
    pub(crate) fn clear(&self) {
        *self.cached.lock() = None;
    }

    pub fn was_rejected(&self, value: &str) -> bool {
        self.rejected.lock().as_deref() == Some(value)
    }

    fn snapshot(&self) -> Option<Credential> {
        self.cached.try_lock().and_then(|c| c.clone())
    }
}

type Slots = Mutex<HashMap<Key, Arc<Slot>>>;

static REGISTRY: ForkLocal<Slots> = ForkLocal::new();

/// The process-wide slot for `key`. A forked child gets a fresh registry (a lock held by a
/// parent thread at fork time would never be released), seeded with the parent's values where
/// they can be read without waiting.
pub fn slot(key: &Key) -> Arc<Slot> {
    let registry = REGISTRY.get_or_try_init_from(|inherited| -> Result<Slots, ()> {
        let mut seeded = HashMap::new();
        if let Some(slots) = inherited.and_then(|m| m.try_lock()) {
            for (k, s) in slots.iter() {
                if let Some(value) = s.snapshot() {
                    let fresh = Slot::default();
                    fresh.set(value);
                    seeded.insert(k.clone(), Arc::new(fresh));
                }
            }
        }
        Ok(Mutex::new(seeded))
    });
    match registry {
        Ok(slots) => slots.lock().entry(key.clone()).or_default().clone(),
        // Building the registry cannot fail; a standalone slot still works, unshared.
        Err(()) => Arc::new(Slot::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_five_minutes_or_a_quarter() {
        assert_eq!(margin(7200), 300);
        assert_eq!(margin(400), 100);
        assert_eq!(margin(0), 0);
        assert!(Credential::new("t".into(), 7200).is_fresh());
        assert!(!Credential::new("t".into(), 0).is_fresh());
    }

    #[test]
    fn keys_differ_per_kind_secret_and_agent_and_hide_the_secret() {
        let k = |kind, secret, agent| Key::new(kind, "https://x", "ww1", secret, agent);
        let token_a = k(Kind::AccessToken, "secret-a", None);
        assert_ne!(token_a, k(Kind::AccessToken, "secret-b", None));
        assert_ne!(token_a, k(Kind::CorpTicket, "secret-a", None));
        assert_ne!(
            k(Kind::AgentTicket, "secret-a", Some(1)),
            k(Kind::AgentTicket, "secret-a", Some(2))
        );
        assert!(!token_a.as_str().contains("secret"));
        assert!(token_a
            .as_str()
            .starts_with("wechat_work:access_token:ww1:"));
        assert!(k(Kind::AgentTicket, "s", Some(1000002))
            .as_str()
            .starts_with("wechat_work:agent_ticket:ww1:1000002:"));
    }

    #[test]
    fn invalidate_only_drops_the_rejected_value() {
        let slot = Slot::default();
        slot.set(Credential::new("new".into(), 7200));
        assert!(!slot.invalidate("old"));
        assert_eq!(slot.fresh().map(|t| t.value), Some("new".into()));
        assert!(slot.invalidate("new"));
        assert!(slot.fresh().is_none());
        assert!(slot.was_rejected("new"));
    }

    #[test]
    fn store_round_trip_and_the_old_format() {
        let mut c = Credential::new("abc".into(), 7200);
        c.fetched_at_unix = Some(unix_now() - 60);
        let back = Credential::from_store_value(&c.to_store_value());
        assert_eq!(back.as_ref().map(|t| t.value.as_str()), Some("abc"));
        assert_eq!(back.and_then(|t| t.fetched_at_unix), c.fetched_at_unix);
        let old = format!(
            r#"{{"access_token":"old","expires_at":{}}}"#,
            unix_now() + 3600
        );
        assert_eq!(
            Credential::from_store_value(&old)
                .map(|t| t.value)
                .as_deref(),
            Some("old")
        );
        assert_eq!(
            Credential::from_store_value(&old).and_then(|t| t.fetched_at_unix),
            None
        );
        assert!(Credential::from_store_value(r#"{"value":"x","expires_at":1}"#).is_none());
        assert!(Credential::from_store_value("garbage").is_none());
    }

    #[test]
    fn registry_returns_one_slot_per_key() {
        let key = Key::new(Kind::AccessToken, "https://x", "ww-reg", "s", None);
        assert!(Arc::ptr_eq(&slot(&key), &slot(&key)));
    }
}
