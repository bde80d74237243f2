//! TSIG (RFC 8945): signing update requests and verifying the answers.
//!
//! hickory-proto builds the to-be-signed data (`message_tbs`) and parses a
//! signed answer into its to-be-verified data (`signed_bitmessage_to_buf`);
//! the MAC itself is RustCrypto's `hmac`, so all six algorithms of BIND's
//! `tsig-keygen` (hmac-md5, -sha1, -sha224, -sha256, -sha384, -sha512) take
//! one code path.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use hickory_proto::op::Message;
use hickory_proto::rr::Name;
use hickory_proto::rr::rdata::tsig::{
    TSIG, TsigAlgorithm, TsigError, make_tsig_record, message_tbs, signed_bitmessage_to_buf,
};
use hickory_proto::serialize::binary::BinEncodable;
use hmac::{Hmac, KeyInit, Mac};

/// The fudge we send: how far apart the clocks may be (RFC 8945 §10 recommends 300 s).
pub const FUDGE_SECS: u16 = 300;

/// A TSIG algorithm we can sign with (RFC 8945 §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// HMAC-MD5.SIG-ALG.REG.INT (RFC 8945 §6, deprecated but widespread).
    HmacMd5,
    /// hmac-sha1.
    HmacSha1,
    /// hmac-sha224.
    HmacSha224,
    /// hmac-sha256 (the default of `tsig-keygen`).
    HmacSha256,
    /// hmac-sha384.
    HmacSha384,
    /// hmac-sha512.
    HmacSha512,
}

impl Algorithm {
    /// The names accepted, in their usual spelling.
    pub const NAMES: [&'static str; 6] = [
        "hmac-md5",
        "hmac-sha1",
        "hmac-sha224",
        "hmac-sha256",
        "hmac-sha384",
        "hmac-sha512",
    ];

    /// Parses a name, case-insensitively; BIND's long spelling of hmac-md5 is accepted.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        Some(match name.as_str() {
            "hmac-md5" | "hmac-md5.sig-alg.reg.int" => Self::HmacMd5,
            "hmac-sha1" => Self::HmacSha1,
            "hmac-sha224" => Self::HmacSha224,
            "hmac-sha256" => Self::HmacSha256,
            "hmac-sha384" => Self::HmacSha384,
            "hmac-sha512" => Self::HmacSha512,
            _ => return None,
        })
    }

    /// The algorithm as it goes on the wire.
    fn wire(self) -> TsigAlgorithm {
        match self {
            Self::HmacMd5 => TsigAlgorithm::HmacMd5,
            Self::HmacSha1 => TsigAlgorithm::HmacSha1,
            Self::HmacSha224 => TsigAlgorithm::HmacSha224,
            Self::HmacSha256 => TsigAlgorithm::HmacSha256,
            Self::HmacSha384 => TsigAlgorithm::HmacSha384,
            Self::HmacSha512 => TsigAlgorithm::HmacSha512,
        }
    }

    /// Computes the MAC of `data` with `secret`.
    fn mac(self, secret: &[u8], data: &[u8]) -> Vec<u8> {
        fn run<M: Mac + KeyInit>(secret: &[u8], data: &[u8]) -> Vec<u8> {
            keyed::<M>(secret, data).finalize().into_bytes().to_vec()
        }
        match self {
            Self::HmacMd5 => run::<Hmac<md5::Md5>>(secret, data),
            Self::HmacSha1 => run::<Hmac<sha1::Sha1>>(secret, data),
            Self::HmacSha224 => run::<Hmac<sha2::Sha224>>(secret, data),
            Self::HmacSha256 => run::<Hmac<sha2::Sha256>>(secret, data),
            Self::HmacSha384 => run::<Hmac<sha2::Sha384>>(secret, data),
            Self::HmacSha512 => run::<Hmac<sha2::Sha512>>(secret, data),
        }
    }

    /// Whether `tag` is the MAC of `data` with `secret`, compared in
    /// constant time by the `hmac` crate (RFC 8945 §5.3.1).
    fn mac_verifies(self, secret: &[u8], data: &[u8], tag: &[u8]) -> bool {
        fn run<M: Mac + KeyInit>(secret: &[u8], data: &[u8], tag: &[u8]) -> bool {
            keyed::<M>(secret, data).verify_slice(tag).is_ok()
        }
        match self {
            Self::HmacMd5 => run::<Hmac<md5::Md5>>(secret, data, tag),
            Self::HmacSha1 => run::<Hmac<sha1::Sha1>>(secret, data, tag),
            Self::HmacSha224 => run::<Hmac<sha2::Sha224>>(secret, data, tag),
            Self::HmacSha256 => run::<Hmac<sha2::Sha256>>(secret, data, tag),
            Self::HmacSha384 => run::<Hmac<sha2::Sha384>>(secret, data, tag),
            Self::HmacSha512 => run::<Hmac<sha2::Sha512>>(secret, data, tag),
        }
    }
}

