//! The config file: the same JSON file PyDynDNS reads.
//!
//! ```json
//! {
//!   "cache": "/run/pydyndns/pydyndns.cache",
//!   "logging": {"version": 1, "root": {"level": "INFO"}},
//!   "ttl": 300,
//!   "ipv4": false,
//!   "ipv6": {"enable": true, "teredo": false},
//!   "tsig": {"algorithm": "hmac-sha256", "keyname": "host1", "key": "c2VjcmV0"}
//! }
//! ```
//!
//! Every stage reads the same file; a missing required key, a wrong type or a
//! bad value is a [`ConfigError`] naming the file and the key, an unknown key
//! is a warning.

use std::path::PathBuf;
use std::time::Duration;

mod exposure;
mod file;
pub mod keyfile;
mod keys;
mod load;
mod sshfp;

pub use load::ConfigError;
pub use sshfp::{DEFAULT_KEYS as DEFAULT_SSH_KEYS, SshfpConfig};

pub(crate) use exposure::{Holds, Secret, warnings as exposure_warnings};
pub(crate) use file::cache_path_problem;

use crate::dns::gss_env::GssConfig;
use crate::dns::reach::TlsConfig;
use crate::dns::tsig::Key;
use crate::dns::update::Replace;
use crate::logging::LogConfig;

/// Where PyDynDNS keeps its config, and so where we look by default.
pub const DEFAULT_PATH: &str = "/etc/pydyndns.conf";
/// The cache file used when the config says `"cache": true`: in the
/// services' runtime directory, which they can write under
/// `ProtectSystem=strict` and which goes at reboot.
pub const DEFAULT_CACHE: &str = "/run/pydyndns/pydyndns.cache";
/// The most read of a config or key file (a real one is under a kilobyte).
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// The largest `timeout`, seconds.
pub const MAX_TIMEOUT_SECS: f64 = 3600.0;
/// The `timeout` when the config gives none: a few seconds, as a server on
/// the same continent answers in well under one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// What a run does when the host has no address to register.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Empty {
    /// Send the update, which deletes the records (the seed's behaviour),
    /// and say so on stderr.
    #[default]
    Delete,
    /// Send nothing: the records stay as they are.
    Keep,
}

/// Whether a stage reads the TSIG secret. Only `dyndns-send` signs; the
/// other stages check that the key is there (its name and algorithm, the
/// key file's presence and mode) but never decode or hold the secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secrets {
    /// Read the key (`dyndns-send`).
    Load,
    /// Check it without reading the secret.
    Skip,
}

/// What `dyndns-diff` compares the state with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compare {
    /// The cache file: no network (the default).
    #[default]
    Cache,
    /// The records the zone's primary serves: one query per run.
    Live,
}

/// The `refresh` when the config gives none: a day, as SSSD and the
/// Windows DNS client re-register.
pub const DEFAULT_REFRESH_SECS: u64 = 86_400;

/// A validated config file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The file this came from, `None` when no file was read.
    pub path: Option<PathBuf>,
    /// The cache file; `None`: no cache, every run updates.
    pub cache: Option<PathBuf>,
    /// The TTL of the AAAA records, seconds; required by the stages that build a state.
    pub ttl_secs: Option<u32>,
    /// A records for the IPv4 addresses too (PyDynDNS 1.2.1's `"ipv4": true`).
    pub ipv4: bool,
    /// AAAA records (`ipv6.enable`, true unless the config says false).
    pub ipv6_disabled: bool,
    /// Which addresses count (the `ipv6` object: `teredo`, and our
    /// `temporary`, `ula`, `include` and `exclude`).
    pub policy: crate::host::addrs::Policy,
    /// What an empty address set does (our key `empty`).
    pub empty: Empty,
    /// Our key `refresh`, seconds, when given: see [`Config::refresh`].
    pub refresh_secs: Option<u64>,
    /// Our key `reboot` (`"update"`: true), when given: see
    /// [`Config::reboot_updates`].
    pub reboot: Option<bool>,
    /// What `dyndns-diff` compares with (our key `compare`).
    pub compare: Compare,
    /// Whether `dyndns-send` queries the primary after it accepted the
    /// update, and fails unless it serves the new set (our key `verify`).
    pub verify: bool,
    /// What an update deletes before it adds (our key `replace`).
    pub replace: Replace,
    /// Compare-and-swap: the update holds unless the name holds what this
    /// host last registered (our key `guard`).
    pub guard: bool,
    /// How `dyndns-watch` paces its runs (our `watch` object).
    pub watch: WatchPacing,
    /// Who owns the name: a DHCID record (our `ownership` object); `None`:
    /// the update takes the name whoever holds it.
    pub ownership: Option<Ownership>,
    /// The node_exporter textfile each run's end is written to (our key
    /// `metrics`); `None`: none.
    pub metrics: Option<PathBuf>,
    /// The lease an update asks for (our keys `lease` and `key_lease`,
    /// RFC 9664); `None`: none.
    pub lease: Option<LeaseConfig>,
    /// Which servers an update goes to, in which order (our key `servers`).
    pub servers: Servers,
    /// The SSH host keys published as SSHFP records (our key `sshfp`,
    /// RFC 4255); `None`: SSHFP records are not this host's.
    pub sshfp: Option<SshfpConfig>,
    /// The TSIG key that signs updates, if any; `None` too when loaded
    /// with [`Secrets::Skip`].
    pub tsig: Option<Key>,
    /// GSS-TSIG instead of a shared secret (`"algorithm": "gss-tsig"`).
    pub gss: Option<GssConfig>,
    /// PTR records for the registered addresses (our key `ptr`); `None`: off.
    pub ptr: Option<PtrConfig>,
    /// DNS over TLS to the primary (`"transport": "tls"` and the `tls`
    /// object); `None`: TCP.
    pub tls: Option<TlsConfig>,
    /// How long one server address, or one DNS lookup, may take (our key `timeout`).
    pub timeout: Option<Duration>,
    /// The `logging` object, validated; `None`: warnings and errors to stderr.
    pub logging: Option<LogConfig>,
    /// Warnings found while reading (unknown keys), to log once logging is up.
    pub warnings: Vec<String>,
    /// The files whose owner and mode [`Config::all_warnings`] checks: the
    /// config itself and a key file it names. Checked only by the stage
    /// that reports the warnings (the wrapper's first), not by every stage.
    pub(crate) exposed: Vec<(PathBuf, Holds)>,
}

