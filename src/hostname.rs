//! The host's FQDN, as PyDynDNS (Python's `socket.getfqdn()`) finds it: the
//! host name, then through the system's resolver (`/etc/hosts` and DNS, as
//! `nsswitch.conf` says) its canonical name, or else the name its address
//! maps back to; the first of those that has a dot wins.

use hickory_proto::rr::Name;

use crate::state::parse_name;

/// glibc's `AI_CANONNAME` (netdb.h).
const AI_CANONNAME: i32 = 0x0002;
/// glibc's `NI_NAMEREQD` (netdb.h): fail rather than return a numeric address.
const NI_NAMEREQD: i32 = 0x0008;

/// Why no FQDN could be found.
#[derive(Debug, thiserror::Error)]
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
    /// The name is not a valid DNS name.
    #[error("the host name \"{name}\" is not a valid DNS name: {problem}")]
    Invalid {
        /// The name.
        name: String,
        /// What is wrong.
        problem: String,
    },
}

/// The FQDN of this host, as `socket.getfqdn()` would give it, made absolute.
pub fn fqdn() -> Result<Name, HostnameError> {
    let host = dns_lookup::get_hostname().map_err(HostnameError::Read)?;
    // A host name that is already fully qualified needs no resolver (and
    // none of its start-up cost); Python would look it up and, on a host
    // whose resolver agrees with its own name, find the same.
    let name = if host.contains('.') {
        host
    } else {
        getfqdn(&host)
    };
    if !name.trim_end_matches('.').contains('.') {
        return Err(HostnameError::NoDomain(name));
    }
    parse_name(&name).map_err(|problem| HostnameError::Invalid { name, problem })
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
