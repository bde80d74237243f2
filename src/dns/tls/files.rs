//! The files the `tls` object names, read as root: the CA file (else the
//! system's trust store), the client certificate and its key, in PEM,
//! bounded, and refused with a message that names the file and what would
//! be right.

use std::io;
use std::path::{Path, PathBuf};

use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

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
    /// A client certificate without its key, or the other way round.
    #[error(
        "a TLS client {1} is given without its {0}: give both, \"--tls cert=FILE --tls key=FILE\" or the config's \"tls.cert\" and \"tls.key\""
    )]
    HalfIdentity(&'static str, &'static str),
    /// The system's trust store holds no CA.
    #[error(
        "the system's trust store holds no CA certificate (is ca-certificates installed?); give the CA that signs the primary's certificate in the config's \"tls.ca\""
    )]
    NoSystemCas,
    /// No name to check the primary's certificate against came from the
    /// config or the command line (see [`crate::dns::reach::TlsName`]).
    #[error(
        "DNS over TLS needs the name the primary's certificate holds, from the config or the command line, not from an unauthenticated SOA record: give \"tls.name\" (ns1.example.com), --tls name=NAME or --server NAME; or \"tls.name\": \"soa\" to take each server's name from the zone's SOA record, trusting the resolver that answers"
    )]
    NoName,
    /// rustls refused the configuration (the client key does not match the
    /// certificate, say).
    #[error("the TLS client configuration is unusable: {0}")]
    Config(String),
}

/// The CAs to trust: the PEM file `ca`, else the system's trust store.
pub(super) fn roots(ca: Option<&Path>) -> Result<(RootCertStore, String), TlsSetupError> {
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
pub(super) fn client_identity(
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
    crate::util::fs::read_named(path, MAX_PEM_BYTES).map_err(|source| TlsSetupError::Read {
        what,
        path: path.to_owned(),
        source,
    })
}