/// Which servers an update goes to (our key `servers`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Servers {
    /// The zone's primary, its SOA MNAME, only (RFC 2136 §4), as
    /// `nsupdate` does: the default.
    #[default]
    Primary,
    /// The MNAME, then, when it cannot be reached or answers NOTIMP,
    /// REFUSED or SERVFAIL, each of the zone's NS servers in a random
    /// order: a multi-master zone (Active Directory, PowerDNS on a shared
    /// database), where every one of them takes updates.
    PrimaryThenNs,
    /// These servers (names or addresses), tried in this order.
    List(Vec<String>),
}

/// The Update Lease an update asks for (RFC 9664).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaseConfig {
    /// LEASE: how long the records live without a renewal, seconds.
    pub secs: u32,
    /// KEY-LEASE, when given (the 8-octet form of the option).
    pub key_secs: Option<u32>,
}

/// Our `ownership` object: the name is this host's by its DHCID record
/// (RFC 4701), claimed and kept as RFC 4703 §5.3 says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ownership {
    /// The host's DHCPv6 DUID (`client_id`); `None`: a DUID-UUID made
    /// from `/etc/machine-id`.
    pub client_id: Option<Vec<u8>>,
}

/// How `dyndns-watch` paces the runs it starts (our `watch` object).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WatchPacing {
    /// How long the events of one burst may be apart (`quiet_ms`).
    pub quiet: Duration,
    /// How long after a burst's first event it is acted on, however many
    /// events keep coming (`max_delay_ms`).
    pub max_delay: Duration,
    /// The most runs a minute, a token bucket of this many
    /// (`max_updates_per_minute`).
    pub per_minute: u32,
}

impl Default for WatchPacing {
    fn default() -> Self {
        Self {
            quiet: Duration::from_millis(500),
            max_delay: Duration::from_secs(5),
            per_minute: 6,
        }
    }
}

/// The `ptr` key: `true`, or `{"enable": true, "ttl": 300, "tsig": {...}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PtrConfig {
    /// The PTR records' TTL; `None`: the AAAA records'.
    pub ttl_secs: Option<u32>,
    /// The key that signs the reverse zones' updates, when it is not the
    /// forward zone's (`ptr.tsig`); `None` too when loaded with
    /// [`Secrets::Skip`].
    pub tsig: Option<Key>,
}

impl Config {
    /// The interfaces named (or patterns) under this config's address
    /// policy and families.
    pub fn selection(&self, interfaces: Vec<String>) -> crate::host::addrs::Selection {
        crate::host::addrs::Selection {
            interfaces,
            policy: self.policy.clone(),
            families: crate::host::netlink::Families {
                ipv4: self.ipv4,
                ipv6: !self.ipv6_disabled,
            },
        }
    }

    /// The key that signs the reverse zones' updates: `ptr.tsig`, else `tsig`.
    pub fn ptr_key(&self) -> Option<&Key> {
        self.ptr
            .as_ref()
            .and_then(|p| p.tsig.as_ref())
            .or(self.tsig.as_ref())
    }
}

impl Config {
    /// The warnings to report: those found while reading, and who else
    /// owns, can read or can change the config and key files (an `fstat`
    /// each, so only when the warnings are shown).
    pub fn all_warnings(&self) -> Vec<String> {
        let mut all = self.warnings.clone();
        for (path, holds) in &self.exposed {
            all.extend(exposure_warnings(path, *holds));
        }
        all
    }

    /// After how long an unchanged registration is sent again (a day unless
    /// the config says otherwise); `None`: never (`"refresh": 0`).
    pub fn refresh(&self) -> Option<Duration> {
        match self.refresh_secs.unwrap_or(DEFAULT_REFRESH_SECS) {
            0 => None,
            secs => Some(Duration::from_secs(secs)),
        }
    }

    /// How often a run that finds nothing changed must still come, at the
    /// latest: the refresh, or 80 % of the lease when that is sooner (RFC
    /// 9664 §4.2); what `dyndns-watch` waits for between runs.
    pub fn rerun(&self) -> Option<Duration> {
        let renewal = self
            .lease
            .map(|l| Duration::from_secs(u64::from(l.secs)).mul_f64(0.8));
        match (self.refresh(), renewal) {
            (Some(r), Some(l)) => Some(r.min(l)),
            (r, l) => r.or(l),
        }
    }

    /// Whether a cache written during another boot counts as differing
    /// (yes unless the config says `"reboot": "trust-cache"`).
    pub fn reboot_updates(&self) -> bool {
        self.reboot.unwrap_or(true)
    }

    /// The timeout: `flag_secs` (from `--timeout`), else the config's, else [`DEFAULT_TIMEOUT`].
    pub fn timeout_or(&self, flag_secs: Option<f64>) -> Duration {
        flag_secs
            .map(Duration::from_secs_f64)
            .or(self.timeout)
            .unwrap_or(DEFAULT_TIMEOUT)
    }
}
