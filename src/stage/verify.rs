//! `"verify": true`: after the primary accepted an update, ask it what it
//! serves, and fail unless it is what was sent (some servers answer
//! NOERROR and apply a policy, or nothing).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use hickory_proto::rr::RecordType;

use crate::dns::live::{self, Via};
use crate::dns::query::Served;
use crate::state::State;

use super::{NotVerified, SendError};

/// Asks `server` at `addr` for the name's records of `rtype`.
fn ask(
    state: &State,
    (server, addr): (&str, SocketAddr),
    rtype: RecordType,
    via: &Via<'_>,
) -> Result<Served, SendError> {
    live::ask_any(server, &[addr], &state.hostname, rtype, via)
        .map(|(_, served)| served)
        .map_err(|source| {
            Box::new(NotVerified::Unanswered {
                name: state.hostname.clone(),
                source,
            })
            .into()
        })
}

/// Asks the address that accepted the update whether it now serves the
/// state's AAAA set with its TTL: some servers answer NOERROR and apply a
/// policy (or nothing).
pub(super) fn verify(
    state: &State,
    server: &str,
    addr: SocketAddr,
    via: &Via<'_>,
) -> Result<(), SendError> {
    let served = ask(state, (server, addr), RecordType::AAAA, via)?;
    let got = served.ipv6();
    let ttl_ok = got.is_empty() || served.ttl == Some(state.ttl_secs);
    // With IPv4 on, the A set too.
    let a = match &state.ipv4 {
        None => None,
        Some(_) => Some(ask(state, (server, addr), RecordType::A, via)?),
    };
    let ipv4_ok = match (&state.ipv4, &a) {
        (Some(sent), Some(a)) => {
            a.ipv4() == *sent && (sent.is_empty() || a.ttl == Some(state.ttl_secs))
        }
        _ => true,
    };
    if got == state.addresses && ttl_ok && ipv4_ok {
        log::debug!("verified: {addr} serves what was sent");
        return Ok(());
    }
    let show = |rtype: &str, addrs: Vec<String>, ttl: Option<u32>| {
        let list = if addrs.is_empty() {
            format!("no {rtype} record")
        } else {
            format!("[{}]", addrs.join(" "))
        };
        match ttl {
            Some(ttl) if !addrs.is_empty() => format!("{list} with TTL {ttl}"),
            _ => list,
        }
    };
    let strings = |v: &[Ipv6Addr]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    let mut served_text = show("AAAA", strings(&got), served.ttl);
    let mut sent_text = show("AAAA", strings(&state.addresses), Some(state.ttl_secs));
    if let (Some(sent), Some(a)) = (&state.ipv4, &a) {
        let v4 = |v: &[Ipv4Addr]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        served_text.push_str(&format!(" and {}", show("A", v4(&a.ipv4()), a.ttl)));
        sent_text.push_str(&format!(
            " and {}",
            show("A", v4(sent), Some(state.ttl_secs))
        ));
    }
    Err(Box::new(NotVerified::NotApplied {
        name: state.hostname.clone(),
        server: addr,
        served: served_text,
        sent: sent_text,
    })
    .into())
}
