//! One connection to a zone's server, over TCP or DNS over TLS, and the
//! exchanges on it: each message framed by its 2-octet length (RFC 1035
//! §4.2.2, which RFC 7858 §3.3 keeps for TLS).
//!
//! Blocking, with std's sockets: every connect, read and write is bounded
//! by the time left of the timeout, so a run never waits longer than its
//! bounds say, and no async runtime is needed for it.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use std::fmt;

/// Why an exchange failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// No connection, or it broke.
    #[error(transparent)]
    Io(io::Error),
    /// No answer within the timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The connection closed before a whole answer came.
    #[error("bad answer: the server closed the connection before a whole answer came")]
    Cut,
    /// TLS failed: the certificate, the handshake, or a refusal.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

impl TransportError {
    /// An I/O error as what it means here (the timeout is filled in by
    /// the caller, which knows it).
    pub(crate) fn from_io(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::UnexpectedEof => Self::Cut,
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Self::Timeout(Duration::ZERO),
            _ => Self::Io(e),
        }
    }

    /// This error, a timeout said as `timeout`.
    fn within(self, timeout: Duration) -> Self {
        match self {
            Self::Timeout(_) => Self::Timeout(timeout),
            other => other,
        }
    }
}

/// Why a TLS connection failed. Nothing was sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The server's certificate did not verify.
    #[error("TLS: the certificate of {server} {reason}; checked against {trust}")]
    Certificate {
        /// The server's address.
        server: SocketAddr,
        /// What is wrong with it, naming the name checked.
        reason: String,
        /// What it was checked against: the CA file, or the system's trust store.
        trust: String,
    },
    /// The handshake failed for another reason (no common version or suite,
    /// an alert from the server).
    #[error("TLS handshake with {server} failed: {reason}")]
    Handshake {
        /// The server's address.
        server: SocketAddr,
        /// The TLS library's words.
        reason: String,
    },
    /// The server closed the connection during the handshake, or without
    /// answering after it: how a server that wants a client certificate
    /// refuses one (BIND sends no alert).
    #[error("TLS: {server} closed the connection without answering: {hint}")]
    Closed {
        /// The server's address.
        server: SocketAddr,
        /// The likely cause.
        hint: &'static str,
    },
    /// The name to check the certificate against is not a DNS name or an
    /// address.
    #[error("TLS: cannot check a certificate against \"{0}\": not a host name or an address")]
    BadName(String),
    /// A server learned from DNS, with no name to check its certificate
    /// against that did not come from DNS too.
    #[error(
        "TLS: {0} was found in DNS, which may be forged: say which name its certificate must hold (\"tls.name\"), or \"tls.name\": \"soa\" to trust the SOA record's"
    )]
    Unpinned(String),
}

/// A TLS client: what DNS over TLS needs of one (`crate::dns::tls` makes it).
/// Behind a trait object so that the exchanges here know nothing of
/// rustls, and a program that never makes one (`dyndns-addrs`) does not
/// carry it.
pub trait Secure: fmt::Debug + Send + Sync {
    /// A TLS session over `tcp` to `server` at `addr`, its handshake done
    /// (so that nothing is written before the certificate is verified);
    /// `tcp`'s timeouts bound it.
    fn handshake(
        &self,
        tcp: TcpStream,
        server: &str,
        addr: SocketAddr,
    ) -> Result<Box<dyn SecureStream>, TransportError>;

    /// The error for an I/O error of a session with `addr`: the TLS
    /// library's explained, an EOF as the server's refusal.
    fn failure(&self, e: io::Error, addr: SocketAddr) -> TransportError;
}

/// An open TLS session.
pub trait SecureStream: Read + Write {
    /// The socket under it, to set its timeouts.
    fn socket(&self) -> &TcpStream;
    /// Sends close_notify (RFC 8446 §6.1), best effort.
    fn close(&mut self);
}

/// A server reached by DNS over TLS: the client, and the server's name as
/// the state or the command line gives it (a name, or an address).
#[derive(Clone, Copy)]
pub struct Tls<'a> {
    /// The TLS client.
    pub client: &'a dyn Secure,
    /// The server.
    pub server: &'a str,
}

/// The open stream.
enum Stream {
    Tcp(TcpStream),
    Tls(Box<dyn SecureStream>),
}

/// An open connection to one address of a server.
pub struct Connection<'a> {
    stream: Stream,
    addr: SocketAddr,
    tls: Option<Tls<'a>>,
    timeout: Duration,
    until: Instant,
}

