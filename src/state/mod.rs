//! The state document passed between the stages, one JSON object per run:
//!
//! ```json
//! {"hostname":"host1.example.test.","ttl":300,"addresses":["2001:db8:10::1","2001:db8:10::2"]}
//! ```
//!
//! `dyndns-addrs` writes it; `dyndns-diff` passes it on when it differs from
//! the cache; `dyndns-soa` adds `"zone"` and `"server"`:
//!
//! ```json
//! {"hostname":"host1.example.test.","ttl":300,"addresses":["2001:db8:10::1"],
//!  "zone":"example.test.","server":"ns1.example.test."}
//! ```
//!
//! `hostname`, `ttl` and `addresses` decide what lands in DNS and are what the
//! cache holds. Keys a stage does not know are kept and passed on, so a custom
//! pipeline can add its own. What persists between runs: the cache
//! ([`cache`]), and for Prometheus the last run's metrics ([`metrics`]).

use std::net::{Ipv4Addr, Ipv6Addr};

use hickory_proto::rr::Name;
use serde_json::{Map, Value};

use crate::state::observed::Observed;

pub mod cache;
mod document;
pub mod metrics;
pub mod observed;
mod ptr;

pub(crate) use document::is_server;
pub use ptr::{Ptr, PtrRecord, reverse_name};

/// The largest TTL a record may carry (RFC 2181 §8: 2^31 - 1 seconds).
pub const MAX_TTL_SECS: u64 = 0x7fff_ffff;

/// The state of one host: the name, TTL and addresses to register, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The absolute FQDN to register.
    pub hostname: Name,
    /// The TTL of the AAAA records, seconds.
    pub ttl_secs: u32,
    /// The addresses, sorted and deduplicated.
    pub addresses: Vec<Ipv6Addr>,
    /// The IPv4 addresses for A records, sorted and deduplicated, when IPv4
    /// is on (PyDynDNS's `"ipv4": true`); `None`: A records are not ours.
    pub ipv4: Option<Vec<Ipv4Addr>>,
    /// When `dyndns-addrs` read them, to drop a state older than the last
    /// registration (see [`crate::state::observed`]).
    pub observed: Option<Observed>,
    /// The zone apex, once `dyndns-soa` found it.
    pub zone: Option<Name>,
    /// The primary server (a name or an address), once `dyndns-soa` found
    /// it: the first the update is sent to. In the cache: the server that
    /// accepted the last update.
    pub server: Option<String>,
    /// The servers to try after `server`, in order, when it cannot take
    /// the update (`"servers"` in the config: a multi-master zone's NS
    /// servers, or the config's list); `None`: the primary only.
    pub failover: Option<Vec<String>>,
    /// The PTR side, when the config says `"ptr"` (see [`Ptr`]).
    pub ptr: Option<Ptr>,
    /// `dyndns-diff` found the forward records registered already: only
    /// the PTR side is left to send.
    pub forward_registered: bool,
    /// The owner's DHCID RDATA (RFC 4701), with `"ownership"`: registered
    /// beside the records at each name, and the proof that the name is
    /// this host's (RFC 4703 §5.3).
    pub dhcid: Option<Vec<u8>>,
    /// The lease the registration holds (RFC 9664), as `dyndns-send`
    /// wrote it in the cache: what the server granted, or what was asked
    /// and the marker written where the server ignores leases.
    pub lease: Option<Lease>,
    /// The SSHFP set of the host's SSH keys (RFC 4255), sorted, with
    /// `"sshfp"`; `None`: SSHFP records are not this host's.
    pub sshfp: Option<Vec<crate::dns::sshfp::Sshfp>>,
    /// Keys no stage uses, passed on as they came.
    pub extra: Map<String, Value>,
}

/// The lease of a registration (the cache's `"lease"`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lease {
    /// How long the records live without a renewal, seconds: what the
    /// server granted, or what was asked of one that ignores leases.
    pub secs: u32,
    /// The server granted it (its answer carried the option): it expires
    /// the records itself, and no marker is needed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub granted: bool,
    /// The marker TXT record at the name, exactly, so that the next update
    /// deletes it by its value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