/// An HMAC keyed with `secret` that has read `data`.
fn keyed<M: Mac + KeyInit>(secret: &[u8], data: &[u8]) -> M {
    // HMAC takes keys of any length (RFC 2104 §2), so this cannot fail.
    let mut mac = <M as KeyInit>::new_from_slice(secret).expect("HMAC accepts any key");
    mac.update(data);
    mac
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::HmacMd5 => "hmac-md5",
            Self::HmacSha1 => "hmac-sha1",
            Self::HmacSha224 => "hmac-sha224",
            Self::HmacSha256 => "hmac-sha256",
            Self::HmacSha384 => "hmac-sha384",
            Self::HmacSha512 => "hmac-sha512",
        })
    }
}

/// A TSIG key: its name, algorithm and secret. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Key {
    /// The key's name, as the server knows it (absolute).
    pub name: Name,
    /// The MAC algorithm.
    pub algorithm: Algorithm,
    secret: Vec<u8>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("name", &self.name)
            .field("algorithm", &self.algorithm)
            .field("secret", &"(hidden)")
            .finish()
    }
}

/// Why a key is unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A field is missing or has the wrong type.
    #[error("\"{field}\": {problem}")]
    Field {
        /// The field, such as `tsig.key`.
        field: String,
        /// What is wrong.
        problem: String,
    },
}

/// What the fields of a key are called where it came from, for messages.
#[derive(Clone, Copy, Debug)]
pub struct FieldNames {
    /// The key's name.
    pub name: &'static str,
    /// The algorithm.
    pub algorithm: &'static str,
    /// The secret.
    pub secret: &'static str,
}

impl FieldNames {
    /// The config file's `tsig` object.
    pub const CONFIG: Self = Self {
        name: "tsig.keyname",
        algorithm: "tsig.algorithm",
        secret: "tsig.key",
    };
    /// A BIND key file's `key` statement.
    pub const KEY_FILE: Self = Self {
        name: "key name",
        algorithm: "algorithm",
        secret: "secret",
    };
}

impl Key {
    /// Builds a key from its name, algorithm name and base64 secret, as
    /// PyDynDNS's `tsig` object gives them.
    pub fn new(name: &str, algorithm: &str, secret_base64: &str) -> Result<Self, KeyError> {
        Self::with_fields(name, algorithm, secret_base64, FieldNames::CONFIG)
    }

    /// Checks a key's name and algorithm, the parts that are not secret:
    /// what the stages that never hold the secret can check.
    pub fn check_public(
        name: &str,
        algorithm: &str,
        fields: FieldNames,
    ) -> Result<(Name, Algorithm), KeyError> {
        let field = |field: &str, problem: String| KeyError::Field {
            field: field.to_owned(),
            problem,
        };
        let name = Name::from_ascii(name)
            .ok()
            .filter(|_| !name.is_empty())
            .map(|mut n| {
                n.set_fqdn(true);
                n
            })
            .ok_or_else(|| {
                // Neither this value nor the algorithm's is repeated: a
                // secret put in the wrong field would reach the message.
                field(
                    fields.name,
                    "is not a valid key name (a DNS name such as host1-key)".into(),
                )
            })?;
        let algorithm = Algorithm::from_name(algorithm).ok_or_else(|| {
            field(
                fields.algorithm,
                format!(
                    "is not a TSIG algorithm; use one of {}",
                    Algorithm::NAMES.join(", ")
                ),
            )
        })?;
        Ok((name, algorithm))
    }