/// Connects to `addr` over TCP, or over TLS with `tls` (the handshake
/// done, the certificate verified), within `timeout`; each exchange on the
/// connection then has `timeout` too, and none may last past `until`.
pub fn connect<'a>(
    addr: SocketAddr,
    tls: Option<Tls<'a>>,
    timeout: Duration,
    until: Instant,
) -> Result<Connection<'a>, TransportError> {
    let deadline = until.min(Instant::now() + timeout);
    let attempt = || -> Result<Stream, TransportError> {
        let tcp =
            TcpStream::connect_timeout(&addr, left(deadline)?).map_err(TransportError::from_io)?;
        tcp.set_nodelay(true).map_err(TransportError::Io)?;
        bound(&tcp, deadline)?;
        match tls {
            None => Ok(Stream::Tcp(tcp)),
            Some(t) => Ok(Stream::Tls(t.client.handshake(tcp, t.server, addr)?)),
        }
    };
    let stream = attempt().map_err(|e| e.within(timeout))?;
    Ok(Connection {
        stream,
        addr,
        tls,
        timeout,
        until,
    })
}

impl Connection<'_> {
    /// Sends `wire` and reads one answer, within the timeout.
    pub fn exchange(&mut self, wire: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.send(wire)?;
        self.receive()
    }

    /// Sends `wire`, framed, within the timeout.
    pub fn send(&mut self, wire: &[u8]) -> Result<(), TransportError> {
        let len = u16::try_from(wire.len()).map_err(|_| {
            TransportError::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the message is longer than 65535 octets",
            ))
        })?;
        let mut framed = Vec::with_capacity(wire.len() + 2);
        framed.extend_from_slice(&len.to_be_bytes());
        framed.extend_from_slice(wire);
        self.io(|stream| {
            stream.write_all(&framed).map_err(TransportError::from_io)?;
            stream.flush().map_err(TransportError::from_io)
        })
    }

    /// Reads one framed message, within the timeout: the answer to what was
    /// sent, or the next message of a zone transfer (RFC 5936 §2.2).
    pub fn receive(&mut self) -> Result<Vec<u8>, TransportError> {
        self.io(|stream| {
            let mut len = [0u8; 2];
            stream
                .read_exact(&mut len)
                .map_err(TransportError::from_io)?;
            let mut answer = vec![0u8; usize::from(u16::from_be_bytes(len))];
            stream
                .read_exact(&mut answer)
                .map_err(TransportError::from_io)?;
            Ok(answer)
        })
    }

    /// Runs `work` on the stream with its timeouts set to the time left,
    /// a TLS session's failures explained by the TLS client.
    fn io<T>(
        &mut self,
        work: impl FnOnce(&mut dyn ReadWrite) -> Result<T, TransportError>,
    ) -> Result<T, TransportError> {
        let deadline = self.until.min(Instant::now() + self.timeout);
        let result = match &mut self.stream {
            Stream::Tcp(tcp) => bound(tcp, deadline).and_then(|()| work(tcp)),
            Stream::Tls(tls) => bound(tls.socket(), deadline).and_then(|()| {
                work(tls).map_err(|e| match (e, self.tls) {
                    (TransportError::Io(e), Some(t)) => t.client.failure(e, self.addr),
                    (TransportError::Cut, Some(t)) => t
                        .client
                        .failure(io::Error::from(io::ErrorKind::UnexpectedEof), self.addr),
                    (e, _) => e,
                })
            }),
        };
        result.map_err(|e| e.within(self.timeout))
    }
}

/// A stream to read and write: TCP, or a TLS session.
trait ReadWrite: Read + Write {}
impl<S: Read + Write + ?Sized> ReadWrite for S {}

impl Drop for Connection<'_> {
    /// A TLS session ends with close_notify (RFC 8446 §6.1), so that the
    /// server does not wait out its idle timeout; best effort.
    fn drop(&mut self) {
        if let Stream::Tls(tls) = &mut self.stream {
            tls.close();
        }
    }
}

/// Sets the socket's read and write timeouts to the time left.
fn bound(tcp: &TcpStream, deadline: Instant) -> Result<(), TransportError> {
    let left = left(deadline)?;
    tcp.set_read_timeout(Some(left))
        .map_err(TransportError::Io)?;
    tcp.set_write_timeout(Some(left))
        .map_err(TransportError::Io)
}

/// The time left before `deadline`; none left is a timeout.
fn left(deadline: Instant) -> Result<Duration, TransportError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(TransportError::Timeout(Duration::ZERO))
    } else {
        Ok(left)
    }
}
