//! Leases: the Update Lease EDNS(0) option (RFC 9664) an update carries,
//! what the server granted, and, for a server that ignores the option
//! (BIND 9.18, Knot 3.2 and PowerDNS 4.7 do), the lease marker: one TXT
//! record at the host's name saying when its records expire, which
//! `dyndns-reap` reads.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hickory_proto::op::Message;
use hickory_proto::rr::rdata::opt::{EdnsCode, EdnsOption};

/// The Update Lease option's code (RFC 9664 §4; IANA's "UL").
pub const UL: u16 = 2;

/// What the marker's text starts with.
pub const MARKER_PREFIX: &str = "dyndns-lease expires=";

/// The option: the 4-octet LEASE, or with `key_secs` the 8-octet form
/// with KEY-LEASE (RFC 9664 §4).
pub fn option(secs: u32, key_secs: Option<u32>) -> EdnsOption {
    let mut data = secs.to_be_bytes().to_vec();
    if let Some(key) = key_secs {
        data.extend_from_slice(&key.to_be_bytes());
    }
    EdnsOption::Unknown(UL, data)
}

/// The LEASE the server granted, when its answer carries the option
/// (RFC 9664 §4.1: a server that honours it answers with what it grants);
/// `None`: the server ignores leases.
pub fn granted(answer: &Message) -> Option<u32> {
    let edns = answer.edns.as_ref()?;
    match edns.options().get(EdnsCode::from(UL))? {
        EdnsOption::Unknown(_, data) if data.len() == 4 || data.len() == 8 => {
            Some(u32::from_be_bytes([data[0], data[1], data[2], data[3]]))
        }
        _ => None,
    }
}

/// The marker of a lease that expires at `expires`:
/// `dyndns-lease expires=2026-12-05T13:00:00Z` (RFC 3339, UTC, seconds).
pub fn marker(expires: SystemTime) -> String {
    let secs = expires
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let at = jiff::Timestamp::from_second(secs as i64).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    format!("{MARKER_PREFIX}{}", at.strftime("%Y-%m-%dT%H:%M:%SZ"))
}

/// Why a TXT record that claims to be a marker is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "lease marker \"{0}\" does not say when it expires (dyndns-lease expires=YYYY-MM-DDTHH:MM:SSZ)"
)]
pub struct BadMarker(pub String);

/// When the marker `text` says the lease expires; `Ok(None)` for a TXT
/// record that is not a marker (it does not start with `dyndns-lease`).
pub fn expires(text: &str) -> Result<Option<SystemTime>, BadMarker> {
    if !text.starts_with("dyndns-lease") {
        return Ok(None);
    }
    let bad = || BadMarker(crate::util::describe::printable(text));
    let when = text.strip_prefix(MARKER_PREFIX).ok_or_else(bad)?;
    let at: jiff::Timestamp = when.parse().map_err(|_| bad())?;
    let secs = u64::try_from(at.as_second()).map_err(|_| bad())?;
    Ok(Some(UNIX_EPOCH + Duration::from_secs(secs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_is_rfc_9664s() {
        assert_eq!(
            option(3600, None),
            EdnsOption::Unknown(2, vec![0, 0, 0x0e, 0x10])
        );
        assert_eq!(
            option(60, Some(120)),
            EdnsOption::Unknown(2, vec![0, 0, 0, 60, 0, 0, 0, 120])
        );
    }

    #[test]
    fn markers_round_trip_and_bad_ones_are_named() {
        let at = UNIX_EPOCH + Duration::from_secs(1_796_475_600);
        let text = marker(at);
        assert_eq!(text, "dyndns-lease expires=2026-12-05T13:00:00Z");
        assert_eq!(expires(&text), Ok(Some(at)));
        assert_eq!(expires("v=spf1 -all"), Ok(None));
        assert!(expires("dyndns-lease expires=tomorrow").is_err());
        assert!(expires("dyndns-lease").is_err());
    }
}
