//! The host's FQDN, as PyDynDNS (Python's `socket.getfqdn()`) finds it: the
//! host name, then through the system's resolver (`/etc/hosts` and DNS, as
//! `nsswitch.conf` says: glibc's NSS, whatever modules it names) its
//! canonical name, or else the name its address maps back to; the first of
//! those that has a dot wins.

use hickory_proto::rr::Name;

use crate::state::{NameError, parse_name};

/// glibc's `AI_CANONNAME` (netdb.h).
const AI_CANONNAME: i32 = 0x0002;
/// glibc's `NI_NAMEREQD` (netdb.h): fail rather than return a numeric address.
const NI_NAMEREQD: i32 = 0x0008;

/// Why no FQDN could be found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostnameError {
    /// The kernel's host name could not be read.
    #[error("cannot read the host name")]
    Read(#[source] std::io::Error),
    /// The name found has no dot.
    #[error(
        "the host name \"{0}\" has no domain, and the system's resolver gives no fully qualified name for it; \
         add a line \"ADDRESS {0}.your.domain {0}\" to /etc/hosts, set the host name to the full name \
         (hostnamectl hostname {0}.your.domain), or give --hostname"
    )]
    NoDomain(String),
    /// The name given with `--hostname` has no dot.
    #[error(
        "the host name \"{0}\" given with --hostname has no domain; give the fully qualified name, \
         for example --hostname {0}.your.domain"
    )]
    GivenNoDomain(String),
    /// The system's resolver did not answer in time.
    #[error(
        "the system's resolver did not give the full name of \"{host}\" within {bound:?}; \
         check the name servers in /etc/resolv.conf, or add a line \"ADDRESS {host}.your.domain {host}\" to /etc/hosts"
    )]
    Timeout {
        /// The host name looked up.
        host: String,
        /// How long it was given.
        bound: std::time::Duration,
    },
    /// The name is not a valid DNS name.
    #[error("the host name \"{name}\" is not a valid DNS name")]
    Invalid {
        /// The name.
        name: String,
        /// What is wrong.
        source: NameError,
    },
}

/// The FQDN of this host, as `socket.getfqdn()` would give it, made
/// absolute; the system resolver's lookups may take `bound` in all.
pub(crate) fn fqdn(bound: std::time::Duration) -> Result<Name, HostnameError> {
    let host = dns_lookup::get_hostname().map_err(HostnameError::Read)?;
    // A host name that is already fully qualified needs no resolver; Python
    // would look it up and, on a host whose resolver agrees with its own
    // name, find the same.
    let name = if host.contains('.') {
        host
    } else {
        let looked_up = host.clone();
        crate::util::bounded::within(bound, move || getfqdn(&looked_up))
            .ok_or(HostnameError::Timeout { host, bound })?
    };
    if !name.trim_end_matches('.').contains('.') {
        return Err(HostnameError::NoDomain(name));
    }
    parse_name(&name).map_err(|source| HostnameError::Invalid { name, source })
}

/// The FQDN given on the command line (`--hostname`), made absolute: a name
/// without a dot is refused at once, as the host's own would be, rather than
/// sent as a name under the root for the server to refuse.
pub(crate) fn given(name: &str) -> Result<Name, HostnameError> {
    if !name.trim_end_matches('.').contains('.') {
        return Err(HostnameError::GivenNoDomain(name.to_owned()));
    }
    parse_name(name).map_err(|source| HostnameError::Invalid {
        name: name.to_owned(),
        source,
    })
}

/// The FQDN of `host`: its canonical name through the system's resolver
/// (`/etc/hosts`, then DNS) when that has a dot, else, as Python's
/// `socket.getfqdn()` does, the name its address maps back to; else `host`.
fn getfqdn(host: &str) -> String {
    let hints = dns_lookup::AddrInfoHints {
        flags: AI_CANONNAME,
        socktype: 1, // SOCK_STREAM: one answer per address, not one per socket type
        ..Default::default()
    };
    let Ok(mut infos) = dns_lookup::getaddrinfo(Some(host), None, Some(hints)) else {
        log::debug!("host name {host}: the resolver knows no address for it");
        return host.to_owned();
    };
    let Some(Ok(first)) = infos.next() else {
        return host.to_owned();
    };
    if let Some(canonical) = first.canonname.filter(|n| n.contains('.')) {
        log::debug!("host name {host}: canonical name {canonical}");
        return canonical;
    }
    // The reverse lookup costs a second pass through NSS (and often a PTR
    // query), so it is only the fallback.
    let reverse = dns_lookup::getnameinfo(&first.sockaddr, NI_NAMEREQD)
        .ok()
        .map(|(name, _)| name);
    log::debug!(
        "host name {host}: address {}, reverse name {}",
        first.sockaddr.ip(),
        reverse.as_deref().unwrap_or("(none)")
    );
    reverse
        .filter(|n| n.contains('.'))
        .unwrap_or_else(|| host.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_name_needs_a_domain() {
        let e = given("host1").unwrap_err().to_string();
        assert!(
            e.contains("\"host1\" given with --hostname has no domain"),
            "{e}"
        );
        assert!(given("host1.").is_err());
        assert_eq!(given("h.example").unwrap().to_ascii(), "h.example.");
    }
}
