//! Byte-exact fixtures of the update message, unsigned and TSIG-signed,
//! each field annotated, and the checks of an answer field by field.

use hmac::{Hmac, KeyInit, Mac};

use hickory_proto::op::UpdateMessage;
use hickory_proto::rr::{DNSClass, RData, Record, RecordType};

use super::build::{build_with_id, encode_at};
use super::*;

fn state() -> State {
    State::parse(
        r#"{"hostname":"h.example.test.","ttl":300,"addresses":["2001:db8::1"]}"#,
        "test",
    )
    .unwrap()
}

fn zone() -> Name {
    Name::from_ascii("example.test.").unwrap()
}

/// The unsigned update for h.example.test. (TTL 300, 2001:db8::1) in
/// example.test., ID 0x1234, octet for octet (RFC 2136 §2).
const UNSIGNED: &[u8] = &[
    0x12, 0x34, // ID
    0x28, 0x00, // QR 0, opcode 5 (UPDATE), RD 0; rcode 0
    0x00, 0x01, // ZOCOUNT 1
    0x00, 0x00, // PRCOUNT 0
    0x00, 0x02, // UPCOUNT 2
    0x00, 0x00, // ADCOUNT 0
    // Zone section (§2.3), at offset 12: example.test. SOA IN
    7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 4, b't', b'e', b's', b't', 0, //
    0x00, 0x06, // type SOA
    0x00, 0x01, // class IN
    // Update 1 (§2.5.3, delete all RRsets), at offset 30: h + pointer to 12
    1, b'h', 0xc0, 0x0c, //
    0x00, 0xff, // type ANY
    0x00, 0xff, // class ANY
    0x00, 0x00, 0x00, 0x00, // TTL 0
    0x00, 0x00, // RDLENGTH 0
    // Update 2 (§2.5.1, add to an RRset): pointer to offset 30
    0xc0, 0x1e, //
    0x00, 0x1c, // type AAAA
    0x00, 0x01, // class IN
    0x00, 0x00, 0x01, 0x2c, // TTL 300
    0x00, 0x10, // RDLENGTH 16
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // 2001:db8::1
];

/// The unsigned update of [`state`] in [`zone`], ID 0x1234.
fn unsigned() -> (Message, Vec<u8>, Option<Signed>) {
    let state = state();
    let zone = zone();
    let update = Update {
        state: &state,
        zone: &zone,
        replace: Replace::All,
        guard: None,
        owner: None,
        lease: None,
        sshfp_before: &[],
        key: None,
        gss: None,
        tls: None,
    };
    encode_at(&update, 0x1234, 0).unwrap()
}

#[test]
fn unsigned_update_octet_for_octet() {
    let (_, wire, signed) = unsigned();
    assert_eq!(wire, UNSIGNED);
    assert!(signed.is_none());
}

#[test]
fn signed_update_octet_for_octet() {
    let state = state();
    let zone = zone();
    let key = Key::new("k1", "hmac-sha256", "c2VjcmV0").unwrap(); // "secret"
    let update = Update {
        state: &state,
        zone: &zone,
        replace: Replace::All,
        guard: None,
        owner: None,
        lease: None,
        sshfp_before: &[],
        key: Some(&key),
        gss: None,
        tls: None,
    };
    let time: u64 = 1_700_000_000; // 0x6553f100
    let (_, wire, signed) = encode_at(&update, 0x1234, time).unwrap();

    // The MAC, computed here from RFC 8945 §4.3.3's digest components:
    // the request as it was before the TSIG record, then the TSIG
    // variables.
    let mut digest = UNSIGNED.to_vec();
    digest.extend_from_slice(&[2, b'k', b'1', 0]); // key name, canonical
    digest.extend_from_slice(&[0x00, 0xff]); // class ANY
    digest.extend_from_slice(&[0, 0, 0, 0]); // TTL 0
    digest.extend_from_slice(b"\x0bhmac-sha256\x00"); // algorithm name
    digest.extend_from_slice(&[0x00, 0x00, 0x65, 0x53, 0xf1, 0x00]); // time, 48 bits
    digest.extend_from_slice(&[0x01, 0x2c]); // fudge 300
    digest.extend_from_slice(&[0x00, 0x00]); // error 0
    digest.extend_from_slice(&[0x00, 0x00]); // other length 0
    let mut hmac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(b"secret").unwrap();
    hmac.update(&digest);
    let mac = hmac.finalize().into_bytes().to_vec();
    assert_eq!(signed.unwrap().request_mac, mac);

    // The message: the unsigned one with ADCOUNT 1, then the TSIG record.
    let mut want = UNSIGNED.to_vec();
    want[11] = 1; // ADCOUNT 1
    want.extend_from_slice(&[2, b'k', b'1', 0]); // owner: the key name
    want.extend_from_slice(&[0x00, 0xfa]); // type TSIG (250)
    want.extend_from_slice(&[0x00, 0xff]); // class ANY
    want.extend_from_slice(&[0, 0, 0, 0]); // TTL 0
    want.extend_from_slice(&[0x00, 0x3d]); // RDLENGTH 61
    want.extend_from_slice(b"\x0bhmac-sha256\x00"); // algorithm name (13)
    want.extend_from_slice(&[0x00, 0x00, 0x65, 0x53, 0xf1, 0x00]); // time signed
    want.extend_from_slice(&[0x01, 0x2c]); // fudge 300
    want.extend_from_slice(&[0x00, 0x20]); // MAC size 32
    want.extend_from_slice(&mac); // MAC
    want.extend_from_slice(&[0x12, 0x34]); // original ID
    want.extend_from_slice(&[0x00, 0x00]); // error 0
    want.extend_from_slice(&[0x00, 0x00]); // other length 0
    assert_eq!(wire, want);
}

