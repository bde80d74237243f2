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
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore,
};

use crate::config::TlsConfig;
use crate::reach::Reach;
use crate::transport::{Secure, SecureStream, TlsError, TransportError};

/// The most read of a CA, certificate or key file (a system bundle of
/// every public CA is about 200 KiB).
const MAX_PEM_BYTES: u64 = 4 << 20;

/// Why the TLS client could not be set up: a file named in the config is
/// unusable. Nothing was sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsSetupError {
    /// A file could not be read.
    #[error("cannot read the TLS {what} {}", path.display())]
    Read {
        /// `CA file`, `client certificate` or `client key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A file holds nothing usable.
    #[error("the TLS {what} {} {problem}", path.display())]
    Content {
        /// `CA file`, `client certificate` or `client key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong and what would be right.
        problem: String,
    },
    /// The system's trust store holds no CA.
    #[error(
        "the system's trust store holds no CA certificate (is ca-certificates installed?); give the CA that signs the primary's certificate in the config's \"tls.ca\""
    )]
    NoSystemCas,
    /// rustls refused the configuration (the client key does not match the
    /// certificate, say).
    #[error("the TLS client configuration is unusable: {0}")]
    Config(String),
}

/// A rustls client for the primary, built once per run.
pub(crate) struct TlsClient {
    config: Arc<ClientConfig>,
    /// `tls.name`: the name every server's certificate is checked against.
    name: Option<String>,
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
    /// at all (for tests against a throwaway server only).
    pub(crate) fn new(tls: &TlsConfig, insecure: bool) -> Result<Self, TlsSetupError> {
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
            _ => builder.with_no_client_auth(),
        };
        config.alpn_protocols = vec![b"dot".to_vec()];
        Ok(Self {
            config: Arc::new(config),
            name: tls.name.clone(),
            trust,
            client_cert: tls.cert.is_some(),
        })
    }

    /// The name a server's certificate must hold: `tls.name`, else the
    /// server's name, else the address it is reached at.
    fn name_for(&self, server: &str, addr: SocketAddr) -> String {
        match &self.name {
            Some(name) => name.trim_end_matches('.').to_owned(),
            None if crate::live::server_literal(server, addr.port()).is_some() => {
                addr.ip().to_string()
            }
            None => server.trim_end_matches('.').to_owned(),
        }
    }
}

