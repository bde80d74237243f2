//! How the stages that talk to a zone's primary reach it: the port, and
//! DNS over TLS (RFC 7858) when the config's `"transport"` or `--tls`
//! asks for it, the flags winning over the config's `tls` object key by
//! key (and the last `--tls on` or `off` over its `"transport"`).

use std::path::PathBuf;

/// The port of DNS over TLS (RFC 7858 §3.1).
pub const DEFAULT_TLS_PORT: u16 = 853;

/// `"transport": "tls"` and the `tls` object: how the primary is reached
/// and its certificate checked. Paths are relative to the config file's
/// directory (`crate::config` reads it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsConfig {
    /// The primary's DNS-over-TLS port (`tls.port`, default 853).
    pub port: u16,
    /// The CA certificates (PEM) to trust (`tls.ca`); `None`: the system's
    /// trust store.
    pub ca: Option<PathBuf>,
    /// Where the name the certificate must hold comes from (`tls.name`);
    /// `None`: not said, which only `--server` on the command line (the
    /// certificate must then hold that name or address) may make up for.
    pub name: Option<TlsName>,
    /// A client certificate chain (PEM) for mutual TLS (`tls.cert`).
    pub cert: Option<PathBuf>,
    /// Its private key (PEM) (`tls.key`); a secret, never read but by the
    /// stages that connect.
    pub key: Option<PathBuf>,
}

/// The name a primary's certificate is checked against (`tls.name`,
/// `--tls name=`).
///
/// Only a name the administrator gave is trusted by default: the SOA's
/// MNAME comes from an unauthenticated DNS answer, and a forged SOA naming
/// a host that holds a valid certificate for its own name would pass the
/// check (RFC 8310 §8.2: the authentication domain name is configured, not
/// learned from DNS without DNSSEC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsName {
    /// This name (or address), for every server updated.
    Pinned(String),
    /// `"soa"`: each server's own name, as the zone's SOA record names it,
    /// trusting the resolver that answered.
    FromSoa,
}

impl TlsName {
    /// The name to check `server`'s certificate against: the pinned one,
    /// else the server as it is named.
    pub fn for_server<'a>(name: Option<&'a Self>, server: &'a str) -> &'a str {
        match name {
            Some(Self::Pinned(name)) => name,
            Some(Self::FromSoa) | None => server,
        }
        .trim_end_matches('.')
    }

    /// `tls.name`'s value: `"soa"` or a host name or address.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.eq_ignore_ascii_case("soa") {
            return Ok(Self::FromSoa);
        }
        if text.parse::<std::net::IpAddr>().is_ok() || crate::state::parse_name(text).is_ok() {
            return Ok(Self::Pinned(text.to_owned()));
        }
        Err(format!(
            "\"{text}\" is not a name: give the name in the primary's certificate (ns1.example.com), its address, or \"soa\" to take each server's name from the zone's SOA record (trusting the resolver)"
        ))
    }
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

/// The DNS port (RFC 1035 §4.2).
pub const DNS_PORT: u16 = 53;

/// One `--tls` setting: one repeated flag (`--tls ca=FILE --tls
/// name=NAME`) rather than nsupdate's five (-S, -A, -H, -E, -K), so that
/// the settings read as the config's `tls` object does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsFlag {
    /// `ca=FILE`.
    Ca(PathBuf),
    /// `name=NAME`, or `name=soa`.
    Name(TlsName),
    /// `cert=FILE`.
    Cert(PathBuf),
    /// `key=FILE`.
    Key(PathBuf),
    /// `insecure`.
    Insecure,
    /// `on`: TLS with the config's settings.
    On,
    /// `off`: TCP.
    Off,
}

/// Parses `--tls`'s value.
pub fn parse_tls(text: &str) -> Result<TlsFlag, String> {
    let (key, value) = text.split_once('=').unwrap_or((text, ""));
    match (key, value) {
        ("insecure", "") => Ok(TlsFlag::Insecure),
        ("on", "") => Ok(TlsFlag::On),
        ("off", "") => Ok(TlsFlag::Off),
        (_, "") => Err(format!(
            "\"{text}\" is not a setting: give on, off, ca=FILE, name=NAME, cert=FILE, key=FILE or insecure"
        )),
        ("ca", v) => Ok(TlsFlag::Ca(v.into())),
        ("name", v) => TlsName::parse(v).map(TlsFlag::Name),
        ("cert", v) => Ok(TlsFlag::Cert(v.into())),
        ("key", v) => Ok(TlsFlag::Key(v.into())),
        (k, _) => Err(format!(
            "unknown setting \"{k}\": give on, off, ca=FILE, name=NAME, cert=FILE, key=FILE or insecure"
        )),
    }
}

/// The port and the transport, the flags applied over the config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    /// The primary's port: `--port`, else the TLS port over TLS, else 53.
    pub port: u16,
    /// The port of the zone's other servers (`--check`), asked in plain
    /// DNS: `--port` when not over TLS, else 53.
    pub plain_port: u16,
    /// DNS over TLS, with these settings; `None`: TCP (and UDP for queries).
    pub tls: Option<TlsConfig>,
    /// `--tls insecure`: no certificate verification.
    pub insecure: bool,
}

impl Default for Reach {
    fn default() -> Self {
        Self {
            port: DNS_PORT,
            plain_port: DNS_PORT,
            tls: None,
            insecure: false,
        }
    }
}

impl Reach {
    /// The flags (`--port`, each `--tls`) over the config's `tls` object
    /// (`None`: `"transport": "tcp"`).
    pub fn new(port: Option<u16>, flags: &[TlsFlag], config: Option<&TlsConfig>) -> Self {
        let switch = flags
            .iter()
            .rev()
            .find(|f| matches!(f, TlsFlag::On | TlsFlag::Off));
        let over_tls = match switch {
            Some(TlsFlag::Off) => false,
            Some(_) => true,
            None => config.is_some() || !flags.is_empty(),
        };
        let mut insecure = false;
        let tls = over_tls.then(|| {
            let mut tls = config.cloned().unwrap_or_default();
            if let Some(port) = port {
                tls.port = port;
            }
            for flag in flags {
                match flag {
                    TlsFlag::Ca(ca) => tls.ca = Some(ca.clone()),
                    TlsFlag::Name(name) => tls.name = Some(name.clone()),
                    TlsFlag::Cert(cert) => tls.cert = Some(cert.clone()),
                    TlsFlag::Key(key) => tls.key = Some(key.clone()),
                    TlsFlag::Insecure => insecure = true,
                    TlsFlag::On | TlsFlag::Off => {}
                }
            }
            tls
        });
        Self {
            port: tls.as_ref().map_or(port.unwrap_or(DNS_PORT), |t| t.port),
            plain_port: if tls.is_some() {
                DNS_PORT
            } else {
                port.unwrap_or(DNS_PORT)
            },
            tls,
            insecure,
        }
    }
}