    /// [`Key::new`], naming the fields in messages as `fields` says.
    pub fn with_fields(
        name: &str,
        algorithm: &str,
        secret_base64: &str,
        fields: FieldNames,
    ) -> Result<Self, KeyError> {
        let (name, algorithm) = Self::check_public(name, algorithm, fields)?;
        let field = |field: &str, problem: String| KeyError::Field {
            field: field.to_owned(),
            problem,
        };
        let secret = data_encoding::BASE64
            .decode(secret_base64.trim().as_bytes())
            .map_err(|_| {
                // The secret itself is never repeated in a message.
                field(
                    fields.secret,
                    "the secret is not valid base64 (copy the secret \"…\" of the key file made by tsig-keygen)".into(),
                )
            })?;
        if secret.is_empty() {
            return Err(field(fields.secret, "the secret is empty".into()));
        }
        Ok(Self {
            name,
            algorithm,
            secret,
        })
    }
}

/// What signing a request leaves behind to verify its answer.
#[derive(Clone, Debug)]
pub struct Signed {
    /// The request's MAC, which the answer's MAC covers (RFC 8945 §5.3).
    pub request_mac: Vec<u8>,
}

/// Seconds since the epoch, as TSIG's "time signed" counts them.
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Signs `message` with `key` at `time_secs` (RFC 8945 §5.1): adds the TSIG
/// record as the last additional record.
pub fn sign(message: &mut Message, key: &Key, time_secs: u64) -> Result<Signed, SignError> {
    let (pre, tbs) =
        to_be_signed(message, &key.name, key.algorithm.wire(), time_secs).map_err(SignError)?;
    let mac = key.algorithm.mac(&key.secret, &tbs);
    Ok(attach(message, &key.name, pre, mac))
}

/// The TSIG record's fields before the MAC, and the octets its MAC covers
/// (RFC 8945 §4.3.3), for a request signed by `name` with `algorithm`:
/// what HMAC and GSS-TSIG (RFC 3645 §3.2) sign alike.
pub(crate) fn to_be_signed(
    message: &Message,
    name: &Name,
    algorithm: TsigAlgorithm,
    time_secs: u64,
) -> Result<(TSIG, Vec<u8>), hickory_proto::ProtoError> {
    let pre = TSIG::new(
        algorithm,
        time_secs,
        FUDGE_SECS,
        Vec::new(),
        message.metadata.id,
        None,
        Vec::new(),
    );
    let tbs = message_tbs(message, &pre, name)?;
    Ok((pre, tbs))
}

/// Adds the TSIG record with `mac` to `message`, as its last additional record.
pub(crate) fn attach(message: &mut Message, name: &Name, pre: TSIG, mac: Vec<u8>) -> Signed {
    message.set_signature(Box::new(make_tsig_record(
        name.clone(),
        pre.set_mac(mac.clone()),
    )));
    Signed { request_mac: mac }
}

/// Encodes a signed `message` with its TSIG record's owner name written
/// in full, never as a pointer into the message (RFC 1035 §4.1.4 would
/// allow one). Samba's DNS server finds where the request's TSIG record
/// starts by the length of that record re-encoded in full
/// (`dns_verify_tsig` in its `dns_crypto.c`): a compressed key name makes
/// it cut the message at the wrong octet, and every signed update is
/// refused with BADKEY. BIND's nsupdate writes the name in full too.
pub fn encode(message: &Message) -> Result<Vec<u8>, hickory_proto::ProtoError> {
    let Some(record) = &message.signature else {
        return message.to_vec();
    };
    let mut unsigned = message.clone();
    unsigned.signature = None;
    let mut wire = unsigned.to_vec()?;
    // A record encoded alone has no earlier name to point to.
    wire.extend(record.to_bytes()?);
    let count = u16::from_be_bytes([wire[10], wire[11]]);
    let count = count
        .checked_add(1)
        .ok_or_else(|| hickory_proto::ProtoError::from("too many additional records"))?;
    wire[10..12].copy_from_slice(&count.to_be_bytes());
    Ok(wire)
}

