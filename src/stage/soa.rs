//! `dyndns-soa`: the zone of a name and its primary server. Async: the
//! binary runs it on a runtime of its own.

use std::time::Duration;

use hickory_proto::rr::Name;
use hickory_resolver::TokioResolver;

use crate::config::Servers;
use crate::dns::zone::{self, ZoneInfo};
use crate::state::{Ptr, State, parse_name};

use super::{BadName, LOOKUP_BOUND, LookupError, SoaError};

/// `dyndns-soa NAME` by hand: the primary server's name.
pub async fn soa_of_name(name: &str, timeout: Duration) -> Result<Name, SoaError> {
    let name = parse_name(name).map_err(|source| BadName {
        what: name.to_owned(),
        source,
    })?;
    let resolver = zone::system_resolver(timeout)?;
    Ok(bounded_find_zone(&resolver, &name, timeout).await?.primary)
}

/// `dyndns-soa` in a pipeline: adds `zone` and `server` to the state, and
/// to each PTR record left to send, its reverse zone and that zone's
/// primary (unless only the PTR side is left: then not the forward zone).
/// With `"servers"` other than `"primary"`, adds `failover` too: the
/// servers to try after `server`, in the order `dyndns-send`, `--live` and
/// `--check` all follow.
pub async fn soa(
    mut state: State,
    timeout: Duration,
    servers: &Servers,
) -> Result<State, SoaError> {
    let resolver = zone::system_resolver(timeout)?;
    if !state.forward_registered {
        let found = bounded_find_zone(&resolver, &state.hostname, timeout).await?;
        super::ApexName::check(&state.hostname, &found.zone)?;
        let primary = found.primary.to_ascii();
        match servers {
            Servers::Primary => state.server = Some(primary),
            Servers::PrimaryThenNs => {
                let ns = tokio::time::timeout(timeout, zone::name_servers(&resolver, &found.zone))
                    .await
                    .unwrap_or_default();
                state.failover = Some(zone::others_than(&primary, ns));
                state.server = Some(primary);
            }
            Servers::List(list) => {
                state.server = list.first().cloned();
                state.failover = Some(list.iter().skip(1).cloned().collect());
            }
        }
        state.zone = Some(found.zone);
    }
    if let Some(ptr) = state.ptr.as_mut() {
        locate(ptr, &resolver, timeout).await;
    }
    Ok(state)
}

/// Finds the reverse zone and primary of each PTR record left to send
/// that lacks them: an SOA lookup per reverse name, as for the forward
/// name (RFC 2136 §4), since any of them may be delegated apart. A name
/// whose zone is not found is left without one (and said so): the forward
/// update must not wait on a reverse zone, and `dyndns-send` tries again,
/// failing that zone alone.
pub(super) async fn locate(ptr: &mut Ptr, resolver: &TokioResolver, timeout: Duration) {
    for record in ptr.pending_mut() {
        if record.zone.is_some() && record.server.is_some() {
            continue;
        }
        match bounded_find_zone(resolver, &record.name, timeout).await {
            Ok(found) => {
                record.zone.get_or_insert(found.zone);
                record
                    .server
                    .get_or_insert_with(|| found.primary.to_ascii());
            }
            Err(e) => log::info!(
                "no reverse zone found for {} ({}): {}; dyndns-send tries again",
                record.address,
                record.name,
                crate::util::describe::chain(&e)
            ),
        }
    }
}

/// [`zone::find_zone`] within [`LOOKUP_BOUND`] timeouts.
pub(super) async fn bounded_find_zone(
    resolver: &TokioResolver,
    name: &Name,
    timeout: Duration,
) -> Result<ZoneInfo, LookupError> {
    let bound = timeout * LOOKUP_BOUND;
    match tokio::time::timeout(bound, zone::find_zone(resolver, name)).await {
        Ok(found) => Ok(found?),
        Err(_) => Err(LookupError::Timeout {
            name: name.clone(),
            bound,
        }),
    }
}