/// An answer to the update above: its header, with `flags` and the
/// zone section echoed, as BIND sends it.
fn answer(id: u16, flags: [u8; 2]) -> Vec<u8> {
    let mut a = UNSIGNED[..30].to_vec();
    a[..2].copy_from_slice(&id.to_be_bytes());
    a[2..4].copy_from_slice(&flags);
    a[9] = 0; // UPCOUNT 0
    a
}

#[test]
fn answers_are_checked_field_by_field() {
    let (request, _, _) = unsigned();
    // QR 1, opcode UPDATE, rcode NOERROR.
    check_answer(&request, &answer(0x1234, [0xa8, 0x00]), None, 0).unwrap();
    let check = |bytes: &[u8]| check_answer(&request, bytes, None, 0).unwrap_err();
    assert!(matches!(
        check(&answer(0x4321, [0xa8, 0x00])),
        ServerError::WrongId {
            got: 0x4321,
            sent: 0x1234
        }
    ));
    // QR 0: a query, not an answer.
    assert!(matches!(
        check(&answer(0x1234, [0x28, 0x00])),
        ServerError::NotResponse
    ));
    // Opcode 0 (QUERY).
    assert!(matches!(
        check(&answer(0x1234, [0x80, 0x00])),
        ServerError::WrongOpcode(OpCode::Query)
    ));
    // Rcode 5, REFUSED, unsigned: the likely causes.
    let refused = check(&answer(0x1234, [0xa8, 0x05]));
    assert!(matches!(
        &refused,
        ServerError::Refused(Refusal {
            rcode: ResponseCode::Refused,
            tsig: None,
            signed: Signer::Unsigned
        })
    ));
    assert!(
        refused
            .to_string()
            .starts_with("REFUSED: the server does not let this host update the name")
    );
    // Cut short: not a DNS message.
    assert!(matches!(
        check(&answer(0x1234, [0xa8, 0x00])[..20]),
        ServerError::Malformed(_)
    ));
    assert!(matches!(check(&[0x12]), ServerError::Malformed(_)));
}

