//! How the stages that talk to a zone's primary reach it: the port, and
//! DNS over TLS (RFC 7858) when the config's `"transport"` or
//! `--transport` asks for it, the flags winning over the config's `tls`
//! object key by key.

use std::sync::Arc;

use crate::args::{NetArgs, TransportFlag};
use crate::config::{Config, TlsConfig};
use crate::tls::{TlsClient, TlsSetupError};

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
    /// `--tls-insecure`: no certificate verification.
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
        let over_tls = match net.transport {
            Some(TransportFlag::Tls) => true,
            Some(TransportFlag::Tcp) => false,
            None => config.tls.is_some(),
        };
        let tls = over_tls.then(|| {
            let mut tls = config.tls.clone().unwrap_or_default();
            if let Some(port) = net.port {
                tls.port = port;
            }
            if let Some(ca) = &net.tls_ca {
                tls.ca = Some(ca.clone());
            }
            if let Some(name) = &net.tls_name {
                tls.name = Some(name.clone());
            }
            if let (Some(cert), Some(key)) = (&net.tls_cert, &net.tls_key) {
                tls.cert = Some(cert.clone());
                tls.key = Some(key.clone());
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
            insecure: net.tls_insecure,
        }
    }

    /// The TLS client, built now (the CA, the client certificate and key
    /// read), when over TLS. Without verification, a warning on every run.
    pub fn client(&self) -> Result<Option<Arc<TlsClient>>, TlsSetupError> {
        let Some(tls) = &self.tls else {
            return Ok(None);
        };
        if self.insecure {
            log::warn!(
                "--tls-insecure: the primary's TLS certificate is NOT verified; anyone on the path can read and change what is sent. For tests only."
            );
        }
        TlsClient::new(tls, self.insecure).map(|c| Some(Arc::new(c)))
    }
}
