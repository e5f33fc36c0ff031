//! The timestamp window against replays. WeCom signs `timestamp` together with the message,
//! so a captured request replayed later still carries its old timestamp: one further from
//! this server's clock than the window (either side, for clock skew) is refused after the
//! signature check and before any decryption.
//!
//! The rule is written once, here, for every kind of callback: an app's 接收消息 callbacks
//! now, a provider's (代开发 / third-party 指令回调) later, which build their
//! [`CallbackCrypto`](super::CallbackCrypto) with the suite id and get the same check.

use std::time::{SystemTime, UNIX_EPOCH};

use super::rejection::Rejection;
use crate::error::{Error, Result};

/// The default window, seconds either side of this server's clock.
pub const DEFAULT_SECS: u64 = 600;
/// The widest window accepted; beyond that, turn the check off instead.
pub const MAX_SECS: u64 = 86_400;
/// Longest timestamp parsed (u64 has 20 digits).
const MAX_DIGITS: usize = 20;

/// How far a callback's timestamp may be from now; `off()` accepts any (replaying stored
/// messages in tools).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimestampWindow(Option<u64>);

impl Default for TimestampWindow {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TimestampWindow {
    pub const DEFAULT: Self = Self(Some(DEFAULT_SECS));

    /// No check.
    pub const fn off() -> Self {
        Self(None)
    }

    /// A window of `secs` seconds either side, 1 to [`MAX_SECS`].
    pub fn seconds(secs: u64) -> Result<Self> {
        if secs == 0 || secs > MAX_SECS {
            return Err(Error::configuration(format!(
                "the callback timestamp window must be 1 to {MAX_SECS} seconds (or off), got {secs}"
            )));
        }
        Ok(Self(Some(secs)))
    }

    /// The window in seconds, `None` when off.
    pub fn secs(self) -> Option<u64> {
        self.0
    }

    /// Checks a callback's `timestamp` (Unix seconds, decimal) against `now` (Unix seconds).
    /// The bounds are inclusive: exactly the window away is accepted.
    pub fn check(self, timestamp: &str, now: u64) -> Result<()> {
        let Some(window) = self.0 else {
            return Ok(());
        };
        let parsed = (!timestamp.is_empty()
            && timestamp.len() <= MAX_DIGITS
            && timestamp.bytes().all(|b| b.is_ascii_digit()))
        .then(|| timestamp.parse::<u64>().ok())
        .flatten();
        let Some(sent) = parsed else {
            return Err(Error::callback(
                Rejection::Timestamp,
                "the timestamp is not decimal Unix seconds",
            ));
        };
        let off_by = sent.abs_diff(now);
        if off_by <= window {
            return Ok(());
        }
        let side = if sent < now { "behind" } else { "ahead of" };
        Err(Error::callback(
            Rejection::Timestamp,
            format!(
                "the timestamp is {off_by} s {side} this server's clock, outside the window of {window} s either side"
            ),
        ))
    }
}

/// The core's clock: Unix seconds now (0 if the system clock is before 1970).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000;

    fn refused(r: Result<()>) -> bool {
        matches!(
            r,
            Err(Error::Callback {
                reason: Rejection::Timestamp,
                ..
            })
        )
    }

    #[test]
    fn each_side_of_the_default_window() {
        let w = TimestampWindow::DEFAULT;
        let ts = |t: u64| t.to_string();
        assert!(w.check(&ts(NOW), NOW).is_ok());
        assert!(w.check(&ts(NOW - DEFAULT_SECS), NOW).is_ok());
        assert!(w.check(&ts(NOW + DEFAULT_SECS), NOW).is_ok());
        assert!(refused(w.check(&ts(NOW - DEFAULT_SECS - 1), NOW)));
        assert!(refused(w.check(&ts(NOW + DEFAULT_SECS + 1), NOW)));
        assert!(refused(w.check("1", NOW)));
    }

    #[test]
    fn a_configured_window_and_off() {
        let w = TimestampWindow::seconds(30).unwrap();
        assert!(w.check(&(NOW - 30).to_string(), NOW).is_ok());
        assert!(refused(w.check(&(NOW - 31).to_string(), NOW)));
        assert!(refused(w.check(&(NOW + 31).to_string(), NOW)));
        let off = TimestampWindow::off();
        assert!(off.check("1", NOW).is_ok());
        assert!(off.check("not a number", NOW).is_ok());
        assert_eq!(off.secs(), None);
    }

    #[test]
    fn refuses_timestamps_that_are_not_seconds() {
        let w = TimestampWindow::DEFAULT;
        for bad in [
            "",
            " 1700000000",
            "1700000000 ",
            "-1",
            "1.5",
            "17e8",
            "99999999999999999999999",
        ] {
            assert!(refused(w.check(bad, NOW)), "{bad:?}");
        }
        assert!(refused(w.check(&u64::MAX.to_string(), NOW)));
    }

    #[test]
    fn the_message_says_which_side_without_the_timestamp() {
        let w = TimestampWindow::DEFAULT;
        let behind = w.check("1", NOW).unwrap_err().to_string();
        assert!(
            behind.contains("behind") && behind.contains("600 s"),
            "{behind}"
        );
        assert!(!behind.contains(" 1 "), "{behind}");
        let ahead = w
            .check(&(NOW + 601).to_string(), NOW)
            .unwrap_err()
            .to_string();
        assert!(ahead.contains("601 s ahead of"), "{ahead}");
    }

    #[test]
    fn window_bounds() {
        assert!(TimestampWindow::seconds(0).is_err());
        assert!(TimestampWindow::seconds(MAX_SECS + 1).is_err());
        assert_eq!(
            TimestampWindow::seconds(MAX_SECS).unwrap().secs(),
            Some(MAX_SECS)
        );
        assert!(unix_now() > NOW);
    }
}
