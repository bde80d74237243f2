//! The RFC 2136 update: building the message, sending it over TCP, checking
//! the answer.
//!
//! Zone section: the zone apex, class IN, type SOA (RFC 2136 §2.3). Update
//! section: delete all RRsets at the name (§2.5.3: type ANY, class ANY, TTL 0,
//! no rdata), then add one AAAA per address (§2.5.1). Over TCP the message is
//! framed by a 2-byte length (RFC 1035 §4.2.2).

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::Name;

use crate::dns::rcode_name;
use crate::dns::transport::{self, Tls, TransportError};
use crate::dns::tsig::{self, Key, Signed};
use crate::state::State;

mod build;
mod describe;
mod ptr;
pub mod reap;

pub use build::build;
pub(crate) use build::{
    absent, deleted, dhcid_record, encode, for_zone, owner_prerequisite, seal, sshfp_deleted,
};
pub use describe::DryRunFormat;
pub(crate) use describe::{describe, signing_comment};
pub use ptr::PtrUpdate;

/// The largest DNS message TCP can carry (RFC 1035 §4.2.2: a 16-bit length).
pub(crate) const MAX_TCP_MESSAGE: usize = 65535;

/// What to send: the state, the zone, and the key to sign with.
#[derive(Clone, Debug)]
pub struct Update<'a> {
    /// The name, TTL and addresses to register.
    pub state: &'a State,
    /// The zone apex.
    pub zone: &'a Name,
    /// The TSIG key, if the update is signed.
    pub key: Option<&'a Key>,
    /// The principal it is signed as with GSS-TSIG, for `--dry-run`.
    pub gss: Option<&'a [String]>,
    /// DNS over TLS's settings when it goes over TLS, for `--dry-run`.
    pub tls: Option<&'a crate::dns::reach::TlsConfig>,
    /// What the update deletes before it adds.
    pub replace: Replace,
    /// The prerequisite: the AAAA set the name must hold (`"guard"`).
    pub guard: Option<&'a Guard>,
    /// The owner's DHCID and the step of RFC 4703 §5.3 this update is
    /// (`"ownership"`).
    pub owner: Option<Owner<'a>>,
    /// The lease it asks for, and its marker (`"lease"`).
    pub lease: Option<LeaseRequest<'a>>,
    /// The SSHFP records this host published before (the cache's), which
    /// `"replace": "aaaa"` deletes each by its value where the state's set
    /// no longer holds it; the state's set is added (`"sshfp"`).
    pub sshfp_before: &'a [crate::dns::sshfp::Sshfp],
}

/// The Update Lease an update asks for (RFC 9664), and the marker TXT
/// records it writes and deletes where the server ignores leases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaseRequest<'a> {
    /// LEASE and KEY-LEASE, seconds, to ask for; `None`: no lease (the
    /// config has none now), only the old marker to delete.
    pub ask: Option<(u32, Option<u32>)>,
    /// The marker to write (with the records), if any.
    pub marker: Option<&'a str>,
    /// The previous marker, deleted by its exact value (RFC 2136 §2.5.4),
    /// so that no other TXT record at the name is touched.
    pub old_marker: Option<&'a str>,
}

/// Who owns the name, and which step of RFC 4703 §5.3 an update is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owner<'a> {
    /// The owner's DHCID RDATA (RFC 4701).
    pub dhcid: &'a [u8],
    /// The step.
    pub step: Step,
}

/// The steps of RFC 4703 §5.3, each one atomic update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// §5.3.1: the name is not in use (RFC 2136 §2.4.5): add the records
    /// and the DHCID.
    Claim,
    /// §5.3.2: the name holds this host's DHCID (a value-dependent
    /// prerequisite, §2.4.2): replace the records, and the DHCID with them
    /// (deleted with the last record).
    Keep,
    /// `--take-over`: no prerequisite; whatever the name's owner, it
    /// becomes this host's.
    TakeOver,
}

/// What an update deletes before it adds the new records (`"replace"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Replace {
    /// Every record at the name (RFC 2136 §2.5.3), as PyDynDNS does.
    #[default]
    All,
    /// The AAAA RRset (and the A RRset with IPv4 on) only (§2.5.2): other
    /// types at the name stay.
    Aaaa,
}

/// The compare-and-swap prerequisite (`"guard": true`, RFC 2136 §2.4):
/// the name holds exactly this AAAA set, the one this host last
/// registered (§2.4.2, value-dependent RRset exists), or, when it is
/// empty, no AAAA set at all (§2.4.3, RRset does not exist).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guard {
    /// The AAAA set expected at the name.
    pub aaaa: Vec<std::net::Ipv6Addr>,
}

