//! The config file as serde reads it: one derived type whose fields check
//! themselves as they are read, so that an error names the key (its JSON
//! path, `ipv6.teredo`) with the line and column, and the message says what
//! was found and what would be right. Unknown keys are collected, not
//! refused: PyDynDNS ignored them, and we warn, naming the closest known key.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{Deserializer, Error as _};
use serde_json::Value;

use super::{Compare, DEFAULT_CACHE, Empty, MAX_TIMEOUT_SECS};
use crate::dns::update::Replace;
use crate::host::addrs::Prefix;
use crate::state::MAX_TTL_SECS;
use crate::util::describe::describe;

/// The keys PyDynDNS 1.2 defines, and ours (`timeout`).
pub(super) const KNOWN_KEYS: [&str; 24] = [
    "cache",
    "logging",
    "ttl",
    "ipv4",
    "ipv6",
    "tsig",
    "timeout",
    "empty",
    "refresh",
    "reboot",
    "compare",
    "verify",
    "replace",
    "guard",
    "ptr",
    "transport",
    "tls",
    "watch",
    "ownership",
    "lease",
    "key_lease",
    "metrics",
    "sshfp",
    "servers",
];
/// The keys of the `tls` object.
pub(super) const TLS_KEYS: [&str; 5] = ["port", "ca", "name", "cert", "key"];
/// The keys of the `watch` object.
pub(super) const WATCH_KEYS: [&str; 3] = ["quiet_ms", "max_delay_ms", "max_updates_per_minute"];
/// The keys of the `ownership` object.
pub(super) const OWNERSHIP_KEYS: [&str; 2] = ["mode", "client_id"];
/// The keys of the `ptr` object.
pub(super) const PTR_KEYS: [&str; 3] = ["enable", "ttl", "tsig"];
/// The keys of the `ipv6` object.
const IPV6_KEYS: [&str; 6] = ["enable", "teredo", "temporary", "ula", "include", "exclude"];

/// The top-level object. `tsig` and `logging` are kept as JSON: each has a
/// checker of its own, which needs the config file's path (a key file is
/// found beside it) or Python's schema.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, expecting = "a JSON object with at least \"ttl\"")]
pub(super) struct File {
    #[serde(deserialize_with = "cache")]
    pub(super) cache: Option<PathBuf>,
    #[serde(deserialize_with = "ttl")]
    pub(super) ttl: Option<u32>,
    #[serde(deserialize_with = "flag")]
    pub(super) ipv4: bool,
    pub(super) ipv6: Option<Ipv6>,
    #[serde(deserialize_with = "timeout")]
    pub(super) timeout: Option<Duration>,
    #[serde(deserialize_with = "empty")]
    pub(super) empty: Empty,
    #[serde(deserialize_with = "refresh")]
    pub(super) refresh: Option<u64>,
    #[serde(deserialize_with = "reboot")]
    pub(super) reboot: Option<bool>,
    #[serde(deserialize_with = "compare")]
    pub(super) compare: Compare,
    #[serde(deserialize_with = "flag")]
    pub(super) verify: bool,
    #[serde(deserialize_with = "replace")]
    pub(super) replace: Replace,
    #[serde(deserialize_with = "flag")]
    pub(super) guard: bool,
    pub(super) tsig: Option<Value>,
    pub(super) ptr: Option<Value>,
    pub(super) logging: Option<Value>,
    #[serde(deserialize_with = "transport")]
    pub(super) transport: Option<Transport>,
    pub(super) tls: Option<Tls>,
    pub(super) watch: Option<Watch>,
    pub(super) ownership: Option<Ownership>,
    #[serde(deserialize_with = "lease")]
    pub(super) lease: Option<u32>,
    #[serde(deserialize_with = "lease")]
    pub(super) key_lease: Option<u32>,
    #[serde(deserialize_with = "metrics")]
    pub(super) metrics: Option<PathBuf>,
    #[serde(deserialize_with = "super::sshfp::sshfp")]
    pub(super) sshfp: Option<super::SshfpConfig>,
    #[serde(deserialize_with = "servers")]
    pub(super) servers: super::Servers,
}

/// Our `ownership` object: who owns the name (RFC 4701 DHCID records,
/// RFC 4703's procedure).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(
    default,
    expecting = "an object like {\"mode\": \"dhcid\", \"client_id\": \"000100012a1b2c3d0c0102030405\"}"
)]
pub(super) struct Ownership {
    #[serde(deserialize_with = "ownership_mode")]
    pub(super) mode: Option<()>,
    #[serde(deserialize_with = "client_id")]
    pub(super) client_id: Option<Vec<u8>>,
}