impl Secure for TlsClient {
    fn handshake(
        &self,
        tcp: TcpStream,
        server: &str,
        addr: SocketAddr,
    ) -> Result<Box<dyn SecureStream>, TransportError> {
        let name = self.name_for(server, addr);
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
/// verification, a warning on every run. Called only by `dyndns-helper`.
pub fn client(reach: &Reach) -> Result<Option<Arc<dyn Secure>>, TlsSetupError> {
    let Some(tls) = &reach.tls else {
        return Ok(None);
    };
    if reach.insecure {
        log::warn!(
            "--tls insecure: the primary's TLS certificate is NOT verified; anyone on the path can read and change what is sent. For tests only."
        );
    }
    Ok(Some(Arc::new(TlsClient::new(tls, reach.insecure)?)))
}

/// What is wrong with a server certificate, in words; rustls refuses some
/// certificates OpenSSL takes, and says which rule they break.
fn certificate_problem(error: &CertificateError) -> String {
    match error {
        CertificateError::UnknownIssuer => {
            "is not signed by a trusted CA (it does not chain to the CA)".into()
        }
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => format!(
            "is not valid for the name {}: it is for {}",
            show_name(expected),
            if presented.is_empty() {
                "no name at all (rustls reads only the subjectAltName extension, not the CN)"
                    .to_owned()
            } else {
                presented
                    .iter()
                    .map(|p| presented_name(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
        CertificateError::NotValidForName => "is not valid for the name checked".into(),
        CertificateError::ExpiredContext { time, not_after } => format!(
            "expired at {} (it is now {})",
            show_time(*not_after),
            show_time(*time)
        ),
        CertificateError::NotValidYetContext { time, not_before } => format!(
            "is not valid before {} (it is now {}; is the clock right?)",
            show_time(*not_before),
            show_time(*time)
        ),
        CertificateError::InvalidPurposeContext { .. } | CertificateError::InvalidPurpose => {
            "is not for a TLS server (its extendedKeyUsage lacks serverAuth)".into()
        }
        CertificateError::Other(other) => {
            let text = other.to_string();
            if text.contains("UnsupportedCertVersion") {
                "is an X.509 version 1 certificate, which rustls refuses: issue a version 3 one (openssl x509 -req with -extfile and a subjectAltName)".into()
            } else if text.contains("CaUsedAsEndEntity") {
                "is a CA certificate (basicConstraints CA:TRUE), which rustls refuses as a server's: issue one with CA:FALSE".into()
            } else {
                format!("is refused: {text}")
            }
        }
        other => format!("is refused: {other}"),
    }
}

/// A name a certificate presents, as rustls writes it (`DnsName("ns1")`,
/// `IpAddress(0::1)`), shown plainly.
fn presented_name(text: &str) -> String {
    if let Some(dns) = text
        .strip_prefix("DnsName(\"")
        .and_then(|t| t.strip_suffix("\")"))
    {
        return dns.to_owned();
    }
    if let Some(ip) = text
        .strip_prefix("IpAddress(")
        .and_then(|t| t.strip_suffix(')'))
    {
        return ip
            .parse::<std::net::IpAddr>()
            .map_or_else(|_| ip.to_owned(), |ip| ip.to_string());
    }
    text.to_owned()
}

/// A server name as a message shows it.
fn show_name(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(d) => d.as_ref().to_owned(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

/// A certificate time, in UTC.
fn show_time(time: UnixTime) -> String {
    i64::try_from(time.as_secs())
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map_or_else(|| time.as_secs().to_string(), |t| t.to_string())
}

/// The CAs to trust: the PEM file `ca`, else the system's trust store.
fn roots(ca: Option<&Path>) -> Result<(RootCertStore, String), TlsSetupError> {
    let mut roots = RootCertStore::empty();
    let Some(ca) = ca else {
        let found = rustls_native_certs::load_native_certs();
        for e in &found.errors {
            log::debug!("system trust store: {e}");
        }
        let (added, _) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            return Err(TlsSetupError::NoSystemCas);
        }
        return Ok((roots, "the system's trust store".into()));
    };
    const WHAT: &str = "CA file";
    for cert in certificates(ca, WHAT)? {
        roots.add(cert).map_err(|e| TlsSetupError::Content {
            what: WHAT,
            path: ca.to_owned(),
            problem: format!("holds a certificate rustls cannot use as a CA: {e}"),
        })?;
    }
    Ok((roots, format!("the CA in {}", ca.display())))
}

/// The client certificate chain and its key, for mutual TLS.
fn client_identity(
    cert: &Path,
    key: &Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsSetupError> {
    const WHAT: &str = "client key";
    let chain = certificates(cert, "client certificate")?;
    let pem = read(key, WHAT)?;
    let key =
        PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|_| TlsSetupError::Content {
            what: WHAT,
            path: key.to_owned(),
            problem:
                "holds no private key in PEM (-----BEGIN PRIVATE KEY-----, or an EC or RSA one)"
                    .into(),
        })?;
    Ok((chain, key))
}

/// The PEM certificates of `path`: one at least.
fn certificates(
    path: &Path,
    what: &'static str,
) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let pem = read(path, what)?;
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsSetupError::Content {
            what,
            path: path.to_owned(),
            problem: format!("is not PEM: {e}"),
        })?;
    if certs.is_empty() {
        return Err(TlsSetupError::Content {
            what,
            path: path.to_owned(),
            problem: "holds no certificate (-----BEGIN CERTIFICATE-----)".into(),
        });
    }
    Ok(certs)
}

/// A file the administrator names, bounded.
fn read(path: &Path, what: &'static str) -> Result<String, TlsSetupError> {
    crate::fsutil::read_named(path, MAX_PEM_BYTES).map_err(|source| TlsSetupError::Read {
        what,
        path: path.to_owned(),
        source,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presented_names_are_shown_plainly() {
        assert_eq!(
            presented_name("DnsName(\"ns1.example.test\")"),
            "ns1.example.test"
        );
        assert_eq!(presented_name("IpAddress(0::1)"), "::1");
        assert_eq!(presented_name("IpAddress(127.0.0.1)"), "127.0.0.1");
        assert_eq!(presented_name("Other"), "Other");
    }
}