/// Why a state document was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// Not JSON.
    #[error("{what} is not valid JSON")]
    Syntax {
        /// Where it came from: "standard input", "cache file …".
        what: String,
        /// The parser's complaint, with line and column.
        source: serde_json::Error,
    },
    /// A key holds a value of the wrong type, or a bad one.
    #[error("{what}: key \"{key}\"")]
    Value {
        /// Where it came from.
        what: String,
        /// The key.
        key: String,
        /// What is wrong, with the line and column.
        source: serde_json::Error,
    },
    /// A key is missing or bad.
    #[error("{what}: key \"{key}\": {problem}")]
    Key {
        /// Where it came from.
        what: String,
        /// The key.
        key: &'static str,
        /// What is wrong and what would be right.
        problem: String,
    },
}

impl State {
    /// Builds a state, sorting and deduplicating the addresses.
    pub fn new(hostname: Name, ttl_secs: u32, mut addresses: Vec<Ipv6Addr>) -> Self {
        addresses.sort_unstable();
        addresses.dedup();
        Self {
            hostname,
            ttl_secs,
            addresses,
            ipv4: None,
            observed: None,
            zone: None,
            server: None,
            failover: None,
            ptr: None,
            forward_registered: false,
            dhcid: None,
            lease: None,
            sshfp: None,
            extra: Map::new(),
        }
    }

    /// Parses one document; `what` names its source in messages.
    pub fn parse(text: &str, what: &str) -> Result<Self, StateError> {
        let bad = |key: &'static str, problem: &str| StateError::Key {
            what: what.to_owned(),
            key,
            problem: problem.to_owned(),
        };
        let syntax = |source| StateError::Syntax {
            what: what.to_owned(),
            source,
        };
        if !text.trim_start().starts_with('{') {
            // Not an object: where its syntax breaks, or that it is none.
            serde_json::from_str::<Value>(text).map_err(syntax)?;
            return Err(bad("(top level)", "must be a JSON object"));
        }
        let mut json = serde_json::Deserializer::from_str(text);
        let doc: document::Document = serde_path_to_error::deserialize(&mut json).map_err(|e| {
            let key = e.path().to_string();
            let source = e.into_inner();
            if source.is_syntax() || source.is_eof() {
                syntax(source)
            } else {
                StateError::Value {
                    what: what.to_owned(),
                    key,
                    source,
                }
            }
        })?;
        json.end().map_err(syntax)?;
        let hostname = doc.hostname.ok_or_else(|| bad("hostname", "missing"))?;
        let ttl_secs = doc.ttl.ok_or_else(|| bad("ttl", "missing"))?;
        let addresses = doc.addresses.ok_or_else(|| bad("addresses", "missing"))?;
        let mut state = Self::new(hostname, ttl_secs, addresses);
        state.ipv4 = doc.ipv4.map(|mut v| {
            v.sort_unstable();
            v.dedup();
            v
        });
        state.observed = doc.observed;
        state.zone = doc.zone;
        state.server = doc.server;
        state.failover = doc.failover;
        state.ptr = doc.ptr;
        state.forward_registered = doc.forward_registered;
        state.dhcid = doc.dhcid;
        state.lease = doc.lease;
        state.sshfp = doc.sshfp;
        state.extra = doc.extra;
        Ok(state)
    }

    /// The document as one line of JSON (no newline).
    pub fn to_json(&self) -> String {
        // Serializing names, numbers and strings into a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The part the cache holds: hostname, TTL, addresses, the DHCID, the
    /// lease, the SSHFP set, when they were observed, the server that
    /// accepted the update, and the PTR records registered (where).
    pub fn registered(&self) -> Self {
        let mut state = Self::new(self.hostname.clone(), self.ttl_secs, self.addresses.clone());
        state.ipv4 = self.ipv4.clone();
        state.dhcid = self.dhcid.clone();
        state.lease = self.lease.clone();
        state.sshfp = self.sshfp.clone();
        state.observed = self.observed.clone();
        state.server = self.server.clone();
        state.ptr = self.ptr.as_ref().map(|p| Ptr {
            ttl_secs: p.ttl_secs,
            records: p
                .records
                .iter()
                .filter(|r| r.registered)
                .map(|r| PtrRecord {
                    registered: false,
                    ..r.clone()
                })
                .collect(),
            gone: Vec::new(),
        });
        state
    }

    /// The addresses of both families, IPv4 first.
    pub fn all_addresses(&self) -> impl Iterator<Item = std::net::IpAddr> + '_ {
        self.ipv4_or_none()
            .iter()
            .map(|a| std::net::IpAddr::V4(*a))
            .chain(self.addresses.iter().map(|a| std::net::IpAddr::V6(*a)))
    }

    /// Whether `other` registers the same thing: the name (case-insensitively),
    /// the TTL, the address sets (no IPv4 set is an empty one), the
    /// owner's DHCID and the SSHFP set (none is an empty one).
    pub fn same_registration(&self, other: &Self) -> bool {
        self.hostname.eq_ignore_case(&other.hostname)
            && self.ttl_secs == other.ttl_secs
            && self.addresses == other.addresses
            && self.ipv4_or_none() == other.ipv4_or_none()
            && self.dhcid == other.dhcid
            && self.sshfp_or_none() == other.sshfp_or_none()
    }

    /// The servers in the order updates go to them: `server`, then
    /// `failover`'s.
    pub fn servers_in_order(&self) -> Vec<String> {
        self.server
            .iter()
            .chain(self.failover.iter().flatten())
            .cloned()
            .collect()
    }

    /// The SSHFP set, empty when `"sshfp"` is off.
    pub fn sshfp_or_none(&self) -> &[crate::dns::sshfp::Sshfp] {
        self.sshfp.as_deref().unwrap_or_default()
    }

    /// The IPv4 set, empty when IPv4 is off.
    pub fn ipv4_or_none(&self) -> &[Ipv4Addr] {
        self.ipv4.as_deref().unwrap_or_default()
    }
}

