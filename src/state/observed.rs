//! When a state was observed: the kernel's boot ID and its monotonic clock.
//!
//! Two runs can overlap: run A reads the addresses, run B reads newer ones
//! and registers them first, then A takes the lock and would send its older
//! set. `dyndns-addrs` stamps the state with this; the cache (or, without a
//! cache, the lock file) records the stamp of the last registration; and
//! `dyndns-send`, under the lock, drops a state observed before it. Stamps
//! from different boots are not comparable and never drop anything.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// The file the kernel prints its boot ID in (a random UUID made at boot).
const BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";

/// A point in time that orders observations within one boot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    /// The kernel's boot ID, as it prints it.
    pub boot_id: String,
    /// `CLOCK_MONOTONIC`, in nanoseconds: never set back, not changed by NTP
    /// steps or by the administrator.
    pub monotonic_ns: u64,
}

impl Observed {
    /// Now, or `None` where the boot ID cannot be read (no `/proc`): the
    /// state then carries no stamp and is never dropped as older.
    pub fn now() -> Option<Self> {
        let boot_id = match crate::util::fs::read_bounded(Path::new(BOOT_ID), 64) {
            Ok(Some(text)) => text.trim().to_owned(),
            Ok(None) => return None,
            Err(e) => {
                log::debug!("cannot read {BOOT_ID}: {e}; the state carries no time stamp");
                return None;
            }
        };
        let ts = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
        let monotonic_ns =
            u64::try_from(ts.tv_sec).ok()? * 1_000_000_000 + u64::try_from(ts.tv_nsec).ok()?;
        Some(Self {
            boot_id,
            monotonic_ns,
        })
    }

    /// Whether this was observed, during the same boot, before `other`.
    pub fn is_before(&self, other: &Self) -> bool {
        self.boot_id == other.boot_id && self.monotonic_ns < other.monotonic_ns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_within_a_boot_only() {
        let a = Observed::now().expect("/proc is mounted");
        let b = Observed::now().unwrap();
        assert!(a.is_before(&b) || a == b);
        assert!(!b.is_before(&a));
        let other_boot = Observed {
            boot_id: "x".into(),
            monotonic_ns: u64::MAX,
        };
        assert!(!a.is_before(&other_boot));
        assert_eq!(a.boot_id.len(), 36, "{}", a.boot_id);
    }
}