/// RFC 4703 §5.3's steps as messages: the claim's "name is not in use"
/// and its adds; the keep's DHCID prerequisite, its deletes and adds; the
/// take-over's none; and with `"replace": "aaaa"` the DHCID set replaced
/// beside the AAAA set, or deleted with the last address.
#[test]
fn ownership_steps_carry_rfc_4703s_prerequisites() {
    let mut state = state();
    let zone = zone();
    let dhcid = [0u8, 2, 1, 7, 7, 7];
    let build = |state: &State, replace: Replace, step: Step| {
        let update = Update {
            state,
            zone: &zone,
            replace,
            guard: None,
            owner: Some(Owner {
                dhcid: &dhcid,
                step,
            }),
            lease: None,
            sshfp_before: &[],
            key: None,
            gss: None,
            tls: None,
        };
        build_with_id(&update, 1).unwrap()
    };
    let shape = |r: &Record| (r.dns_class, r.record_type(), r.ttl);
    let dhcid_type = crate::dns::dhcid::DHCID;

    let claim = build(&state, Replace::All, Step::Claim);
    let pre: Vec<_> = claim.prerequisites().iter().map(shape).collect();
    assert_eq!(pre, [(DNSClass::NONE, RecordType::ANY, 0)]);
    let adds: Vec<_> = claim.updates().iter().map(shape).collect();
    assert_eq!(
        adds,
        [
            (DNSClass::IN, RecordType::AAAA, 300),
            (DNSClass::IN, dhcid_type, 300)
        ]
    );

    let keep = build(&state, Replace::All, Step::Keep);
    assert_eq!(keep.prerequisites().len(), 1);
    assert_eq!(
        shape(&keep.prerequisites()[0]),
        (DNSClass::IN, dhcid_type, 0)
    );
    assert!(matches!(
        &keep.prerequisites()[0].data,
        RData::Unknown { rdata, .. } if rdata.anything == dhcid
    ));
    let updates: Vec<_> = keep.updates().iter().map(shape).collect();
    assert_eq!(
        updates,
        [
            (DNSClass::ANY, RecordType::ANY, 0),
            (DNSClass::IN, RecordType::AAAA, 300),
            (DNSClass::IN, dhcid_type, 300)
        ]
    );

    let take = build(&state, Replace::All, Step::TakeOver);
    assert!(take.prerequisites().is_empty());
    assert_eq!(take.updates().len(), 3);

    let aaaa = build(&state, Replace::Aaaa, Step::Keep);
    let updates: Vec<_> = aaaa.updates().iter().map(shape).collect();
    assert_eq!(
        updates,
        [
            (DNSClass::ANY, RecordType::AAAA, 0),
            (DNSClass::ANY, dhcid_type, 0),
            (DNSClass::IN, RecordType::AAAA, 300),
            (DNSClass::IN, dhcid_type, 300)
        ]
    );
    // The last address gone: the AAAA and DHCID sets go, nothing is added.
    state.addresses.clear();
    let last = build(&state, Replace::Aaaa, Step::Keep);
    let updates: Vec<_> = last.updates().iter().map(shape).collect();
    assert_eq!(
        updates,
        [
            (DNSClass::ANY, RecordType::AAAA, 0),
            (DNSClass::ANY, dhcid_type, 0)
        ]
    );
}

/// The SSHFP set (RFC 4255): with `"replace": "aaaa"` the records this
/// host published before and no longer has are deleted each by value
/// (RFC 2136 §2.5.4: class NONE, TTL 0), the kept one is not, and the set
/// is added; with `"all"` the ANY delete covers the old set. The dry run
/// prints the same lines.
#[test]
fn sshfp_records_are_replaced_by_value_beside_the_addresses() {
    use crate::dns::sshfp::Sshfp;
    let kept = Sshfp::from_text(&format!("4 2 {}", "ab".repeat(32))).unwrap();
    let old = Sshfp::from_text(&format!("1 2 {}", "cd".repeat(32))).unwrap();
    let new = Sshfp::from_text(&format!("1 2 {}", "ef".repeat(32))).unwrap();
    let mut state = state();
    state.sshfp = Some(vec![kept.clone(), new.clone()]);
    let zone = zone();
    let before = [kept.clone(), old.clone()];
    let update = |replace| Update {
        state: &state,
        zone: &zone,
        replace,
        guard: None,
        owner: None,
        lease: None,
        sshfp_before: &before,
        key: None,
        gss: None,
        tls: None,
    };
    let shape = |r: &Record| {
        let data = Sshfp::from_rdata(&r.data).map(|s| s.to_string());
        (r.dns_class, r.record_type(), r.ttl, data)
    };
    let aaaa = build_with_id(&update(Replace::Aaaa), 1).unwrap();
    let updates: Vec<_> = aaaa.updates().iter().map(shape).collect();
    assert_eq!(
        updates,
        [
            (DNSClass::ANY, RecordType::AAAA, 0, None),
            (DNSClass::IN, RecordType::AAAA, 300, None),
            (DNSClass::NONE, RecordType::SSHFP, 0, Some(old.to_string())),
            (DNSClass::IN, RecordType::SSHFP, 300, Some(kept.to_string())),
            (DNSClass::IN, RecordType::SSHFP, 300, Some(new.to_string())),
        ]
    );
    let all = build_with_id(&update(Replace::All), 1).unwrap();
    let types: Vec<_> = all
        .updates()
        .iter()
        .map(|r| (r.dns_class, r.record_type()))
        .collect();
    assert_eq!(
        types,
        [
            (DNSClass::ANY, RecordType::ANY),
            (DNSClass::IN, RecordType::AAAA),
            (DNSClass::IN, RecordType::SSHFP),
            (DNSClass::IN, RecordType::SSHFP),
        ]
    );
    let script = describe(&update(Replace::Aaaa), "ns1", 53, DryRunFormat::Nsupdate);
    assert!(
        script.contains(&format!("update delete h.example.test. IN SSHFP {old}\n")),
        "{script}"
    );
    assert!(
        script.contains(&format!("update add h.example.test. 300 IN SSHFP {new}\n")),
        "{script}"
    );
}
