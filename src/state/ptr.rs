//! The reverse side of the state (`"ptr"`): for each registered address,
//! its reverse name (RFC 3596 §2.5 for IPv6, nibbles under `ip6.arpa`;
//! RFC 1035 §3.5 for IPv4, under `in-addr.arpa`), the reverse zone and
//! primary that hold it once `dyndns-soa` found them, and whether the PTR
//! there is registered already:
//!
//! ```json
//! "ptr":{"ttl":300,
//!  "records":[{"address":"2001:db8:10::1","name":"1.0.0.0…0.1.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
//!              "zone":"0.1.0.0.8.b.d.0.1.0.0.2.ip6.arpa.","server":"ns1.example.test."}],
//!  "gone":[{"address":"2001:db8:10::9","name":"9.0.0.0…ip6.arpa.","target":"host1.example.test."}]}
//! ```
//!
//! `records` are the current addresses (`"registered": true` once the
//! cache, or the primary, holds their PTR); `gone` are addresses registered
//! before and gone now, whose PTR is deleted only where it still points to
//! `target`. The cache keeps `records` of what is registered, where.

use std::net::IpAddr;

use hickory_proto::rr::Name;
use serde::{Deserialize, Serialize};

use super::{EqIgnoreCase, parse_name};

/// The PTR side of a state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ptr {
    /// The TTL of the PTR records, seconds.
    #[serde(rename = "ttl", deserialize_with = "ttl")]
    pub ttl_secs: u32,
    /// One per current address, sorted by address.
    #[serde(default)]
    pub records: Vec<PtrRecord>,
    /// Addresses registered before and gone now (`dyndns-diff`, from the cache).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gone: Vec<PtrRecord>,
}

/// One address's PTR.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawRecord", into = "RawRecord")]
pub struct PtrRecord {
    /// The address.
    pub address: IpAddr,
    /// Its reverse name.
    pub name: Name,
    /// The reverse zone holding the name, once found.
    pub zone: Option<Name>,
    /// That zone's primary, once found.
    pub server: Option<String>,
    /// The name the PTR points to when it is not the state's `hostname`:
    /// a gone address's, registered under an earlier host name.
    pub target: Option<Name>,
    /// The PTR is registered already: nothing to send for it.
    pub registered: bool,
}

/// [`PtrRecord`] as the JSON holds it, checked by `TryFrom`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    address: IpAddr,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    registered: bool,
}

impl TryFrom<RawRecord> for PtrRecord {
    type Error = String;

    fn try_from(raw: RawRecord) -> Result<Self, String> {
        let parse = |key: &str, text: &str| {
            parse_name(text)
                .map_err(|e| format!("key \"{key}\": {}", crate::util::describe::chain(&e)))
        };
        let name = parse("name", &raw.name)?;
        let want = reverse_name(raw.address);
        // A name we did not derive would send a PTR somewhere unexpected.
        if !name.eq_ignore_case(&want) {
            return Err(format!(
                "key \"name\": {} is not the reverse name of {}; it is {want}",
                crate::util::describe::printable(&raw.name),
                raw.address
            ));
        }
        let zone = raw.zone.as_deref().map(|z| parse("zone", z)).transpose()?;
        if let Some(zone) = &zone
            && !zone.zone_of(&name)
        {
            return Err(format!("key \"zone\": {zone} does not hold {name}"));
        }
        if let Some(server) = &raw.server
            && !super::is_server(server)
        {
            return Err(
                "key \"server\": not a server: give a host name, an address, or [ADDRESS]:PORT"
                    .into(),
            );
        }
        Ok(Self {
            address: raw.address,
            name,
            zone,
            server: raw.server,
            target: raw
                .target
                .as_deref()
                .map(|t| parse("target", t))
                .transpose()?,
            registered: raw.registered,
        })
    }
}

impl From<PtrRecord> for RawRecord {
    fn from(r: PtrRecord) -> Self {
        Self {
            address: r.address,
            name: r.name.to_ascii(),
            zone: r.zone.map(|z| z.to_ascii()),
            server: r.server,
            target: r.target.map(|t| t.to_ascii()),
            registered: r.registered,
        }
    }
}

/// `ttl`: 0 to 2³¹−1 seconds (RFC 2181 §8).
fn ttl<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let secs = u64::deserialize(d)?;
    if secs > crate::state::MAX_TTL_SECS {
        return Err(serde::de::Error::custom(format!(
            "{secs} is not a whole number of seconds from 0 to 2147483647"
        )));
    }
    Ok(secs as u32)
}

/// The reverse name of an address, absolute, in lower case: nibbles under
/// `ip6.arpa.` (RFC 3596 §2.5), octets under `in-addr.arpa.` (RFC 1035 §3.5).
pub fn reverse_name(address: IpAddr) -> Name {
    let mut name = match address {
        IpAddr::V6(a) => Name::from(a),
        IpAddr::V4(a) => Name::from(a),
    };
    name.set_fqdn(true);
    name
}