/// The message could not be encoded for signing.
#[derive(Debug, thiserror::Error)]
#[error("cannot encode the update for signing")]
pub struct SignError(#[source] hickory_proto::ProtoError);

/// Why a signed request's answer was not accepted (RFC 8945 §5.3).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The answer carries no TSIG record.
    #[error("the answer is not signed, though the update was (RFC 8945 §5.3)")]
    Unsigned,
    /// The answer's TSIG record could not be parsed.
    #[error("the answer's TSIG record is malformed: {0}")]
    Malformed(String),
    /// Signed with another key or algorithm.
    #[error("the answer is signed with key {found}, not {expected}")]
    OtherKey {
        /// The key we signed with.
        expected: String,
        /// The key the answer names.
        found: String,
    },
    /// The MAC does not verify.
    #[error(
        "the answer's TSIG MAC does not verify with key {0}: it was not sent by a server holding this key"
    )]
    BadMac(String),
    /// The GSS-TSIG MIC does not verify (RFC 3645 §3.2.2).
    #[error(
        "the answer's GSS-TSIG MIC does not verify ({0}): it was not sent by the server the context was made with, or was changed on the way"
    )]
    BadMic(String),
    /// A zone transfer left more messages unsigned in a row than RFC 8945
    /// §5.3.1 allows (99), or ended on an unsigned one.
    #[error(
        "the zone transfer's messages are not all covered by a TSIG MAC (RFC 8945 §5.3.1: {0})"
    )]
    Uncovered(&'static str),
    /// Signed too far from our clock.
    #[error(
        "the answer was signed at {signed} but our clock says {now}, beyond the fudge of {fudge} s"
    )]
    BadTime {
        /// When the server signed, seconds since the epoch.
        signed: u64,
        /// Our clock.
        now: u64,
        /// The fudge the answer allows.
        fudge: u16,
    },
}

/// Verifies a signed request's answer `wire` (RFC 8945 §5.3): signed by the
/// same key, a MAC over the request MAC and the answer, within the fudge.
pub fn verify(wire: &[u8], key: &Key, signed: &Signed, now_secs: u64) -> Result<(), VerifyError> {
    let message = Message::from_vec(wire).map_err(|e| VerifyError::Malformed(e.to_string()))?;
    verify_parsed(wire, &message, key, signed, now_secs)
}

/// [`verify`] for an answer already parsed into `message`.
pub(crate) fn verify_parsed(
    wire: &[u8],
    message: &Message,
    key: &Key,
    signed: &Signed,
    now_secs: u64,
) -> Result<(), VerifyError> {
    // An answer without a TSIG record is told by the record's absence, not
    // guessed from hickory's error text.
    if message.signature().is_none() {
        return Err(VerifyError::Unsigned);
    }
    let (tbs, record) = signed_bitmessage_to_buf(wire, Some(&signed.request_mac), true)
        .map_err(|e| VerifyError::Malformed(e.to_string()))?;
    check_mac(&record, key, &tbs, now_secs)
}

/// Whether `record` is `key`'s, its MAC covers `tbs`, and it was signed
/// within its fudge.
fn check_mac(
    record: &hickory_proto::rr::Record<TSIG>,
    key: &Key,
    tbs: &[u8],
    now_secs: u64,
) -> Result<(), VerifyError> {
    let tsig = &record.data;
    let same_name = record.name.to_lowercase().eq_case(&key.name.to_lowercase());
    let same_algorithm =
        Algorithm::from_name(&tsig.algorithm.to_name().to_ascii()) == Some(key.algorithm);
    if !same_name || !same_algorithm {
        return Err(VerifyError::OtherKey {
            expected: format!("{} ({})", key.name, key.algorithm),
            found: format!("{} ({})", record.name, tsig.algorithm),
        });
    }
    if !key.algorithm.mac_verifies(&key.secret, tbs, &tsig.mac) {
        return Err(VerifyError::BadMac(key.name.to_string()));
    }
    within_fudge(tsig, now_secs)
}

