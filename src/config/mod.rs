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

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::describe::kind;

mod exposure;
mod file;
mod keys;

use keys::{key_file_of, ptr_config, tsig_key};

pub(crate) use exposure::{Holds, warnings as exposure_warnings};

use crate::keyfile::KeyFileError;
use crate::logging::LogConfig;
use crate::tsig::{Key, KeyError};

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
/// The largest TTL a record may carry (RFC 2181 §8: 2^31 - 1 seconds).
pub const MAX_TTL_SECS: u64 = 0x7fff_ffff;

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
    pub policy: crate::addrs::Policy,
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
    pub replace: crate::update::Replace,
    /// Compare-and-swap: the update holds unless the name holds what this
    /// host last registered (our key `guard`).
    pub guard: bool,
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

/// The `tsig` object with `"algorithm": "gss-tsig"` (RFC 3645): the host's
/// Kerberos identity. No secret: the key is in a keytab or a ticket in a
/// credential cache.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GssConfig {
    /// The keytab (`"keytab"`); `None`: `KRB5_KTNAME`, else the system's.
    pub keytab: Option<PathBuf>,
    /// The client principal (`"principal"`); `None`: `host/FQDN`, then
    /// `SHORTNAME$` (an Active Directory machine account).
    pub principal: Option<String>,
    /// A credential cache to use instead of a keytab (`"ccache"`).
    pub ccache: Option<String>,
}

/// The port of DNS over TLS (RFC 7858 §3.1).
pub const DEFAULT_TLS_PORT: u16 = 853;

/// `"transport": "tls"` and the `tls` object: how the primary is reached
/// and its certificate checked. Paths are relative to the config file's
/// directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsConfig {
    /// The primary's DNS-over-TLS port (`tls.port`, default 853).
    pub port: u16,
    /// The CA certificates (PEM) to trust (`tls.ca`); `None`: the system's
    /// trust store.
    pub ca: Option<PathBuf>,
    /// The name the certificate must hold (`tls.name`); `None`: the
    /// primary's name (the SOA's MNAME), or its address when given as one.
    pub name: Option<String>,
    /// A client certificate chain (PEM) for mutual TLS (`tls.cert`).
    pub cert: Option<PathBuf>,
    /// Its private key (PEM) (`tls.key`); a secret, never read but by the
    /// stages that connect.
    pub key: Option<PathBuf>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        Self {
            port: DEFAULT_TLS_PORT,
            ca: None,
            name: None,
            cert: None,
            key: None,
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
    /// The key that signs the reverse zones' updates: `ptr.tsig`, else `tsig`.
    pub fn ptr_key(&self) -> Option<&Key> {
        self.ptr
            .as_ref()
            .and_then(|p| p.tsig.as_ref())
            .or(self.tsig.as_ref())
    }
}