/// Our `watch` object: how `dyndns-watch` paces the runs it starts.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(
    default,
    expecting = "an object like {\"quiet_ms\": 500, \"max_delay_ms\": 5000, \"max_updates_per_minute\": 6}"
)]
pub(super) struct Watch {
    #[serde(deserialize_with = "millis")]
    pub(super) quiet_ms: Option<u64>,
    #[serde(deserialize_with = "millis")]
    pub(super) max_delay_ms: Option<u64>,
    #[serde(deserialize_with = "per_minute")]
    pub(super) max_updates_per_minute: Option<u32>,
}

/// How updates reach the primary (our key `transport`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Transport {
    /// TCP to port 53 (RFC 7766).
    Tcp,
    /// DNS over TLS (RFC 7858).
    Tls,
}

/// Our `tls` object: how DNS over TLS reaches and checks the primary.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(
    default,
    expecting = "an object like {\"ca\": \"/etc/ssl/dns-ca.pem\", \"name\": \"ns1.example.com\", \"port\": 853}"
)]
pub(super) struct Tls {
    #[serde(deserialize_with = "port")]
    pub(super) port: Option<u16>,
    #[serde(deserialize_with = "text")]
    pub(super) ca: Option<String>,
    #[serde(deserialize_with = "text")]
    pub(super) name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub(super) cert: Option<String>,
    #[serde(deserialize_with = "text")]
    pub(super) key: Option<String>,
}

/// PyDynDNS 1.2's `ipv6` object.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(
    default,
    expecting = "an object like {\"enable\": true, \"teredo\": false, \"temporary\": false, \"ula\": false, \"include\": [], \"exclude\": []}"
)]
pub(super) struct Ipv6 {
    #[serde(deserialize_with = "enable")]
    pub(super) enable: Option<bool>,
    #[serde(deserialize_with = "flag")]
    pub(super) teredo: bool,
    #[serde(deserialize_with = "flag")]
    pub(super) temporary: bool,
    #[serde(deserialize_with = "flag")]
    pub(super) ula: bool,
    #[serde(deserialize_with = "prefixes")]
    pub(super) include: Vec<Prefix>,
    #[serde(deserialize_with = "prefixes")]
    pub(super) exclude: Vec<Prefix>,
}

/// Where and why serde refused the file.
#[derive(Debug)]
pub(super) struct FileError {
    /// The key, dotted (`ipv6.teredo`); `.` for the document itself.
    pub(super) key: String,
    /// serde_json's error: our message, with the line and column.
    pub(super) source: serde_json::Error,
}

/// Parses `text`: the document, and the unknown keys found (dotted paths).
pub(super) fn parse(text: &str) -> Result<(File, Vec<String>), FileError> {
    let mut unknown = Vec::new();
    let mut json = serde_json::Deserializer::from_str(text);
    // serde_ignored writes an Option's inside as a "?" segment: leave it out.
    let mut note = |path: serde_ignored::Path<'_>| {
        let path = path.to_string();
        unknown.push(
            path.split('.')
                .filter(|s| *s != "?")
                .collect::<Vec<_>>()
                .join("."),
        );
    };
    let file =
        serde_path_to_error::deserialize(serde_ignored::Deserializer::new(&mut json, &mut note))
            .map_err(|e| FileError {
                key: e.path().to_string(),
                source: e.into_inner(),
            })?;
    // Nothing but white space may follow the object.
    json.end().map_err(|source| FileError {
        key: ".".into(),
        source,
    })?;
    Ok((file, unknown))
}

/// The warning for an unknown key, naming the closest known one when one
/// is close (a typo like `tll`).
pub(super) fn unknown_key_warning(path: &std::path::Path, key: &str) -> String {
    let (known, last): (&[&str], &str) = match key.split_once('.') {
        Some(("ipv6", rest)) => (&IPV6_KEYS, rest),
        Some(("ptr", rest)) => (&PTR_KEYS, rest),
        Some(("tls", rest)) => (&TLS_KEYS, rest),
        Some(("watch", rest)) => (&WATCH_KEYS, rest),
        Some(("ownership", rest)) => (&OWNERSHIP_KEYS, rest),
        Some(("sshfp", rest)) => (&super::sshfp::SSHFP_KEYS, rest),
        Some(_) => (&[], key),
        None => (&KNOWN_KEYS, key),
    };
    let closest = known
        .iter()
        .map(|k| (strsim::jaro_winkler(k, last), *k))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k);
    let hint = match closest {
        Some(k) => format!(
            "did you mean \"{}{k}\"? ",
            key.strip_suffix(last).unwrap_or("")
        ),
        None => String::new(),
    };
    format!(
        "config file {}: unknown key \"{key}\" ignored ({hint}known keys: {})",
        path.display(),
        known.join(", ")
    )
}

