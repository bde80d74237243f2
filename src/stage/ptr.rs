//! The PTR side of `dyndns-diff` and `dyndns-diff --check`: which PTR
//! records are registered already (the cache's, or the primaries'), and
//! which addresses are gone, so that `dyndns-send` sends only the rest.

use std::collections::HashMap;
use std::net::SocketAddr;

use hickory_proto::rr::{Name, RData, RecordType};

use crate::dns::live::{self, LiveError, Via};
use crate::state::cache::Record;
use crate::state::{Ptr, PtrRecord};

use super::DiffError;

/// Marks the records the cache holds (unless everything is sent again:
/// `renew`), and adds the addresses the cache holds a PTR for that are
/// gone now. Returns why the PTR side differs.
pub(super) fn compare_with_cache(
    ptr: &mut Ptr,
    host: &Name,
    cached: Option<&Record>,
    renew: bool,
) -> Vec<String> {
    if let Some(record) = cached
        && let Some(before) = &record.state.ptr
    {
        let before_host = &record.state.hostname;
        if !renew {
            let ttl = ptr.ttl_secs;
            for r in &mut ptr.records {
                r.registered = before.registered_for(r.address, host, before_host, ttl);
            }
        }
        add_gone(ptr, before, before_host);
    }
    reasons(ptr, true)
}

/// Asks each record's primary for the PTR at its name (the state must
/// carry the zones and primaries, from `dyndns-soa`), and marks the records
/// it serves exactly: one PTR, to `host`, with the TTL. The addresses gone
/// come from the cache, the only record of them.
pub(super) fn compare_live(
    ptr: &mut Ptr,
    host: &Name,
    cached: Option<&Record>,
    via: &Via<'_>,
) -> Result<Vec<String>, DiffError> {
    let mut servers = Servers::default();
    let mut because = Vec::new();
    for r in &mut ptr.records {
        let (at, wrong) = ask(&mut servers, r, host, ptr.ttl_secs, via)?;
        r.registered = wrong.is_none();
        if let Some(wrong) = wrong {
            let server = r.server.as_deref().unwrap_or_default();
            because.push(format!("at the primary {server} ({at}): {wrong}"));
        }
    }
    if let Some(record) = cached
        && let Some(before) = &record.state.ptr
    {
        add_gone(ptr, before, &record.state.hostname);
    }
    because.extend(reasons(ptr, false));
    Ok(because)
}

/// The problems `--check` reports on the PTR side: each record whose
/// primary does not serve exactly its PTR, or cannot be asked.
pub(super) fn check(ptr: &Ptr, host: &Name, via: &Via<'_>) -> Vec<String> {
    let mut servers = Servers::default();
    ptr.records
        .iter()
        .filter_map(|r| match ask(&mut servers, r, host, ptr.ttl_secs, via) {
            Ok((_, wrong)) => wrong,
            Err(e) => Some(format!(
                "PTR of {}: {}",
                r.address,
                crate::util::describe::chain(&e)
            )),
        })
        .collect()
}

/// Each primary's addresses, looked up once per run.
#[derive(Default)]
struct Servers(HashMap<String, Vec<SocketAddr>>);

/// Asks `r`'s primary for its PTR RRset: the address that answered, and
/// what is wrong with it, if anything.
fn ask(
    servers: &mut Servers,
    r: &PtrRecord,
    host: &Name,
    ttl: u32,
    via: &Via<'_>,
) -> Result<(SocketAddr, Option<String>), DiffError> {
    let server = r
        .server
        .as_deref()
        .ok_or(DiffError::NoPtrPrimary { address: r.address })?;
    let addrs = match servers.0.get(server) {
        Some(addrs) => addrs.clone(),
        None => {
            let found = live::server_addresses(server, via.port, via.timeout)?;
            servers.0.insert(server.to_owned(), found.clone());
            found
        }
    };
    let (at, served) = live::ask_any(server, &addrs, &r.name, RecordType::PTR, via)
        .map_err(|e: LiveError| DiffError::Live(e))?;
    let targets: Vec<String> = served
        .rdata
        .iter()
        .filter_map(|d| match d {
            RData::PTR(p) => Some(p.0.to_ascii()),
            _ => None,
        })
        .collect();
    let right = matches!(targets.as_slice(), [one] if one.eq_ignore_ascii_case(&host.to_ascii()));
    let wrong = if !right {
        let held = if targets.is_empty() {
            "no PTR".to_owned()
        } else {
            format!("PTR {}", targets.join(" "))
        };
        Some(format!("{} has {held}, not {host}", r.address))
    } else if served.ttl != Some(ttl) {
        let served_ttl = served.ttl.unwrap_or_default();
        Some(format!("PTR of {}: TTL {served_ttl} → {ttl}", r.address))
    } else {
        None
    };
    Ok((at, wrong))
}

/// Adds to `ptr.gone` the addresses `before` (a cache's PTR side, for
/// `before_host`) holds a PTR for that are no longer current.
fn add_gone(ptr: &mut Ptr, before: &Ptr, before_host: &Name) {
    for c in &before.records {
        if ptr.records.iter().any(|r| r.address == c.address) {
            continue;
        }
        ptr.gone.push(PtrRecord {
            target: Some(c.target.clone().unwrap_or_else(|| before_host.clone())),
            ..PtrRecord::new(c.address)
        });
    }
}

/// Why the PTR side differs: the records to register (when
/// `with_records`: the live comparison says those itself) and the
/// addresses gone.
fn reasons(ptr: &Ptr, with_records: bool) -> Vec<String> {
    let list = |records: &mut dyn Iterator<Item = &PtrRecord>| {
        records
            .map(|r| r.address.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut because = Vec::new();
    let add = list(&mut ptr.records.iter().filter(|r| !r.registered));
    if with_records && !add.is_empty() {
        because.push(format!("PTR to register for {add}"));
    }
    let gone = list(&mut ptr.gone.iter());
    if !gone.is_empty() {
        because.push(format!("PTR to delete for {gone} (address gone)"));
    }
    because
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;
    use crate::state::State;

    #[test]
    fn the_cache_marks_what_is_registered_and_names_the_gone() {
        let host = crate::state::parse_name("h.example.").unwrap();
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        let b: IpAddr = "2001:db8::2".parse().unwrap();
        let c: IpAddr = "2001:db8::3".parse().unwrap();
        let mut cached = State::new(host.clone(), 300, vec![]);
        cached.ptr = Some(Ptr::new(300, [a, b]));
        let record = Record {
            state: cached,
            confirmed: None,
            ttl_known: true,
        };
        let mut ptr = Ptr::new(300, [a, c]);
        let because = compare_with_cache(&mut ptr, &host, Some(&record), false);
        assert_eq!(
            because,
            [
                "PTR to register for 2001:db8::3",
                "PTR to delete for 2001:db8::2 (address gone)"
            ]
        );
        assert!(ptr.records[0].registered && !ptr.records[1].registered);
        assert_eq!(ptr.gone[0].target.as_ref(), Some(&host));
        let mut renewed = Ptr::new(300, [a]);
        compare_with_cache(&mut renewed, &host, Some(&record), true);
        assert!(!renewed.records[0].registered);
    }
}
