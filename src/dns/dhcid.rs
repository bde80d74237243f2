//! The DHCID record (RFC 4701): who owns a name. Its RDATA is a 2-octet
//! identifier type, a 1-octet digest type and a SHA-256 digest of the
//! client's identifier followed by the name in canonical wire form
//! (§3.3, §3.5), so that a client can prove a name is its own without
//! publishing its identifier. This host's identifier is a DHCPv6 DUID
//! (identifier type 0x0002), as ISC Kea's DHCP-DDNS computes it for the
//! same client, so the two can share a zone (RFC 4703).

use hickory_proto::rr::{Name, RecordType};
use sha2::{Digest as _, Sha256};

/// DHCID's record type (RFC 4701 §3), which hickory knows by number only.
pub const DHCID: RecordType = RecordType::Unknown(49);

/// Identifier type 0x0002: the client's DHCPv6 DUID (RFC 4701 §3.3).
pub const DUID: u16 = 2;
/// Digest type 1: SHA-256 (RFC 4701 §3.4).
const SHA256: u8 = 1;

/// The longest DUID (RFC 8415 §11.1: 128 octets after its 2-octet type).
pub const MAX_DUID_OCTETS: usize = 130;

/// The DHCID RDATA for `identifier` of `identifier_type` and `fqdn`
/// (RFC 4701 §3.3): the types, then SHA-256 over the identifier and the
/// name in canonical wire form (lower case, uncompressed, §3.5).
pub fn rdata(identifier_type: u16, identifier: &[u8], fqdn: &Name) -> Vec<u8> {
    let mut name = fqdn.to_lowercase();
    name.set_fqdn(true);
    let mut hash = Sha256::new();
    hash.update(identifier);
    for label in name.iter() {
        // A label is at most 63 octets (hickory checks it), so its length
        // fits the one octet that precedes it.
        hash.update([label.len() as u8]);
        hash.update(label);
    }
    hash.update([0]);
    let mut out = Vec::with_capacity(35);
    out.extend_from_slice(&identifier_type.to_be_bytes());
    out.push(SHA256);
    out.extend_from_slice(&hash.finalize());
    out
}

/// The DUID-UUID of a host (RFC 6355: DUID type 4, then the 16 octets of
/// a UUID) made from its machine ID (`/etc/machine-id`: 32 hexadecimal
/// digits, machine-id(5)).
pub fn duid_uuid(machine_id: &str) -> Option<Vec<u8>> {
    let id = machine_id.trim();
    if id.len() != 32 {
        return None;
    }
    let mut duid = vec![0, 4];
    duid.extend(hex(id)?);
    Some(duid)
}

/// The octets of hexadecimal `text` (either case), or `None` for an odd
/// number of digits or a non-digit.
pub fn hex(text: &str) -> Option<Vec<u8>> {
    data_encoding::HEXLOWER_PERMISSIVE
        .decode(text.as_bytes())
        .ok()
}

/// The RDATA in presentation form (RFC 4701 §3.6: base64).
pub fn to_text(rdata: &[u8]) -> String {
    data_encoding::BASE64.encode(rdata)
}

/// The RDATA from its presentation form.
pub fn from_text(text: &str) -> Option<Vec<u8>> {
    data_encoding::BASE64.decode(text.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Name {
        Name::from_ascii(text).unwrap()
    }

    /// RFC 4701 §3.6's three examples, octet for octet.
    #[test]
    fn rfc_4701_examples() {
        // §3.6.1: a DHCPv6 client's DUID.
        let duid = hex("00010006412df166010203040506").unwrap();
        assert_eq!(
            to_text(&rdata(DUID, &duid, &name("chi6.example.com"))),
            "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA="
        );
        // §3.6.2: a DHCPv4 client's htype and chaddr (identifier type 0).
        assert_eq!(
            to_text(&rdata(
                0,
                &hex("01010203040506").unwrap(),
                &name("client.example.com")
            )),
            "AAABxLmlskllE0MVjd57zHcWmEH3pCQ6VytcKD//7es/deY="
        );
        // §3.6.3: a DHCPv4 client identifier option (identifier type 1).
        assert_eq!(
            to_text(&rdata(
                1,
                &hex("010708090a0b0c").unwrap(),
                &name("chi.example.com")
            )),
            "AAEBOSD+XR3Os/0LozeXVqcNc7FwCfQdWL3b/NaiUDlW2No="
        );
    }

    #[test]
    fn the_name_is_hashed_in_canonical_form() {
        let duid = [0, 4, 1, 2];
        assert_eq!(
            rdata(DUID, &duid, &name("Host1.Example.Test.")),
            rdata(DUID, &duid, &name("host1.example.test"))
        );
    }

    #[test]
    fn a_duid_uuid_comes_from_the_machine_id() {
        let duid = duid_uuid("0123456789abcdef0123456789ABCDEF\n").unwrap();
        assert_eq!(duid.len(), 18);
        assert_eq!(&duid[..4], &[0, 4, 0x01, 0x23]);
        assert_eq!(duid_uuid("0123"), None);
        assert_eq!(duid_uuid(&"g".repeat(32)), None);
    }
}
