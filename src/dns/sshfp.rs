//! SSHFP records (RFC 4255): an SSH host key's fingerprint in DNS, made
//! from an OpenSSH public key (`/etc/ssh/ssh_host_ed25519_key.pub`), with
//! SHA-1 (RFC 4255 §3.1.2) or SHA-256 (RFC 6594), and written as the
//! presentation format RFC 4255 §3.2 gives: `4 2 HEX`, as `ssh-keygen -r`
//! prints it.

use std::fmt;

use hickory_proto::rr::rdata::SSHFP;
use hickory_proto::rr::rdata::sshfp::{Algorithm, FingerprintType};
use hickory_proto::rr::{Name, RData, Record};
use sha2::Digest as _;

/// A fingerprint hash (RFC 4255 §3.1.2's registry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hash {
    /// SHA-1 (1): only where asked, for clients too old for SHA-256.
    Sha1,
    /// SHA-256 (2, RFC 6594).
    Sha256,
}

impl Hash {
    /// Its number in an SSHFP record.
    pub fn number(self) -> u8 {
        match self {
            Self::Sha1 => 1,
            Self::Sha256 => 2,
        }
    }

    /// Its name in the config (`"sha256"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
        }
    }

    /// The hash named `name` in the config.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Sha1, Self::Sha256]
            .into_iter()
            .find(|h| h.name() == name)
    }

    fn digest(self, blob: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(blob).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(blob).to_vec(),
        }
    }
}

/// The SSH key types and their SSHFP algorithm numbers: RFC 4255 (RSA 1,
/// DSA 2), RFC 6594 (ECDSA 3), RFC 7479 (Ed25519 4), RFC 8709 (Ed448 6).
const ALGORITHMS: [(&str, u8); 7] = [
    ("ssh-rsa", 1),
    ("ssh-dss", 2),
    ("ecdsa-sha2-nistp256", 3),
    ("ecdsa-sha2-nistp384", 3),
    ("ecdsa-sha2-nistp521", 3),
    ("ssh-ed25519", 4),
    ("ssh-ed448", 6),
];

/// One SSHFP record's data.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sshfp {
    /// The key's algorithm number.
    pub algorithm: u8,
    /// The hash's number.
    pub hash: u8,
    /// The fingerprint.
    pub fingerprint: Vec<u8>,
}

impl fmt::Display for Sshfp {
    /// RFC 4255 §3.2's presentation format, the hex in lower case as
    /// `ssh-keygen -r` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = data_encoding::HEXLOWER.encode(&self.fingerprint);
        write!(f, "{} {} {hex}", self.algorithm, self.hash)
    }
}

/// As its presentation format, a string (the state's and `--explain`'s).
impl serde::Serialize for Sshfp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Sshfp {
    /// Parses the presentation format (`4 2 HEX`, the hex in either case);
    /// `None` unless the fingerprint's length is its hash's.
    pub fn from_text(text: &str) -> Option<Self> {
        let mut fields = text.split_ascii_whitespace();
        let algorithm = fields.next()?.parse().ok()?;
        let hash: u8 = fields.next()?.parse().ok()?;
        let hex: String = fields.collect();
        let fingerprint = data_encoding::HEXLOWER_PERMISSIVE
            .decode(hex.as_bytes())
            .ok()?;
        let length = match hash {
            1 => 20,
            2 => 32,
            _ => return None,
        };
        (fingerprint.len() == length).then_some(Self {
            algorithm,
            hash,
            fingerprint,
        })
    }

    /// The record at `name`, or, with TTL 0, the value to delete (RFC 2136
    /// §2.5.4, the class set by the caller).
    pub fn record(&self, name: &Name, ttl_secs: u32) -> Record {
        Record::from_rdata(
            name.clone(),
            ttl_secs,
            RData::SSHFP(SSHFP::new(
                Algorithm::from(self.algorithm),
                FingerprintType::from(self.hash),
                self.fingerprint.clone(),
            )),
        )
    }

    /// The record's data as served, if `rdata` is an SSHFP record's.
    pub fn from_rdata(rdata: &RData) -> Option<Self> {
        match rdata {
            RData::SSHFP(s) => Some(Self {
                algorithm: s.algorithm.into(),
                hash: s.fingerprint_type.into(),
                fingerprint: s.fingerprint.clone(),
            }),
            _ => None,
        }
    }
}

/// Why a file's text is not a public key we can publish. Never holds any
/// of the text: a private key given by mistake must not reach a log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyProblem {
    /// A PEM block: a private key (OpenSSH's, or an old PEM one).
    #[error("it holds a private key, not a public key (its contents are not shown)")]
    Private,
    /// Not `TYPE BASE64 [COMMENT]` on one line.
    #[error("it is not an OpenSSH public key (one line: TYPE BASE64 [COMMENT])")]
    NotPublicKey,
    /// A key type SSHFP has no number for (a certificate, a security key).
    #[error(
        "its key type has no SSHFP algorithm (ssh-rsa, ssh-dss, ecdsa-sha2-nistp256/384/521, ssh-ed25519 and ssh-ed448 have)"
    )]
    UnknownType,
    /// The base64 does not decode, or the blob's own type differs.
    #[error("its key data is damaged (not base64, or not a key of the type it names)")]
    Damaged,
}