/// Reads a field as JSON, to check it with our own words.
fn value<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Value::deserialize(d)
}

/// `cache`: a file name, `true` ([`DEFAULT_CACHE`]), `false` or `null` (none).
fn cache<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
    match value(d)? {
        Value::Bool(false) | Value::Null => Ok(None),
        Value::Bool(true) => Ok(Some(PathBuf::from(DEFAULT_CACHE))),
        Value::String(s) => {
            text_problem(&s).map_or(Ok(()), |p| Err(D::Error::custom(p)))?;
            let path = PathBuf::from(s);
            cache_path_problem(&path).map_or(Ok(Some(path)), |p| Err(D::Error::custom(p)))
        }
        other => Err(D::Error::custom(format!(
            "must be a file name, true or false, found {}",
            describe(&other)
        ))),
    }
}

/// `metrics`: the node_exporter textfile to write, a file whose name ends
/// in `.prom` (the textfile collector reads only those), or `null`.
fn metrics<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::String(s) => {
            text_problem(&s).map_or(Ok(()), |p| Err(D::Error::custom(p)))?;
            if !s.ends_with(".prom") || s.ends_with("/.prom") {
                return Err(D::Error::custom(format!(
                    "\"{}\" does not end in .prom, which node_exporter's textfile collector reads; for example \"/var/lib/prometheus/node-exporter/dyndns.prom\"",
                    crate::util::describe::printable(&s)
                )));
            }
            Ok(Some(PathBuf::from(s)))
        }
        other => Err(D::Error::custom(format!(
            "must be a file name ending in .prom, found {}",
            describe(&other)
        ))),
    }
}

/// What is wrong with a cache path (the config's `"cache"`, `--cache`):
/// one that names a directory (`/`, `dir/`, an existing directory) would
/// let the update be sent, then every run fail to write the cache.
pub(crate) fn cache_path_problem(path: &std::path::Path) -> Option<String> {
    use std::path::Component;
    let names_dir = path.as_os_str().as_encoded_bytes().ends_with(b"/")
        || !matches!(path.components().next_back(), Some(Component::Normal(_)))
        || std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
    names_dir.then(|| {
        format!(
            "{} is a directory; give a file in it, for example {}",
            path.display(),
            path.join("pydyndns.cache").display()
        )
    })
}

/// What is wrong with a string that names a file or a host, if anything:
/// it is empty, or holds a control character (a newline, a tab), which no
/// such name has and which would break a log line.
pub(crate) fn text_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some("must be a non-empty string, found an empty string".into());
    }
    let at = s.chars().position(char::is_control)?;
    Some(format!(
        "must hold no control character (a newline, a tab), found one at character {} of \"{}\"",
        at + 1,
        crate::util::describe::printable(s)
    ))
}

/// `ttl`: a whole number of seconds from 0 to 2^31 - 1 (RFC 2181 §8).
pub(super) fn ttl<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let value = value(d)?;
    let Value::Number(n) = &value else {
        return Err(D::Error::custom(format!(
            "must be a whole number of seconds, found {}",
            describe(&value)
        )));
    };
    match n.as_u64() {
        Some(secs) if secs <= MAX_TTL_SECS => Ok(Some(secs as u32)),
        Some(_) => Err(D::Error::custom(format!(
            "{n} is too large; a TTL is at most {MAX_TTL_SECS} seconds (RFC 2181 §8)"
        ))),
        None if n.is_i64() => Err(D::Error::custom(format!(
            "{n} is negative; a TTL is 0 or more seconds"
        ))),
        None => Err(D::Error::custom(format!(
            "{n} is not a whole number of seconds; a TTL has no fractions"
        ))),
    }
}

/// `ipv6.enable`: whether AAAA records are registered (default true).
fn enable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match value(d)? {
        Value::Bool(b) => Ok(Some(b)),
        other => Err(D::Error::custom(format!(
            "must be true or false, found {}",
            describe(&other)
        ))),
    }
}