/// The answers of a signed request that come as many messages, a zone
/// transfer's (RFC 8945 §5.3.1), verified one by one: the first MAC covers
/// the request's MAC and the whole first message's TSIG variables; each
/// later one the MAC before it, the unsigned messages since (at most 99),
/// and its own message with only the timers. The last must be signed.
pub struct Stream<'a> {
    key: &'a Key,
    prior_mac: Vec<u8>,
    unsigned: Vec<u8>,
    unsigned_count: usize,
    first: bool,
}

/// How many messages in a row a transfer may leave unsigned (RFC 8945 §5.3.1).
const MAX_UNSIGNED: usize = 99;

impl<'a> Stream<'a> {
    /// The answers to a request signed with `key`.
    pub fn new(key: &'a Key, signed: &Signed) -> Self {
        Self {
            key,
            prior_mac: signed.request_mac.clone(),
            unsigned: Vec::new(),
            unsigned_count: 0,
            first: true,
        }
    }

    /// Checks the next message, `wire`, parsed into `message`.
    pub fn check(
        &mut self,
        wire: &[u8],
        message: &Message,
        now_secs: u64,
    ) -> Result<(), VerifyError> {
        if message.signature().is_none() {
            if self.first {
                return Err(VerifyError::Unsigned);
            }
            self.unsigned_count += 1;
            if self.unsigned_count > MAX_UNSIGNED {
                return Err(VerifyError::Uncovered(
                    "more than 99 unsigned messages in a row",
                ));
            }
            self.unsigned.extend_from_slice(wire);
            return Ok(());
        }
        let (own, record) = signed_bitmessage_to_buf(wire, None, self.first)
            .map_err(|e| VerifyError::Malformed(e.to_string()))?;
        let prior = u16::try_from(self.prior_mac.len())
            .map_err(|_| VerifyError::Malformed("a MAC longer than 65535 octets".into()))?;
        let mut tbs =
            Vec::with_capacity(2 + self.prior_mac.len() + self.unsigned.len() + own.len());
        tbs.extend_from_slice(&prior.to_be_bytes());
        tbs.extend_from_slice(&self.prior_mac);
        tbs.extend_from_slice(&self.unsigned);
        tbs.extend_from_slice(&own);
        check_mac(&record, self.key, &tbs, now_secs)?;
        self.prior_mac.clone_from(&record.data.mac);
        self.unsigned.clear();
        self.unsigned_count = 0;
        self.first = false;
        Ok(())
    }

    /// Whether the last message checked was signed, as the last must be.
    pub fn finish(&self) -> Result<(), VerifyError> {
        if self.first {
            return Err(VerifyError::Unsigned);
        }
        if self.unsigned_count > 0 {
            return Err(VerifyError::Uncovered("the last message is unsigned"));
        }
        Ok(())
    }
}

/// Whether an answer's TSIG was signed within its fudge of our clock
/// (RFC 8945 §5.2.3), once its MAC verified.
pub(crate) fn within_fudge(tsig: &TSIG, now_secs: u64) -> Result<(), VerifyError> {
    if now_secs.abs_diff(tsig.time) > u64::from(tsig.fudge) {
        return Err(VerifyError::BadTime {
            signed: tsig.time,
            now: now_secs,
            fudge: tsig.fudge,
        });
    }
    Ok(())
}

