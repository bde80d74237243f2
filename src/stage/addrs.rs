//! `dyndns-addrs`: the FQDN and the address set to register.

use std::path::Path;

use crate::config::{Compare, Config, Empty};
use crate::dns::dhcid;
use crate::host::addrs;
use crate::host::hostname;
use crate::host::sshkeys;
use crate::state::observed::Observed;
use crate::state::{Ptr, State};

use super::{AddrsError, COMPARE_KEY};

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

/// `dyndns-addrs --explain`: every address of every interface with its
/// verdict under the config's policy, rendered in `format`.
pub fn explain(
    opts: &AddrsOptions,
    config: &Config,
    format: addrs::Format,
) -> Result<String, AddrsError> {
    let selection = config.selection(opts.interfaces.clone());
    let table = addrs::kernel_table(selection.families)?;
    let explained = addrs::explain(&table, &selection)?;
    let mut text = addrs::render(&explained, format);
    // With "sshfp", the keys read and the records they give: a second
    // table, or a second line of JSON.
    if let Some(sshfp) = &config.sshfp {
        let keys = sshkeys::read(&sshfp.keys, &sshfp.hashes);
        match format {
            addrs::Format::Table => {
                text.push('\n');
                text.push_str(&sshkeys::render(&keys));
            }
            // Serialising paths, strings and lists cannot fail.
            addrs::Format::Json => {
                text.push_str(&serde_json::to_string(&keys).unwrap_or_default());
                text.push('\n');
            }
        }
    }
    Ok(text)
}

/// The key of the state document that, when `addresses` is empty, says for
/// each interface considered which addresses were left out and why, so that
/// `dyndns-send` can say why the update deletes the records.
pub const LEFT_OUT_KEY: &str = "left_out";

/// `dyndns-addrs`: the state of this host; `None` when there is no address
/// and the config says `"empty": "keep"` (nothing to do).
pub fn addrs(opts: &AddrsOptions, config: &Config) -> Result<Option<State>, AddrsError> {
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
        None => hostname::fqdn(config.timeout_or(None) * super::LOOKUP_BOUND)?,
    };
    let selection = config.selection(opts.interfaces.clone());
    let selected = addrs::host_addresses(&selection)?;
    log::debug!(
        "{hostname}: {} IPv6 and {} IPv4 address(es) to register",
        selected.addresses.len(),
        selected.ipv4.len()
    );
    // Stamped as the kernel's table was read: it orders this observation
    // against other runs' (see crate::state::observed).
    let observed = Observed::now();
    let empty = selected.addresses.is_empty() && selected.ipv4.is_empty();
    let ipv4 = config.ipv4.then_some(selected.ipv4);
    if !empty {
        let mut state = State::new(hostname, ttl_secs, selected.addresses);
        state.ipv4 = ipv4;
        state.observed = observed;
        mark(&mut state, config)?;
        return Ok(Some(state));
    }
    let why = addrs::explain_left_out(&selected.left_out);
    if config.empty == Empty::Keep {
        log::info!(
            "not updating {hostname}: no address to register ({why}); the records stay as they are (\"empty\": \"keep\")"
        );
        return Ok(None);
    }
    log::debug!("{hostname}: no address to register ({why})");
    let mut state = State::new(hostname, ttl_secs, Vec::new());
    state.ipv4 = ipv4;
    state.observed = observed;
    mark(&mut state, config)?;
    // Serialising a map of strings and enums cannot fail.
    if let Ok(value) = serde_json::to_value(&selected.left_out) {
        state.extra.insert(LEFT_OUT_KEY.into(), value);
    }
    Ok(Some(state))
}

/// With `"compare": "live"`, tells the wrapper (which reads no JSON config)
/// to find the primary before comparing: `"compare": "live"` in the state.
/// With `"ptr"`, adds the PTR side: each address's reverse name. With
/// `"ownership"`, the owner's DHCID. With `"sshfp"`, the SSH host keys'
/// SSHFP set.
fn mark(state: &mut State, config: &Config) -> Result<(), AddrsError> {
    if config.compare == Compare::Live {
        state.extra.insert(COMPARE_KEY.into(), "live".into());
    }
    if let Some(ptr) = &config.ptr {
        let ttl = ptr.ttl_secs.unwrap_or(state.ttl_secs);
        state.ptr = Some(Ptr::new(ttl, state.all_addresses()));
    }
    if let Some(ownership) = &config.ownership {
        let duid = match &ownership.client_id {
            Some(duid) => duid.clone(),
            None => machine_duid(Path::new(MACHINE_ID))?,
        };
        state.dhcid = Some(dhcid::rdata(dhcid::DUID, &duid, &state.hostname));
    }
    if let Some(sshfp) = &config.sshfp {
        state.sshfp = Some(sshkeys::records(&sshkeys::read(&sshfp.keys, &sshfp.hashes)));
    }
    Ok(())
}

/// Where systemd keeps the machine ID (machine-id(5)).
const MACHINE_ID: &str = "/etc/machine-id";

/// The DUID-UUID made from the machine ID in `path` (RFC 6355).
fn machine_duid(path: &Path) -> Result<Vec<u8>, AddrsError> {
    let problem = |problem: String| AddrsError::MachineId {
        path: path.display().to_string(),
        problem,
    };
    let text = crate::util::fs::read_named(path, 4096).map_err(|e| problem(e.to_string()))?;
    dhcid::duid_uuid(&text).ok_or_else(|| problem("it does not hold 32 hexadecimal digits".into()))
}
