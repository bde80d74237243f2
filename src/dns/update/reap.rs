//! The updates `dyndns-reap` sends for a host whose lease expired: one
//! that deletes the name's AAAA, A and DHCID sets and its lease markers,
//! and one per reverse name that deletes the PTR to it. Each holds only
//! while the records it was decided on are still there: the name's whole
//! TXT set (the marker with it) and the reverse name's whole PTR set as
//! listed, value-dependent prerequisites (RFC 2136 §2.4.2, which compares
//! whole RRsets), so that a host that renewed in between fails the
//! prerequisite (NXRRSET) and keeps its records.

use std::fmt::Write as _;

use hickory_proto::op::{Message, UpdateMessage};
use hickory_proto::rr::rdata::{PTR, TXT};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};

use crate::dns::dhcid::DHCID;
use crate::dns::txt;

/// What a host's reaping deletes at its name.
#[derive(Clone, Debug)]
pub struct ReapName<'a> {
    /// The zone apex.
    pub zone: &'a Name,
    /// The host's name.
    pub name: &'a Name,
    /// The name's TXT set as listed: the prerequisite.
    pub txt: &'a [TXT],
    /// The lease markers among them: deleted by value (RFC 2136 §2.5.4),
    /// so that no other TXT record at the name goes.
    pub markers: &'a [TXT],
}

/// The types whose whole sets go (RFC 2136 §2.5.2).
fn deleted_sets() -> [RecordType; 3] {
    [RecordType::AAAA, RecordType::A, DHCID]
}

/// The update that reaps a name (unsigned, with ID `id`).
pub fn name_update(reap: &ReapName<'_>, id: u16) -> Message {
    let mut message = super::for_zone(reap.zone, id);
    for set in reap.txt {
        // §2.4.2: class IN, TTL 0, the RDATA.
        message.add_pre_requisite(Record::from_rdata(
            reap.name.clone(),
            0,
            RData::TXT(set.clone()),
        ));
    }
    for rtype in deleted_sets() {
        let mut delete = Record::update0(reap.name.clone(), 0, rtype);
        delete.dns_class = DNSClass::ANY;
        message.add_update(delete);
    }
    for marker in reap.markers {
        let mut delete = Record::from_rdata(reap.name.clone(), 0, RData::TXT(marker.clone()));
        delete.dns_class = DNSClass::NONE;
        message.add_update(delete);
    }
    message
}

/// What a reaping deletes at one reverse name.
#[derive(Clone, Debug)]
pub struct ReapPtr<'a> {
    /// The reverse zone's apex.
    pub zone: &'a Name,
    /// The reverse name.
    pub name: &'a Name,
    /// Its PTR set as listed: the prerequisite.
    pub ptr: &'a [Name],
    /// The reaped host's name, whose PTR goes.
    pub target: &'a Name,
}

/// The update that deletes one PTR to a reaped name.
pub fn ptr_update(reap: &ReapPtr<'_>, id: u16) -> Message {
    let mut message = super::for_zone(reap.zone, id);
    for target in reap.ptr {
        message.add_pre_requisite(Record::from_rdata(
            reap.name.clone(),
            0,
            RData::PTR(PTR(target.clone())),
        ));
    }
    let mut delete = Record::from_rdata(reap.name.clone(), 0, RData::PTR(PTR(reap.target.clone())));
    delete.dns_class = DNSClass::NONE;
    message.add_update(delete);
    message
}

/// The name's update as a script nsupdate runs (`server`, `zone`, the
/// lines, `send`).
pub fn name_script(reap: &ReapName<'_>, server: &str, port: u16, out: &mut String) {
    let _ = writeln!(out, "server {server} {port}");
    let _ = writeln!(out, "zone {}", reap.zone);
    for set in reap.txt {
        let _ = writeln!(
            out,
            "prereq yxrrset {} IN TXT {}",
            reap.name,
            txt::to_text(set)
        );
    }
    for rtype in deleted_sets() {
        let _ = writeln!(
            out,
            "update delete {} IN {}",
            reap.name,
            super::describe::type_name(rtype)
        );
    }
    for marker in reap.markers {
        let _ = writeln!(
            out,
            "update delete {} IN TXT {}",
            reap.name,
            txt::to_text(marker)
        );
    }
    out.push_str("send\n");
}

/// A reverse name's update as a script nsupdate runs.
pub fn ptr_script(reap: &ReapPtr<'_>, server: &str, port: u16, out: &mut String) {
    let _ = writeln!(out, "server {server} {port}");
    let _ = writeln!(out, "zone {}", reap.zone);
    for target in reap.ptr {
        let _ = writeln!(out, "prereq yxrrset {} IN PTR {target}", reap.name);
    }
    let _ = writeln!(out, "update delete {} IN PTR {}", reap.name, reap.target);
    out.push_str("send\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reaping_holds_only_while_the_listed_sets_do() {
        let zone = Name::from_ascii("example.test.").unwrap();
        let name = Name::from_ascii("a.example.test.").unwrap();
        let marker = TXT::new(vec!["dyndns-lease expires=2026-12-05T13:00:00Z".into()]);
        let other = TXT::new(vec!["kept".into()]);
        let sets = [marker.clone(), other];
        let reap = ReapName {
            zone: &zone,
            name: &name,
            txt: &sets,
            markers: std::slice::from_ref(&marker),
        };
        let m = name_update(&reap, 7);
        // Both TXT records as the prerequisite; AAAA, A and DHCID sets and
        // the marker alone deleted.
        assert_eq!(m.prerequisites().len(), 2);
        assert!(
            m.prerequisites()
                .iter()
                .all(|r| r.dns_class == DNSClass::IN && r.ttl == 0)
        );
        let deletes: Vec<_> = m
            .updates()
            .iter()
            .map(|r| (r.record_type(), r.dns_class))
            .collect();
        assert_eq!(
            deletes,
            [
                (RecordType::AAAA, DNSClass::ANY),
                (RecordType::A, DNSClass::ANY),
                (DHCID, DNSClass::ANY),
                (RecordType::TXT, DNSClass::NONE),
            ]
        );
        let mut script = String::new();
        name_script(&reap, "::1", 53, &mut script);
        assert_eq!(
            script,
            "server ::1 53\nzone example.test.\n\
             prereq yxrrset a.example.test. IN TXT \"dyndns-lease expires=2026-12-05T13:00:00Z\"\n\
             prereq yxrrset a.example.test. IN TXT \"kept\"\n\
             update delete a.example.test. IN AAAA\nupdate delete a.example.test. IN A\n\
             update delete a.example.test. IN DHCID\n\
             update delete a.example.test. IN TXT \"dyndns-lease expires=2026-12-05T13:00:00Z\"\nsend\n"
        );
    }
}
