//! The update of one reverse zone: the PTR records of the addresses whose
//! reverse names it holds (RFC 2136, one message per zone: the records of
//! several zones in one update are refused with NOTZONE, §3.4.1.3).
//!
//! For each current address, the PTR RRset at its reverse name is replaced
//! (§2.5.2 delete the RRset, §2.5.1 add one PTR to the host name). For each
//! address gone, the one PTR pointing to this host is deleted (§2.5.4:
//! class NONE, the record's data must match): a PTR that another host has
//! taken since stays, and the rest of the update goes on, which a
//! prerequisite failing would not let it do.

use std::fmt::Write as _;

use hickory_proto::op::{Message, UpdateMessage};
use hickory_proto::rr::rdata::PTR;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};

use super::{
    BuildError, DryRunFormat, Owner, Signed, Step, dhcid_record, for_zone, owner_prerequisite,
    random_id, seal,
};
use crate::dns::dhcid::{self, DHCID};
use crate::dns::tsig::{self, Key};
use crate::state::PtrRecord;

/// Deletes the `rtype` RRset at `name` (RFC 2136 §2.5.2: class ANY, no rdata).
fn delete_rrset(message: &mut Message, name: &Name, rtype: RecordType) {
    let mut rrset = Record::update0(name.clone(), 0, rtype);
    rrset.dns_class = DNSClass::ANY;
    message.add_update(rrset);
}

/// The PTR update of one reverse zone.
#[derive(Clone, Debug)]
pub struct PtrUpdate<'a> {
    /// The reverse zone's apex.
    pub zone: &'a Name,
    /// The host name the PTR records point to.
    pub host: &'a Name,
    /// Their TTL.
    pub ttl_secs: u32,
    /// The current addresses: their PTR RRset replaced.
    pub add: Vec<&'a PtrRecord>,
    /// The gone addresses: their PTR to this host (or to its `target`) deleted.
    pub delete: Vec<&'a PtrRecord>,
    /// The TSIG key, if the update is signed.
    pub key: Option<&'a Key>,
    /// DNS over TLS's settings when it goes over TLS, for `--dry-run`.
    pub tls: Option<&'a crate::dns::reach::TlsConfig>,
    /// The principal it is signed as with GSS-TSIG, for `--dry-run`.
    pub gss: Option<&'a [String]>,
    /// The owner's DHCID and the step of RFC 4703 §5.3 this update is
    /// (`"ownership"`): then it holds one reverse name.
    pub owner: Option<Owner<'a>>,
    /// The Update Lease to ask for, LEASE and KEY-LEASE (`"lease"`, RFC
    /// 9664): a server that grants it expires the PTRs with the host's
    /// other records.
    pub lease: Option<(u32, Option<u32>)>,
}

impl<'a> PtrUpdate<'a> {
    /// The name a gone address's PTR points to.
    fn target_of<'b>(&'b self, record: &'b PtrRecord) -> &'b Name {
        record.target.as_ref().unwrap_or(self.host)
    }

    /// The unsigned message.
    fn build(&self, id: u16) -> Result<Message, BuildError> {
        let mut message = for_zone(self.zone, id);
        for record in self.add.iter().chain(&self.delete) {
            if !self.zone.zone_of(&record.name) {
                return Err(BuildError::NotInZone {
                    name: record.name.to_string(),
                    zone: self.zone.to_string(),
                });
            }
        }
        let step = self.owner.map(|o| o.step);
        for record in self.add.iter().chain(&self.delete) {
            owner_prerequisite(&mut message, &record.name, self.owner);
        }
        for record in &self.add {
            if step != Some(Step::Claim) {
                delete_rrset(&mut message, &record.name, RecordType::PTR);
            }
            message.add_update(Record::from_rdata(
                record.name.clone(),
                self.ttl_secs,
                RData::PTR(PTR(self.host.clone())),
            ));
            if let Some(owner) = self.owner {
                if step != Some(Step::Claim) {
                    delete_rrset(&mut message, &record.name, DHCID);
                }
                message.add_update(dhcid_record(&record.name, self.ttl_secs, owner.dhcid));
            }
        }
        for record in &self.delete {
            if self.owner.is_some() {
                // The name is this host's (the prerequisite says): its PTR
                // and DHCID go.
                delete_rrset(&mut message, &record.name, RecordType::PTR);
                delete_rrset(&mut message, &record.name, DHCID);
                continue;
            }
            let target = self.target_of(record).clone();
            let mut one = Record::from_rdata(record.name.clone(), 0, RData::PTR(PTR(target)));
            one.dns_class = DNSClass::NONE;
            message.add_update(one);
        }
        if let Some((secs, key_secs)) = self.lease {
            let mut edns = hickory_proto::op::Edns::new();
            edns.options_mut()
                .insert(crate::dns::lease::option(secs, key_secs));
            message.set_edns(edns);
        }
        Ok(message)
    }

