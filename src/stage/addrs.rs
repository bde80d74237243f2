//! `dyndns-addrs`: the FQDN and the address set to register.

use crate::addrs::{self, Selection};
use crate::config::Config;
use crate::hostname;
use crate::state::State;

use super::AddrsError;

/// `dyndns-addrs`'s options.
#[derive(Clone, Debug, Default)]
pub struct AddrsOptions {
    /// Interfaces to read; empty: every interface that is up and not a loopback.
    pub interfaces: Vec<String>,
    /// The FQDN, instead of the system's.
    pub hostname: Option<String>,
    /// The TTL, instead of the config's.
    pub ttl_secs: Option<u32>,
}

/// `dyndns-addrs`: the state of this host.
pub fn addrs(opts: &AddrsOptions, config: &Config) -> Result<State, AddrsError> {
    let ttl_secs = opts
        .ttl_secs
        .or(config.ttl_secs)
        .ok_or_else(|| AddrsError::NoTtl {
            config: config
                .path
                .as_ref()
                .map_or("none read".into(), |p| p.display().to_string()),
        })?;
    let hostname = match &opts.hostname {
        Some(name) => hostname::given(name)?,
        None => hostname::fqdn()?,
    };
    let selection = Selection {
        interfaces: opts.interfaces.clone(),
        teredo: config.teredo,
    };
    let addresses = addrs::host_addresses(&selection)?;
    log::debug!("{hostname}: {} address(es) to register", addresses.len());
    Ok(State::new(hostname, ttl_secs, addresses))
}
