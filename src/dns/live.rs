//! What a zone's server serves, asked directly ([`crate::dns::query`]) at each of
//! its addresses in turn: for `dyndns-diff --live`, `--check`, and
//! `dyndns-send`'s check after an update.
//!
//! A server named in the state is looked up through the system's resolver
//! (`getaddrinfo`: `/etc/hosts`, then DNS), bounded by the timeout like
//! every other lookup (glibc's take no timeout of their own).

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_proto::rr::{Name, RecordType};

use crate::dns::query::{self, QueryError, Served};
use crate::dns::transport::{Secure, Tls};

/// How long the lookup of a server's name (or a zone's SOA) may take, in
/// timeouts; the stages' bounds count with it (`crate::stage::LOOKUP_BOUND`).
pub const LOOKUP_BOUND: u32 = 2;
/// How long asking every address of a server may take, in timeouts.
const ASK_BOUND: u32 = 3;

/// Why a server's records could not be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    /// Its name has no address.
    #[error("cannot find the address of {server}: {reason}")]
    Lookup {
        /// The server.
        server: String,
        /// What the resolver said.
        reason: String,
    },
    /// No address answered.
    #[error("cannot ask {server} what it serves: {}", Attempts(.attempts))]
    Unanswered {
        /// The server.
        server: String,
        /// Each address, and its error.
        attempts: Vec<(SocketAddr, QueryError)>,
    },
}

/// Each address and its error, on one line.
struct Attempts<'a>(&'a [(SocketAddr, QueryError)]);

impl fmt::Display for Attempts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (addr, e)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{addr}: {e}")?;
        }
        Ok(())
    }
}

/// A server given as an address: `ADDR`, `[ADDR]:PORT` or `V4ADDR:PORT`.
pub(crate) fn server_literal(server: &str, port: u16) -> Option<SocketAddr> {
    server
        .parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, port))
        .or_else(|_| server.parse::<SocketAddr>())
        .ok()
}

/// The addresses of `server` (an address, or a name looked up through the
/// system's resolver), IPv6 first, with `port`.
pub fn server_addresses(
    server: &str,
    port: u16,
    timeout: Duration,
) -> Result<Vec<SocketAddr>, LiveError> {
    if let Some(addr) = server_literal(server, port) {
        return Ok(vec![addr]);
    }
    let lookup = |reason: String| LiveError::Lookup {
        server: server.to_owned(),
        reason,
    };
    let bound = timeout * LOOKUP_BOUND;
    let host = server.to_owned();
    let found = crate::util::bounded::within(bound, move || {
        let hints = dns_lookup::AddrInfoHints {
            socktype: 1, // SOCK_STREAM: one answer per address
            ..Default::default()
        };
        dns_lookup::getaddrinfo(Some(&host), None, Some(hints))
            .map(|infos| {
                infos
                    .filter_map(Result::ok)
                    .map(|i| i.sockaddr.ip())
                    .collect::<Vec<_>>()
            })
            // glibc's own words (gai_strerror): "Name or service not known".
            .map_err(|e| e.to_string())
    })
    .ok_or_else(|| lookup(format!("no answer within {bound:?}")))?
    .map_err(lookup)?;
    let mut addrs: Vec<SocketAddr> = found
        .into_iter()
        .map(|ip| SocketAddr::new(ip, port))
        .collect();
    addrs.sort_by_key(|a| (a.is_ipv4(), *a));
    addrs.dedup();
    if addrs.is_empty() {
        return Err(lookup("no address".into()));
    }
    Ok(addrs)
}

/// How a zone's primary is asked: its port, the time each address may
/// take, and DNS over TLS when a client is given (the config's
/// `"transport": "tls"`).
#[derive(Clone, Copy, Debug)]
pub struct Via<'a> {
    /// The port.
    pub port: u16,
    /// The time each address may take.
    pub timeout: Duration,
    /// The TLS client; `None`: UDP, then TCP.
    pub tls: Option<&'a dyn Secure>,
}

impl Via<'_> {
    /// Plain DNS at `port`: for the zone's other servers.
    pub fn plain(port: u16, timeout: Duration) -> Via<'static> {
        Via {
            port,
            timeout,
            tls: None,
        }
    }
}

/// Asks `server`'s addresses in turn, until one answers, for the `rtype`
/// records of `name`; returns the address that answered and its answer.
pub fn ask(
    server: &str,
    via: &Via<'_>,
    name: &Name,
    rtype: RecordType,
) -> Result<(SocketAddr, Served), LiveError> {
    let addrs = server_addresses(server, via.port, via.timeout)?;
    ask_any(server, &addrs, name, rtype, via)
}

/// What a server answered: its name, its addresses, the one that
/// answered, and the answer.
pub type Answered = (String, Vec<SocketAddr>, SocketAddr, Served);

/// [`ask`] of each of `servers` in turn (the order updates go in: the
/// primary, then the config's `"servers"`), until one answers; when none
/// does, the last one's failure (each logged with `-v`).
pub fn ask_in_order(
    servers: &[String],
    via: &Via<'_>,
    name: &Name,
    rtype: RecordType,
) -> Result<Answered, LiveError> {
    let mut last = None;
    for server in servers {
        let asked = server_addresses(server, via.port, via.timeout)
            .and_then(|addrs| Ok((ask_any(server, &addrs, name, rtype, via)?, addrs)));
        match asked {
            Ok(((at, served), addrs)) => return Ok((server.clone(), addrs, at, served)),
            Err(e) => {
                log::debug!("{e}; asking the next server");
                last = Some(e);
            }
        }
    }
    Err(last.unwrap_or_else(|| LiveError::Unanswered {
        server: "no server".into(),
        attempts: Vec::new(),
    }))
}

/// [`ask`], at addresses already known.
pub fn ask_any(
    server: &str,
    addrs: &[SocketAddr],
    name: &Name,
    rtype: RecordType,
    via: &Via<'_>,
) -> Result<(SocketAddr, Served), LiveError> {
    let timeout = via.timeout;
    let tls = via.tls.map(|client| Tls { client, server });
    let deadline = Instant::now() + timeout * ASK_BOUND;
    let mut attempts = Vec::new();
    for &addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match query::ask(addr, tls, name, rtype, timeout.min(left)) {
            Ok(served) => return Ok((addr, served)),
            Err(e) => {
                log::debug!("{server} at {addr}: {e}");
                attempts.push((addr, e));
            }
        }
    }
    Err(LiveError::Unanswered {
        server: server.to_owned(),
        attempts,
    })
}
