//! GSS-TSIG (RFC 3645): a security context negotiated with the primary in
//! TKEY queries (RFC 2930, mode 3, "GSS-API negotiation"), then the update
//! signed with a TSIG record whose MAC is the context's MIC, and the
//! answer's MIC verified.
//!
//! This module holds the DNS side only; the GSS-API side (MIT Kerberos,
//! through the `libgssapi` crate, the "gss" feature) is behind
//! [`GssInitiator`], so that this side is tested without a KDC and builds
//! without the GSS-API.
//!
//! The context is not deleted afterwards (TKEY mode 5 would cost a signed
//! round trip): it expires on the server, an hour later on BIND, as
//! `nsupdate -g` leaves it.

use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::NULL;
use hickory_proto::rr::rdata::tsig::{TsigAlgorithm, signed_bitmessage_to_buf};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder, BinEncodable, BinEncoder};

use crate::dns::transport::{Connection, TransportError};
use crate::dns::tsig::{Signed, VerifyError};

/// TKEY's record type (RFC 2930 §2), which hickory knows by number only.
const TKEY: u16 = 249;
/// TKEY mode 3, GSS-API negotiation (RFC 2930 §2.5).
const MODE_GSS: u16 = 3;
/// The most negotiation round trips we go through (Kerberos needs one).
const MAX_ROUNDS: usize = 4;

/// One GSS-API security context being established, then established.
pub trait GssContext: Send {
    /// Feeds the server's token (none at first); the token to send, if any.
    fn step(&mut self, token: Option<&[u8]>) -> Result<Option<Vec<u8>>, GssError>;
    /// Whether the context is established (mutually authenticated).
    fn is_complete(&self) -> bool;
    /// The MIC of `data` (`gss_get_mic`).
    fn get_mic(&mut self, data: &[u8]) -> Result<Vec<u8>, GssError>;
    /// Checks `mic` over `data` (`gss_verify_mic`).
    fn verify_mic(&mut self, data: &[u8], mic: &[u8]) -> Result<(), GssError>;
}

/// What starts contexts: the host's Kerberos identity.
pub trait GssInitiator: Send + Sync + std::fmt::Debug {
    /// A context with the DNS service of the primary `server` (its SOA
    /// MNAME: the service principal is `DNS/server@REALM`), for the host
    /// `host` (whose name gives the default client principal).
    fn start(&self, server: &Name, host: &Name) -> Result<Box<dyn GssContext>, GssError>;
}

/// A GSS-API failure: what was being done, the library's words, and what
/// would fix it when the words say.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{what}: {text}{}", hint.as_deref().map(|h| format!("; {h}")).unwrap_or_default())]
pub struct GssError {
    /// What failed: "cannot get Kerberos credentials for …".
    pub what: String,
    /// The GSS-API's major and minor status, as it words them.
    pub text: String,
    /// The fix, when the status says what is wrong.
    pub hint: Option<String>,
}

/// A context established with a server, under a TKEY key name.
pub struct GssKey {
    /// The key name both sides use in TSIG records.
    pub name: Name,
    /// The context.
    pub context: Box<dyn GssContext>,
}

