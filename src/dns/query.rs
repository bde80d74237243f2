//! Direct, non-recursive questions to an authoritative server: what the
//! zone's primary (or another of its servers) serves for a name right now.
//!
//! Blocking, with std's sockets and a deadline, so that `dyndns-diff` needs
//! no async runtime: UDP first, TCP when the answer comes truncated (RFC
//! 7766 §5), with EDNS(0) asking for up to 1232 octets (the DNS flag day
//! 2020 value), recursion not desired, and the answer's ID, source,
//! question and authority checked (RFC 5452 §9.1).

use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};

use crate::dns::rcode_name;
use crate::dns::transport::{self, Tls, TransportError};

/// The UDP payload size asked for.
const EDNS_PAYLOAD: u16 = 1232;

/// Why a server gave no usable answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// No socket, it broke or closed early, no answer in time, or DNS over
    /// TLS failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The answer is not a DNS message, or not an answer to our question.
    #[error("bad answer: {0}")]
    Bad(&'static str),
    /// The server answered with an error code (REFUSED: it does not let this
    /// host query it).
    #[error("{rcode}{hint}")]
    Rcode {
        /// The rcode's mnemonic.
        rcode: String,
        /// What it likely means.
        hint: &'static str,
    },
    /// The server answered, but not with authority for the name: it is not
    /// a server of the zone.
    #[error("the answer is not authoritative: the server does not serve the zone")]
    NotAuthoritative,
    /// The question could not be encoded.
    #[error("cannot encode the query")]
    Encode(#[source] hickory_proto::ProtoError),
}

impl From<io::Error> for QueryError {
    fn from(e: io::Error) -> Self {
        Self::Transport(TransportError::Io(e))
    }
}

/// The records of one type a server holds for a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Served {
    /// The name exists (NXDOMAIN: it does not).
    pub exists: bool,
    /// The records' data.
    pub rdata: Vec<RData>,
    /// Their TTL (the smallest, should they differ).
    pub ttl: Option<u32>,
}

impl Served {
    /// The AAAA records' addresses, sorted.
    pub fn ipv6(&self) -> Vec<Ipv6Addr> {
        let mut out: Vec<Ipv6Addr> = self
            .rdata
            .iter()
            .filter_map(|r| match r {
                RData::AAAA(a) => Some(a.0),
                _ => None,
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The A records' addresses, sorted.
    pub fn ipv4(&self) -> Vec<std::net::Ipv4Addr> {
        let mut out: Vec<std::net::Ipv4Addr> = self
            .rdata
            .iter()
            .filter_map(|r| match r {
                RData::A(a) => Some(a.0),
                _ => None,
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Asks `server` for the `rtype` records of `name`, within `timeout`:
/// over UDP then TCP, or over DNS over TLS with `tls` (RFC 7858: no UDP).
pub fn ask(
    server: SocketAddr,
    tls: Option<Tls<'_>>,
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
) -> Result<Served, QueryError> {
    let deadline = Instant::now() + timeout;
    let id = getrandom::u32().map_or(0, |r| r as u16);
    let mut message = Message::new(id, MessageType::Query, OpCode::Query);
    message.metadata.recursion_desired = false;
    message.add_query(Query::query(name.clone(), rtype));
    let mut edns = Edns::new();
    edns.set_max_payload(EDNS_PAYLOAD);
    message.set_edns(edns);
    let wire = message.to_vec().map_err(QueryError::Encode)?;
    let stream = |tls| -> Result<Vec<u8>, QueryError> {
        let left = remaining(deadline, timeout)?;
        Ok(transport::connect(server, tls, left, deadline)?.exchange(&wire)?)
    };
    let mut answer = match tls {
        Some(tls) => check(&stream(Some(tls))?, id, name, rtype)?,
        None => check(&udp(server, &wire, deadline, timeout)?, id, name, rtype)?,
    };
    if answer.metadata.truncation && tls.is_none() {
        answer = check(&stream(None)?, id, name, rtype)?;
    }
    let exists = match answer.metadata.response_code {
        ResponseCode::NoError => true,
        ResponseCode::NXDomain => false,
        rcode => {
            return Err(QueryError::Rcode {
                rcode: rcode_name(rcode),
                hint: match rcode {
                    ResponseCode::Refused => {
                        ": the server does not answer this host's queries (allow-query), or does not serve the zone"
                    }
                    _ => "",
                },
            });
        }
    };
    if !answer.metadata.authoritative {
        return Err(QueryError::NotAuthoritative);
    }
    let records: Vec<_> = answer
        .answers
        .into_iter()
        // hickory compares names case-insensitively (RFC 4343).
        .filter(|r| r.record_type() == rtype && r.name == *name)
        .collect();
    Ok(Served {
        exists,
        ttl: records.iter().map(|r| r.ttl).min(),
        rdata: records.into_iter().map(|r| r.data).collect(),
    })
}

/// Whether `wire` answers our question.
fn check(wire: &[u8], id: u16, name: &Name, rtype: RecordType) -> Result<Message, QueryError> {
    let answer = Message::from_vec(wire).map_err(|_| QueryError::Bad("not a DNS message"))?;
    if answer.metadata.id != id {
        return Err(QueryError::Bad("its ID is not the query's"));
    }
    if answer.metadata.message_type != MessageType::Response {
        return Err(QueryError::Bad("not a response"));
    }
    let same_question = answer
        .queries
        .first()
        .is_some_and(|q| q.query_type() == rtype && q.name() == name);
    if !same_question && answer.metadata.response_code == ResponseCode::NoError {
        return Err(QueryError::Bad("it answers another question"));
    }
    Ok(answer)
}

/// One exchange over UDP, from a socket connected to `server` (so that
/// only its answers are read).
fn udp(
    server: SocketAddr,
    wire: &[u8],
    deadline: Instant,
    timeout: Duration,
) -> Result<Vec<u8>, QueryError> {
    let local: SocketAddr = match server.ip() {
        IpAddr::V4(_) => (std::net::Ipv4Addr::UNSPECIFIED, 0).into(),
        IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(local)?;
    socket.connect(server)?;
    socket.send(wire)?;
    let mut buf = vec![0; usize::from(EDNS_PAYLOAD).max(512) * 4];
    let left = remaining(deadline, timeout)?;
    socket.set_read_timeout(Some(left))?;
    match socket.recv(&mut buf) {
        Ok(n) => {
            buf.truncate(n);
            Ok(buf)
        }
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            Err(TransportError::Timeout(timeout).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// The time left before `deadline`; none left is a timeout.
fn remaining(deadline: Instant, timeout: Duration) -> Result<Duration, QueryError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(TransportError::Timeout(timeout).into())
    } else {
        Ok(left)
    }
}
