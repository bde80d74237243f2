//! DNS on the wire: one question to an authoritative server ([`query`],
//! [`live`]), a zone transfer ([`axfr`]), the zone and its primary
//! ([`zone`]), the RFC 2136 update ([`update`]), its owner's DHCID record
//! ([`dhcid`]) and lease ([`lease`]), its SSH host keys ([`sshfp`]), TXT data as text ([`txt`]), signing
//! ([`tsig`]; GSS-TSIG's TKEY in [`tkey`], the GSS-API in `gss`, its
//! Kerberos environment in [`gss_env`]), and the connection: TCP or DNS
//! over TLS ([`transport`], [`tls`], [`reach`]).

pub mod axfr;
pub mod dhcid;
#[cfg(feature = "gss")]
pub mod gss;
pub mod gss_env;
pub mod lease;
pub mod live;
pub mod query;
pub mod reach;
pub mod sshfp;
pub mod tkey;
pub mod tls;
pub mod transport;
pub mod tsig;
pub mod txt;
pub mod update;
pub mod zone;

use hickory_proto::op::ResponseCode;

/// The rcode's mnemonic, as RFC 6895 §2.3 names it.
pub fn rcode_name(rcode: ResponseCode) -> String {
    match rcode {
        ResponseCode::NoError => "NOERROR".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::YXDomain => "YXDOMAIN".into(),
        ResponseCode::YXRRSet => "YXRRSET".into(),
        ResponseCode::NXRRSet => "NXRRSET".into(),
        ResponseCode::NotAuth => "NOTAUTH".into(),
        ResponseCode::NotZone => "NOTZONE".into(),
        other => format!("rcode {}", u16::from(other)),
    }
}
