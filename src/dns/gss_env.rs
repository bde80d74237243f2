//! The Kerberos environment a GSS-TSIG config asks for. MIT Kerberos takes
//! the client keytab and the credential cache from the environment
//! (`KRB5_CLIENT_KTNAME`, `KRB5CCNAME`), so `dyndns-send` sets them in its
//! own process, once, before anything else runs: the keytab given (or the
//! system's) with a credential cache in memory, so that nothing is written
//! to disk, or the credential cache given.

use std::ffi::OsString;
use std::path::PathBuf;

/// The `tsig` object with `"algorithm": "gss-tsig"` (RFC 3645): the host's
/// Kerberos identity. No secret: the key is in a keytab or a ticket in a
/// credential cache.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GssConfig {
    /// The keytab (`"keytab"`); `None`: `KRB5_KTNAME`, else the system's.
    pub keytab: Option<PathBuf>,
    /// The client principal (`"principal"`); `None`: the
    /// [`default_principals`].
    pub principal: Option<String>,
    /// A credential cache to use instead of a keytab (`"ccache"`).
    pub ccache: Option<String>,
}

/// The principals a host tries without a configured one, in order: its
/// machine account, then its `host/` principal.
pub fn default_principals(host: &hickory_proto::rr::Name) -> [String; 2] {
    let fqdn = host.to_ascii().trim_end_matches('.').to_ascii_lowercase();
    [machine_account(&fqdn), format!("host/{fqdn}")]
}

/// The machine account of `fqdn`: its first label in capitals, cut to the
/// 15 characters of a NetBIOS name (as `realm join`, `adcli` and
/// `net ads join` cut it), and `$`.
fn machine_account(fqdn: &str) -> String {
    let short: String = fqdn
        .split('.')
        .next()
        .unwrap_or_default()
        .chars()
        .take(15)
        .collect();
    format!("{}$", short.to_ascii_uppercase())
}

/// The system keytab, when neither the config nor `KRB5_KTNAME` names one.
pub const SYSTEM_KEYTAB: &str = "FILE:/etc/krb5.keytab";

/// The keytab file `gss` takes its keys from: the config's, else
/// `KRB5_KTNAME`'s when it names a file (`FILE:PATH` or a path), else the
/// system's; `None` with a credential cache, or a keytab of another type
/// (`MEMORY:`, `KEYRING:`), which is not a file to check.
pub fn keytab_file(gss: &GssConfig) -> Option<PathBuf> {
    if gss.ccache.is_some() {
        return None;
    }
    if let Some(path) = &gss.keytab {
        return Some(path.clone());
    }
    let name = std::env::var_os("KRB5_KTNAME").unwrap_or_else(|| SYSTEM_KEYTAB.into());
    let name = name.to_str()?;
    let path = name.strip_prefix("FILE:").unwrap_or(name);
    path.starts_with('/').then(|| PathBuf::from(path))
}

/// The variables to set for `gss`, in order.
pub fn environment(gss: &GssConfig) -> Vec<(&'static str, OsString)> {
    if let Some(ccache) = &gss.ccache {
        return vec![("KRB5CCNAME", ccache.into())];
    }
    let keytab = match &gss.keytab {
        Some(path) => {
            let mut k = OsString::from("FILE:");
            k.push(path);
            k
        }
        None => std::env::var_os("KRB5_KTNAME").unwrap_or_else(|| SYSTEM_KEYTAB.into()),
    };
    vec![
        ("KRB5_CLIENT_KTNAME", keytab),
        ("KRB5CCNAME", "MEMORY:dyndns-send".into()),
    ]
}

/// Sets [`environment`] in this process.
///
/// Call it only while the process has one thread: from `dyndns-send`'s
/// start, after the config is read and before logging (whose syslog lookup
/// may start a thread) and the async runtime exist. `setenv(3)` is not
/// safe beside another thread reading the environment; with no other
/// thread, nothing can.
#[allow(unsafe_code)]
pub fn apply(gss: &GssConfig) {
    for (key, value) in environment(gss) {
        // SAFETY: single-threaded here, as this function's contract says.
        unsafe { std::env::set_var(key, value) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_account_comes_first_cut_to_a_netbios_name() {
        let name = |s: &str| hickory_proto::rr::Name::from_ascii(s).unwrap();
        assert_eq!(
            default_principals(&name("host7.ad.example.test.")),
            ["HOST7$", "host/host7.ad.example.test"]
        );
        assert_eq!(
            default_principals(&name("AVeryLongHostName01.Example.Test.")),
            ["AVERYLONGHOSTNA$", "host/averylonghostname01.example.test"]
        );
    }

    #[test]
    fn a_keytab_gets_a_cache_in_memory_and_a_ccache_stands_alone() {
        let keytab = GssConfig {
            keytab: Some("/etc/dyndns.keytab".into()),
            ..GssConfig::default()
        };
        assert_eq!(
            environment(&keytab),
            vec![
                ("KRB5_CLIENT_KTNAME", "FILE:/etc/dyndns.keytab".into()),
                ("KRB5CCNAME", "MEMORY:dyndns-send".into()),
            ]
        );
        let ccache = GssConfig {
            ccache: Some("FILE:/tmp/krb5cc_0".into()),
            ..GssConfig::default()
        };
        assert_eq!(
            environment(&ccache),
            vec![("KRB5CCNAME", "FILE:/tmp/krb5cc_0".into())]
        );
    }
}