/// `empty`: what an empty address set does, `"delete"` or `"keep"`.
fn empty<'de, D: Deserializer<'de>>(d: D) -> Result<Empty, D::Error> {
    match value(d)? {
        Value::String(s) if s == "delete" => Ok(Empty::Delete),
        Value::String(s) if s == "keep" => Ok(Empty::Keep),
        other => Err(D::Error::custom(format!(
            "must be \"delete\" (an empty address set deletes the records) or \"keep\" (it sends nothing), found {}",
            describe(&other)
        ))),
    }
}

/// `ipv6.include` and `ipv6.exclude`: lists of prefixes (`"2001:db8::/32"`).
fn prefixes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Prefix>, D::Error> {
    let value = value(d)?;
    let Value::Array(items) = &value else {
        return Err(D::Error::custom(format!(
            "must be a list of prefixes such as [\"2001:db8::/32\"], found {}",
            describe(&value)
        )));
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(s) => s.parse::<Prefix>().map_err(D::Error::custom),
            other => Err(D::Error::custom(format!(
                "must hold prefixes such as \"2001:db8::/32\", found {}",
                describe(other)
            ))),
        })
        .collect()
}

/// `refresh`: whole seconds after which a registration is sent again even
/// if unchanged; 0 never.
fn refresh<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let value = value(d)?;
    match &value {
        Value::Number(n) if n.as_u64().is_some() => Ok(n.as_u64()),
        _ => Err(D::Error::custom(format!(
            "must be a whole number of seconds (86400 refreshes daily, 0 never), found {}",
            describe(&value)
        ))),
    }
}

/// `reboot`: whether a cache from another boot counts as differing.
fn reboot<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match value(d)? {
        Value::String(s) if s == "update" => Ok(Some(true)),
        Value::String(s) if s == "trust-cache" => Ok(Some(false)),
        other => Err(D::Error::custom(format!(
            "must be \"update\" (a cache from another boot counts as changed) or \"trust-cache\", found {}",
            describe(&other)
        ))),
    }
}

/// `compare`: what the state is compared with, `"cache"` or `"live"`.
fn compare<'de, D: Deserializer<'de>>(d: D) -> Result<Compare, D::Error> {
    match value(d)? {
        Value::String(s) if s == "cache" => Ok(Compare::Cache),
        Value::String(s) if s == "live" => Ok(Compare::Live),
        other => Err(D::Error::custom(format!(
            "must be \"cache\" (compare with the cache file) or \"live\" (with the records the primary serves), found {}",
            describe(&other)
        ))),
    }
}

/// `transport`: `"tcp"` or `"tls"`.
fn transport<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Transport>, D::Error> {
    match value(d)? {
        Value::String(s) if s == "tcp" => Ok(Some(Transport::Tcp)),
        Value::String(s) if s == "tls" => Ok(Some(Transport::Tls)),
        other => Err(D::Error::custom(format!(
            "must be \"tcp\" (updates over TCP, port 53) or \"tls\" (DNS over TLS, RFC 7858, with the \"tls\" object), found {}",
            describe(&other)
        ))),
    }
}

/// `servers`: `"primary"`, `"primary-then-ns"`, or a list of server names
/// or addresses, tried in order.
fn servers<'de, D: Deserializer<'de>>(d: D) -> Result<super::Servers, D::Error> {
    let value = value(d)?;
    let wrong = || {
        D::Error::custom(format!(
            "must be \"primary\" (the SOA's MNAME only), \"primary-then-ns\" (then each of the zone's NS servers, for a multi-master zone) or a list of servers to try in order such as [\"ns1.example.com.\", \"ns2.example.com.\"], found {}",
            describe(&value)
        ))
    };
    match &value {
        Value::String(s) if s == "primary" => Ok(super::Servers::Primary),
        Value::String(s) if s == "primary-then-ns" => Ok(super::Servers::PrimaryThenNs),
        Value::Array(items) if !items.is_empty() && items.len() <= 16 => items
            .iter()
            .map(|item| match item.as_str() {
                Some(s) if crate::state::is_server(s) => Ok(s.to_owned()),
                Some(s) => Err(D::Error::custom(format!(
                    "\"{}\" is not a server: give a host name, an address, or [ADDRESS]:PORT",
                    crate::util::describe::printable(s)
                ))),
                None => Err(wrong()),
            })
            .collect::<Result<_, _>>()
            .map(super::Servers::List),
        _ => Err(wrong()),
    }
}

/// `lease`, `key_lease`: seconds, 1 to 2^32 - 1 (RFC 9664 §4: 32 bits).
fn lease<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let value = value(d)?;
    match value.as_u64().and_then(|n| u32::try_from(n).ok()) {
        Some(secs) if secs > 0 => Ok(Some(secs)),
        _ => Err(D::Error::custom(format!(
            "must be a whole number of seconds from 1 to 4294967295 (RFC 9664's 32-bit LEASE; a day is 86400), found {}",
            describe(&value)
        ))),
    }
}