/// A public key: its type and algorithm number, and its blob (RFC 4253
/// §6.6), which the fingerprint is taken over (RFC 4255 §3.1.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    /// The key type, as the file names it (`ssh-ed25519`).
    pub key_type: &'static str,
    /// Its SSHFP algorithm number.
    pub algorithm: u8,
    blob: Vec<u8>,
}

impl PublicKey {
    /// Parses an OpenSSH public key file's text (`ssh-ed25519 AAAA... root@host`).
    pub fn parse(text: &str) -> Result<Self, KeyProblem> {
        if text.contains("-----BEGIN") || text.contains("PRIVATE KEY") {
            return Err(KeyProblem::Private);
        }
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let (Some(line), None) = (lines.next(), lines.next()) else {
            return Err(KeyProblem::NotPublicKey);
        };
        let mut fields = line.split_ascii_whitespace();
        let (Some(given), Some(base64)) = (fields.next(), fields.next()) else {
            return Err(KeyProblem::NotPublicKey);
        };
        let (key_type, algorithm) = ALGORITHMS
            .iter()
            .find(|(t, _)| *t == given)
            .copied()
            .ok_or(KeyProblem::UnknownType)?;
        let blob = data_encoding::BASE64
            .decode(base64.as_bytes())
            .map_err(|_| KeyProblem::Damaged)?;
        // The blob begins with the key type as an SSH string (RFC 4251 §5):
        // a 4-octet length, then the name.
        let named = blob
            .get(..4)
            .map(|l| u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize)
            .and_then(|len| blob.get(4..4 + len));
        if named != Some(key_type.as_bytes()) {
            return Err(KeyProblem::Damaged);
        }
        Ok(Self {
            key_type,
            algorithm,
            blob,
        })
    }

    /// Its fingerprint with `hash`.
    pub fn sshfp(&self, hash: Hash) -> Sshfp {
        Sshfp {
            algorithm: self.algorithm,
            hash: hash.number(),
            fingerprint: hash.digest(&self.blob),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // An Ed25519 key and what `ssh-keygen -r host -f key.pub` printed for it.
    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPnygI7eVWXhDH9bIO+ZIOmcO/4aLZuV1WLaAW3o+fnX root@h\n";
    const SHA1: &str = "4 1 345b638ad88519eb40544494c03375426a0b7587";
    const SHA256: &str = "4 2 1cda8eac83284fffb13aa8ef7ea3580bb341a3621a2dde40b8cd1227dfaf4e6d";

    #[test]
    fn a_public_key_gives_its_fingerprints_and_they_read_back() {
        let key = PublicKey::parse(KEY).unwrap();
        assert_eq!((key.key_type, key.algorithm), ("ssh-ed25519", 4));
        let sha256 = key.sshfp(Hash::Sha256);
        assert_eq!(sha256.to_string(), SHA256);
        assert_eq!(key.sshfp(Hash::Sha1).to_string(), SHA1);
        assert_eq!(Sshfp::from_text(&sha256.to_string()), Some(sha256.clone()));
        assert_eq!(
            Sshfp::from_text(&sha256.to_string().to_uppercase()),
            Some(sha256)
        );
        assert!(Sshfp::from_text("4 2 da3a").is_none(), "short");
        assert!(Sshfp::from_text("4 3 da3a").is_none(), "no such hash");
    }

    #[test]
    fn what_is_not_a_public_key_is_named_without_its_contents() {
        let private = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----\n";
        assert_eq!(PublicKey::parse(private), Err(KeyProblem::Private));
        assert_eq!(PublicKey::parse(""), Err(KeyProblem::NotPublicKey));
        assert_eq!(
            PublicKey::parse("ssh-ed25519"),
            Err(KeyProblem::NotPublicKey)
        );
        assert_eq!(
            PublicKey::parse("ssh-ed25519-cert-v01@openssh.com AAAA"),
            Err(KeyProblem::UnknownType)
        );
        assert_eq!(
            PublicKey::parse(&KEY.replace("ssh-ed25519 ", "ssh-rsa ")),
            Err(KeyProblem::Damaged),
            "the blob says ssh-ed25519"
        );
        assert_eq!(PublicKey::parse("ssh-rsa !!!"), Err(KeyProblem::Damaged));
        for problem in [
            KeyProblem::Private,
            KeyProblem::NotPublicKey,
            KeyProblem::UnknownType,
            KeyProblem::Damaged,
        ] {
            assert!(!problem.to_string().contains("b3Blbn"));
        }
    }
}