/// Why an update failed at one server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// No connection, it broke or closed early, no answer in time, or DNS
    /// over TLS failed (then nothing was sent).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The run's time was up before this address was tried.
    #[error("not tried: the run's time was up")]
    NotTried,
    /// The answer is not a DNS message.
    #[error("bad answer: not a DNS message")]
    Malformed(#[source] hickory_proto::serialize::binary::DecodeError),
    /// The answer's ID is not the update's (RFC 1035 §4.1.1).
    #[error("bad answer: ID {got} does not match the update's {sent}")]
    WrongId {
        /// The answer's ID.
        got: u16,
        /// The update's.
        sent: u16,
    },
    /// The answer is a query, not a response.
    #[error("bad answer: not a response (QR bit clear)")]
    NotResponse,
    /// The answer's opcode is not UPDATE.
    #[error("bad answer: opcode {0:?}, not UPDATE")]
    WrongOpcode(OpCode),
    /// A NOERROR answer to a signed update carries a TSIG error.
    #[error("bad answer: {0}")]
    TsigErrorInAnswer(String),
    /// The server answered with an error code.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The answer's TSIG did not verify.
    #[error(transparent)]
    Tsig(#[from] tsig::VerifyError),
    /// No GSS-TSIG context could be negotiated (TKEY, RFC 3645 §4).
    #[error(transparent)]
    Tkey(#[from] crate::dns::tkey::TkeyError),
    /// The update could not be signed with the context.
    #[error(transparent)]
    GssSign(#[from] crate::dns::tkey::GssSignError),
}

/// An error rcode from the server (RFC 2136 §2.2), shown with the TSIG
/// error the answer carries, or else with its likely causes.
#[derive(Debug)]
pub struct Refusal {
    /// The rcode.
    pub rcode: ResponseCode,
    /// The TSIG error the answer carries, explained.
    pub tsig: Option<String>,
    /// How our update was signed.
    pub signed: Signer,
}

/// How an update was signed, which changes what a refusal likely means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signer {
    /// Not at all.
    Unsigned,
    /// With a TSIG key (RFC 8945).
    Tsig,
    /// With GSS-TSIG (RFC 3645): the host's Kerberos identity.
    Gss,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = rcode_name(self.rcode);
        if let Some(tsig) = &self.tsig {
            return write!(f, "{name} ({tsig})");
        }
        let hint = match self.rcode {
            ResponseCode::Refused | ResponseCode::NotAuth if self.signed != Signer::Unsigned => {
                "the server does not let this key update the name, or the key name, algorithm or secret differ from the server's, or the server is not authoritative for the zone; a grant of some types only (update-policy ... name HOST AAAA) refuses \"replace\": \"all\": set \"replace\": \"aaaa\" or widen the grant"
            }
            ResponseCode::Refused | ResponseCode::NotAuth => {
                "the server does not let this host update the name (allow-update or update-policy), or wants a signed update (a TSIG key, or GSS-TSIG: an Active Directory zone's \"secure only\" updates), or is not authoritative for the zone"
            }
            // An Active Directory DC (Samba's, Windows') answers a signed
            // update that its DNS permissions deny with SERVFAIL, not
            // REFUSED: the name's record belongs to the account that made it.
            ResponseCode::ServFail if self.signed == Signer::Gss => {
                "the server did not apply the update. An Active Directory domain controller answers so when the name belongs to another computer account: AD's DNS permissions give a name to the account that registered it first (the DC logs WERR_ACCESS_DENIED). An administrator can delete the name's old records (samba-tool dns delete, or the DNS console), after which this host registers it afresh, or give this host's computer account write access to the name (its Security tab in the DNS console); otherwise the server's log says why"
            }
            ResponseCode::NotZone => "the name is not inside the zone",
            ResponseCode::ServFail => "the server failed to apply the update; its log says why",
            ResponseCode::FormErr => "the server could not parse the update",
            ResponseCode::NotImp => "the server does not implement dynamic updates",
            _ => return f.write_str(&name),
        };
        write!(f, "{name}: {hint}")
    }
}

impl std::error::Error for Refusal {}

impl Refusal {
    /// Whether a prerequisite failed (RFC 2136 §3.2.5: NXRRSET, YXRRSET,
    /// NXDOMAIN, YXDOMAIN).
    pub fn is_prerequisite(&self) -> bool {
        matches!(
            self.rcode,
            ResponseCode::NXRRSet
                | ResponseCode::YXRRSet
                | ResponseCode::NXDomain
                | ResponseCode::YXDomain
        )
    }

    /// The rcode's mnemonic.
    pub fn rcode_name(&self) -> String {
        rcode_name(self.rcode)
    }
}

/// Why the update could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The name is not inside the zone.
    #[error("{name} is not inside zone {zone}")]
    NotInZone {
        /// The host name.
        name: String,
        /// The zone.
        zone: String,
    },
    /// Too large for one DNS message.
    #[error(
        "the update for {name} with {count} addresses is about {size} octets, more than one DNS message can carry ({MAX_TCP_MESSAGE}); register fewer addresses"
    )]
    TooLarge {
        /// The host name.
        name: String,
        /// How many addresses.
        count: usize,
        /// The encoded size.
        size: usize,
    },
    /// Encoding failed.
    #[error("cannot encode the update")]
    Encode(#[source] hickory_proto::ProtoError),
    /// Signing failed.
    #[error("cannot sign the update")]
    Sign(#[source] tsig::SignError),
    /// The system's random number generator failed.
    #[error("cannot draw a random message ID")]
    Random(#[source] getrandom::Error),
}

/// Sends the encoded update to one server (over TCP, or TLS with `tls`)
/// and checks its answer: the ID, the QR bit and opcode, the rcode, and
/// (for a signed update) the TSIG.
pub(crate) fn exchange(
    addr: SocketAddr,
    tls: Option<Tls<'_>>,
    request: &Message,
    wire: &[u8],
    key: Option<(&Key, &Signed)>,
    timeout: Duration,
) -> Result<Granted, ServerError> {
    let until = std::time::Instant::now() + timeout;
    let answer = transport::connect(addr, tls, timeout, until)?.exchange(wire)?;
    let key = match key {
        Some((key, signed)) => AnswerKey::Hmac(key, signed),
        None => AnswerKey::Unsigned,
    };
    check_answer_with(request, &answer, key, tsig::now_secs())
}

/// [`exchange`] for an update signed with GSS-TSIG: the answer's MIC is
/// checked with the context.
pub(crate) fn exchange_gss(
    conn: &mut transport::Connection<'_>,
    request: &Message,
    wire: &[u8],
    key: &mut crate::dns::tkey::GssKey,
    signed: &Signed,
) -> Result<Granted, ServerError> {
    let answer = conn.exchange(wire)?;
    check_answer_with(
        request,
        &answer,
        AnswerKey::Gss(key, signed),
        tsig::now_secs(),
    )
}

/// The LEASE an accepted update's answer grants (RFC 9664 §4.1), when it
/// carries the Update Lease option; `None`: the server ignores leases, or
/// none was asked.
pub type Granted = Option<u32>;

/// How an answer's signature is checked.
pub(crate) enum AnswerKey<'a> {
    /// The update was not signed.
    Unsigned,
    /// Signed with this TSIG key (RFC 8945).
    Hmac(&'a Key, &'a Signed),
    /// Signed with this GSS-TSIG context (RFC 3645).
    Gss(&'a mut crate::dns::tkey::GssKey, &'a Signed),
}

/// Checks an answer against the request (RFC 1035 §4.1.1, RFC 8945 §5.3).
pub fn check_answer(
    request: &Message,
    answer: &[u8],
    key: Option<(&Key, &Signed)>,
    now_secs: u64,
) -> Result<Granted, ServerError> {
    let key = match key {
        Some((key, signed)) => AnswerKey::Hmac(key, signed),
        None => AnswerKey::Unsigned,
    };
    check_answer_with(request, answer, key, now_secs)
}

/// [`check_answer`], for any kind of signature.
pub(crate) fn check_answer_with(
    request: &Message,
    answer: &[u8],
    key: AnswerKey<'_>,
    now_secs: u64,
) -> Result<Granted, ServerError> {
    let message = Message::from_vec(answer).map_err(ServerError::Malformed)?;
    if message.metadata.id != request.metadata.id {
        return Err(ServerError::WrongId {
            got: message.metadata.id,
            sent: request.metadata.id,
        });
    }
    if message.metadata.message_type != MessageType::Response {
        return Err(ServerError::NotResponse);
    }
    if message.metadata.op_code != OpCode::Update {
        return Err(ServerError::WrongOpcode(message.metadata.op_code));
    }
    let rcode = message.metadata.response_code;
    if rcode != ResponseCode::NoError {
        // Error answers are often unsigned (BIND's BADSIG, BADKEY): report the
        // rcode and TSIG error the server gave rather than a verification failure.
        return Err(Refusal {
            rcode,
            tsig: tsig::answer_error(&message),
            signed: match key {
                AnswerKey::Unsigned => Signer::Unsigned,
                AnswerKey::Hmac(..) => Signer::Tsig,
                AnswerKey::Gss(..) => Signer::Gss,
            },
        }
        .into());
    }
    if !matches!(key, AnswerKey::Unsigned)
        && let Some(error) = tsig::answer_error(&message)
    {
        return Err(ServerError::TsigErrorInAnswer(error));
    }
    match key {
        AnswerKey::Unsigned => {}
        AnswerKey::Hmac(key, signed) => {
            tsig::verify_parsed(answer, &message, key, signed, now_secs)?;
        }
        AnswerKey::Gss(key, signed) => {
            crate::dns::tkey::verify(answer, &message, key, signed, now_secs)?;
        }
    }
    Ok(crate::dns::lease::granted(&message))
}

/// A random message ID (RFC 5452 §4.3: unpredictable, so that an answer
/// cannot be forged blind), from the operating system's generator.
pub(crate) fn random_id() -> Result<u16, BuildError> {
    getrandom::u32()
        .map(|r| r as u16)
        .map_err(BuildError::Random)
}

#[cfg(test)]
mod tests;
