//! Reading the config file: the file bounded and opened as root should
//! open it, its JSON checked key by key (`file`), the keys turned into a
//! [`Config`], and [`ConfigError`], which names the file, the key and what
//! would be right.

use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::exposure::{Holds, Secret};
use super::file;
use super::keyfile::KeyFileError;
use super::keys::{self, key_file_of, ptr_config, tsig_key};
use super::{Config, DEFAULT_PATH, LeaseConfig, MAX_FILE_BYTES, Ownership, Secrets, WatchPacing};
use crate::dns::tsig::KeyError;
use crate::util::describe::kind;
use std::time::Duration;

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
        let text = crate::util::fs::read_named(path, MAX_FILE_BYTES).map_err(|source| {
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
            metrics: file.metrics,
            sshfp: file.sshfp,
            servers: file.servers,
            ttl_secs: file.ttl,
            ipv4: file.ipv4,
            ipv6_disabled: file.ipv6.as_ref().and_then(|v| v.enable) == Some(false),
            policy: file
                .ipv6
                .map(|v| crate::host::addrs::Policy {
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
            watch: {
                let given = file.watch.unwrap_or_default();
                let default = WatchPacing::default();
                WatchPacing {
                    quiet: given.quiet_ms.map_or(default.quiet, Duration::from_millis),
                    max_delay: given
                        .max_delay_ms
                        .map_or(default.max_delay, Duration::from_millis),
                    per_minute: given.max_updates_per_minute.unwrap_or(default.per_minute),
                }
            },
            warnings: unknown
                .iter()
                .map(|key| file::unknown_key_warning(path, key))
                .collect(),
            ..Self::default()
        };
        config.lease = match (file.lease, file.key_lease) {
            (None, None) => None,
            (None, Some(_)) => {
                return Err(bad(
                    "key_lease",
                    "given without \"lease\"; give \"lease\" too (the records' lease, RFC 9664)"
                        .into(),
                ));
            }
            (Some(secs), Some(key)) if key < secs => {
                return Err(bad(
                    "key_lease",
                    format!(
                        "{key} is shorter than \"lease\" ({secs}); RFC 9664 §4 asks for a KEY-LEASE at least as long"
                    ),
                ));
            }
            (Some(secs), key_secs) => Some(LeaseConfig { secs, key_secs }),
        };
        if let Some(ownership) = file.ownership {
            if ownership.mode.is_none() {
                return Err(bad(
                    "ownership.mode",
                    "missing; give \"mode\": \"dhcid\" (a DHCID record names the owner, RFC 4701)"
                        .into(),
                ));
            }
            config.ownership = Some(Ownership {
                client_id: ownership.client_id,
            });
        }
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
                secret: inline_secret.then_some(Secret::Tsig),
            },
        ));
        match &file.tsig {
            Some(tsig) if gss => {
                config.gss = Some(keys::gss_config(path, tsig, &mut config.exposed)?);
            }
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
    use crate::config::*;
    use crate::dns::reach::TlsName;
    use std::time::Duration;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("/etc/test.conf"), text)
    }

    fn error(text: &str) -> String {
        crate::util::describe::chain(&parse(text).unwrap_err())
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
    fn ownership_takes_a_duid_and_names_what_is_wrong() {
        let c = parse(
            r#"{"ttl": 1, "ownership": {"mode": "dhcid", "client_id": "00:01:00:01:2A:1b:2c:3d"}}"#,
        )
        .unwrap();
        assert_eq!(
            c.ownership.unwrap().client_id,
            Some(vec![0, 1, 0, 1, 0x2a, 0x1b, 0x2c, 0x3d])
        );
        let machine = parse(r#"{"ttl": 1, "ownership": {"mode": "dhcid"}}"#).unwrap();
        assert_eq!(machine.ownership.unwrap().client_id, None);
        assert!(parse(r#"{"ttl": 1}"#).unwrap().ownership.is_none());
        assert!(
            error(r#"{"ttl": 1, "ownership": {}}"#)
                .contains("key \"ownership.mode\": missing; give \"mode\": \"dhcid\"")
        );
        assert!(error(r#"{"ttl": 1, "ownership": {"mode": "txt"}}"#).contains("must be \"dhcid\""));
        for bad in ["\"0g\"", "\"000\"", "\"00\"", "7"] {
            let e = error(&format!(
                r#"{{"ttl": 1, "ownership": {{"mode": "dhcid", "client_id": {bad}}}}}"#
            ));
            assert!(
                e.contains("ownership.client_id") && e.contains("DHCPv6 DUID"),
                "{e}"
            );
        }
    }

    #[test]
    fn servers_are_the_primary_the_ns_set_or_a_list() {
        use crate::config::Servers;
        assert_eq!(parse(r#"{"ttl": 1}"#).unwrap().servers, Servers::Primary);
        assert_eq!(
            parse(r#"{"ttl": 1, "servers": "primary-then-ns"}"#)
                .unwrap()
                .servers,
            Servers::PrimaryThenNs
        );
        assert_eq!(
            parse(r#"{"ttl": 1, "servers": ["ns1.example.", "[2001:db8::1]:53"]}"#)
                .unwrap()
                .servers,
            Servers::List(vec!["ns1.example.".into(), "[2001:db8::1]:53".into()])
        );
        for bad in [r#""all""#, "[]", "[1]", "true"] {
            let e = error(&format!(r#"{{"ttl": 1, "servers": {bad}}}"#));
            assert!(e.contains("\"primary-then-ns\""), "{bad}: {e}");
        }
        assert!(
            error(r#"{"ttl": 1, "servers": ["ns1 example"]}"#)
                .contains("\"ns1 example\" is not a server")
        );
    }

    #[test]
    fn a_lease_and_its_key_lease_are_checked() {
        let c = parse(r#"{"ttl": 1, "lease": 3600, "key_lease": 7200}"#).unwrap();
        assert_eq!(
            c.lease,
            Some(LeaseConfig {
                secs: 3600,
                key_secs: Some(7200)
            })
        );
        assert_eq!(c.rerun(), Some(std::time::Duration::from_secs(2880)));
        assert!(error(r#"{"ttl": 1, "lease": 0}"#).contains("from 1 to 4294967295"));
        assert!(error(r#"{"ttl": 1, "key_lease": 60}"#).contains("given without \"lease\""));
        assert!(
            error(r#"{"ttl": 1, "lease": 60, "key_lease": 30}"#)
                .contains("shorter than \"lease\" (60)")
        );
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
        assert_eq!(tls.name, Some(TlsName::Pinned("ns1.example.com".into())));
        let soa = parse(r#"{"ttl": 1, "transport": "tls", "tls": {"name": "SOA"}}"#).unwrap();
        assert_eq!(soa.tls.unwrap().name, Some(TlsName::FromSoa));
        let e = parse(r#"{"ttl": 1, "transport": "tls", "tls": {"name": "a b"}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("or \"soa\""), "{e}");
        // The client key is a secret: its file's mode is checked.
        assert!(
            c.exposed
                .iter()
                .any(|(p, h)| p == Path::new("/etc/k.pem") && h.secret == Some(Secret::TlsKey))
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
        let full = crate::util::describe::chain(&e);
        assert!(
            full.contains("key \"tsig.file\": cannot read key file") && full.contains("none.key"),
            "{full}"
        );
        let both = Config::parse(
            &conf,
            r#"{"ttl": 1, "tsig": {"file": "k.key", "key": "c2VjcmV0"}}"#,
        )
        .unwrap_err();
        assert!(crate::util::describe::chain(&both).contains("not both"));
    }

    #[test]
    fn bad_log_level_names_the_key() {
        assert!(
            error(r#"{"ttl": 1, "logging": {"version": 1, "root": {"level": "LOUD"}}}"#)
                .contains("logging.root.level")
        );
    }
}