/// Why a text is not a DNS name we can register or send to.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// Nothing, or the root alone.
    #[error("empty; a host name such as host1.example.com is needed")]
    Empty,
    /// Two dots in a row, or a leading dot.
    #[error("\"{0}\" has an empty label")]
    EmptyLabel(String),
    /// A label over 63 octets, or a character hickory refuses.
    #[error("\"{text}\" is not a valid DNS name")]
    Invalid {
        /// The text.
        text: String,
        /// hickory's complaint (boxed: it is large, and rare).
        #[source]
        source: Box<hickory_proto::ProtoError>,
    },
    /// Over 255 octets in wire form.
    #[error("\"{0}\" is longer than 255 octets")]
    TooLong(String),
    /// A `*` in a label: a wildcard (RFC 4592 §2.1.1) stands for every
    /// name without records of its own, never for one host.
    #[error(
        "\"{0}\" has a '*' label: a wildcard (RFC 4592) answers for every name the zone lacks, it is not a host's name; give the host's own name"
    )]
    Wildcard(String),
}

/// Parses a DNS name and makes it absolute; refuses empty labels, labels over
/// 63 octets and names over 255 (RFC 1035 §2.3.4), and a `*` in any label
/// (no name this tool updates, finds or connects to is a wildcard).
pub fn parse_name(text: &str) -> Result<Name, NameError> {
    if text.is_empty() || text == "." {
        return Err(NameError::Empty);
    }
    if text.contains("..") || text.starts_with('.') {
        return Err(NameError::EmptyLabel(crate::util::describe::printable(
            text,
        )));
    }
    let mut name = Name::from_ascii(text).map_err(|source| NameError::Invalid {
        text: crate::util::describe::printable(text),
        source: Box::new(source),
    })?;
    name.set_fqdn(true);
    if name.len() > 255 {
        return Err(NameError::TooLong(crate::util::describe::printable(text)));
    }
    if name.iter().any(|label| label.contains(&b'*')) {
        return Err(NameError::Wildcard(crate::util::describe::printable(text)));
    }
    Ok(name)
}

/// Case-insensitive comparison of names (RFC 4343).
pub(crate) trait EqIgnoreCase {
    fn eq_ignore_case(&self, other: &Self) -> bool;
}

