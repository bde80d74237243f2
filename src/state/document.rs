//! The state document as serde reads and writes it. Reading goes through a
//! visitor that checks each known key as it comes, in our own words and
//! with its line and column, and keeps every other key, in order, for the
//! next stage; writing puts the known keys first.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use hickory_proto::rr::Name;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{State, parse_name};
use crate::dns::sshfp::Sshfp;
use crate::state::MAX_TTL_SECS;
use crate::state::observed::Observed;
use crate::util::describe::chain;
use crate::util::describe::describe;

/// The keys of a document as read; the required ones are checked by
/// [`State::parse`], which names the one missing.
#[derive(Debug, Default)]
pub(super) struct Document {
    pub(super) hostname: Option<Name>,
    pub(super) ttl: Option<u32>,
    pub(super) addresses: Option<Vec<Ipv6Addr>>,
    pub(super) ipv4: Option<Vec<Ipv4Addr>>,
    pub(super) observed: Option<Observed>,
    pub(super) zone: Option<Name>,
    pub(super) server: Option<String>,
    pub(super) ptr: Option<super::Ptr>,
    pub(super) forward_registered: bool,
    pub(super) dhcid: Option<Vec<u8>>,
    pub(super) lease: Option<super::Lease>,
    pub(super) sshfp: Option<Vec<Sshfp>>,
    pub(super) failover: Option<Vec<String>>,
    pub(super) extra: Map<String, Value>,
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(DocumentVisitor)
    }
}

struct DocumentVisitor;

/// The keys [`Document`] reads itself.
const KNOWN: [&str; 13] = [
    "hostname",
    "ttl",
    "addresses",
    "ipv4",
    "observed",
    "zone",
    "server",
    "ptr",
    "forward_registered",
    "dhcid",
    "lease",
    "sshfp",
    "failover",
];

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut doc = Document::default();
        // A key given twice is refused, as the config's are: the last one
        // silently winning would let a second "hostname" change the name.
        // The known keys' own bits; the others are in `extra` once seen.
        let mut seen = 0u16;
        while let Some(key) = map.next_key::<String>()? {
            let twice = match KNOWN.iter().position(|k| *k == key) {
                Some(bit) => {
                    let was = seen & 1 << bit != 0;
                    seen |= 1 << bit;
                    was
                }
                None => doc.extra.contains_key(&key),
            };
            if twice {
                return Err(de::Error::custom(format!(
                    "key \"{}\" is given twice; a state document has each key once",
                    crate::util::describe::printable(&key)
                )));
            }
            match key.as_str() {
                "hostname" => doc.hostname = Some(map.next_value::<HostName>()?.0),
                "ttl" => doc.ttl = Some(map.next_value::<Ttl>()?.0),
                "addresses" => doc.addresses = Some(map.next_value::<Addresses>()?.0),
                "ipv4" => doc.ipv4 = Some(map.next_value::<Ipv4Addresses>()?.0),
                "observed" => doc.observed = map.next_value()?,
                "zone" => doc.zone = map.next_value::<Zone>()?.0,
                "server" => doc.server = map.next_value::<Server>()?.0,
                "ptr" => doc.ptr = map.next_value()?,
                "forward_registered" => doc.forward_registered = map.next_value()?,
                "dhcid" => doc.dhcid = Some(map.next_value::<Dhcid>()?.0),
                "lease" => doc.lease = map.next_value()?,
                "sshfp" => doc.sshfp = Some(map.next_value::<SshfpSet>()?.0),
                "failover" => doc.failover = Some(map.next_value::<Failover>()?.0),
                _ => {
                    let value = map.next_value::<Value>()?;
                    doc.extra.insert(key, value);
                }
            }
        }
        Ok(doc)
    }
}

/// Reads a key's value as JSON, to check it in our own words.
fn value<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Value::deserialize(d)
}

/// A name: a string holding a valid DNS name, made absolute.
fn name<E: de::Error>(value: Value) -> Result<Name, E> {
    match value {
        Value::String(s) => parse_name(&s).map_err(|e| E::custom(chain(&e))),
        other => Err(E::custom(format!(
            "must be a string, found {}",
            describe(&other)
        ))),
    }
}

/// `hostname`: the FQDN to register.
struct HostName(Name);

impl<'de> Deserialize<'de> for HostName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        name(value(d)?).map(Self)
    }
}

/// `ttl`: a whole number of seconds from 0 to 2^31 - 1 (RFC 2181 §8).
struct Ttl(u32);

impl<'de> Deserialize<'de> for Ttl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match value(d)? {
            Value::Number(n) => n
                .as_u64()
                .filter(|t| *t <= MAX_TTL_SECS)
                .map(|t| Self(t as u32))
                .ok_or_else(|| {
                    de::Error::custom(format!(
                        "{n} is not a whole number of seconds from 0 to 2147483647"
                    ))
                }),
            other => Err(de::Error::custom(format!(
                "must be a number, found {}",
                describe(&other)
            ))),
        }
    }
}

/// `addresses`: IPv6 addresses in text.
struct Addresses(Vec<Ipv6Addr>);

