//! Warnings about who else can read or change a file that root trusts: the
//! config (it decides which files root writes, and may hold the TSIG
//! secret), a key file (it holds the secret), a TLS client key and a
//! keytab.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// What a file holds, for the warnings about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Holds {
    /// "config file", "key file", "TLS client key", "keytab".
    pub what: &'static str,
    /// The secret it holds, if any: nobody else may read it.
    pub secret: Option<Secret>,
}

/// A kind of secret a file may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Secret {
    /// A TSIG key (RFC 8945): the config's inline key, or a key file.
    Tsig,
    /// The private key of a TLS client certificate.
    TlsKey,
    /// A Kerberos keytab: the host's long-term keys.
    Keytab,
}

impl Secret {
    /// "holds …", in a warning.
    fn held(self) -> &'static str {
        match self {
            Self::Tsig => "a TSIG secret",
            Self::TlsKey => "a TLS private key",
            Self::Keytab => "Kerberos keys",
        }
    }

    /// What the file's owner decides.
    fn stake(self) -> &'static str {
        match self {
            Self::Tsig => "the TSIG secret",
            Self::TlsKey => "the TLS private key",
            Self::Keytab => "the Kerberos keys",
        }
    }
}

/// The warnings for `path`: owned by somebody but root or the user running
/// this; readable by group or others while it holds a secret; writable by
/// group or others. Each says which bits and the command that fixes it.
pub(crate) fn warnings(path: &Path, holds: Holds) -> Vec<String> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let shown = path.display();
    let what = holds.what;
    let stake = holds
        .secret
        .map_or("which files root writes", Secret::stake);
    let euid = rustix::process::geteuid().as_raw();
    if meta.uid() != 0 && meta.uid() != euid {
        out.push(format!(
            "{what} {shown} is owned by uid {}, not by root: that user decides {stake}; run: chown root {shown}",
            meta.uid()
        ));
    }
    let mode = meta.mode() & 0o777;
    let read = if holds.secret.is_some() {
        mode & 0o044
    } else {
        0
    };
    let write = mode & 0o022;
    if read | write != 0 {
        let verbs = match (read != 0, write != 0) {
            (true, true) => "read and written",
            (true, false) => "read",
            _ => "written",
        };
        let who = match ((read | write) & 0o070 != 0, (read | write) & 0o007 != 0) {
            (true, true) => "group and others",
            (true, false) => "group",
            _ => "others",
        };
        let (why, fix) = match holds.secret {
            Some(secret) => (
                format!("holds {} and", secret.held()),
                format!("chmod 600 {shown}"),
            ),
            None => (
                "decides which files root writes and".to_owned(),
                format!("chmod go-w {shown}"),
            ),
        };
        out.push(format!(
            "{what} {shown} {why} can be {verbs} by {who} (mode {mode:o}); run: {fix}"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn says_read_or_write_and_who() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, "x").unwrap();
        let p = path.display();
        let check = |mode: u32, holds: Holds| {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            warnings(&path, holds)
        };
        let key = Holds {
            what: "key file",
            secret: Some(Secret::Tsig),
        };
        let config = Holds {
            what: "config file",
            secret: None,
        };
        let tls = Holds {
            what: "TLS client key",
            secret: Some(Secret::TlsKey),
        };
        assert!(check(0o600, key).is_empty());
        assert!(check(0o644, config).is_empty());
        assert_eq!(
            check(0o644, key),
            [format!(
                "key file {p} holds a TSIG secret and can be read by group and others (mode 644); run: chmod 600 {p}"
            )]
        );
        assert_eq!(
            check(0o660, key),
            [format!(
                "key file {p} holds a TSIG secret and can be read and written by group (mode 660); run: chmod 600 {p}"
            )]
        );
        assert_eq!(
            check(0o640, tls),
            [format!(
                "TLS client key {p} holds a TLS private key and can be read by group (mode 640); run: chmod 600 {p}"
            )]
        );
        assert_eq!(
            check(0o602, config),
            [format!(
                "config file {p} decides which files root writes and can be written by others (mode 602); run: chmod go-w {p}"
            )]
        );
        if !rustix::process::geteuid().is_root() {
            return;
        }
        std::os::unix::fs::chown(&path, Some(4242), None).unwrap();
        assert_eq!(
            check(0o600, config),
            [format!(
                "config file {p} is owned by uid 4242, not by root: that user decides which files root writes; run: chown root {p}"
            )]
        );
    }
}
