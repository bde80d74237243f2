//! Handing a GSS-TSIG run to `dyndns-send-gss`: `dyndns-send` itself never
//! links the GSS-API libraries (they cost every run about 0.45 ms and
//! 0.85 MiB), so when the config's `tsig` says `gss-tsig` it replaces
//! itself with `dyndns-send-gss` (installed beside it), which reads the same
//! arguments and standard input, with the Kerberos environment the config
//! asks for: the client keytab (`KRB5_CLIENT_KTNAME`) and a credential
//! cache in memory, or the given credential cache (`KRB5CCNAME`).

use std::ffi::OsString;
use std::io;

use crate::config::GssConfig;

/// Set in `dyndns-send-gss`'s environment by [`exec`]: the Kerberos
/// environment is the config's.
pub const MARK: &str = "DYNDNS_GSS_ENV";

/// The system keytab, when neither the config nor `KRB5_KTNAME` names one.
pub const SYSTEM_KEYTAB: &str = "FILE:/etc/krb5.keytab";

/// The Kerberos environment for `gss`: the credential cache given, or the
/// keytab given (or the system's) with a cache in memory, so that nothing
/// is written to disk.
pub fn environment(gss: &GssConfig) -> Vec<(&'static str, OsString)> {
    let mut env = vec![(MARK, OsString::from("1"))];
    if let Some(ccache) = &gss.ccache {
        env.push(("KRB5CCNAME", ccache.into()));
        return env;
    }
    let keytab = match &gss.keytab {
        Some(path) => {
            let mut k = OsString::from("FILE:");
            k.push(path);
            k
        }
        None => std::env::var_os("KRB5_KTNAME").unwrap_or_else(|| SYSTEM_KEYTAB.into()),
    };
    env.push(("KRB5_CLIENT_KTNAME", keytab));
    env.push(("KRB5CCNAME", "MEMORY:dyndns-send".into()));
    env
}

/// Replaces this process with `dyndns-send-gss` from the same directory,
/// with the same arguments and the environment for `gss`. Returns only
/// on failure.
pub fn exec(gss: &GssConfig) -> io::Error {
    crate::programs::hand_over(
        "dyndns-send-gss",
        &[],
        environment(gss),
        "GSS-TSIG (is the package built with the \"gss\" feature?)",
    )
}
