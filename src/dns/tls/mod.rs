//! DNS over TLS (RFC 7858) to the zone's primary, with rustls: the client
//! configuration built once from the config's `tls` object (the CA file or
//! the system's trust store, an optional client certificate for mutual TLS),
//! and the handshake, whose failures are said in words that name the
//! server, the name checked and what it was checked against.
//!
//! Only the ring provider, TLS 1.3 and 1.2 (BIND 9.18 offers both, nothing
//! older), and ALPN "dot" (RFC 7858 §3.2; BIND insists on it for zone
//! transfers, RFC 9103, and other servers may for everything).

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct};

mod files;
mod problems;

pub use files::TlsSetupError;
use files::{client_identity, roots};
use problems::certificate_problem;

use crate::dns::reach::{Reach, TlsConfig, TlsName};
use crate::dns::transport::{Secure, SecureStream, TlsError, TransportError};

/// A rustls client for the primary, built once per run.
pub(crate) struct TlsClient {
    config: Arc<ClientConfig>,
    /// `tls.name`: the name every server's certificate is checked
    /// against, or "each server's own" (`soa`).
    name: Option<TlsName>,
    /// `--server`, as given on the command line: without `tls.name`, the
    /// one server whose name (or address) may be checked, since it is not
    /// learned from DNS.
    given_server: Option<String>,
    /// `--tls insecure`: no certificate is checked, so any name serves.
    insecure: bool,
    /// What the certificates are checked against, for messages.
    trust: String,
    /// Whether a client certificate is offered.
    client_cert: bool,
}

impl fmt::Debug for TlsClient {
    // The client key is in `config`: never shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsClient")
            .field("name", &self.name)
            .field("trust", &self.trust)
            .field("client_cert", &self.client_cert)
            .finish_non_exhaustive()
    }
}

impl TlsClient {
    /// The client for `tls`; with `insecure`, certificates are not verified
    /// at all (for tests against a throwaway server only). `given_server`
    /// is `--server`'s value.
    pub(crate) fn new(
        tls: &TlsConfig,
        insecure: bool,
        given_server: Option<&str>,
    ) -> Result<Self, TlsSetupError> {
        if tls.name.is_none() && given_server.is_none() && !insecure {
            return Err(TlsSetupError::NoName);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(rustls::DEFAULT_VERSIONS)
            .map_err(|e| TlsSetupError::Config(e.to_string()))?;
        let (builder, trust) = if insecure {
            let verifier = Arc::new(NoVerification(provider.signature_verification_algorithms));
            let builder = builder
                .dangerous()
                .with_custom_certificate_verifier(verifier);
            (builder, "nothing: verification is off".to_owned())
        } else {
            let (roots, trust) = roots(tls.ca.as_deref())?;
            (builder.with_root_certificates(roots), trust)
        };
        let mut config = match (&tls.cert, &tls.key) {
            (Some(cert), Some(key)) => {
                let (chain, key) = client_identity(cert, key)?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|e| TlsSetupError::Config(e.to_string()))?
            }
            (None, None) => builder.with_no_client_auth(),
            // The config's pair is checked as it is read; `--tls` may give half.
            (Some(_), None) => return Err(TlsSetupError::HalfIdentity("key", "cert")),
            (None, Some(_)) => return Err(TlsSetupError::HalfIdentity("cert", "key")),
        };
        config.alpn_protocols = vec![b"dot".to_vec()];
        Ok(Self {
            config: Arc::new(config),
            name: tls.name.clone(),
            given_server: given_server.map(str::to_owned),
            insecure,
            trust,
            client_cert: tls.cert.is_some(),
        })
    }

    /// The name a server's certificate must hold: `tls.name`, else (with
    /// `"name": "soa"`, or for the server given with `--server`) the
    /// server's name, else the address it is reached at. A server learned
    /// from DNS (a reverse zone's primary) without either is not trusted.
    fn name_for(&self, server: &str, addr: SocketAddr) -> Result<String, TlsError> {
        let trusted = match &self.name {
            Some(TlsName::Pinned(name)) => return Ok(name.trim_end_matches('.').to_owned()),
            Some(TlsName::FromSoa) => true,
            None => self.insecure || self.given_server.as_deref() == Some(server),
        };
        if !trusted {
            return Err(TlsError::Unpinned(server.to_owned()));
        }
        Ok(
            if crate::dns::live::server_literal(server, addr.port()).is_some() {
                addr.ip().to_string()
            } else {
                server.trim_end_matches('.').to_owned()
            },
        )
    }
}