impl<'de> Deserialize<'de> for Addresses {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Value::Array(items) = value(d)? else {
            return Err(de::Error::custom("must be an array of IPv6 addresses"));
        };
        items
            .iter()
            .map(|item| match item {
                Value::String(s) => s
                    .parse::<Ipv6Addr>()
                    .map_err(|_| de::Error::custom(format!("\"{s}\" is not an IPv6 address"))),
                other => Err(de::Error::custom(format!(
                    "must hold strings, found {}",
                    describe(other)
                ))),
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

/// `ipv4`: IPv4 addresses in text.
struct Ipv4Addresses(Vec<Ipv4Addr>);

impl<'de> Deserialize<'de> for Ipv4Addresses {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Value::Array(items) = value(d)? else {
            return Err(de::Error::custom("must be an array of IPv4 addresses"));
        };
        items
            .iter()
            .map(|item| match item {
                Value::String(s) => s.parse::<Ipv4Addr>().map_err(|_| {
                    de::Error::custom(format!(
                        "\"{}\" is not an IPv4 address",
                        crate::util::describe::printable(s)
                    ))
                }),
                other => Err(de::Error::custom(format!(
                    "must hold strings, found {}",
                    describe(other)
                ))),
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

/// `dhcid`: the owner's DHCID RDATA in base64 (RFC 4701 §3.3: identifier
/// type, digest type 1, a SHA-256 digest; 35 octets).
struct Dhcid(Vec<u8>);

impl<'de> Deserialize<'de> for Dhcid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = value(d)?;
        match value.as_str().and_then(crate::dns::dhcid::from_text) {
            Some(rdata) if rdata.len() == 35 && rdata[2] == 1 => Ok(Self(rdata)),
            _ => Err(de::Error::custom(format!(
                "must be a DHCID record's data in base64 (RFC 4701: 35 octets, digest type 1), found {}",
                describe(&value)
            ))),
        }
    }
}

/// `sshfp`: SSHFP records' data in presentation format (RFC 4255 §3.2,
/// `"4 2 HEX"`), sorted, each once.
struct SshfpSet(Vec<Sshfp>);

impl<'de> Deserialize<'de> for SshfpSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Value::Array(items) = value(d)? else {
            return Err(de::Error::custom(
                "must be an array of SSHFP records' data such as \"4 2 HEX\"",
            ));
        };
        let mut set = items
            .iter()
            .map(|item| {
                item.as_str().and_then(Sshfp::from_text).ok_or_else(|| {
                    de::Error::custom(format!(
                        "must hold SSHFP records' data (RFC 4255: ALGORITHM HASH HEX, such as \"4 2\" and 64 hexadecimal digits), found {}",
                        describe(item)
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        set.sort_unstable();
        set.dedup();
        Ok(Self(set))
    }
}

/// `failover`: the servers to try after `server`, in order, each as
/// `server` is.
struct Failover(Vec<String>);

impl<'de> Deserialize<'de> for Failover {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = value(d)?;
        let servers = value.as_array().and_then(|items| {
            items
                .iter()
                .map(|item| item.as_str().filter(|s| is_server(s)).map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        });
        match servers {
            Some(servers) if servers.len() <= 64 => Ok(Self(servers)),
            // Not echoed, as "server" is not.
            _ => Err(de::Error::custom(
                "must be a list of at most 64 servers: host names (letters, digits, '-', '_' and dots), addresses, or [ADDRESS]:PORT",
            )),
        }
    }
}

/// `zone`: the zone apex, or `null`.
struct Zone(Option<Name>);

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match value(d)? {
            Value::Null => Ok(Self(None)),
            other => name(other).map(|n| Self(Some(n))),
        }
    }
}

/// `server`: the primary, a name or an address, or `null`.
struct Server(Option<String>);

impl<'de> Deserialize<'de> for Server {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match value(d)? {
            Value::Null => Ok(Self(None)),
            Value::String(s) if is_server(&s) => Ok(Self(Some(s))),
            // Not echoed: it reaches nsupdate scripts and logs, and a
            // newline in it would inject commands into --dry-run's output.
            Value::String(_) => Err(de::Error::custom(
                "is not a server: give a host name (letters, digits, '-', '_' and dots), an address, or [ADDRESS]:PORT",
            )),
            other => Err(de::Error::custom(format!(
                "must be a server name or address, found {}",
                describe(&other)
            ))),
        }
    }
}

/// Whether `s` is a server as `dyndns-send` takes it: an address,
/// `[ADDRESS]:PORT` or `V4ADDRESS:PORT`, or a DNS host name.
pub(crate) fn is_server(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
        || s.parse::<std::net::SocketAddr>().is_ok()
        || (!s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && parse_name(s).is_ok())
}

impl Serialize for State {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("hostname", &self.hostname.to_ascii())?;
        map.serialize_entry("ttl", &self.ttl_secs)?;
        map.serialize_entry("addresses", &self.addresses)?;
        if let Some(ipv4) = &self.ipv4 {
            map.serialize_entry("ipv4", ipv4)?;
        }
        if let Some(observed) = &self.observed {
            map.serialize_entry("observed", observed)?;
        }
        if let Some(zone) = &self.zone {
            map.serialize_entry("zone", &zone.to_ascii())?;
        }
        if let Some(server) = &self.server {
            map.serialize_entry("server", server)?;
        }
        if let Some(failover) = &self.failover {
            map.serialize_entry("failover", failover)?;
        }
        if let Some(ptr) = &self.ptr {
            map.serialize_entry("ptr", ptr)?;
        }
        if self.forward_registered {
            map.serialize_entry("forward_registered", &true)?;
        }
        if let Some(dhcid) = &self.dhcid {
            map.serialize_entry("dhcid", &crate::dns::dhcid::to_text(dhcid))?;
        }
        if let Some(lease) = &self.lease {
            map.serialize_entry("lease", lease)?;
        }
        if let Some(sshfp) = &self.sshfp {
            map.serialize_entry("sshfp", sshfp)?;
        }
        for (key, value) in &self.extra {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}
