//! The config's `"sshfp"`: `true` publishes the fingerprints of the SSH
//! host keys in `/etc/ssh` (SHA-256), `{"keys": GLOB, "hashes": [...]}`
//! chooses the files and the hashes.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use crate::dns::sshfp::Hash;
use crate::util::describe::{describe, printable};

/// The host keys OpenSSH's server makes (sshd(8): HostKey's defaults).
pub const DEFAULT_KEYS: &str = "/etc/ssh/ssh_host_*_key.pub";

/// The keys of the `sshfp` object.
pub(super) const SSHFP_KEYS: [&str; 2] = ["keys", "hashes"];

/// Which public keys to publish as SSHFP records, and with which hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshfpConfig {
    /// A glob of public key files (`keys`), absolute.
    pub keys: String,
    /// The hashes (`hashes`), each once: SHA-256 unless asked otherwise.
    pub hashes: Vec<Hash>,
}

impl Default for SshfpConfig {
    fn default() -> Self {
        Self {
            keys: DEFAULT_KEYS.into(),
            hashes: vec![Hash::Sha256],
        }
    }
}

/// `sshfp`: `true`, `false`/`null` (off), or the object, read as a map
/// so that an unknown key in it is warned about as elsewhere.
pub(super) fn sshfp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SshfpConfig>, D::Error> {
    d.deserialize_any(SshfpVisitor)
}

/// The object's keys as read, each checked in [`SshfpVisitor`].
#[derive(Deserialize)]
struct Object {
    keys: Option<Value>,
    hashes: Option<Value>,
}

struct SshfpVisitor;

impl<'de> Visitor<'de> for SshfpVisitor {
    type Value = Option<SshfpConfig>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "true, false, or an object like {{\"keys\": \"{DEFAULT_KEYS}\", \"hashes\": [\"sha256\"]}}"
        )
    }

    fn visit_bool<E: de::Error>(self, on: bool) -> Result<Self::Value, E> {
        Ok(on.then(SshfpConfig::default))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let object = Object::deserialize(de::value::MapAccessDeserializer::new(map))?;
        let mut config = SshfpConfig::default();
        if let Some(keys) = &object.keys {
            config.keys = glob(keys).map_err(|p| de::Error::custom(format!("\"keys\" {p}")))?;
        }
        if let Some(hashes) = &object.hashes {
            config.hashes =
                self::hashes(hashes).map_err(|p| de::Error::custom(format!("\"hashes\" {p}")))?;
        }
        Ok(Some(config))
    }
}

/// `sshfp.keys`: an absolute glob pattern.
fn glob(value: &Value) -> Result<String, String> {
    let Value::String(s) = value else {
        return Err(format!(
            "must be a glob of public key files such as \"{DEFAULT_KEYS}\", found {}",
            describe(value)
        ));
    };
    if !s.starts_with('/') || glob::Pattern::new(s).is_err() || s.contains('\0') {
        return Err(format!(
            "\"{}\" is not an absolute glob of public key files such as \"{DEFAULT_KEYS}\"",
            printable(s)
        ));
    }
    Ok(s.clone())
}

/// `sshfp.hashes`: a non-empty list of `"sha256"` and `"sha1"`.
fn hashes(value: &Value) -> Result<Vec<Hash>, String> {
    let wrong = |found: &Value| {
        let found = match found {
            Value::String(s) => format!("\"{}\"", printable(s)),
            other => describe(other),
        };
        format!(
            "must be a list of \"sha256\" (RFC 6594) and \"sha1\" (RFC 4255, for old clients), found {found}"
        )
    };
    let Value::Array(items) = value else {
        return Err(wrong(value));
    };
    let mut hashes: Vec<Hash> = items
        .iter()
        .map(|item| {
            item.as_str()
                .and_then(Hash::from_name)
                .ok_or_else(|| wrong(item))
        })
        .collect::<Result<_, _>>()?;
    hashes.sort_unstable();
    hashes.dedup();
    if hashes.is_empty() {
        return Err(wrong(value));
    }
    Ok(hashes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Option<SshfpConfig>, String> {
        sshfp(&mut serde_json::Deserializer::from_str(json)).map_err(|e| e.to_string())
    }

    #[test]
    fn true_an_object_or_off_and_what_is_wrong_is_named() {
        assert_eq!(parse("true"), Ok(Some(SshfpConfig::default())));
        assert_eq!(parse("false"), Ok(None));
        assert_eq!(parse("null"), Ok(None));
        assert_eq!(
            parse(r#"{"keys": "/k/*.pub", "hashes": ["sha1", "sha256", "sha1"]}"#),
            Ok(Some(SshfpConfig {
                keys: "/k/*.pub".into(),
                hashes: vec![Hash::Sha1, Hash::Sha256],
            }))
        );
        let e = parse(r#"{"hashes": ["md5"]}"#).unwrap_err();
        assert!(e.contains("found \"md5\""), "{e}");
        assert!(
            parse(r#"{"hashes": []}"#)
                .unwrap_err()
                .contains("\"hashes\" must be")
        );
        assert!(
            parse(r#"{"keys": "ssh/*.pub"}"#)
                .unwrap_err()
                .contains("not an absolute glob")
        );
        assert!(
            parse(r#"{"keys": "/[a"}"#)
                .unwrap_err()
                .contains("not an absolute glob")
        );
        assert!(
            parse("1")
                .unwrap_err()
                .contains("true, false, or an object")
        );
    }
}
