//! When `dyndns-watch` acts on events, and how often it may run the
//! pipeline: a burst of events is acted on once it has been quiet for
//! `quiet`, or `max_delay` after its first event however many keep coming
//! (so a flood cannot put a change off for ever); and the runs are
//! rate-limited by a token bucket of `per_minute` tokens, one coming back
//! every minute / `per_minute` (an address that flaps every half second
//! costs a few updates a minute, not two a second). A run refused by the
//! bucket is not dropped: it is due when the next token comes, and then
//! registers whatever is current.

use std::time::{Duration, Instant};

/// A burst of events under way.
#[derive(Debug)]
pub(super) struct Burst {
    quiet: Duration,
    max_delay: Duration,
    /// Its first event, and its last.
    span: Option<(Instant, Instant)>,
}

impl Burst {
    /// No burst yet.
    pub(super) fn new(quiet: Duration, max_delay: Duration) -> Self {
        Self {
            quiet,
            max_delay,
            span: None,
        }
    }

    /// An event on a watched interface, at `now`.
    pub(super) fn event(&mut self, now: Instant) {
        let first = self.span.map_or(now, |(first, _)| first);
        self.span = Some((first, now));
    }

    /// When the burst is to be acted on: quiet for `quiet`, or `max_delay`
    /// after its first event, whichever comes first.
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.span
            .map(|(first, last)| (last + self.quiet).min(first + self.max_delay))
    }

    /// Whether the burst is due at `now`; if so, it is over.
    pub(super) fn take_if_due(&mut self, now: Instant) -> bool {
        let due = self.deadline().is_some_and(|d| d <= now);
        if due {
            self.span = None;
        }
        due
    }
}

/// A token bucket (as GCRA keeps one: a theoretical arrival time): at
/// most `per_minute` runs in any minute, all of them at once if need be.
#[derive(Debug)]
pub(super) struct Bucket {
    /// The time one token takes to come back.
    interval: Duration,
    /// The bucket's depth, in time: a minute.
    depth: Duration,
    /// When the bucket is full again, if runs keep coming.
    full_at: Instant,
}

impl Bucket {
    /// A full bucket of `per_minute` tokens (at least one).
    pub(super) fn new(per_minute: u32, now: Instant) -> Self {
        let per_minute = per_minute.max(1);
        let interval = Duration::from_secs(60) / per_minute;
        Self {
            interval,
            depth: interval * per_minute,
            full_at: now,
        }
    }

    /// Takes a token at `now`, or says when the next one comes.
    pub(super) fn take(&mut self, now: Instant) -> Result<(), Instant> {
        let after = self.full_at.max(now) + self.interval;
        if after.saturating_duration_since(now) <= self.depth {
            self.full_at = after;
            Ok(())
        } else {
            Err(after - self.depth)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_burst_waits_for_quiet_but_never_longer_than_max_delay() {
        let t0 = Instant::now();
        let mut burst = Burst::new(500 * MS, 5000 * MS);
        assert_eq!(burst.deadline(), None);
        burst.event(t0);
        assert_eq!(burst.deadline(), Some(t0 + 500 * MS));
        // An event every 300 ms: quiet never comes, max_delay does.
        for n in 1..30 {
            burst.event(t0 + 300 * n * MS);
        }
        assert_eq!(burst.deadline(), Some(t0 + 5000 * MS));
        assert!(!burst.take_if_due(t0 + 4999 * MS));
        assert!(burst.take_if_due(t0 + 5000 * MS));
        assert_eq!(burst.deadline(), None, "a new burst starts afresh");
    }

    #[test]
    fn the_bucket_gives_per_minute_runs_then_one_per_interval() {
        let t0 = Instant::now();
        let mut bucket = Bucket::new(6, t0);
        for _ in 0..6 {
            assert_eq!(bucket.take(t0), Ok(()));
        }
        // The seventh waits for a token: 10 s.
        assert_eq!(bucket.take(t0), Err(t0 + 10_000 * MS));
        assert_eq!(bucket.take(t0 + 9_999 * MS), Err(t0 + 10_000 * MS));
        assert_eq!(bucket.take(t0 + 10_000 * MS), Ok(()));
        assert_eq!(bucket.take(t0 + 10_000 * MS), Err(t0 + 20_000 * MS));
        // After a quiet minute the bucket is full again.
        let later = t0 + 120_000 * MS;
        for _ in 0..6 {
            assert_eq!(bucket.take(later), Ok(()));
        }
        assert!(bucket.take(later).is_err());
    }
}
