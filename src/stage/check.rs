//! `dyndns-diff --check` (and `pydyndns --check`): whether DNS serves this
//! host's addresses, for monitoring. Nothing is sent; one status line comes
//! out, in the monitoring-plugins convention that Nagios, Icinga, Naemon
//! and Checkmk read (Monitoring Plugins Development Guidelines: the status
//! word, a text, `|` and performance data), with its exit status.
//!
//! - CRITICAL: the primary's AAAA set (or TTL) differs from the host's.
//! - WARNING: the primary is right, but another server of the zone's NS set
//!   serves another set, an older SOA serial (it has not transferred the
//!   zone yet), or does not answer.
//! - UNKNOWN: it cannot tell (no zone or primary, the primary unreachable).

use std::net::{Ipv6Addr, SocketAddr};

use hickory_proto::rr::{Name, RData, RecordType};

use super::owner::Holding;
use crate::dns::live::{self, LiveError, Via};
use crate::dns::query::Served;
use crate::state::State;

/// Monitoring-plugins statuses.
pub const CHECK_OK: u8 = 0;
/// See [`CHECK_OK`].
pub const CHECK_WARNING: u8 = 1;
/// See [`CHECK_OK`].
pub const CHECK_CRITICAL: u8 = 2;
/// See [`CHECK_OK`].
pub const CHECK_UNKNOWN: u8 = 3;

/// A check's result: the line to print and the exit status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    pub status: u8,
    /// `DYNDNS OK - … | addresses=3 missing=0 extra=0`.
    pub line: String,
}

impl Report {
    /// A report that the check could not be made: UNKNOWN, saying why.
    pub fn unknown(why: &str) -> Self {
        Self {
            status: CHECK_UNKNOWN,
            line: format!("DYNDNS UNKNOWN - {}", crate::util::describe::printable(why)),
        }
    }
}

/// Checks what the zone's servers serve for `state` (which must carry
/// `zone` and `server`, from `dyndns-soa`), and, with `"ptr"`, what the
/// reverse zones' primaries serve: a PTR missing or wrong is CRITICAL.
pub fn check(state: &State, via: &Via<'_>, plain_port: u16) -> Report {
    let report = forward(state, via, plain_port);
    let Some(ptr) = state
        .ptr
        .as_ref()
        .filter(|_| report.status < CHECK_CRITICAL)
    else {
        return report;
    };
    let wrong = super::ptr::check(ptr, &state.hostname, via);
    let (text, perf) = report
        .line
        .split_once(" | ")
        .unwrap_or((report.line.as_str(), ""));
    if wrong.is_empty() {
        return Report {
            status: report.status,
            line: format!(
                "{text}; PTR right for all {} | {perf} ptr={} ptr_wrong=0",
                ptr.records.len(),
                ptr.records.len()
            ),
        };
    }
    let text = text.split_once(" - ").map_or(text, |(_, t)| t);
    Report {
        status: CHECK_CRITICAL,
        line: format!(
            "DYNDNS CRITICAL - {} of {} PTR records wrong: {}; {text} | {perf} ptr={} ptr_wrong={}",
            wrong.len(),
            ptr.records.len(),
            wrong.join("; "),
            ptr.records.len(),
            wrong.len()
        ),
    }
}

/// The forward side of [`check`].
fn forward(state: &State, via: &Via<'_>, plain_port: u16) -> Report {
    let (Some(zone), Some(primary)) = (&state.zone, state.server.as_deref()) else {
        return Report::unknown(
            "the state has no zone and primary: run dyndns-soa before dyndns-diff --check",
        );
    };
    let name = &state.hostname;
    // The server read: the primary, or with "servers" the first after it
    // that answers, in the order updates go.
    let (reader, reader_addrs, at, served) =
        match live::ask_in_order(&state.servers_in_order(), via, name, RecordType::AAAA) {
            Ok(found) => found,
            Err(e) => return Report::unknown(&crate::util::describe::chain(&e)),
        };
    let role = if reader == primary {
        "the primary"
    } else {
        "the server"
    };
    let reader = reader.as_str();
    let got = served.ipv6();
    let missing: Vec<&Ipv6Addr> = state
        .addresses
        .iter()
        .filter(|a| !got.contains(a))
        .collect();
    let extra: Vec<&Ipv6Addr> = got
        .iter()
        .filter(|a| !state.addresses.contains(a))
        .collect();
    let perf = format!(
        "addresses={} missing={} extra={}",
        state.addresses.len(),
        missing.len(),
        extra.len()
    );
    let wrong_ttl = served
        .ttl
        .filter(|t| !got.is_empty() && *t != state.ttl_secs);
    let not_ours = match &state.dhcid {
        Some(dhcid) if served.exists => match super::owner::ask(reader, at, name, dhcid, via) {
            Ok(Holding::Ours) => None,
            Ok(Holding::Other) => {
                Some("it belongs to another client (its DHCID is not this host's)")
            }
            Ok(Holding::Nobody) => Some("no client owns it (no DHCID record)"),
            Err(e) => return Report::unknown(&e),
        },
        _ => None,
    };
    if !missing.is_empty() || !extra.is_empty() || wrong_ttl.is_some() || not_ours.is_some() {
        let mut what = Vec::new();
        if let Some(owner) = not_ours {
            what.push(owner.to_owned());
        }
        if !missing.is_empty() {
            what.push(format!("missing {}", list(&missing)));
        }
        if !extra.is_empty() {
            what.push(format!("extra {}", list(&extra)));
        }
        if let Some(ttl) = wrong_ttl {
            what.push(format!("TTL {ttl}, not {}", state.ttl_secs));
        }
        return Report {
            status: CHECK_CRITICAL,
            line: format!(
                "DYNDNS CRITICAL - {name} has {} of {} addresses at {role} {reader} ({at}): {} | {perf}",
                state.addresses.len() - missing.len(),
                state.addresses.len(),
                what.join("; ")
            ),
        };
    }
    let others = other_servers(
        zone,
        reader,
        &reader_addrs,
        at,
        name,
        &served,
        via,
        plain_port,
    );
    let (right, lagging): (Vec<_>, Vec<_>) = others.into_iter().partition(|o| o.1.is_none());
    let mut servers = vec![reader.to_owned()];
    servers.extend(right.into_iter().map(|(n, _)| n));
    if lagging.is_empty() {
        return Report {
            status: CHECK_OK,
            line: format!(
                "DYNDNS OK - {name} has {} of {} addresses at {} | {perf}",
                got.len(),
                state.addresses.len(),
                and_list(&servers)
            ),
        };
    }
    let behind: Vec<String> = lagging
        .into_iter()
        .map(|(n, why)| format!("{n} {}", why.unwrap_or_default()))
        .collect();
    Report {
        status: CHECK_WARNING,
        line: format!(
            "DYNDNS WARNING - {name} is right at {}, but {} | {perf}",
            and_list(&servers),
            behind.join("; ")
        ),
    }
}

