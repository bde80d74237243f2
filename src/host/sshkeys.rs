//! This host's SSH host keys, read for SSHFP records (the config's
//! `"sshfp"`): each public key file the glob matches, its fingerprints, or
//! why it is left out. A file left out is named in a warning and costs no
//! other key its records.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use crate::dns::sshfp::{Hash, PublicKey, Sshfp};

/// The most key files read: a host has four or five.
const MAX_FILES: usize = 64;
/// The most read of one: a 16384-bit RSA public key is under 3 KiB.
const MAX_FILE_BYTES: u64 = 64 << 10;

/// One key file, as read.
#[derive(Clone, Debug, Serialize)]
pub struct KeyFile {
    /// Its path.
    pub file: PathBuf,
    /// Its key type (`ssh-ed25519`), when it is a key.
    pub key_type: Option<&'static str>,
    /// Its records.
    pub records: Vec<Sshfp>,
    /// Why it is left out, when it is.
    pub left_out: Option<String>,
}

/// Reads the key files the glob `keys` matches (the config's
/// `sshfp.keys`, checked when it was read), in its (sorted) order, each
/// hashed with each of `hashes`.
pub fn read(keys: &str, hashes: &[Hash]) -> Vec<KeyFile> {
    let Ok(paths) = glob::glob(keys) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for entry in paths {
        if files.len() == MAX_FILES {
            log::warn!(
                "\"sshfp\": \"keys\" {keys} matches more than {MAX_FILES} files; the rest are left out"
            );
            break;
        }
        let file = match entry {
            Ok(path) => path,
            Err(e) => {
                log::warn!(
                    "\"sshfp\": cannot read {}: {}; its keys are left out",
                    e.path().display(),
                    e.error()
                );
                continue;
            }
        };
        files.push(read_one(file, hashes));
    }
    files
}

/// One file: its records, or why none (a warning).
fn read_one(file: PathBuf, hashes: &[Hash]) -> KeyFile {
    // Not followed if a symbolic link, not waited on if a FIFO, bounded.
    let key = crate::util::fs::read_bounded(&file, MAX_FILE_BYTES)
        .and_then(|text| text.ok_or_else(|| std::io::ErrorKind::NotFound.into()))
        .map_err(|e| format!("cannot read it: {e}"))
        .and_then(|text| PublicKey::parse(&text).map_err(|p| p.to_string()));
    match key {
        Ok(key) => KeyFile {
            records: hashes.iter().map(|h| key.sshfp(*h)).collect(),
            key_type: Some(key.key_type),
            left_out: None,
            file,
        },
        Err(why) => {
            log::warn!("\"sshfp\": {} is left out: {why}", file.display());
            KeyFile {
                file,
                key_type: None,
                records: Vec::new(),
                left_out: Some(why),
            }
        }
    }
}

/// The SSHFP set the files give, sorted, each record once.
pub fn records(files: &[KeyFile]) -> Vec<Sshfp> {
    let mut set: Vec<Sshfp> = files.iter().flat_map(|f| f.records.clone()).collect();
    set.sort_unstable();
    set.dedup();
    set
}

/// `--explain`'s table of the keys: the file, its type, and each record
/// or why it is left out.
pub fn render(files: &[KeyFile]) -> String {
    let width = files
        .iter()
        .map(|f| f.file.display().to_string().len())
        .max()
        .unwrap_or(0)
        .max("SSH KEY".len());
    let mut out = format!("{:<width$}  {:<19}  SSHFP\n", "SSH KEY", "TYPE");
    for f in files {
        let path = crate::util::describe::printable(&f.file.display().to_string());
        let kind = f.key_type.unwrap_or("-");
        let verdicts: Vec<String> = match &f.left_out {
            Some(why) => vec![format!("left out: {why}")],
            None => f.records.iter().map(ToString::to_string).collect(),
        };
        for (i, verdict) in verdicts.iter().enumerate() {
            let (path, kind) = if i == 0 {
                (path.as_str(), kind)
            } else {
                ("", "")
            };
            let _ = writeln!(out, "{path:<width$}  {kind:<19}  {verdict}");
        }
    }
    if files.is_empty() {
        out.push_str("(no file matches)\n");
    }
    out
}
