//! A zone transfer (AXFR, RFC 5936) from a zone's server on one
//! connection, signed with a TSIG key when one is given, every message of
//! the answer verified as RFC 8945 §5.3.1 says. `dyndns-reap --list` reads
//! a zone so; each record is handed on as it is read, so that a large
//! zone is never held whole.

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, Record, RecordType};

use crate::dns::rcode_name;
use crate::dns::transport::{Connection, TransportError};
use crate::dns::tsig::{self, Key, VerifyError};

/// Why a zone could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AxfrError {
    /// No connection, it broke, or a message did not come in time.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The request could not be made (random ID, encoding, signing).
    #[error("cannot make the transfer request: {0}")]
    Request(String),
    /// A message of the answer is not a DNS message.
    #[error("bad answer: not a DNS message")]
    Malformed(#[source] hickory_proto::serialize::binary::DecodeError),
    /// A message is not an answer to the request.
    #[error("bad answer: not a response to the transfer request (ID, QR bit or opcode)")]
    NotAnswer,
    /// The server refused the transfer.
    #[error("{rcode}{}: the server does not let {who} transfer the zone (BIND: allow-transfer; Knot: an acl with action transfer; PowerDNS: allow-axfr-ips, or TSIG-ALLOW-AXFR for the key)", .tsig.as_ref().map(|t| format!(" ({t})")).unwrap_or_default())]
    Refused {
        /// The rcode's name.
        rcode: String,
        /// The TSIG error it carries, explained.
        tsig: Option<String>,
        /// Who asked: the key, or this address unsigned.
        who: String,
    },
    /// A message's TSIG did not verify.
    #[error(transparent)]
    Tsig(#[from] VerifyError),
    /// The answer does not begin with the zone's SOA (RFC 5936 §2.2).
    #[error("bad answer: the transfer does not begin with the SOA record of {0}")]
    NoSoa(Name),
}

/// Transfers `zone` on `conn`, signed with `key` when one is given, and
/// hands every record but the closing SOA to `each`, in the server's
/// order. The number of records read.
pub fn transfer(
    conn: &mut Connection<'_>,
    zone: &Name,
    key: Option<&Key>,
    mut each: impl FnMut(Record),
) -> Result<usize, AxfrError> {
    let id = getrandom::u32()
        .map(|r| r as u16)
        .map_err(|e| AxfrError::Request(e.to_string()))?;
    let mut request = Message::new(id, MessageType::Query, OpCode::Query);
    let mut question = Query::query(zone.clone(), RecordType::AXFR);
    question.query_class = DNSClass::IN;
    request.add_query(question);
    let signed = match key {
        Some(key) => Some(
            tsig::sign(&mut request, key, tsig::now_secs())
                .map_err(|e| AxfrError::Request(e.to_string()))?,
        ),
        None => None,
    };
    let wire = tsig::encode(&request).map_err(|e| AxfrError::Request(e.to_string()))?;
    conn.send(&wire)?;
    let mut stream = key
        .zip(signed.as_ref())
        .map(|(k, s)| tsig::Stream::new(k, s));
    let (mut count, mut messages, mut signed_messages) = (0usize, 0usize, 0usize);
    let mut done = false;
    while !done {
        let wire = conn.receive()?;
        messages += 1;
        let message = Message::from_vec(&wire).map_err(AxfrError::Malformed)?;
        if message.metadata.id != id
            || message.metadata.message_type != MessageType::Response
            || message.metadata.op_code != OpCode::Query
        {
            return Err(AxfrError::NotAnswer);
        }
        let rcode = message.metadata.response_code;
        if rcode != ResponseCode::NoError {
            return Err(AxfrError::Refused {
                rcode: rcode_name(rcode),
                tsig: tsig::answer_error(&message),
                who: match key {
                    Some(k) => format!("key {}", k.name),
                    None => "this host, unsigned,".into(),
                },
            });
        }
        if let Some(stream) = stream.as_mut() {
            stream.check(&wire, &message, tsig::now_secs())?;
            signed_messages += usize::from(message.signature().is_some());
        }
        for record in message.answers {
            let soa = record.record_type() == RecordType::SOA;
            if count == 0 && !(soa && record.name == *zone) {
                return Err(AxfrError::NoSoa(zone.clone()));
            }
            // RFC 5936 §2.2: the SOA again ends the transfer.
            if count > 0 && soa {
                done = true;
                break;
            }
            count += 1;
            each(record);
        }
    }
    if let Some(stream) = &stream {
        stream.finish()?;
    }
    log::debug!("{zone}: {count} records in {messages} messages, {signed_messages} of them signed");
    Ok(count)
}
