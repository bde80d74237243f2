//! A throwaway PKI for DNS over TLS (tests/tls.rs), made with openssl in
//! the world's directory: a CA, the primary's certificate (X.509 v3, ECDSA
//! P-256, its names in subjectAltName), a client certificate for mutual
//! TLS, another CA that signed nothing here, an expired certificate and one
//! with a CN but no subjectAltName. BIND 9.18 serves each on its own port
//! of the namespace's loopback.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// DNS over TLS with the good certificate.
pub const PORT: u16 = 853;
/// Mutual TLS: a client certificate from [`Pki::ca`] required.
pub const MTLS_PORT: u16 = 8853;
/// The expired certificate.
pub const EXPIRED_PORT: u16 = 8854;
/// A certificate whose name is in its CN only.
pub const NO_SAN_PORT: u16 = 8855;

/// The names the primary's certificate holds.
pub const SERVER_NAMES: &str =
    "DNS:ns1.signed.test,DNS:ns1.example.test,DNS:ns1.krb.test,IP:::1,IP:127.0.0.1";

const OPENSSL_CNF: &str = r#"
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ server_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = SERVER_NAMES
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ nosan_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
[ client_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:client.signed.test
[ ca ]
default_ca = ca_default
[ ca_default ]
database = DIR/ca-db/index.txt
serial = DIR/ca-db/serial
new_certs_dir = DIR/ca-db
default_md = sha256
policy = policy_any
[ policy_any ]
commonName = supplied
"#;

/// The files, in `dir/tls`.
pub struct Pki {
    dir: PathBuf,
}

impl Pki {
    /// Makes every key and certificate.
    pub fn new(world_dir: &Path) -> Self {
        super::require("openssl", "openssl");
        let dir = world_dir.join("tls");
        fs::create_dir_all(dir.join("ca-db")).unwrap();
        fs::write(dir.join("ca-db/index.txt"), "").unwrap();
        fs::write(dir.join("ca-db/serial"), "01\n").unwrap();
        let cnf = OPENSSL_CNF
            .replace("SERVER_NAMES", SERVER_NAMES)
            .replace("DIR", &dir.display().to_string());
        fs::write(dir.join("openssl.cnf"), cnf).unwrap();
        let pki = Self { dir };
        for key in ["ca", "other-ca", "server", "client", "expired"] {
            pki.openssl(&[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                &format!("{key}.key"),
            ]);
        }
        for (ca, subject) in [("ca", "test DoT CA"), ("other-ca", "another CA")] {
            pki.openssl(&[
                "req",
                "-config",
                "openssl.cnf",
                "-x509",
                "-new",
                "-key",
                &format!("{ca}.key"),
                "-subj",
                &format!("/CN={subject}"),
                "-extensions",
                "ca_ext",
                "-days",
                "30",
                "-out",
                &format!("{ca}.crt"),
            ]);
        }
        pki.issue("server", "ns1.signed.test", "server_ext");
        pki.issue("client", "client.signed.test", "client_ext");
        // The name in the CN only: OpenSSL would take it, rustls does not.
        pki.sign("server.csr", "nosan.crt", "nosan_ext");
        pki.openssl(&[
            "req",
            "-config",
            "openssl.cnf",
            "-new",
            "-key",
            "expired.key",
            "-subj",
            "/CN=ns1.signed.test",
            "-out",
            "expired.csr",
        ]);
        // `openssl x509` cannot backdate; `openssl ca` takes explicit dates.
        pki.openssl(&[
            "ca",
            "-batch",
            "-config",
            "openssl.cnf",
            "-cert",
            "ca.crt",
            "-keyfile",
            "ca.key",
            "-in",
            "expired.csr",
            "-out",
            "expired.crt",
            "-notext",
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20200201000000Z",
            "-extfile",
            "openssl.cnf",
            "-extensions",
            "server_ext",
        ]);
        for key in ["server", "client", "expired", "ca", "other-ca"] {
            fs::set_permissions(
                pki.path(&format!("{key}.key")),
                std::os::unix::fs::PermissionsExt::from_mode(0o600),
            )
            .unwrap();
        }
        pki
    }

    /// A key's certificate signing request, signed by the CA.
    fn issue(&self, key: &str, cn: &str, extensions: &str) {
        self.openssl(&[
            "req",
            "-config",
            "openssl.cnf",
            "-new",
            "-key",
            &format!("{key}.key"),
            "-subj",
            &format!("/CN={cn}"),
            "-out",
            &format!("{key}.csr"),
        ]);
        self.sign(&format!("{key}.csr"), &format!("{key}.crt"), extensions);
    }

    fn sign(&self, csr: &str, out: &str, extensions: &str) {
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-set_serial",
            &format!("0x{:016x}", rand_serial()),
            "-days",
            "30",
            "-extfile",
            "openssl.cnf",
            "-extensions",
            extensions,
            "-out",
            out,
        ]);
    }

    fn openssl(&self, args: &[&str]) {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(&self.dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A file of the PKI: `ca.crt`, `client.key` ...
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// named.conf's `tls` blocks, and the `listen-on` lines for `options`.
    pub fn named_conf(&self) -> (String, String) {
        let blocks = format!(
            r#"tls local-tls {{ cert-file "{d}/server.crt"; key-file "{d}/server.key"; }};
tls local-mtls {{ cert-file "{d}/server.crt"; key-file "{d}/server.key"; ca-file "{d}/ca.crt"; }};
tls expired-tls {{ cert-file "{d}/expired.crt"; key-file "{d}/expired.key"; }};
tls nosan-tls {{ cert-file "{d}/nosan.crt"; key-file "{d}/server.key"; }};
"#,
            d = self.dir.display()
        );
        let listen = format!(
            "listen-on-v6 port {PORT} tls local-tls {{ ::1; }}; \
             listen-on-v6 port {MTLS_PORT} tls local-mtls {{ ::1; }}; \
             listen-on-v6 port {EXPIRED_PORT} tls expired-tls {{ ::1; }}; \
             listen-on-v6 port {NO_SAN_PORT} tls nosan-tls {{ ::1; }};"
        );
        (blocks, listen)
    }
}

/// A certificate serial: unique enough for one test's PKI.
fn rand_serial() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    t.as_nanos() as u64 ^ u64::from(std::process::id()) << 32
}