/// `ownership.mode`: `"dhcid"`, the only mode.
fn ownership_mode<'de, D: Deserializer<'de>>(d: D) -> Result<Option<()>, D::Error> {
    match value(d)? {
        Value::String(s) if s == "dhcid" => Ok(Some(())),
        other => Err(D::Error::custom(format!(
            "must be \"dhcid\" (a DHCID record names the owner, RFC 4701 and RFC 4703), found {}",
            describe(&other)
        ))),
    }
}

/// `ownership.client_id`: the host's DHCPv6 DUID in hexadecimal, its
/// 2-octet type first, at most 130 octets (RFC 8415 §11.1).
fn client_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
    let value = value(d)?;
    let duid = value
        .as_str()
        .map(|s| s.replace(':', ""))
        .and_then(|s| crate::dns::dhcid::hex(&s));
    match duid {
        Some(duid) if (3..=crate::dns::dhcid::MAX_DUID_OCTETS).contains(&duid.len()) => {
            Ok(Some(duid))
        }
        _ => Err(D::Error::custom(format!(
            "must be the host's DHCPv6 DUID in hexadecimal (colons allowed), its 2-octet type first, 3 to 130 octets, as the DHCPv6 client sends it (for example \"00:01:00:01:2a:1b:2c:3d:0c:01:02:03:04:05\"), found {}",
            describe(&value)
        ))),
    }
}

/// `watch.quiet_ms`, `watch.max_delay_ms`: milliseconds, 1 to an hour.
fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let value = value(d)?;
    match value.as_u64() {
        Some(ms) if (1..=3_600_000).contains(&ms) => Ok(Some(ms)),
        _ => Err(D::Error::custom(format!(
            "must be a whole number of milliseconds from 1 to 3600000, found {}",
            describe(&value)
        ))),
    }
}

/// `watch.max_updates_per_minute`: 1 to 600.
fn per_minute<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let value = value(d)?;
    match value.as_u64() {
        Some(n) if (1..=600).contains(&n) => Ok(Some(n as u32)),
        _ => Err(D::Error::custom(format!(
            "must be a whole number of runs from 1 to 600, found {}",
            describe(&value)
        ))),
    }
}

/// `tls.port`: a TCP port, 1 to 65535.
fn port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    let value = value(d)?;
    match value.as_u64().and_then(|n| u16::try_from(n).ok()) {
        Some(port) if port > 0 => Ok(Some(port)),
        _ => Err(D::Error::custom(format!(
            "must be a port number from 1 to 65535 (DNS over TLS is 853), found {}",
            describe(&value)
        ))),
    }
}

/// A file name or a host name: a non-empty string without control
/// characters.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match value(d)? {
        Value::String(s) => match text_problem(&s) {
            None => Ok(Some(s)),
            Some(problem) => Err(D::Error::custom(problem)),
        },
        other => Err(D::Error::custom(format!(
            "must be a non-empty string, found {}",
            describe(&other)
        ))),
    }
}

/// `replace`: what an update deletes, `"all"` or `"aaaa"`.
fn replace<'de, D: Deserializer<'de>>(d: D) -> Result<Replace, D::Error> {
    match value(d)? {
        Value::String(s) if s == "all" => Ok(Replace::All),
        Value::String(s) if s == "aaaa" => Ok(Replace::Aaaa),
        other => Err(D::Error::custom(format!(
            "must be \"all\" (an update deletes every record at the name) or \"aaaa\" (only the AAAA and A sets), found {}",
            describe(&other)
        ))),
    }
}

/// A switch: `true` or `false`.
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match value(d)? {
        Value::Bool(b) => Ok(b),
        other => Err(D::Error::custom(format!(
            "must be true or false, found {}",
            describe(&other)
        ))),
    }
}

/// `timeout`: seconds, more than 0 and at most [`MAX_TIMEOUT_SECS`].
fn timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => match n.as_f64() {
            Some(secs) if secs > 0.0 && secs <= MAX_TIMEOUT_SECS => {
                Ok(Some(Duration::from_secs_f64(secs)))
            }
            _ => Err(D::Error::custom(format!(
                "{n} is out of range; give seconds, more than 0 and at most {MAX_TIMEOUT_SECS}"
            ))),
        },
        other => Err(D::Error::custom(format!(
            "must be a number of seconds, found {}",
            describe(&other)
        ))),
    }
}