/// The TSIG error an answer carries, if any, with what it likely means.
pub(crate) fn answer_error(message: &Message) -> Option<String> {
    let error = message.signature()?.data.error?;
    Some(match error {
        TsigError::BadSig => {
            "TSIG error BADSIG: the server rejected our MAC; the secret (or algorithm) differs from the server's".into()
        }
        TsigError::BadKey => {
            "TSIG error BADKEY: the server does not know this key name and algorithm".into()
        }
        TsigError::BadTime => {
            "TSIG error BADTIME: this host's clock differs from the server's by more than the fudge; fix the clock (NTP)".into()
        }
        TsigError::BadTrunc => "TSIG error BADTRUNC: the server refused a truncated MAC".into(),
        TsigError::Unknown(code) => format!("TSIG error {code}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::op::{MessageType, OpCode};

    fn key(alg: &str) -> Key {
        Key::new("k1", alg, "c2VjcmV0c2VjcmV0").unwrap()
    }

    #[test]
    fn parses_algorithm_names_case_insensitively() {
        assert_eq!(
            Algorithm::from_name("HMAC-MD5.SIG-ALG.REG.INT"),
            Some(Algorithm::HmacMd5)
        );
        assert_eq!(
            Algorithm::from_name("Hmac-Sha256"),
            Some(Algorithm::HmacSha256)
        );
        assert_eq!(Algorithm::from_name("hmac-sha3"), None);
        for name in Algorithm::NAMES {
            assert_eq!(Algorithm::from_name(name).unwrap().to_string(), name);
        }
    }

    #[test]
    fn rfc_4231_test_case_2() {
        // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
        let mac = Algorithm::HmacSha256.mac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            data_encoding::HEXLOWER.encode(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn the_tsig_owner_name_is_written_in_full() {
        // A key name that shares "example.test." with the zone: hickory
        // would point into the question; Samba cannot find the record then.
        let k = Key::new("k1.example.test", "hmac-sha256", "c2VjcmV0").unwrap();
        let mut m = Message::new(7, MessageType::Query, OpCode::Update);
        m.add_query(hickory_proto::op::Query::query(
            Name::from_ascii("example.test.").unwrap(),
            hickory_proto::rr::RecordType::SOA,
        ));
        sign(&mut m, &k, 1000).unwrap();
        let wire = encode(&m).unwrap();
        let owner = b"\x02k1\x07example\x04test\x00\x00\xfa";
        assert!(wire.windows(owner.len()).any(|w| w == owner), "{wire:?}");
        assert_eq!(&wire[10..12], &[0, 1], "ARCOUNT");
        // The same message as hickory parses it.
        let parsed = Message::from_vec(&wire).unwrap();
        assert_eq!(parsed.signature().unwrap().name, k.name);
        assert_eq!(Message::from_vec(&m.to_vec().unwrap()).unwrap(), parsed);
    }

    #[test]
    fn debug_hides_the_secret() {
        let k = key("hmac-sha256");
        assert!(!format!("{k:?}").contains("c2Vj"));
        assert!(!format!("{k:?}").contains("secret\""));
    }

    #[test]
    fn bad_keys_are_refused_without_echoing_the_secret() {
        let e = Key::new("k", "hmac-sha256", "not base64!!")
            .unwrap_err()
            .to_string();
        assert!(e.contains("tsig.key") && !e.contains("not base64!!"), "{e}");
        assert!(
            Key::new("k", "hmac-sha256", "")
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        assert!(
            Key::new("k", "md4", "c2VjcmV0")
                .unwrap_err()
                .to_string()
                .contains("hmac-sha512")
        );
    }

    /// A response signed as a server would sign it: MAC over the request MAC,
    /// then the response (RFC 8945 §5.3).
    fn signed_response(k: &Key, request: &Signed, time: u64, secret: &[u8]) -> Vec<u8> {
        let mut response = Message::new(7, MessageType::Response, OpCode::Update);
        let pre = TSIG::new(
            k.algorithm.wire(),
            time,
            FUDGE_SECS,
            Vec::new(),
            7,
            None,
            Vec::new(),
        );
        let mut tbs = Vec::new();
        tbs.extend_from_slice(&(request.request_mac.len() as u16).to_be_bytes());
        tbs.extend_from_slice(&request.request_mac);
        tbs.extend(message_tbs(&response, &pre, &k.name).unwrap());
        let mac = k.algorithm.mac(secret, &tbs);
        response.set_signature(Box::new(make_tsig_record(k.name.clone(), pre.set_mac(mac))));
        response.to_vec().unwrap()
    }

    #[test]
    fn verifies_answers_for_every_algorithm() {
        for name in Algorithm::NAMES {
            let k = key(name);
            let mut request = Message::new(7, MessageType::Query, OpCode::Update);
            let signed = sign(&mut request, &k, 1000).unwrap();
            assert_eq!(request.signature().unwrap().data.mac, signed.request_mac);
            let wire = signed_response(&k, &signed, 1000, &k.secret);
            assert_eq!(verify(&wire, &k, &signed, 1010), Ok(()), "{name}");
            let forged = signed_response(&k, &signed, 1000, b"other");
            assert_eq!(
                verify(&forged, &k, &signed, 1010),
                Err(VerifyError::BadMac("k1.".into()))
            );
            assert!(matches!(
                verify(&wire, &k, &signed, 2000),
                Err(VerifyError::BadTime { .. })
            ));
        }
    }

    #[test]
    fn unsigned_answer_is_refused() {
        let k = key("hmac-sha256");
        let mut request = Message::new(7, MessageType::Query, OpCode::Update);
        let signed = sign(&mut request, &k, 1000).unwrap();
        let wire = Message::new(7, MessageType::Response, OpCode::Update)
            .to_vec()
            .unwrap();
        assert_eq!(verify(&wire, &k, &signed, 1000), Err(VerifyError::Unsigned));
    }

    /// A zone transfer's messages as a server signs them (RFC 8945
    /// §5.3.1): the first with the request's MAC and its full variables,
    /// the second unsigned, the third over the first's MAC, the second
    /// message and its own timers.
    fn transfer(k: &Key, request: &Signed, secret: &[u8]) -> Vec<Vec<u8>> {
        let first = signed_response(k, request, 1000, secret);
        let first_mac = Message::from_vec(&first)
            .unwrap()
            .signature()
            .unwrap()
            .data
            .mac
            .clone();
        let mut second = Message::new(7, MessageType::Response, OpCode::Query);
        second.add_answer(hickory_proto::rr::Record::from_rdata(
            Name::from_ascii("a.example.").unwrap(),
            300,
            hickory_proto::rr::RData::A("192.0.2.1".parse().unwrap()),
        ));
        let second = second.to_vec().unwrap();
        let mut third = Message::new(7, MessageType::Response, OpCode::Query);
        let mut tbs = (first_mac.len() as u16).to_be_bytes().to_vec();
        tbs.extend_from_slice(&first_mac);
        tbs.extend_from_slice(&second);
        tbs.extend(third.to_vec().unwrap());
        tbs.extend_from_slice(&[0, 0, 0, 0, 0x03, 0xe8, 0x01, 0x2c]);
        let pre = TSIG::new(
            k.algorithm.wire(),
            1000,
            FUDGE_SECS,
            Vec::new(),
            7,
            None,
            Vec::new(),
        );
        let mac = k.algorithm.mac(secret, &tbs);
        third.set_signature(Box::new(make_tsig_record(k.name.clone(), pre.set_mac(mac))));
        vec![first, second, third.to_vec().unwrap()]
    }

    fn check_all(k: &Key, signed: &Signed, wires: &[Vec<u8>]) -> Result<(), VerifyError> {
        let mut stream = Stream::new(k, signed);
        for wire in wires {
            stream.check(wire, &Message::from_vec(wire).unwrap(), 1010)?;
        }
        stream.finish()
    }

    #[test]
    fn a_transfer_is_verified_message_by_message() {
        let k = key("hmac-sha256");
        let mut request = Message::new(7, MessageType::Query, OpCode::Query);
        let signed = sign(&mut request, &k, 1000).unwrap();
        let wires = transfer(&k, &signed, &k.secret);
        assert_eq!(check_all(&k, &signed, &wires), Ok(()));
        // Ending on the unsigned message.
        assert_eq!(
            check_all(&k, &signed, &wires[..2]),
            Err(VerifyError::Uncovered("the last message is unsigned"))
        );
        // The unsigned message changed on the way: the third MAC fails.
        let mut changed = wires.clone();
        let last = changed[1].len() - 1;
        changed[1][last] ^= 1;
        assert_eq!(
            check_all(&k, &signed, &changed),
            Err(VerifyError::BadMac("k1.".into()))
        );
        // A forged first message, and a first message unsigned.
        let forged = transfer(&k, &signed, b"other");
        assert_eq!(
            check_all(&k, &signed, &forged),
            Err(VerifyError::BadMac("k1.".into()))
        );
        assert_eq!(
            check_all(&k, &signed, &wires[1..]),
            Err(VerifyError::Unsigned)
        );
    }
}
