//! Where "now" comes from. Everything that depends on time (the lock window, hold expiry,
//! auto-lock, session expiry, rate-limit windows) asks a [`Clock`], so tests can move time
//! instead of sleeping.

use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

/// A source of the current time, always in UTC.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

/// The real clock of the machine.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that only moves when told to; for tests.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<OffsetDateTime>,
}

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        // A fixed, round start makes test output readable.
        Self::new(time::macros::datetime!(2026-01-01 00:00 UTC))
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Timestamps are stored as whole microseconds since the Unix epoch (UTC): exact, sortable and
/// cheap to compare in SQL.
pub fn to_micros(at: OffsetDateTime) -> i64 {
    // An i64 of microseconds covers ±292,000 years; the clamp only guards absurd inputs.
    let micros = at.unix_timestamp_nanos() / 1_000;
    micros.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// The inverse of [`to_micros`].
pub fn from_micros(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_round_trip_keeps_microsecond_precision() {
        let at = time::macros::datetime!(2026-12-03 16:57:06.123456 UTC);

        assert_eq!(from_micros(to_micros(at)), at);
    }

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let clock = ManualClock::default();
        let start = clock.now();

        clock.advance(Duration::hours(25));

        assert_eq!(clock.now() - start, Duration::hours(25));
    }
}
