//! Writes that insist on what they read are tried again when a concurrent writer got there
//! first: a few times, each after a short pause that grows with the attempt and has random
//! jitter, so that callers who collided do not collide again in step.

use std::time::Duration;

/// Tries of one conditional write (or decision and write) before giving up as contended.
pub const CONFLICT_ATTEMPTS: u32 = 6;

/// The pause after conflict number `attempt` (from 0): 5 ms per attempt plus 0–15 ms of jitter.
pub async fn pause_after_conflict(attempt: u32) {
    tokio::time::sleep(pause_length(attempt, jitter_ms())).await;
}

fn jitter_ms() -> u64 {
    let mut byte = [0u8; 1];
    getrandom::fill(&mut byte).map_or(0, |()| u64::from(byte[0] % 16))
}

fn pause_length(attempt: u32, jitter_ms: u64) -> Duration {
    Duration::from_millis(5 * u64::from(attempt.saturating_add(1)) + jitter_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_with_the_attempt_and_stay_short() {
        assert_eq!(pause_length(0, 0), Duration::from_millis(5));
        assert_eq!(pause_length(5, 15), Duration::from_millis(45));
        assert!(jitter_ms() < 16);
    }
}