impl PtrRecord {
    /// A current address's record, nothing known yet.
    pub fn new(address: IpAddr) -> Self {
        Self {
            address,
            name: reverse_name(address),
            zone: None,
            server: None,
            target: None,
            registered: false,
        }
    }
}

impl Ptr {
    /// The PTR side for these addresses, nothing registered yet.
    pub fn new(ttl_secs: u32, addresses: impl IntoIterator<Item = IpAddr>) -> Self {
        let mut records: Vec<PtrRecord> = addresses.into_iter().map(PtrRecord::new).collect();
        records.sort_by_key(|r| r.address);
        records.dedup_by_key(|r| r.address);
        Self {
            ttl_secs,
            records,
            gone: Vec::new(),
        }
    }

    /// Whether anything is left to send: a record not registered, or a
    /// gone address.
    pub fn pending(&self) -> bool {
        !self.gone.is_empty() || self.records.iter().any(|r| !r.registered)
    }

    /// The records to send, current then gone, mutably (for `dyndns-soa`).
    pub fn pending_mut(&mut self) -> impl Iterator<Item = &mut PtrRecord> {
        self.records
            .iter_mut()
            .filter(|r| !r.registered)
            .chain(self.gone.iter_mut())
    }

    /// Whether the registration `cached` (a cache's PTR side, made for
    /// `cached_host`) covers this one for `host`: every record registered
    /// there with the same TTL and target, and no gone address still in it.
    pub fn covered_by(&self, host: &Name, cached: &Self, cached_host: &Name) -> bool {
        let holds =
            |r: &PtrRecord| cached.registered_for(r.address, host, cached_host, self.ttl_secs);
        self.records.iter().all(holds)
            && self
                .gone
                .iter()
                .all(|g| !cached.records.iter().any(|c| c.address == g.address))
    }

    /// Whether this (cached) side holds `address`'s PTR to `host` with
    /// `ttl_secs`; `own_host` is the cache's host name.
    pub fn registered_for(
        &self,
        address: IpAddr,
        host: &Name,
        own_host: &Name,
        ttl_secs: u32,
    ) -> bool {
        self.ttl_secs == ttl_secs
            && self.records.iter().any(|c| {
                let target = c.target.as_ref().unwrap_or(own_host);
                c.address == address && target.eq_ignore_case(host)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_names_are_nibbles_and_octets() {
        let v6 = reverse_name("2001:db8:10::1".parse().unwrap());
        assert_eq!(
            v6.to_ascii(),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.8.b.d.0.1.0.0.2.ip6.arpa."
        );
        let v4 = reverse_name("192.0.2.10".parse().unwrap());
        assert_eq!(v4.to_ascii(), "10.2.0.192.in-addr.arpa.");
    }

    #[test]
    fn a_record_must_name_its_own_reverse_name() {
        let bad = r#"{"address":"2001:db8::1","name":"1.0.0.127.in-addr.arpa."}"#;
        let e = serde_json::from_str::<PtrRecord>(bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not the reverse name of 2001:db8::1"), "{e}");
        let outside =
            r#"{"address":"192.0.2.1","name":"1.2.0.192.in-addr.arpa.","zone":"example.test."}"#;
        let e = serde_json::from_str::<PtrRecord>(outside)
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not hold"), "{e}");
        let good = r#"{"address":"192.0.2.1","name":"1.2.0.192.IN-ADDR.ARPA.","zone":"2.0.192.in-addr.arpa.","server":"ns1.example.test.","registered":true}"#;
        let r: PtrRecord = serde_json::from_str(good).unwrap();
        assert!(r.registered);
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"address":"192.0.2.1","name":"1.2.0.192.IN-ADDR.ARPA.","zone":"2.0.192.in-addr.arpa.","server":"ns1.example.test.","registered":true}"#
        );
    }

    #[test]
    fn coverage_follows_the_host_the_ttl_and_the_gone() {
        let host = parse_name("h.example.").unwrap();
        let other = parse_name("g.example.").unwrap();
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        let b: IpAddr = "2001:db8::2".parse().unwrap();
        let mut now = Ptr::new(300, [a]);
        let cached = Ptr::new(300, [a, b]);
        assert!(now.covered_by(&host, &cached, &host));
        assert!(!now.covered_by(&other, &cached, &host));
        assert!(!Ptr::new(60, [a]).covered_by(&host, &cached, &host));
        now.gone.push(PtrRecord::new(b));
        assert!(!now.covered_by(&host, &cached, &host));
        assert!(now.covered_by(&host, &Ptr::new(300, [a]), &host));
    }
}
