//! Exponential backoff with jitter, bounded by the call's deadline.

use std::time::Duration;

use rand::Rng;

/// Delay before retry number `retry` (0 for the first retry): base·2^retry capped at `max`,
/// then "equal jitter" (half fixed, half random) so a fleet of workers does not retry in step.
pub fn delay(retry: u32, base: Duration, max: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << retry.min(16));
    let capped = exp.min(max);
    let half = capped / 2;
    let jitter = rand::rng().random_range(0..=half.as_micros().min(u64::MAX as u128) as u64);
    half + Duration::from_micros(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_stays_within_bounds() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(1);
        for retry in 0..20 {
            let d = delay(retry, base, max);
            let cap = (base * 2u32.pow(retry.min(16))).min(max);
            assert!(
                d >= cap / 2 && d <= cap,
                "retry {retry}: {d:?} outside [{:?}, {cap:?}]",
                cap / 2
            );
        }
    }
}
