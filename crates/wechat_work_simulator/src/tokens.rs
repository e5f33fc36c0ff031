//! Issued credentials (access tokens, JS-SDK tickets): one current value per owner, the same
//! value while it is valid, a new one after expiry or revocation. Tests force the client's
//! refresh paths with [`TokenStore::revoke_all`] (40014 on use) and
//! [`TokenStore::expire_all`] (42001 on use).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::wire::random_token;

/// Why a token was refused: the errcode WeCom answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// 41001 access_token missing
    Missing,
    /// 40014 invalid access_token (unknown or revoked)
    Invalid,
    /// 42001 access_token expired
    Expired,
}

impl TokenError {
    pub fn errcode(self) -> i64 {
        match self {
            TokenError::Missing => 41001,
            TokenError::Invalid => 40014,
            TokenError::Expired => 42001,
        }
    }
}

#[derive(Debug)]
struct Issued {
    expires_at: Instant,
    revoked: bool,
}

/// Length of issued tokens (WeCom: 64 to 512 bytes).
pub const TOKEN_LEN: usize = 96;

/// Expired and revoked tokens are forgotten after this long (they then answer 40014).
const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug)]
pub struct TokenStore {
    ttl: Duration,
    issued: HashMap<String, Issued>,
    current: Option<String>,
}

impl TokenStore {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            issued: HashMap::new(),
            current: None,
        }
    }

    /// The app's token and its remaining lifetime in seconds; a new one when the current one is
    /// gone, expired or revoked.
    pub fn get_or_issue(&mut self, now: Instant) -> (String, u64) {
        if let Some(token) = &self.current {
            if let Some(issued) = self.issued.get(token) {
                if !issued.revoked && issued.expires_at > now {
                    let left = issued.expires_at.saturating_duration_since(now);
                    // Round up so a fresh token says 7200, not 7199.
                    let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
                    return (token.clone(), secs);
                }
            }
        }
        self.forget_old(now);
        let token = random_token(TOKEN_LEN);
        self.issued.insert(
            token.clone(),
            Issued {
                expires_at: now.checked_add(self.ttl).unwrap_or(now),
                revoked: false,
            },
        );
        self.current = Some(token.clone());
        (token, self.ttl.as_secs())
    }

    pub fn check(&self, token: Option<&str>, now: Instant) -> Result<(), TokenError> {
        let token = match token {
            Some(t) if !t.is_empty() => t,
            _ => return Err(TokenError::Missing),
        };
        match self.issued.get(token) {
            None => Err(TokenError::Invalid),
            Some(i) if i.revoked => Err(TokenError::Invalid),
            Some(i) if i.expires_at <= now => Err(TokenError::Expired),
            Some(_) => Ok(()),
        }
    }

    /// The state of the first issued value `matches` accepts (Ok, or why it no longer works),
    /// None when none does. For values used only through a digest (JS-SDK signatures).
    pub fn find(
        &self,
        now: Instant,
        matches: impl Fn(&str) -> bool,
    ) -> Option<Result<(), TokenError>> {
        self.issued
            .iter()
            .find(|(value, _)| matches(value))
            .map(|(value, _)| self.check(Some(value), now))
    }

    /// Every issued token becomes invalid (40014); the next gettoken issues a new one.
    pub fn revoke_all(&mut self) {
        for issued in self.issued.values_mut() {
            issued.revoked = true;
        }
        self.current = None;
    }

    /// Every issued token expires now (42001); the next gettoken issues a new one.
    pub fn expire_all(&mut self, now: Instant) {
        for issued in self.issued.values_mut() {
            if issued.expires_at > now {
                issued.expires_at = now;
            }
        }
        self.current = None;
    }

    fn forget_old(&mut self, now: Instant) {
        self.issued
            .retain(|_, i| now.saturating_duration_since(i.expires_at) < FORGET_AFTER);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_token_while_valid_then_a_new_one() {
        let mut store = TokenStore::new(Duration::from_secs(7200));
        let t0 = Instant::now();
        let (a, exp_a) = store.get_or_issue(t0);
        assert!(a.len() >= 64);
        assert_eq!(exp_a, 7200);
        let (b, exp_b) = store.get_or_issue(t0 + Duration::from_secs(100));
        assert_eq!(a, b);
        assert_eq!(exp_b, 7100);
        let later = t0 + Duration::from_secs(7201);
        assert_eq!(store.check(Some(&a), later), Err(TokenError::Expired));
        let (c, _) = store.get_or_issue(later);
        assert_ne!(a, c);
        assert_eq!(store.check(Some(&c), later), Ok(()));
    }

    #[test]
    fn missing_unknown_revoked_expired() {
        let mut store = TokenStore::new(Duration::from_secs(7200));
        let now = Instant::now();
        assert_eq!(store.check(None, now), Err(TokenError::Missing));
        assert_eq!(store.check(Some(""), now), Err(TokenError::Missing));
        assert_eq!(store.check(Some("nope"), now), Err(TokenError::Invalid));
        let (a, _) = store.get_or_issue(now);
        store.revoke_all();
        assert_eq!(store.check(Some(&a), now), Err(TokenError::Invalid));
        let (b, _) = store.get_or_issue(now);
        assert_ne!(a, b);
        store.expire_all(now);
        assert_eq!(store.check(Some(&b), now), Err(TokenError::Expired));
        // revoked stays revoked even after an expire
        assert_eq!(store.check(Some(&a), now), Err(TokenError::Invalid));
        let (c, _) = store.get_or_issue(now);
        assert_ne!(b, c);
        assert_eq!(TokenError::Expired.errcode(), 42001);
        assert_eq!(TokenError::Invalid.errcode(), 40014);
        assert_eq!(TokenError::Missing.errcode(), 41001);
    }
}
