//! `dyndns-send`'s options: its flags as given ([`SendFlags`]), checked
//! against the config into [`SendOptions`], which the forward update
//! (`send`), the PTR side (`send_ptr`) and the delivery to a primary's
//! addresses (`deliver`) all read.

use std::path::PathBuf;
use std::time::Duration;

use hickory_proto::rr::Name;

use crate::config::keyfile;
use crate::config::{Config, Empty};
use crate::dns::tsig::Key;
use crate::dns::update::DryRunFormat;
use crate::dns::update::Replace;
use crate::state::{State, parse_name};

use super::{BadName, LOOKUP_BOUND, SEND_BOUND, SendError};

/// `dyndns-send`'s flags as given, before they are checked.
#[derive(Clone, Debug, Default)]
pub struct SendFlags {
    /// `--server`: a name, an address, or `[ADDRESS]:PORT`.
    pub server: Option<String>,
    /// `--zone`.
    pub zone: Option<String>,
    /// `--port` and `--tls`, over the config.
    pub reach: crate::dns::reach::Reach,
    /// `--timeout`, seconds.
    pub timeout_secs: Option<f64>,
    /// `--cache`.
    pub cache: Option<PathBuf>,
    /// `--key-file`: a BIND key file.
    pub key_file: Option<PathBuf>,
    /// `--dry-run`, in this format.
    pub dry_run: Option<DryRunFormat>,
    /// `--verify`.
    pub verify: bool,
    /// `--take-over`.
    pub take_over: bool,
}

/// `dyndns-send`'s options, checked.
#[derive(Clone, Debug)]
pub struct SendOptions {
    /// The server (name or address), instead of the state's.
    pub server: Option<String>,
    /// The zone, instead of the state's.
    pub zone: Option<Name>,
    /// The primary's port (53, or DNS over TLS's).
    pub port: u16,
    /// DNS over TLS's settings, when the primary is reached over TLS.
    pub tls_config: Option<crate::dns::reach::TlsConfig>,
    /// The TLS client, when over TLS (not for a dry run).
    pub tls: Option<std::sync::Arc<dyn crate::dns::transport::Secure>>,
    /// The time one server address has to answer, and each DNS lookup.
    pub timeout: Duration,
    /// Print the update in this format instead of sending it.
    pub dry_run: Option<DryRunFormat>,
    /// The cache file to rewrite on success.
    pub cache: Option<PathBuf>,
    /// The TSIG key.
    pub key: Option<Key>,
    /// What an empty address set does.
    pub empty: Empty,
    /// Ask the primary afterwards whether it serves what was sent.
    pub verify: bool,
    /// Take the name whoever owns it (`--take-over`, with `"ownership"`).
    pub take_over: bool,
    /// The lease updates ask for (`"lease"`, RFC 9664).
    pub lease: Option<crate::config::LeaseConfig>,
    /// What the update deletes before it adds.
    pub replace: Replace,
    /// The TSIG key of the reverse zones' updates (`ptr.tsig`, else the
    /// forward zone's).
    pub ptr_key: Option<Key>,
    /// GSS-TSIG's initiator (`dyndns-send` sets it): updates without a
    /// TSIG key are signed with a context negotiated with the primary.
    pub gss: Option<std::sync::Arc<dyn crate::dns::tkey::GssInitiator>>,
    /// The config's GSS-TSIG object, for `--dry-run`'s comment.
    pub gss_config: Option<crate::dns::gss_env::GssConfig>,
    /// Which servers an update goes to (`"servers"`): the primary, or
    /// others after it.
    pub servers: crate::config::Servers,
}

impl SendOptions {
    /// Checks the flags against the config: the zone is a name, a key file
    /// is read (and its mode checked), and flags win over the config.
    pub fn new(flags: SendFlags, config: &Config) -> Result<Self, SendError> {
        let zone = match &flags.zone {
            Some(z) => Some(parse_name(z).map_err(|source| BadName {
                what: "--zone".into(),
                source,
            })?),
            None => None,
        };
        if flags
            .server
            .as_deref()
            .is_some_and(|s| !crate::state::is_server(s))
        {
            return Err(SendError::BadServer);
        }
        let key = match &flags.key_file {
            Some(file) => Some(keyfile::read_flagged(file)?),
            None => config.tsig.clone(),
        };
        let ptr_key = match config.ptr.as_ref().and_then(|p| p.tsig.clone()) {
            Some(own) => Some(own),
            None => key.clone(),
        };
        let cache = flags.cache.or_else(|| config.cache.clone());
        if config.lease.is_some() && cache.is_none() {
            return Err(SendError::LeaseWithoutCache);
        }
        Ok(Self {
            gss: None,
            gss_config: config.gss.clone(),
            ptr_key,
            server: flags.server,
            zone,
            port: flags.reach.port,
            tls_config: flags.reach.tls,
            tls: None,
            timeout: config.timeout_or(flags.timeout_secs),
            dry_run: flags.dry_run,
            cache,
            key,
            empty: config.empty,
            verify: flags.verify || config.verify,
            take_over: flags.take_over,
            lease: config.lease,
            replace: config.replace,
            servers: config.servers.clone(),
        })
    }

    /// How the primary is asked what it serves (`verify`, `guard`).
    pub(super) fn via(&self) -> crate::dns::live::Via<'_> {
        crate::dns::live::Via {
            port: self.port,
            timeout: self.timeout,
            tls: self.tls.as_deref(),
        }
    }

    /// How long the forward update may take (its zone found, its primary
    /// found, sent), and the PTR side after it, all its zones together.
    pub(super) fn run_bound(&self) -> Duration {
        self.timeout * (LOOKUP_BOUND + SEND_BOUND)
    }

    /// The principals GSS-TSIG signs as, in the order tried, for
    /// `--dry-run`: the config's, or the host's defaults
    /// ([`crate::dns::gss_env::default_principals`]); `None` without
    /// GSS-TSIG or with a TSIG key.
    pub(super) fn gss_principals(&self, host: &Name, key: Option<&Key>) -> Option<Vec<String>> {
        let gss = self.gss_config.as_ref().filter(|_| key.is_none())?;
        Some(match &gss.principal {
            Some(p) => vec![p.clone()],
            None => crate::dns::gss_env::default_principals(host).to_vec(),
        })
    }

    /// How long another run may hold the lock: the forward update's bound,
    /// and the PTR side's when the state has one.
    pub(super) fn lock_bound(&self, state: &State) -> Duration {
        let sides = if state.ptr.is_some() { 2 } else { 1 };
        self.run_bound() * sides
    }
}