/// Why a config file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A key holds a value of the wrong type, or a bad one.
    #[error("config file {}: key \"{key}\"", path.display())]
    Value {
        /// The file.
        path: PathBuf,
        /// The key, dotted for nested ones (`ipv6.teredo`).
        key: String,
        /// What is wrong and what would be right, with the line and column.
        source: serde_json::Error,
    },
    /// The file is not JSON.
    #[error("config file {} is not valid JSON", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's complaint, with line and column.
        source: serde_json::Error,
    },
    /// A key is missing, of the wrong type or has a bad value.
    #[error("config file {}: key \"{key}\": {problem}", path.display())]
    Key {
        /// The file.
        path: PathBuf,
        /// The key, dotted for nested ones (`tsig.key`).
        key: String,
        /// What is wrong and what would be right.
        problem: String,
    },
    /// The key file named by `tsig.file` (or `ptr.tsig.file`) is unusable.
    #[error("config file {}: key \"{key}.file\"", path.display())]
    KeyFile {
        /// The config file.
        path: PathBuf,
        /// `tsig` or `ptr.tsig`.
        key: &'static str,
        /// Why the key file is unusable.
        source: KeyFileError,
    },
    /// The TSIG key is unusable.
    #[error("config file {}: key \"{key}\"", path.display())]
    Tsig {
        /// The file.
        path: PathBuf,
        /// `tsig` or `ptr.tsig`.
        key: &'static str,
        /// Why the key is unusable.
        source: KeyError,
    },
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

    /// Loads the config: the file given with `-c`, which must exist, or else
    /// [`DEFAULT_PATH`] when it exists, or else an empty config (so that a
    /// stage can be driven by its flags alone).
    pub fn load(explicit: Option<&Path>, secrets: Secrets) -> Result<Self, ConfigError> {
        match explicit {
            Some(path) => Self::read(path, secrets),
            None if Path::new(DEFAULT_PATH).exists() => {
                Self::read(Path::new(DEFAULT_PATH), secrets)
            }
            None => Ok(Self::default()),
        }
    }

    /// Reads and validates one config file.
    pub fn read(path: &Path, secrets: Secrets) -> Result<Self, ConfigError> {
        let text = crate::fsutil::read_named(path, MAX_FILE_BYTES).map_err(|source| {
            ConfigError::Read {
                path: path.to_owned(),
                source,
            }
        })?;
        Self::parse_with(path, &text, secrets)
    }

    /// Validates the text of a config file, with its key; `path` is used in
    /// messages.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        Self::parse_with(path, text, Secrets::Load)
    }

    /// [`Config::parse`], reading the secret or not.
    pub fn parse_with(path: &Path, text: &str, secrets: Secrets) -> Result<Self, ConfigError> {
        let bad = |key: &str, problem: String| ConfigError::Key {
            path: path.to_owned(),
            key: key.to_owned(),
            problem,
        };
        if text.trim().is_empty() {
            return Err(bad(
                "ttl",
                "the file is empty; it must be a JSON object with at least \"ttl\"".into(),
            ));
        }
        if !text.trim_start().starts_with('{') {
            // Not an object: say what it is, or where its syntax breaks.
            let value: Value =
                serde_json::from_str(text).map_err(|source| ConfigError::Syntax {
                    path: path.to_owned(),
                    source,
                })?;
            return Err(bad(
                "(top level)",
                format!("must be a JSON object, found {}", kind(&value)),
            ));
        }
        let (file, unknown) = file::parse(text).map_err(|file::FileError { key, source }| {
            if source.is_syntax() || source.is_eof() {
                ConfigError::Syntax {
                    path: path.to_owned(),
                    source,
                }
            } else {
                ConfigError::Value {
                    path: path.to_owned(),
                    key,
                    source,
                }
            }
        })?;
        let mut config = Self {
            path: Some(path.to_owned()),
            cache: file.cache,
            ttl_secs: file.ttl,
            ipv4: file.ipv4,
            ipv6_disabled: file.ipv6.as_ref().and_then(|v| v.enable) == Some(false),
            policy: file
                .ipv6
                .map(|v| crate::addrs::Policy {
                    teredo: v.teredo,
                    temporary: v.temporary,
                    ula: v.ula,
                    include: v.include,
                    exclude: v.exclude,
                })
                .unwrap_or_default(),
            timeout: file.timeout,
            empty: file.empty,
            refresh_secs: file.refresh,
            reboot: file.reboot,
            compare: file.compare,
            verify: file.verify,
            replace: file.replace,
            guard: file.guard,
            warnings: unknown
                .iter()
                .map(|key| file::unknown_key_warning(path, key))
                .collect(),
            ..Self::default()
        };
        if !config.ipv4 && config.ipv6_disabled {
            return Err(bad(
                "ipv6.enable",
                "false, with \"ipv4\" off too, would register nothing; enable either family (\"ipv4\": true registers A records)".into(),
            ));
        }
        if config.ttl_secs.is_none() {
            return Err(bad(
                "ttl",
                "missing; give the TTL of the AAAA records in seconds, for example \"ttl\": 300"
                    .into(),
            ));
        }
        let gss = file.tsig.as_ref().is_some_and(keys::is_gss);
        let inline_secret = !gss && file.tsig.as_ref().is_some_and(|t| key_file_of(t).is_none());
        config.exposed.push((
            path.to_owned(),
            Holds {
                what: "config file",
                secret: inline_secret,
            },
        ));
        match &file.tsig {
            Some(tsig) if gss => config.gss = Some(keys::gss_config(path, tsig)?),
            Some(tsig) => config.tsig = tsig_key(path, "tsig", tsig, secrets, &mut config.exposed)?,
            None => {}
        }
        if let Some(ptr) = &file.ptr {
            config.ptr = ptr_config(path, ptr, secrets, &mut config)?;
        }
        config.tls = keys::tls_config(path, file.transport, file.tls, &mut config)?;
        if let Some(logging) = &file.logging {
            config.logging =
                Some(crate::logging::parse(logging).map_err(|e| bad(&e.key, e.problem))?);
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("/etc/test.conf"), text)
    }

    fn error(text: &str) -> String {
        crate::cli::chain(&parse(text).unwrap_err())
    }

    #[test]
    fn reads_pydyndns_example() {
        let c = parse(r#"{"cache": "/tmp/c", "ttl": 300, "logging": {"version": 1, "root": {"level": "INFO"}}}"#).unwrap();
        assert_eq!(c.cache, Some(PathBuf::from("/tmp/c")));
        assert_eq!(c.ttl_secs, Some(300));
        assert_eq!(c.logging.unwrap().level, 20);
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn cache_true_means_run_dir() {
        let c = parse(r#"{"cache": true, "ttl": 1}"#).unwrap();
        assert_eq!(c.cache, Some(PathBuf::from(DEFAULT_CACHE)));
        assert_eq!(parse(r#"{"cache": false, "ttl": 1}"#).unwrap().cache, None);
    }

    #[test]
    fn rejects_bad_ttls_naming_the_key() {
        assert!(error(r#"{}"#).contains("key \"ttl\": missing"));
        assert!(error(r#"{"ttl": -1}"#).contains("negative"));
        assert!(error(r#"{"ttl": 1.5}"#).contains("not a whole number"));
        assert!(error(r#"{"ttl": 2147483648}"#).contains("too large"));
        // A string is not repeated (it may be a secret in the wrong key).
        assert!(
            error(r#"{"ttl": "300"}"#)
                .contains("must be a whole number of seconds, found a string at")
        );
        assert_eq!(
            parse(r#"{"ttl": 2147483647}"#).unwrap().ttl_secs,
            Some(0x7fff_ffff)
        );
    }

    #[test]
    fn rejects_ipv4_and_disabled_ipv6() {
        assert!(parse(r#"{"ttl": 1, "ipv4": true}"#).unwrap().ipv4);
        let v4 = parse(r#"{"ttl": 1, "ipv4": true, "ipv6": {"enable": false}}"#).unwrap();
        assert!(v4.ipv4 && v4.ipv6_disabled);
        assert!(
            error(r#"{"ttl": 1, "ipv6": {"enable": false}}"#)
                .contains("\"ipv6.enable\": false, with \"ipv4\" off too, would register nothing")
        );
        let c = parse(r#"{"ttl": 1, "ipv4": false, "ipv6": {"enable": true, "teredo": true}}"#)
            .unwrap();
        assert!(c.policy.teredo);
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let e = parse("{\n\"ttl\": 300,\n}").unwrap_err();
        let full = format!("{e}: {}", std::error::Error::source(&e).unwrap());
        assert!(full.contains("/etc/test.conf"), "{full}");
        assert!(full.contains("line 3 column 1"), "{full}");
    }

    #[test]
    fn timeout_in_seconds() {
        assert_eq!(
            parse(r#"{"ttl": 1, "timeout": 1.5}"#).unwrap().timeout,
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse(r#"{"ttl": 1}"#).unwrap().timeout_or(None),
            DEFAULT_TIMEOUT
        );
        assert_eq!(
            parse(r#"{"ttl": 1, "timeout": 2}"#)
                .unwrap()
                .timeout_or(Some(0.5)),
            Duration::from_millis(500)
        );
        assert!(
            error(r#"{"ttl": 1, "timeout": 0}"#).contains("key \"timeout\": 0 is out of range")
        );
        assert!(error(r#"{"ttl": 1, "timeout": "5"}"#).contains("must be a number of seconds"));
    }

    #[test]
    fn unknown_keys_warn() {
        let c = parse(r#"{"ttl": 1, "tll": 2}"#).unwrap();
        assert_eq!(c.warnings.len(), 1);
        assert!(c.warnings[0].contains("\"tll\""));
    }

    #[test]
    fn ptr_is_a_switch_or_an_object_naming_its_keys() {
        assert_eq!(parse(r#"{"ttl": 1}"#).unwrap().ptr, None);
        assert_eq!(parse(r#"{"ttl": 1, "ptr": false}"#).unwrap().ptr, None);
        assert_eq!(
            parse(r#"{"ttl": 1, "ptr": true}"#).unwrap().ptr,
            Some(PtrConfig::default())
        );
        let off = parse(r#"{"ttl": 1, "ptr": {"enable": false, "ttl": 5}}"#).unwrap();
        assert_eq!(off.ptr, None);
        let c = parse(r#"{"ttl": 1, "ptr": {"ttl": 600, "tsig": {"algorithm": "hmac-sha256", "keyname": "rev", "key": "c2VjcmV0"}}}"#).unwrap();
        let ptr = c.ptr.clone().unwrap();
        assert_eq!(ptr.ttl_secs, Some(600));
        assert_eq!(c.ptr_key().unwrap().name.to_ascii(), "rev.");
        let typo = parse(r#"{"ttl": 1, "ptr": {"tll": 600}}"#).unwrap();
        assert!(
            typo.warnings[0].contains("unknown key \"ptr.tll\" ignored (did you mean \"ptr.ttl\"?"),
            "{:?}",
            typo.warnings
        );
        assert!(
            error(r#"{"ttl": 1, "ptr": "yes"}"#)
                .contains("key \"ptr\": must be true, false, or an object")
        );
        assert!(
            error(r#"{"ttl": 1, "ptr": {"ttl": -1}}"#).contains("key \"ptr.ttl\": -1 is negative")
        );
        assert!(
            error(r#"{"ttl": 1, "ptr": {"enable": 1}}"#)
                .contains("key \"ptr.enable\": must be true or false")
        );
        let e =
            error(r#"{"ttl": 1, "ptr": {"tsig": {"algorithm": "hmac-sha256", "keyname": "rev"}}}"#);
        assert!(
            e.contains("key \"ptr.tsig\"") && e.contains("ptr.tsig.key"),
            "{e}"
        );
    }

    #[test]
    fn tls_is_a_transport_with_its_settings() {
        assert_eq!(parse(r#"{"ttl": 1}"#).unwrap().tls, None);
        let c = parse(r#"{"ttl": 1, "transport": "tls"}"#).unwrap();
        assert_eq!(c.tls, Some(TlsConfig::default()));
        assert_eq!(c.tls.unwrap().port, 853);
        let c = parse(
            r#"{"ttl": 1, "transport": "tls", "tls": {"port": 8853, "ca": "ca.pem", "name": "ns1.example.com", "cert": "c.pem", "key": "k.pem"}}"#,
        )
        .unwrap();
        let tls = c.tls.unwrap();
        assert_eq!(tls.port, 8853);
        assert_eq!(tls.ca.as_deref(), Some(Path::new("/etc/ca.pem")));
        assert_eq!(tls.key.as_deref(), Some(Path::new("/etc/k.pem")));
        assert_eq!(tls.name.as_deref(), Some("ns1.example.com"));
        // The client key is a secret: its file's mode is checked.
        assert!(
            c.exposed
                .iter()
                .any(|(p, h)| p == Path::new("/etc/k.pem") && h.secret)
        );
        let ignored = parse(r#"{"ttl": 1, "tls": {"ca": "ca.pem"}}"#).unwrap();
        assert_eq!(ignored.tls, None);
        assert!(ignored.warnings[0].contains("key \"tls\" ignored"));
        let typo = parse(r#"{"ttl": 1, "transport": "tls", "tls": {"cafile": "x"}}"#).unwrap();
        assert!(
            typo.warnings[0]
                .contains("unknown key \"tls.cafile\" ignored (did you mean \"tls.ca\"?"),
            "{:?}",
            typo.warnings
        );
        assert!(
            error(r#"{"ttl": 1, "transport": "https"}"#)
                .contains("key \"transport\": must be \"tcp\"")
        );
        assert!(
            error(r#"{"ttl": 1, "transport": "tls", "tls": {"port": 0}}"#)
                .contains("key \"tls.port\": must be a port number from 1 to 65535")
        );
        assert!(
            error(r#"{"ttl": 1, "transport": "tls", "tls": {"key": "k.pem"}}"#)
                .contains("key \"tls.cert\": missing")
        );
        assert!(
            error(r#"{"ttl": 1, "transport": "tls", "tls": {"name": "not a name!"}}"#)
                .contains("key \"tls.name\": must be a host name")
        );
    }

    #[test]
    fn empty_and_non_object_files_are_refused() {
        assert!(error("").contains("empty"));
        assert!(error("[1]").contains("must be a JSON object"));
    }

    #[test]
    fn tsig_key_file_beside_the_config() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("k.key"),
            "key \"k1\" { algorithm hmac-sha1; secret \"c2VjcmV0\"; };",
        )
        .unwrap();
        let conf = dir.path().join("c.conf");
        let c = Config::parse(&conf, r#"{"ttl": 1, "tsig": {"file": "k.key"}}"#).unwrap();
        assert_eq!(
            c.tsig.unwrap(),
            Key::new("k1", "hmac-sha1", "c2VjcmV0").unwrap()
        );
        let e = Config::parse(&conf, r#"{"ttl": 1, "tsig": {"file": "none.key"}}"#).unwrap_err();
        let full = crate::cli::chain(&e);
        assert!(
            full.contains("key \"tsig.file\": cannot read key file") && full.contains("none.key"),
            "{full}"
        );
        let both = Config::parse(
            &conf,
            r#"{"ttl": 1, "tsig": {"file": "k.key", "key": "c2VjcmV0"}}"#,
        )
        .unwrap_err();
        assert!(crate::cli::chain(&both).contains("not both"));
    }

    #[test]
    fn bad_log_level_names_the_key() {
        assert!(
            error(r#"{"ttl": 1, "logging": {"version": 1, "root": {"level": "LOUD"}}}"#)
                .contains("logging.root.level")
        );
    }
}
