//! Building the update message (RFC 2136 §2): the zone section, the
//! prerequisites (the guard's, the owner's), what it deletes and adds, and
//! encoding and signing it within one TCP message.

use hickory_proto::op::{Message, MessageType, OpCode, Query, UpdateMessage};
use hickory_proto::rr::rdata::{A, AAAA};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};

use super::{BuildError, MAX_TCP_MESSAGE, Owner, Replace, Step, Update, random_id};
use crate::dns::sshfp::Sshfp;
use crate::dns::tsig::{self, Key, Signed};

/// A new update message for `zone` (RFC 2136 §2.3: the zone section is the
/// apex, class IN, type SOA), RD clear.
pub(crate) fn for_zone(zone: &Name, id: u16) -> Message {
    let mut message = Message::new(id, MessageType::Query, OpCode::Update);
    message.metadata.recursion_desired = false;
    let mut section = Query::query(zone.clone(), RecordType::SOA);
    section.query_class = DNSClass::IN;
    message.add_zone(section);
    message
}

/// The unsigned update message (see the module doc), with a random ID.
pub fn build(update: &Update<'_>) -> Result<Message, BuildError> {
    build_with_id(update, random_id()?)
}

/// [`build`] with a given message ID.
pub(super) fn build_with_id(update: &Update<'_>, id: u16) -> Result<Message, BuildError> {
    let state = update.state;
    if !update.zone.zone_of(&state.hostname) {
        return Err(BuildError::NotInZone {
            name: state.hostname.to_string(),
            zone: update.zone.to_string(),
        });
    }
    let mut message = for_zone(update.zone, id);
    let name = &state.hostname;
    owner_prerequisite(&mut message, name, update.owner);
    // The guard's compare-and-swap holds where the records are replaced;
    // its first-registration rule is the claim's, and a take-over
    // overrides it as -f does.
    let guarded = matches!(update.owner.map(|o| o.step), None | Some(Step::Keep));
    if let Some(guard) = update.guard.filter(|_| guarded) {
        if guard.aaaa.is_empty() {
            // §2.4.3, RRset does not exist, or §2.4.5 (type ANY), name is
            // not in use: class NONE, no rdata.
            for rtype in absent(update) {
                let mut none = Record::update0(state.hostname.clone(), 0, rtype);
                none.dns_class = DNSClass::NONE;
                message.add_pre_requisite(none);
            }
        } else {
            // §2.4.2: RRset exists, value dependent (class IN, TTL 0).
            for addr in &guard.aaaa {
                message.add_pre_requisite(Record::from_rdata(
                    state.hostname.clone(),
                    0,
                    RData::AAAA(AAAA(*addr)),
                ));
            }
        }
    }
    for rtype in deleted(update) {
        // §2.5.3 (ANY: all RRsets) or §2.5.2 (one RRset): class ANY, no rdata.
        let mut delete = Record::update0(state.hostname.clone(), 0, rtype);
        delete.dns_class = DNSClass::ANY;
        message.add_update(delete);
    }
    for addr in state.ipv4_or_none() {
        message.add_update(Record::from_rdata(
            state.hostname.clone(),
            state.ttl_secs,
            RData::A(A(*addr)),
        ));
    }
    for addr in &state.addresses {
        message.add_update(Record::from_rdata(
            state.hostname.clone(),
            state.ttl_secs,
            RData::AAAA(AAAA(*addr)),
        ));
    }
    let has_records = !(state.addresses.is_empty() && state.ipv4_or_none().is_empty());
    if let Some(owner) = update.owner
        && has_records
    {
        message.add_update(dhcid_record(name, state.ttl_secs, owner.dhcid));
    }
    sshfp(&mut message, update);
    if let Some(lease) = update.lease {
        if let Some((secs, key_secs)) = lease.ask {
            let mut edns = hickory_proto::op::Edns::new();
            edns.options_mut()
                .insert(crate::dns::lease::option(secs, key_secs));
            message.set_edns(edns);
        }
        if let Some(old) = lease.old_marker.filter(|old| Some(*old) != lease.marker) {
            let mut one = marker_record(name, 0, old);
            one.dns_class = DNSClass::NONE;
            message.add_update(one);
        }
        if let Some(marker) = lease.marker.filter(|_| has_records) {
            message.add_update(marker_record(name, state.ttl_secs, marker));
        }
    }
    Ok(message)
}

/// The SSHFP set (RFC 4255) beside the addresses: with `"replace":
/// "all"` the old set went with every other RRset; with `"aaaa"` each
/// record this host published before and no longer has is deleted by its
/// value (RFC 2136 §2.5.4), so that others' SSHFP records stay. The set is
/// added whether or not addresses are: the keys are the host's either way.
fn sshfp(message: &mut Message, update: &Update<'_>) {
    let state = update.state;
    for old in sshfp_deleted(update) {
        let mut one = old.record(&state.hostname, 0);
        one.dns_class = DNSClass::NONE;
        message.add_update(one);
    }
    for record in state.sshfp_or_none() {
        message.add_update(record.record(&state.hostname, state.ttl_secs));
    }
}

/// The SSHFP records the update deletes by value (see [`sshfp`]).
pub(crate) fn sshfp_deleted<'a>(update: &Update<'a>) -> Vec<&'a Sshfp> {
    let claim = update.owner.is_some_and(|o| o.step == Step::Claim);
    if update.replace != Replace::Aaaa || claim {
        return Vec::new();
    }
    let now = update.state.sshfp_or_none();
    update
        .sshfp_before
        .iter()
        .filter(|r| !now.contains(r))
        .collect()
}

