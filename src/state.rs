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
//! pipeline can add its own.

use std::net::Ipv6Addr;

use hickory_proto::rr::Name;
use serde_json::{Map, Value};

use crate::describe::describe;

/// The state of one host: the name, TTL and addresses to register, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The absolute FQDN to register.
    pub hostname: Name,
    /// The TTL of the AAAA records, seconds.
    pub ttl_secs: u32,
    /// The addresses, sorted and deduplicated.
    pub addresses: Vec<Ipv6Addr>,
    /// The zone apex, once `dyndns-soa` found it.
    pub zone: Option<Name>,
    /// The primary server (a name or an address), once `dyndns-soa` found it.
    pub server: Option<String>,
    /// Keys no stage uses, passed on as they came.
    pub extra: Map<String, Value>,
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
    /// A key that holds a name holds no valid one.
    #[error("{what}: key \"{key}\"")]
    Name {
        /// Where it came from.
        what: String,
        /// The key.
        key: &'static str,
        /// Why the name is not valid.
        source: NameError,
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
            zone: None,
            server: None,
            extra: Map::new(),
        }
    }

    /// Parses one document; `what` names its source in messages.
    pub fn parse(text: &str, what: &str) -> Result<Self, StateError> {
        let value: Value = serde_json::from_str(text).map_err(|source| StateError::Syntax {
            what: what.to_owned(),
            source,
        })?;
        let bad = |key: &'static str, problem: String| StateError::Key {
            what: what.to_owned(),
            key,
            problem,
        };
        let bad_name = |key: &'static str, source: NameError| StateError::Name {
            what: what.to_owned(),
            key,
            source,
        };
        let Value::Object(mut map) = value else {
            return Err(bad("(top level)", "must be a JSON object".into()));
        };

        let hostname = match map.remove("hostname") {
            Some(Value::String(s)) => parse_name(&s).map_err(|e| bad_name("hostname", e))?,
            Some(other) => {
                return Err(bad(
                    "hostname",
                    format!("must be a string, found {}", describe(&other)),
                ));
            }
            None => return Err(bad("hostname", "missing".into())),
        };
        let ttl_secs = match map.remove("ttl") {
            Some(Value::Number(n)) => n
                .as_u64()
                .filter(|t| *t <= crate::config::MAX_TTL_SECS)
                .map(|t| t as u32)
                .ok_or_else(|| {
                    bad(
                        "ttl",
                        format!("{n} is not a whole number of seconds from 0 to 2147483647"),
                    )
                })?,
            Some(other) => {
                return Err(bad(
                    "ttl",
                    format!("must be a number, found {}", describe(&other)),
                ));
            }
            None => return Err(bad("ttl", "missing".into())),
        };
        let addresses = match map.remove("addresses") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => s
                        .parse::<Ipv6Addr>()
                        .map_err(|_| bad("addresses", format!("\"{s}\" is not an IPv6 address"))),
                    other => Err(bad(
                        "addresses",
                        format!("must hold strings, found {}", describe(other)),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(other) => {
                return Err(bad(
                    "addresses",
                    format!("must be an array, found {}", describe(&other)),
                ));
            }
            None => return Err(bad("addresses", "missing".into())),
        };
        let zone = match map.remove("zone") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(parse_name(&s).map_err(|e| bad_name("zone", e))?),
            Some(other) => {
                return Err(bad(
                    "zone",
                    format!("must be a string, found {}", describe(&other)),
                ));
            }
        };
        let server = match map.remove("server") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if !s.is_empty() => Some(s),
            Some(other) => {
                return Err(bad(
                    "server",
                    format!(
                        "must be a server name or address, found {}",
                        describe(&other)
                    ),
                ));
            }
        };
        let mut state = Self::new(hostname, ttl_secs, addresses);
        state.zone = zone;
        state.server = server;
        state.extra = map;
        Ok(state)
    }

    /// The document as one line of JSON (no newline).
    pub fn to_json(&self) -> String {
        let mut map = Map::new();
        map.insert("hostname".into(), self.hostname.to_ascii().into());
        map.insert("ttl".into(), self.ttl_secs.into());
        map.insert(
            "addresses".into(),
            self.addresses
                .iter()
                .map(|a| Value::from(a.to_string()))
                .collect(),
        );
        if let Some(zone) = &self.zone {
            map.insert("zone".into(), zone.to_ascii().into());
        }
        if let Some(server) = &self.server {
            map.insert("server".into(), server.clone().into());
        }
        for (k, v) in &self.extra {
            map.insert(k.clone(), v.clone());
        }
        Value::Object(map).to_string()
    }

    /// The part the cache holds: hostname, TTL and addresses.
    pub fn registered(&self) -> Self {
        Self::new(self.hostname.clone(), self.ttl_secs, self.addresses.clone())
    }

    /// Whether `other` registers the same thing: the name (case-insensitively),
    /// the TTL and the address set.
    pub fn same_registration(&self, other: &Self) -> bool {
        self.hostname.eq_ignore_case(&other.hostname)
            && self.ttl_secs == other.ttl_secs
            && self.addresses == other.addresses
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
}

/// Parses a DNS name and makes it absolute; refuses empty labels, labels over
/// 63 octets and names over 255 (RFC 1035 §2.3.4).
pub fn parse_name(text: &str) -> Result<Name, NameError> {
    if text.is_empty() || text == "." {
        return Err(NameError::Empty);
    }
    if text.contains("..") || text.starts_with('.') {
        return Err(NameError::EmptyLabel(text.to_owned()));
    }
    let mut name = Name::from_ascii(text).map_err(|source| NameError::Invalid {
        text: text.to_owned(),
        source: Box::new(source),
    })?;
    name.set_fqdn(true);
    if name.len() > 255 {
        return Err(NameError::TooLong(text.to_owned()));
    }
    Ok(name)
}

/// Case-insensitive comparison of names (RFC 4343).
trait EqIgnoreCase {
    fn eq_ignore_case(&self, other: &Self) -> bool;
}

impl EqIgnoreCase for Name {
    fn eq_ignore_case(&self, other: &Self) -> bool {
        self.to_ascii().eq_ignore_ascii_case(&other.to_ascii())
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
        let err = |doc: &str| crate::cli::chain(&State::parse(doc, "standard input").unwrap_err());
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