impl std::fmt::Debug for GssKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GssKey")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Why the negotiation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TkeyError {
    /// The GSS-API refused (no credentials, unknown service principal,
    /// clock skew, a token it could not accept).
    #[error(transparent)]
    Gss(#[from] GssError),
    /// The connection failed.
    #[error(transparent)]
    Transport(TransportError),
    /// No answer in time.
    #[error("no answer to the TKEY query within {0:?}")]
    Timeout(Duration),
    /// The server answered with an error rcode.
    #[error("the server refused the TKEY negotiation ({rcode}): {hint}")]
    Refused {
        /// The rcode's name.
        rcode: String,
        /// What it likely means.
        hint: &'static str,
    },
    /// The server's TKEY record carries an error (RFC 2930 §2.6).
    #[error("the server did not accept our Kerberos ticket (TKEY error {code}, {name}): {hint}")]
    TkeyRejected {
        /// The error code.
        code: u16,
        /// Its name.
        name: &'static str,
        /// What it likely means.
        hint: &'static str,
    },
    /// The answer is not a TKEY answer to our query.
    #[error("bad TKEY answer: {0}")]
    Malformed(String),
    /// The server's signature on its TKEY answer does not verify.
    #[error("the TKEY answer's signature does not verify with the new context: {0}")]
    BadSignature(#[source] GssError),
    /// The context is not complete after the server's last token.
    #[error("the GSS-API context is not established after {MAX_ROUNDS} round trips")]
    Incomplete,
}

/// Negotiates a context with the server on `conn` (`server` is its
/// MNAME) for `host`, within the connection's timeout per round trip.
pub fn negotiate(
    conn: &mut Connection<'_>,
    server: &Name,
    host: &Name,
    initiator: &dyn GssInitiator,
) -> Result<GssKey, TkeyError> {
    let mut context = initiator.start(server, host)?;
    // As nsupdate names it: a random label, then "sig-" and the server.
    let label = format!("{}.sig-{}", random_u32(), server.to_ascii());
    let name = Name::from_ascii(&label).map_err(|e| TkeyError::Malformed(e.to_string()))?;
    let mut token = context.step(None)?.unwrap_or_default();
    for _ in 0..MAX_ROUNDS {
        let query = query(&name, &token, crate::dns::tsig::now_secs())?;
        let wire = query
            .to_vec()
            .map_err(|e| TkeyError::Malformed(e.to_string()))?;
        let answer = conn.exchange(&wire).map_err(|e| match e {
            TransportError::Timeout(t) => TkeyError::Timeout(t),
            other => TkeyError::Transport(other),
        })?;
        let server_token = answer_token(&query, &answer, &name)?;
        let next = context.step(Some(&server_token))?;
        if context.is_complete() {
            verify_answer(&answer, context.as_mut())?;
            return Ok(GssKey { name, context });
        }
        token = next.ok_or(TkeyError::Incomplete)?;
    }
    Err(TkeyError::Incomplete)
}

/// The TKEY query (RFC 3645 §4.1.2): the key name, type TKEY, class ANY in
/// the question, and the TKEY record (mode 3, the token) in the additional
/// section; no recursion.
fn query(name: &Name, token: &[u8], now: u64) -> Result<Message, TkeyError> {
    let mut message = Message::new(random_u32() as u16, MessageType::Query, OpCode::Query);
    message.metadata.recursion_desired = false;
    let mut question = Query::query(name.clone(), RecordType::Unknown(TKEY));
    question.query_class = DNSClass::ANY;
    message.add_query(question);
    let mut record = Record::from_rdata(
        name.clone(),
        0,
        RData::Unknown {
            code: RecordType::Unknown(TKEY),
            rdata: NULL::with(rdata(token, now as u32)?),
        },
    );
    record.dns_class = DNSClass::ANY;
    message.add_additional(record);
    Ok(message)
}

/// TKEY's RDATA (RFC 2930 §2): the algorithm, inception and expiration
/// (both now: the server sets the lifetime), the mode, no error, the key
/// (the GSS token), no other data.
fn rdata(token: &[u8], now: u32) -> Result<Vec<u8>, TkeyError> {
    let bad = |e: hickory_proto::ProtoError| TkeyError::Malformed(e.to_string());
    let mut out = Vec::with_capacity(token.len() + 32);
    let mut encoder = BinEncoder::new(&mut out);
    TsigAlgorithm::Gss
        .to_name()
        .emit(&mut encoder)
        .map_err(bad)?;
    encoder.emit_u32(now).map_err(bad)?;
    encoder.emit_u32(now).map_err(bad)?;
    encoder.emit_u16(MODE_GSS).map_err(bad)?;
    encoder.emit_u16(0).map_err(bad)?;
    let size = u16::try_from(token.len())
        .map_err(|_| TkeyError::Malformed("the GSS token is over 65535 octets".into()))?;
    encoder.emit_u16(size).map_err(bad)?;
    encoder.emit_vec(token).map_err(bad)?;
    encoder.emit_u16(0).map_err(bad)?;
    Ok(out)
}

/// The fields of a TKEY record the client reads.
struct Tkey {
    algorithm: Name,
    mode: u16,
    error: u16,
    key: Vec<u8>,
}

/// Parses TKEY RDATA.
fn parse_rdata(data: &[u8]) -> Result<Tkey, String> {
    let mut d = BinDecoder::new(data);
    let e = |e: hickory_proto::serialize::binary::DecodeError| e.to_string();
    let algorithm = Name::read(&mut d).map_err(e)?;
    let _inception = d.read_u32().map_err(e)?.unverified();
    let _expiration = d.read_u32().map_err(e)?.unverified();
    let mode = d.read_u16().map_err(e)?.unverified();
    let error = d.read_u16().map_err(e)?.unverified();
    let size = d.read_u16().map_err(e)?.unverified();
    let key = d.read_vec(usize::from(size)).map_err(e)?.unverified();
    Ok(Tkey {
        algorithm,
        mode,
        error,
        key,
    })
}

/// Checks a TKEY answer against the query, and returns the server's token.
fn answer_token(query: &Message, answer: &[u8], name: &Name) -> Result<Vec<u8>, TkeyError> {
    let message = Message::from_vec(answer).map_err(|e| TkeyError::Malformed(e.to_string()))?;
    if message.metadata.id != query.metadata.id
        || message.metadata.message_type != MessageType::Response
    {
        return Err(TkeyError::Malformed("not an answer to our query".into()));
    }
    let rcode = message.metadata.response_code;
    if rcode != ResponseCode::NoError {
        let hint = match rcode {
            ResponseCode::Refused | ResponseCode::NotAuth => {
                "the server takes no GSS-TSIG (BIND needs tkey-gssapi-keytab), or refuses this client"
            }
            _ => "its log says why",
        };
        return Err(TkeyError::Refused {
            rcode: crate::dns::rcode_name(rcode),
            hint,
        });
    }
    // RFC 2930 §4.1: in the answer section; some servers put it in the
    // additional section, which is accepted too.
    let tkey = message
        .answers
        .iter()
        .chain(&message.additionals)
        .find_map(|r| match &r.data {
            RData::Unknown { code, rdata } if *code == RecordType::Unknown(TKEY) => {
                r.name.eq_case(name).then(|| parse_rdata(&rdata.anything))
            }
            _ => None,
        })
        .ok_or_else(|| TkeyError::Malformed("no TKEY record for our key name".into()))?
        .map_err(TkeyError::Malformed)?;
    if tkey.error != 0 {
        let (name, hint) = tkey_error(tkey.error);
        return Err(TkeyError::TkeyRejected {
            code: tkey.error,
            name,
            hint,
        });
    }
    let algorithm = tkey.algorithm.to_ascii().to_ascii_lowercase();
    if tkey.mode != MODE_GSS || algorithm.trim_end_matches('.') != "gss-tsig" {
        return Err(TkeyError::Malformed(format!(
            "mode {} and algorithm {}, not GSS-API negotiation (3) with gss-tsig",
            tkey.mode, tkey.algorithm
        )));
    }
    Ok(tkey.key)
}

/// A TKEY error's name and likely meaning (RFC 2930 §2.6, RFC 8945 §5.3).
fn tkey_error(code: u16) -> (&'static str, &'static str) {
    match code {
        16 => (
            "BADSIG",
            "the server could not verify our token; its log says why",
        ),
        17 => (
            "BADKEY",
            "the server could not accept the ticket: most often this host's clock is off from the server's by more than Kerberos allows (5 minutes; fix it with NTP), or the server's keytab does not hold the key of its DNS principal",
        ),
        18 => (
            "BADTIME",
            "this host's clock is off from the server's; fix it with NTP",
        ),
        19 => ("BADMODE", "the server does not do GSS-API negotiation"),
        20 => ("BADNAME", "the server refused the key name"),
        21 => ("BADALG", "the server does not know gss-tsig"),
        _ => ("unknown", "its log says why"),
    }
}

/// Verifies the TSIG of the final TKEY answer with the new context, when
/// the server signed it (BIND does; RFC 3645 §4.1.3 leaves it optional).
fn verify_answer(answer: &[u8], context: &mut dyn GssContext) -> Result<(), TkeyError> {
    let message = Message::from_vec(answer).map_err(|e| TkeyError::Malformed(e.to_string()))?;
    if message.signature.is_none() {
        return Ok(());
    }
    let (tbs, record) = signed_bitmessage_to_buf(answer, None, true)
        .map_err(|e| TkeyError::Malformed(e.to_string()))?;
    context
        .verify_mic(&tbs, &record.data.mac)
        .map_err(TkeyError::BadSignature)
}

/// Signs `message` with the context (RFC 3645 §3.2; RFC 8945's TSIG with
/// algorithm gss-tsig and the MIC as MAC).
pub fn sign(
    message: &mut Message,
    key: &mut GssKey,
    time_secs: u64,
) -> Result<Signed, GssSignError> {
    let (pre, tbs) =
        crate::dns::tsig::to_be_signed(message, &key.name, TsigAlgorithm::Gss, time_secs)
            .map_err(|e| GssSignError::Encode(e.to_string()))?;
    let mic = key.context.get_mic(&tbs)?;
    Ok(crate::dns::tsig::attach(message, &key.name, pre, mic))
}

/// The update could not be signed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GssSignError {
    /// It could not be encoded.
    #[error("cannot encode the update for signing: {0}")]
    Encode(String),
    /// The context would not make a MIC.
    #[error(transparent)]
    Gss(#[from] GssError),
}

/// Verifies a signed update's answer (RFC 8945 §5.3 with the MIC): the
/// same key name and gss-tsig, the MIC over the request MAC and the answer,
/// within the fudge.
pub(crate) fn verify(
    wire: &[u8],
    message: &Message,
    key: &mut GssKey,
    signed: &Signed,
    now_secs: u64,
) -> Result<(), VerifyError> {
    if message.signature.is_none() {
        return Err(VerifyError::Unsigned);
    }
    let (tbs, record) = signed_bitmessage_to_buf(wire, Some(&signed.request_mac), true)
        .map_err(|e| VerifyError::Malformed(e.to_string()))?;
    let tsig = &record.data;
    if !record.name.eq_case(&key.name) || tsig.algorithm != TsigAlgorithm::Gss {
        return Err(VerifyError::OtherKey {
            expected: format!("{} (gss-tsig)", key.name),
            found: format!("{} ({})", record.name, tsig.algorithm),
        });
    }
    // RFC 8945 §4.3.3's layout first: the request MAC with its 2-octet
    // length. Samba's DNS server leaves the length out (its
    // `dns_tsig_compute_mac`), so its answers verify only without it. Both
    // are MICs of the negotiated context, as trustworthy one as the other.
    // A MIC that fails to verify does not move the GSS-API's sequence
    // window (RFC 2743 §1.2.3), so the second try sees the same token in
    // order: MIT reports a token verified twice as a duplicate, and one
    // skipped as a gap.
    if let Err(standard) = key.context.verify_mic(&tbs, &tsig.mac) {
        let without_length = tbs.get(2..).unwrap_or_default();
        if key.context.verify_mic(without_length, &tsig.mac).is_err() {
            return Err(VerifyError::BadMic(standard.to_string()));
        }
        log::debug!(
            "the answer's MIC verified in Samba's layout (the request MAC without its length)"
        );
    }
    crate::dns::tsig::within_fudge(tsig, now_secs)
}

/// A random number from the operating system (the key name's label and
/// the query's ID, RFC 5452 §4.3).
fn random_u32() -> u32 {
    getrandom::u32().unwrap_or(0x5eed_0001)
}

#[cfg(test)]
mod tests {
    use hickory_proto::rr::rdata::tsig::{TSIG, make_tsig_record, message_tbs};
    use sha2::Digest as _;

    use super::*;

    /// A context whose MIC is a SHA-256 of the data, counting the MICs it
    /// was asked to verify.
    struct Hashing {
        verified: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    }

    impl GssContext for Hashing {
        fn step(&mut self, _: Option<&[u8]>) -> Result<Option<Vec<u8>>, GssError> {
            Ok(None)
        }
        fn is_complete(&self) -> bool {
            true
        }
        fn get_mic(&mut self, data: &[u8]) -> Result<Vec<u8>, GssError> {
            Ok(sha2::Sha256::digest(data).to_vec())
        }
        fn verify_mic(&mut self, data: &[u8], mic: &[u8]) -> Result<(), GssError> {
            self.verified
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if sha2::Sha256::digest(data).as_slice() == mic {
                return Ok(());
            }
            Err(GssError {
                what: "verify".into(),
                text: "bad MIC".into(),
                hint: None,
            })
        }
    }

    /// An update signed with a [`Hashing`] context, and the answer to it
    /// signed in the standard layout, or in Samba's (the request MAC
    /// without its length), or with one octet of its MAC flipped.
    fn answered(layout: &str) -> (GssKey, Signed, Vec<u8>, Arc) {
        let verified = Arc::default();
        let mut key = GssKey {
            name: Name::from_ascii("1.sig-dc1.ad.example.test.").unwrap(),
            context: Box::new(Hashing {
                verified: std::sync::Arc::clone(&verified),
            }),
        };
        let mut request = Message::new(7, MessageType::Query, OpCode::Update);
        let signed = sign(&mut request, &mut key, 1000).unwrap();
        let mut answer = Message::new(7, MessageType::Response, OpCode::Update);
        let pre = TSIG::new(
            TsigAlgorithm::Gss,
            1000,
            300,
            Vec::new(),
            7,
            None,
            Vec::new(),
        );
        let mut tbs = Vec::new();
        if layout == "standard" || layout == "flipped" {
            tbs.extend_from_slice(&(signed.request_mac.len() as u16).to_be_bytes());
        }
        tbs.extend_from_slice(&signed.request_mac);
        tbs.extend(message_tbs(&answer, &pre, &key.name).unwrap());
        let mut mic = sha2::Sha256::digest(&tbs).to_vec();
        if layout == "flipped" {
            mic[5] ^= 1;
        }
        answer.set_signature(Box::new(make_tsig_record(
            key.name.clone(),
            pre.set_mac(mic),
        )));
        (key, signed, answer.to_vec().unwrap(), verified)
    }

    type Arc = std::sync::Arc<std::sync::atomic::AtomicUsize>;

    fn check(key: &mut GssKey, signed: &Signed, wire: &[u8]) -> Result<(), VerifyError> {
        let message = Message::from_vec(wire).unwrap();
        verify(wire, &message, key, signed, 1010)
    }

    #[test]
    fn the_answer_verifies_in_the_standard_layout_first_then_in_sambas() {
        let count = |a: &Arc| a.load(std::sync::atomic::Ordering::SeqCst);
        let (mut key, signed, wire, verified) = answered("standard");
        assert_eq!(check(&mut key, &signed, &wire), Ok(()));
        assert_eq!(count(&verified), 1, "the standard layout alone");
        let (mut key, signed, wire, verified) = answered("samba");
        assert_eq!(check(&mut key, &signed, &wire), Ok(()));
        assert_eq!(count(&verified), 2, "standard, then Samba's");
        // Neither layout makes a flipped MIC verify.
        let (mut key, signed, wire, _) = answered("flipped");
        assert!(matches!(
            check(&mut key, &signed, &wire),
            Err(VerifyError::BadMic(_))
        ));
    }

    #[test]
    fn the_tkey_query_is_rfc_3645s() {
        let name = Name::from_ascii("123.sig-ns1.example.test.").unwrap();
        let q = query(&name, b"token", 1000).unwrap();
        let wire = q.to_vec().unwrap();
        // Flags 0 (a query, no recursion), one question, one additional.
        assert_eq!(&wire[2..12], &[0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
        let data = match &q.additionals[0].data {
            RData::Unknown { rdata, .. } => rdata.anything.clone(),
            other => panic!("{other:?}"),
        };
        // gss-tsig., inception, expiration, mode 3, error 0, key, no other.
        let mut want = b"\x08gss-tsig\x00".to_vec();
        want.extend_from_slice(&[0, 0, 3, 0xe8, 0, 0, 3, 0xe8, 0, 3, 0, 0, 0, 5]);
        want.extend_from_slice(b"token");
        want.extend_from_slice(&[0, 0]);
        assert_eq!(data, want);
        let parsed = parse_rdata(&data).unwrap();
        assert_eq!(
            (parsed.mode, parsed.error, parsed.key),
            (3, 0, b"token".to_vec())
        );
    }
}