/// The types the update deletes at the name: ANY (every RRset), or the
/// AAAA RRset, and the A RRset when IPv4 is on; with an owner, the DHCID
/// RRset too (re-added with the records, or gone with the last of them).
/// A claim deletes nothing: the name is empty.
pub(crate) fn deleted(update: &Update<'_>) -> Vec<RecordType> {
    let step = update.owner.map(|o| o.step);
    if step == Some(Step::Claim) {
        return Vec::new();
    }
    let mut types = match update.replace {
        Replace::All => return vec![RecordType::ANY],
        Replace::Aaaa if update.state.ipv4.is_some() => vec![RecordType::A, RecordType::AAAA],
        Replace::Aaaa => vec![RecordType::AAAA],
    };
    if step.is_some() {
        types.push(crate::dns::dhcid::DHCID);
    }
    types
}

/// The prerequisite of an owner's step at `name`: the claim's "name is not
/// in use" (RFC 2136 §2.4.5: class NONE, type ANY), the keep's "this
/// host's DHCID is there" (§2.4.2); none for a take-over.
pub(crate) fn owner_prerequisite(message: &mut Message, name: &Name, owner: Option<Owner<'_>>) {
    match owner.map(|o| (o.step, o.dhcid)) {
        Some((Step::Claim, _)) => {
            let mut none = Record::update0(name.clone(), 0, RecordType::ANY);
            none.dns_class = DNSClass::NONE;
            message.add_pre_requisite(none);
        }
        Some((Step::Keep, dhcid)) => message.add_pre_requisite(dhcid_record(name, 0, dhcid)),
        Some((Step::TakeOver, _)) | None => {}
    }
}

/// The lease marker, a TXT record of one string, at `name`.
fn marker_record(name: &Name, ttl_secs: u32, text: &str) -> Record {
    Record::from_rdata(
        name.clone(),
        ttl_secs,
        RData::TXT(hickory_proto::rr::rdata::TXT::new(vec![text.to_owned()])),
    )
}

/// A DHCID record at `name` (class IN): the owner's, to add, or as a
/// value-dependent prerequisite with TTL 0 (RFC 2136 §2.4.2).
pub(crate) fn dhcid_record(name: &Name, ttl_secs: u32, dhcid: &[u8]) -> Record {
    Record::from_rdata(
        name.clone(),
        ttl_secs,
        RData::Unknown {
            code: crate::dns::dhcid::DHCID,
            rdata: hickory_proto::rr::rdata::NULL::with(dhcid.to_vec()),
        },
    )
}

/// On a first registration under `"guard": true` (the guard's AAAA set
/// empty), the types that must be absent at the name: each the update
/// deletes, so that it deletes nothing another party put there. With
/// `"replace": "all"` that is ANY, "name is not in use" (RFC 2136 §2.4.5):
/// an A or TXT record of someone else's fails the update cleanly instead
/// of being deleted.
pub(crate) fn absent(update: &Update<'_>) -> Vec<RecordType> {
    match update.guard {
        // With an owner, the claim's "name is not in use" is the rule.
        Some(guard) if guard.aaaa.is_empty() && update.owner.is_none() => deleted(update),
        _ => Vec::new(),
    }
}

/// Encodes (and signs, when a key is given) the update for the wire.
pub(crate) fn encode(
    update: &Update<'_>,
) -> Result<(Message, Vec<u8>, Option<Signed>), BuildError> {
    encode_at(update, random_id()?, tsig::now_secs())
}

/// [`encode`] with a given message ID and signing time (seconds since the
/// epoch).
pub(super) fn encode_at(
    update: &Update<'_>,
    id: u16,
    time_secs: u64,
) -> Result<(Message, Vec<u8>, Option<Signed>), BuildError> {
    let message = build_with_id(update, id)?;
    let updates_wanted = message.updates().len();
    let addresses = update.state.addresses.len() + update.state.ipv4_or_none().len();
    seal(
        message,
        update.key,
        time_secs,
        (updates_wanted, addresses),
        &update.state.hostname,
    )
}

/// Signs `message` when a key is given, and encodes it, refusing one that
/// does not fit: `wanted` is the number of records its update section
/// holds, and of the addresses they are for (of `name`).
pub(crate) fn seal(
    mut message: Message,
    key: Option<&Key>,
    time_secs: u64,
    (updates_wanted, addresses): (usize, usize),
    name: &Name,
) -> Result<(Message, Vec<u8>, Option<Signed>), BuildError> {
    let signed = match key {
        Some(key) => Some(tsig::sign(&mut message, key, time_secs).map_err(BuildError::Sign)?),
        None => None,
    };
    let wire = tsig::encode(&message).map_err(BuildError::Encode)?;
    // hickory's encoder stops at 65535 octets and lowers the header's counts
    // (RFC 2136 §2.2: the update count is NSCOUNT): a short count means the
    // update did not fit, and sending it would register a partial set.
    let count = |at: usize| usize::from(u16::from_be_bytes([wire[at], wire[at + 1]]));
    let updates_written = count(8);
    let signature_written = count(10);
    if wire.len() > MAX_TCP_MESSAGE
        || updates_written < updates_wanted
        || signature_written < usize::from(signed.is_some())
    {
        // One more AAAA record: a name pointer, type, class, TTL, length, 16 octets.
        const AAAA_RECORD: usize = 2 + 2 + 2 + 4 + 2 + 16;
        return Err(BuildError::TooLarge {
            name: name.to_string(),
            count: addresses,
            size: wire.len() + updates_wanted.saturating_sub(updates_written) * AAAA_RECORD,
        });
    }
    Ok((message, wire, signed))
}
