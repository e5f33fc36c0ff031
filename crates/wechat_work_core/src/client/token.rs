//! Access tokens: one per (base URL, corp id, secret), shared by every client of the process,
//! fetched by one caller at a time (single flight), refreshed a margin before expiry, and
//! optionally shared between processes through a [`TokenStore`] (Rails.cache, Redis...).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwapOption;
use parking_lot::Mutex;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::config::ClientConfig;

/// A cache shared by processes. Implementations must be quick; failures are treated as a
/// miss (the token is then fetched from WeCom), never as a failed call.
pub trait TokenStore: Send + Sync {
    fn read(&self, key: &str) -> Result<Option<String>, String>;
    /// `value: None` deletes.
    fn write(&self, key: &str, value: Option<&str>, ttl: Duration) -> Result<(), String>;
}

#[derive(Clone)]
pub struct Token {
    pub value: String,
    /// Past this instant the token is refetched (expiry minus a margin).
    pub refresh_at: Instant,
    /// Wall-clock expiry, for the shared store.
    pub expires_at_unix: u64,
}

impl Token {
    pub fn new(value: String, expires_in: u64) -> Self {
        let now = Instant::now();
        Self {
            value,
            refresh_at: now + Duration::from_secs(expires_in.saturating_sub(margin(expires_in))),
            expires_at_unix: unix_now().saturating_add(expires_in),
        }
    }

    pub fn is_fresh(&self) -> bool {
        Instant::now() < self.refresh_at
    }

    fn remaining_secs(&self) -> u64 {
        self.expires_at_unix.saturating_sub(unix_now())
    }

    /// What goes into the shared store.
    pub fn to_store_value(&self) -> String {
        json!({"access_token": self.value, "expires_at": self.expires_at_unix}).to_string()
    }

    pub fn from_store_value(text: &str) -> Option<Token> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let value = v.get("access_token")?.as_str()?.to_string();
        let expires_at = v.get("expires_at")?.as_u64()?;
        let remaining = expires_at.checked_sub(unix_now())?;
        let token = Token::new(value, remaining);
        token.is_fresh().then_some(token)
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("value", &"[FILTERED]")
            .field("expires_at_unix", &self.expires_at_unix)
            .finish()
    }
}