/// The zone's other servers (its NS set, less the primary), each with
/// `None` when it serves what the primary does, else what is wrong.
#[allow(clippy::too_many_arguments)]
fn other_servers(
    zone: &Name,
    primary: &str,
    primary_addrs: &[SocketAddr],
    at: SocketAddr,
    name: &Name,
    served: &Served,
    via: &Via<'_>,
    plain_port: u16,
) -> Vec<(String, Option<String>)> {
    let ask = |server: &str, addrs: &[SocketAddr], rtype| {
        live::ask_any(server, addrs, zone, rtype, via).map(|(_, s)| s)
    };
    // The other servers in plain DNS: DNS over TLS is the primary's.
    let plain = Via::plain(plain_port, via.timeout);
    let (ns, soa) = match (
        ask(primary, &[at], RecordType::NS),
        ask(primary, primary_addrs, RecordType::SOA),
    ) {
        (Ok(ns), Ok(soa)) => (ns, soa),
        (Err(e), _) | (_, Err(e)) => {
            return vec![(
                primary.to_owned(),
                Some(format!("({})", crate::util::describe::chain(&e))),
            )];
        }
    };
    let primary_serial = serial(&soa);
    let primary_name = primary.trim_end_matches('.').to_ascii_lowercase();
    ns.rdata
        .iter()
        .filter_map(|r| match r {
            RData::NS(ns) => Some(ns.0.to_ascii()),
            _ => None,
        })
        .filter(|n| n.trim_end_matches('.').to_ascii_lowercase() != primary_name)
        .map(|server| {
            let verdict = compare_server(&server, name, zone, served, primary_serial, &plain);
            (server, verdict.err())
        })
        .collect()
}

/// `Ok` when `server` serves `served` for `name` and the primary's serial
/// (or a newer one); else what it serves instead.
fn compare_server(
    server: &str,
    name: &Name,
    zone: &Name,
    served: &Served,
    primary_serial: Option<u32>,
    via: &Via<'_>,
) -> Result<(), String> {
    let failed = |e: LiveError| format!("does not answer ({})", crate::util::describe::chain(&e));
    let addrs = live::server_addresses(server, via.port, via.timeout).map_err(failed)?;
    let (_, theirs) = live::ask_any(server, &addrs, name, RecordType::AAAA, via).map_err(failed)?;
    let (_, soa) = live::ask_any(server, &addrs, zone, RecordType::SOA, via).map_err(failed)?;
    let their_serial = serial(&soa);
    let older = match (their_serial, primary_serial) {
        (Some(theirs), Some(primary)) => serial_before(theirs, primary),
        _ => false,
    };
    if theirs.ipv6() == served.ipv6() && !older {
        return Ok(());
    }
    let set: Vec<Ipv6Addr> = theirs.ipv6();
    Err(format!(
        "serves [{}] with serial {} (the primary's is {}): it has not transferred the zone yet",
        set.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" "),
        their_serial.map_or("none".into(), |s| s.to_string()),
        primary_serial.map_or("none".into(), |s| s.to_string()),
    ))
}

/// The serial of an SOA answer.
fn serial(soa: &Served) -> Option<u32> {
    soa.rdata.iter().find_map(|r| match r {
        RData::SOA(soa) => Some(soa.serial),
        _ => None,
    })
}

/// Whether serial `a` comes before `b` in RFC 1982 serial arithmetic.
fn serial_before(a: u32, b: u32) -> bool {
    a != b && (b.wrapping_sub(a) as i32) > 0
}

/// Addresses, space-separated.
fn list(addrs: &[&Ipv6Addr]) -> String {
    addrs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_wrap_as_rfc_1982_says() {
        assert!(serial_before(1, 2));
        assert!(!serial_before(2, 1));
        assert!(!serial_before(5, 5));
        assert!(serial_before(u32::MAX, 3));
    }

    #[test]
    fn lists_read_as_sentences() {
        let s = |v: &[&str]| and_list(&v.iter().map(ToString::to_string).collect::<Vec<_>>());
        assert_eq!(s(&["a"]), "a");
        assert_eq!(s(&["a", "b"]), "a and b");
        assert_eq!(s(&["a", "b", "c"]), "a, b and c");
    }
}