impl Secure for TlsClient {
    fn handshake(
        &self,
        tcp: TcpStream,
        server: &str,
        addr: SocketAddr,
    ) -> Result<Box<dyn SecureStream>, TransportError> {
        let name = self.name_for(server, addr)?;
        let server_name =
            ServerName::try_from(name.clone()).map_err(|_| TlsError::BadName(name.clone()))?;
        let conn = ClientConnection::new(self.config.clone(), server_name).map_err(|e| {
            TlsError::Handshake {
                server: addr,
                reason: e.to_string(),
            }
        })?;
        let mut stream = rustls::StreamOwned::new(conn, tcp);
        while stream.conn.is_handshaking() {
            if let Err(e) = stream.conn.complete_io(&mut stream.sock) {
                return Err(self.failure(e, addr));
            }
        }
        log::debug!(
            "TLS with {addr}: {:?}, {:?}, certificate valid for {name}",
            stream.conn.protocol_version(),
            stream.conn.negotiated_cipher_suite().map(|s| s.suite()),
        );
        Ok(Box::new(Session(stream)))
    }

    fn failure(&self, e: io::Error, addr: SocketAddr) -> TransportError {
        let rustls_error = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .cloned();
        match rustls_error {
            Some(rustls::Error::InvalidCertificate(cert)) => TlsError::Certificate {
                server: addr,
                reason: certificate_problem(&cert),
                trust: self.trust.clone(),
            }
            .into(),
            Some(other) => TlsError::Handshake {
                server: addr,
                reason: other.to_string(),
            }
            .into(),
            None if matches!(
                e.kind(),
                io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
            ) =>
            {
                TlsError::Closed {
                    server: addr,
                    hint: if self.client_cert {
                        "does it refuse this client certificate (\"tls.cert\"), or speak TLS at all on this port?"
                    } else {
                        "does it require a client certificate (\"tls.cert\" and \"tls.key\"), or speak TLS at all on this port?"
                    },
                }
                .into()
            }
            None => TransportError::from_io(e),
        }
    }
}

/// A rustls session over TCP.
struct Session(rustls::StreamOwned<ClientConnection, TcpStream>);

impl io::Read for Session {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // ACK at once what comes in (TCP_QUICKACK, which the kernel drops
        // again by itself): a TLS 1.3 server sends its session tickets
        // just after the handshake, and one that writes with Nagle on (BIND)
        // holds the answer back until they are acknowledged, which a
        // delayed ACK puts off by 40 ms.
        let _ = rustix::net::sockopt::set_tcp_quickack(&self.0.sock, true);
        self.0.read(buf)
    }
}

impl io::Write for Session {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl SecureStream for Session {
    fn socket(&self) -> &TcpStream {
        &self.0.sock
    }

    fn close(&mut self) {
        self.0.conn.send_close_notify();
        let _ = self.0.conn.complete_io(&mut self.0.sock);
    }
}

/// The TLS client `reach` asks for, built now (the CA, the client
/// certificate and key read); `None` when not over TLS. Without
/// verification, a warning on every run.
pub fn client(
    reach: &Reach,
    given_server: Option<&str>,
) -> Result<Option<Arc<dyn Secure>>, TlsSetupError> {
    let Some(tls) = &reach.tls else {
        return Ok(None);
    };
    if reach.insecure {
        log::warn!(
            "--tls insecure: the primary's TLS certificate is NOT verified; anyone on the path can read and change what is sent. For tests only."
        );
    }
    Ok(Some(Arc::new(TlsClient::new(
        tls,
        reach.insecure,
        given_server,
    )?)))
}

/// `--tls insecure`: any certificate is taken, but the handshake's
/// signatures are still checked (the session is still private against a
/// passive listener, not against one in the middle).
#[derive(Debug)]
struct NoVerification(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_schemes()
    }
}