impl EqIgnoreCase for Name {
    fn eq_ignore_case(&self, other: &Self) -> bool {
        // hickory's `Name` equality is already case-insensitive (RFC 4343)
        // and tells absolute names from relative ones, label by label,
        // without writing either out (to_ascii cost a PTR run 75 k
        // instructions, measured in issue 22).
        self == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"hostname":"host1.example.test.","ttl":300,"addresses":["2001:db8:10::2","2001:db8:10::1","2001:db8:10::1"]}"#;

    #[test]
    fn round_trips_sorted_and_deduplicated() {
        let s = State::parse(DOC, "standard input").unwrap();
        assert_eq!(
            s.to_json(),
            r#"{"hostname":"host1.example.test.","ttl":300,"addresses":["2001:db8:10::1","2001:db8:10::2"]}"#
        );
    }

    #[test]
    fn the_owners_dhcid_round_trips_and_counts_as_the_registration() {
        let dhcid = "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=";
        let doc =
            format!(r#"{{"hostname":"h.example.","ttl":1,"addresses":[],"dhcid":"{dhcid}"}}"#);
        let s = State::parse(&doc, "x").unwrap();
        assert_eq!(s.dhcid.as_ref().map(Vec::len), Some(35));
        assert_eq!(s.to_json(), doc);
        assert_eq!(s.registered().dhcid, s.dhcid);
        let mut other = s.clone();
        other.dhcid = None;
        assert!(!s.same_registration(&other));
        let e = State::parse(
            r#"{"hostname":"h.example.","ttl":1,"addresses":[],"dhcid":"AAEC"}"#,
            "x",
        )
        .unwrap_err();
        assert!(crate::util::describe::chain(&e).contains("DHCID record's data in base64"));
    }

    #[test]
    fn bad_names_are_shown_escaped() {
        let e = parse_name("h\nsend\n.example.").unwrap_err().to_string();
        assert!(e.starts_with("\"h\\nsend\\n.example.\" is not"), "{e}");
    }

    #[test]
    fn keeps_unknown_keys_in_order() {
        let s = State::parse(r#"{"hostname":"h.example.","ttl":1,"addresses":[],"site":"lab","zone":"example.","server":"ns1.example."}"#, "x").unwrap();
        assert_eq!(s.zone.as_ref().unwrap().to_ascii(), "example.");
        assert_eq!(
            s.to_json(),
            r#"{"hostname":"h.example.","ttl":1,"addresses":[],"zone":"example.","server":"ns1.example.","site":"lab"}"#
        );
    }

    #[test]
    fn makes_names_absolute_and_compares_case_insensitively() {
        let a = State::parse(
            r#"{"hostname":"Host1.Example.Test","ttl":1,"addresses":[]}"#,
            "x",
        )
        .unwrap();
        assert_eq!(a.hostname.to_ascii(), "Host1.Example.Test.");
        let b = State::parse(
            r#"{"hostname":"host1.example.test.","ttl":1,"addresses":[]}"#,
            "x",
        )
        .unwrap();
        assert!(a.same_registration(&b));
    }

    #[test]
    fn refuses_bad_documents_naming_the_key() {
        let err = |doc: &str| {
            crate::util::describe::chain(&State::parse(doc, "standard input").unwrap_err())
        };
        assert!(err("nope").contains("not valid JSON"));
        assert!(err(r#"{"ttl":1,"addresses":[]}"#).contains("\"hostname\": missing"));
        assert!(
            err(r#"{"hostname":"h.e.","ttl":1,"addresses":["10.0.0.1"]}"#)
                .contains("not an IPv6 address")
        );
        assert!(err(r#"{"hostname":"a..b","ttl":1,"addresses":[]}"#).contains("empty label"));
        let long = format!(
            r#"{{"hostname":"{}.example","ttl":1,"addresses":[]}}"#,
            "a".repeat(64)
        );
        assert!(err(&long).contains("hostname"));
        let huge = format!(
            r#"{{"hostname":"{}","ttl":1,"addresses":[]}}"#,
            ["abcdefghi"; 30].join(".")
        );
        assert!(err(&huge).contains("hostname"), "{}", err(&huge));
        assert!(err(r#"{"hostname":"h.e.","ttl":-5,"addresses":[]}"#).contains("ttl"));
    }
}