    /// This update at `step` of RFC 4703 §5.3, for the owner `dhcid`.
    pub fn at_step(&self, dhcid: Option<&'a [u8]>, step: Option<Step>) -> Self {
        Self {
            owner: dhcid.zip(step).map(|(dhcid, step)| Owner { dhcid, step }),
            ..self.clone()
        }
    }

    /// Encodes (and signs, when a key is given) the update for the wire.
    pub(crate) fn encode(&self) -> Result<(Message, Vec<u8>, Option<Signed>), BuildError> {
        self.encode_at(random_id()?, tsig::now_secs())
    }

    /// [`PtrUpdate::encode`] with a given ID and signing time.
    fn encode_at(
        &self,
        id: u16,
        time_secs: u64,
    ) -> Result<(Message, Vec<u8>, Option<Signed>), BuildError> {
        let message = self.build(id)?;
        let wanted = message.updates().len();
        let addresses = self.add.len() + self.delete.len();
        seal(message, self.key, time_secs, (wanted, addresses), self.zone)
    }

    /// The update as `--dry-run` shows it, sent to `host` at `port`: a
    /// block `nsupdate` runs as it is (`server`, `zone`, the updates,
    /// `send`), or one JSON object on one line.
    pub(crate) fn describe(&self, server: &str, port: u16, format: DryRunFormat) -> String {
        match format {
            DryRunFormat::Nsupdate => {
                let mut out = String::new();
                let _ = writeln!(out, "server {server} {port}");
                let _ = writeln!(out, "zone {}", self.zone);
                super::describe::signing_comment(&mut out, self.key, self.gss);
                super::describe::transport_comment(&mut out, self.tls, server);
                let step = self.owner.map(|o| o.step);
                for record in self.add.iter().chain(&self.delete) {
                    super::describe::owner_prereq(&mut out, &record.name, self.owner);
                }
                for record in &self.add {
                    if step != Some(Step::Claim) {
                        let _ = writeln!(out, "update delete {} IN PTR", record.name);
                    }
                    let _ = writeln!(
                        out,
                        "update add {} {} IN PTR {}",
                        record.name, self.ttl_secs, self.host
                    );
                    if let Some(owner) = self.owner {
                        if step != Some(Step::Claim) {
                            let _ = writeln!(out, "update delete {} IN DHCID", record.name);
                        }
                        let _ = writeln!(
                            out,
                            "update add {} {} IN DHCID {}",
                            record.name,
                            self.ttl_secs,
                            dhcid::to_text(owner.dhcid)
                        );
                    }
                }
                for record in &self.delete {
                    if self.owner.is_some() {
                        let _ = writeln!(out, "update delete {} IN PTR", record.name);
                        let _ = writeln!(out, "update delete {} IN DHCID", record.name);
                        continue;
                    }
                    let _ = writeln!(
                        out,
                        "update delete {} IN PTR {}",
                        record.name,
                        self.target_of(record)
                    );
                }
                let _ = writeln!(out, "send");
                out
            }
            DryRunFormat::Json => {
                let add: Vec<serde_json::Value> = self
                    .add
                    .iter()
                    .map(|r| serde_json::json!({"name": r.name.to_ascii(), "ttl": self.ttl_secs, "class": "IN", "type": "PTR", "data": self.host.to_ascii(), "address": r.address}))
                    .collect();
                let delete: Vec<serde_json::Value> = self
                    .delete
                    .iter()
                    .map(|r| serde_json::json!({"name": r.name.to_ascii(), "class": "IN", "type": "PTR", "data": self.target_of(r).to_ascii(), "address": r.address}))
                    .collect();
                let tsig = super::describe::signing_json(self.key, self.gss);
                let mut doc = serde_json::json!({
                    "server": server,
                    "port": port,
                    "zone": self.zone.to_ascii(),
                    "replace_ptr": add,
                    "delete_ptr": delete,
                    "tsig": tsig,
                });
                super::describe::add_transport_json(&mut doc, self.tls, server);
                format!("{doc}\n")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The update of zone 1.0.0.2.ip6.arpa. (ID 0x1234): one address
    /// replaced, one gone, octet for octet where it matters.
    #[test]
    fn one_zone_replaces_and_deletes_by_value() {
        let zone = Name::from_ascii("1.0.0.2.ip6.arpa.").unwrap();
        let host = Name::from_ascii("h.example.").unwrap();
        let old = Name::from_ascii("old.example.").unwrap();
        let now = PtrRecord::new("2001::1".parse().unwrap());
        let mut gone = PtrRecord::new("2001::2".parse().unwrap());
        gone.target = Some(old);
        let update = PtrUpdate {
            zone: &zone,
            host: &host,
            ttl_secs: 60,
            add: vec![&now],
            delete: vec![&gone],
            key: None,
            gss: None,
            tls: None,
            owner: None,
            lease: None,
        };
        let (message, wire, _) = update.encode_at(0x1234, 0).unwrap();
        assert_eq!(&wire[..12], &[0x12, 0x34, 0x28, 0, 0, 1, 0, 0, 0, 3, 0, 0]);
        let records = message.updates();
        assert_eq!(records.len(), 3);
        assert_eq!(
            (records[0].dns_class, records[0].record_type()),
            (DNSClass::ANY, RecordType::PTR)
        );
        assert_eq!(records[1].dns_class, DNSClass::IN);
        assert_eq!(records[1].ttl, 60);
        assert_eq!(records[1].data, RData::PTR(PTR(host.clone())));
        assert_eq!((records[2].dns_class, records[2].ttl), (DNSClass::NONE, 0));
        assert_eq!(
            records[2].data,
            RData::PTR(PTR(Name::from_ascii("old.example.").unwrap()))
        );
        let script = update.describe("::1", 53, DryRunFormat::Nsupdate);
        assert_eq!(
            script,
            format!(
                "server ::1 53\nzone 1.0.0.2.ip6.arpa.\nupdate delete {n1} IN PTR\nupdate add {n1} 60 IN PTR h.example.\nupdate delete {n2} IN PTR old.example.\nsend\n",
                n1 = now.name,
                n2 = gone.name
            )
        );
    }

    #[test]
    fn a_lease_rides_on_the_ptr_update_too() {
        let zone = Name::from_ascii("1.0.0.2.ip6.arpa.").unwrap();
        let host = Name::from_ascii("h.example.").unwrap();
        let record = PtrRecord::new("2001::1".parse().unwrap());
        let update = PtrUpdate {
            zone: &zone,
            host: &host,
            ttl_secs: 60,
            add: vec![&record],
            delete: vec![],
            key: None,
            gss: None,
            tls: None,
            owner: None,
            lease: Some((3600, None)),
        };
        let (message, wire, _) = update.encode_at(1, 0).unwrap();
        let edns = message.edns.as_ref().expect("an OPT record");
        assert_eq!(
            edns.options()
                .get(hickory_proto::rr::rdata::opt::EdnsCode::from(2)),
            Some(&crate::dns::lease::option(3600, None))
        );
        // The OPT record on the wire: ARCOUNT 1.
        assert_eq!(&wire[10..12], &[0, 1]);
    }

    #[test]
    fn a_name_outside_the_zone_is_refused() {
        let zone = Name::from_ascii("2.0.0.2.ip6.arpa.").unwrap();
        let host = Name::from_ascii("h.example.").unwrap();
        let record = PtrRecord::new("2001::1".parse().unwrap());
        let update = PtrUpdate {
            zone: &zone,
            host: &host,
            ttl_secs: 60,
            add: vec![&record],
            delete: vec![],
            key: None,
            gss: None,
            tls: None,
            owner: None,
            lease: None,
        };
        assert!(matches!(
            update.encode_at(1, 0),
            Err(BuildError::NotInZone { .. })
        ));
    }
}
