//! How the stages that talk to a zone's primary reach it: the port, and
//! DNS over TLS (RFC 7858) when the config's `"transport"` or `--tls`
//! asks for it, the flags winning over the config's `tls` object key by
//! key (and the last `--tls on` or `off` over its `"transport"`).

use crate::app::args::{NetArgs, TlsFlag};
use crate::config::{Config, TlsConfig};

/// The DNS port (RFC 1035 §4.2).
pub const DNS_PORT: u16 = 53;

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
    /// The flags over the config.
    pub fn new(net: &NetArgs, config: &Config) -> Self {
        let switch = net
            .tls
            .iter()
            .rev()
            .find(|f| matches!(f, TlsFlag::On | TlsFlag::Off));
        let over_tls = match switch {
            Some(TlsFlag::Off) => false,
            Some(_) => true,
            None => config.tls.is_some() || !net.tls.is_empty(),
        };
        let mut insecure = false;
        let tls = over_tls.then(|| {
            let mut tls = config.tls.clone().unwrap_or_default();
            if let Some(port) = net.port {
                tls.port = port;
            }
            for flag in &net.tls {
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
            port: tls
                .as_ref()
                .map_or(net.port.unwrap_or(DNS_PORT), |t| t.port),
            plain_port: if tls.is_some() {
                DNS_PORT
            } else {
                net.port.unwrap_or(DNS_PORT)
            },
            tls,
            insecure,
        }
    }
}