/// Refresh this long before expiry: 5 minutes, or a quarter of a short lifetime. A quarter
/// (rather than a fixed margin) matters when WeCom hands back the same token with its
/// remaining lifetime: each refetch then extends the use instead of looping on gettoken.
pub fn margin(expires_in: u64) -> u64 {
    (expires_in / 4).min(300)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Identifies an app's token: never the corp alone (each app secret has its own token).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct TokenKey(String);

impl TokenKey {
    pub fn for_config(config: &ClientConfig) -> Self {
        let mut digest = Sha256::new();
        digest.update(config.base_url.trim_end_matches('/').as_bytes());
        digest.update([0]);
        digest.update(config.corp_id.as_bytes());
        digest.update([0]);
        digest.update(config.secret.expose().as_bytes());
        let hex: String = digest.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        // Readable and stable across processes, without revealing the secret.
        TokenKey(format!("wechat_work:access_token:{}:{hex}", config.corp_id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One app's cached token, and the lock that makes refetching single-flight.
#[derive(Default)]
pub struct TokenSlot {
    cached: Mutex<Option<Token>>,
    /// The last token WeCom rejected: a shared store may still hand it out for a moment.
    rejected: Mutex<Option<String>>,
    /// Held (asynchronously, so a waiter can be cancelled) by the one caller fetching.
    pub(crate) refresh: tokio::sync::Mutex<()>,
}

impl TokenSlot {
    pub fn fresh(&self) -> Option<Token> {
        self.cached
            .lock()
            .as_ref()
            .filter(|t| t.is_fresh())
            .cloned()
    }

    pub fn set(&self, token: Token) {
        *self.cached.lock() = Some(token);
    }

    /// Drops the cached token only if it is still `rejected`: a token another thread already
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

    pub fn was_rejected(&self, token: &str) -> bool {
        self.rejected.lock().as_deref() == Some(token)
    }

    fn snapshot(&self) -> Option<Token> {
        self.cached.try_lock().and_then(|c| c.clone())
    }
}

struct Registry {
    pid: u32,
    slots: Mutex<HashMap<TokenKey, Arc<TokenSlot>>>,
}

static REGISTRY: ArcSwapOption<Registry> = ArcSwapOption::const_empty();

/// The process-wide slot for `key`. After a fork the child gets a fresh registry (a lock held
/// by a parent thread at fork time would never be released), seeded with the parent's tokens
/// where they can be read without waiting.
pub fn slot(key: &TokenKey) -> Arc<TokenSlot> {
    let pid = std::process::id();
    loop {
        let current = REGISTRY.load_full();
        if let Some(reg) = current.as_ref().filter(|r| r.pid == pid) {
            return reg.slots.lock().entry(key.clone()).or_default().clone();
        }
        let mut seeded = HashMap::new();
        if let Some(inherited) = &current {
            if let Some(slots) = inherited.slots.try_lock() {
                for (k, s) in slots.iter() {
                    if let Some(token) = s.snapshot() {
                        let fresh = TokenSlot::default();
                        fresh.set(token);
                        seeded.insert(k.clone(), Arc::new(fresh));
                    }
                }
            }
        }
        let fresh = Arc::new(Registry {
            pid,
            slots: Mutex::new(seeded),
        });
        let previous = REGISTRY.compare_and_swap(&current, Some(fresh));
        let swapped = match (&*previous, &current) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if let Some(inherited) = current {
            if swapped && inherited.pid != pid {
                // Its tokio mutexes may be locked by threads that do not exist here: never drop.
                std::mem::forget(inherited);
            }
        }
    }
}

/// Seconds a token may stay in the shared store.
pub fn store_ttl(token: &Token) -> Duration {
    Duration::from_secs(token.remaining_secs().max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_five_minutes_or_a_quarter() {
        assert_eq!(margin(7200), 300);
        assert_eq!(margin(400), 100);
        assert_eq!(margin(0), 0);
        assert!(Token::new("t".into(), 7200).is_fresh());
        assert!(!Token::new("t".into(), 0).is_fresh());
    }

    #[test]
    fn keys_differ_per_secret_and_hide_it() {
        let a = ClientConfig::new("ww1", "secret-a");
        let b = ClientConfig::new("ww1", "secret-b");
        assert_ne!(TokenKey::for_config(&a), TokenKey::for_config(&b));
        assert!(!TokenKey::for_config(&a).as_str().contains("secret"));
        assert_eq!(TokenKey::for_config(&a), TokenKey::for_config(&a.clone()));
    }

    #[test]
    fn invalidate_only_drops_the_rejected_token() {
        let slot = TokenSlot::default();
        slot.set(Token::new("new".into(), 7200));
        assert!(!slot.invalidate("old"));
        assert_eq!(slot.fresh().map(|t| t.value), Some("new".into()));
        assert!(slot.invalidate("new"));
        assert!(slot.fresh().is_none());
    }

    #[test]
    fn store_round_trip() {
        let token = Token::new("abc".into(), 7200);
        let back = Token::from_store_value(&token.to_store_value()).map(|t| t.value);
        assert_eq!(back.as_deref(), Some("abc"));
        assert!(Token::from_store_value("{\"access_token\":\"x\",\"expires_at\":1}").is_none());
        assert!(Token::from_store_value("garbage").is_none());
    }

    #[test]
    fn registry_returns_one_slot_per_key() {
        let key = TokenKey::for_config(&ClientConfig::new("ww-reg", "s"));
        assert!(Arc::ptr_eq(&slot(&key), &slot(&key)));
    }
}
