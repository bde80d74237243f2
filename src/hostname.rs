//! The host's FQDN, as PyDynDNS (Python's `socket.getfqdn()`) finds it: the
//! host name, then through the system's resolver (`/etc/hosts` and DNS, as
//! `nsswitch.conf` says) its canonical name, or else the name its address
//! maps back to; the first of those that has a dot wins.

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

/// The most read of `/etc/nsswitch.conf` or `/etc/hosts`.
const MAX_SYSTEM_FILE_BYTES: u64 = 1 << 20;

/// How this host's FQDN is found, decided once from the kernel's host
/// name, `/etc/nsswitch.conf` and `/etc/hosts`: by a statically linked
/// `dyndns-addrs` to choose whether to hand the run over, then by
/// the run's FQDN lookup, without reading them again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostLookup {
    /// Found without the system's resolver: the kernel's host name has a
    /// dot, or `/etc/hosts`, which NSS asks first, gives one.
    Found(String),
    /// The system's resolver must be asked for `host`.
    Resolver {
        /// The kernel's host name.
        host: String,
        /// The `hosts:` line of `/etc/nsswitch.conf`, when a statically
        /// linked program's own resolver would not do what it says (see
        /// [`static_resolver_falls_short_here`]).
        nss: Option<String>,
    },
}

/// How this host's FQDN is found (see [`HostLookup`]).
pub fn lookup() -> Result<HostLookup, HostnameError> {
    let host = dns_lookup::get_hostname().map_err(HostnameError::Read)?;
    // A host name that is already fully qualified needs no resolver (and
    // none of its start-up cost); Python would look it up and, on a host
    // whose resolver agrees with its own name, find the same.
    if host.contains('.') {
        return Ok(HostLookup::Found(host));
    }
    let nsswitch = read_system_file("/etc/nsswitch.conf").unwrap_or_default();
    let items = hosts_line(&nsswitch);
    if items.first() == Some(&"files")
        && let Some(name) =
            read_system_file("/etc/hosts").and_then(|hosts| canonical_in_hosts(&hosts, &host))
    {
        log::debug!("host name {host}: canonical name {name} (/etc/hosts)");
        return Ok(HostLookup::Found(name));
    }
    let nss = beyond_static_resolver(&items);
    Ok(HostLookup::Resolver { host, nss })
}

/// The `hosts:` line of `/etc/nsswitch.conf` when a statically linked
/// build's own resolver would not do what it says, for the lookup to be
/// handed to a dynamically linked program; `None` when it would, and always
/// in a dynamically linked build (whose `getaddrinfo` is the system's NSS).
pub fn static_resolver_falls_short_here() -> Option<String> {
    if !cfg!(target_feature = "crt-static") {
        return None;
    }
    beyond_static_resolver(&hosts_line(
        &read_system_file("/etc/nsswitch.conf").unwrap_or_default(),
    ))
}

/// The `hosts:` line (its `items`) when this build is statically linked
/// and its own resolver would not follow it.
fn beyond_static_resolver(items: &[&str]) -> Option<String> {
    (cfg!(target_feature = "crt-static") && static_resolver_falls_short(items))
        .then(|| items.join(" "))
}

/// Whether the `getaddrinfo` of a statically linked build would not do what
/// the `hosts:` line's `items` say.
///
/// musl's (the package's build) does not read nsswitch.conf: it asks
/// `/etc/hosts`, then DNS as `/etc/resolv.conf` says, which is the line
/// `files dns` and nothing else: another order, another module (myhostname,
/// resolve, sss, mdns ...) or a `[STATUS=action]` item falls short.
/// glibc's static build carries its `files` and `dns` modules and follows
/// the line's order and actions, but loads any other module from the
/// system at run time, which only a program linked with that same glibc
/// does with certainty.
fn static_resolver_falls_short(items: &[&str]) -> bool {
    if cfg!(target_env = "musl") {
        items != ["files", "dns"]
    } else {
        items
            .iter()
            .any(|i| !i.starts_with('[') && !["files", "dns"].contains(i))
    }
}

/// A system file, bounded; `None` when it cannot be read.
fn read_system_file(path: &str) -> Option<String> {
    crate::fsutil::read_named(std::path::Path::new(path), MAX_SYSTEM_FILE_BYTES).ok()
}

/// The FQDN of this host, as `socket.getfqdn()` would give it, made
/// absolute, found as `lookup` says; the system resolver's lookups may
/// take `bound` in all.
pub(crate) fn fqdn(lookup: HostLookup, bound: std::time::Duration) -> Result<Name, HostnameError> {
    let name = match lookup {
        HostLookup::Found(name) => name,
        HostLookup::Resolver { host, .. } => {
            let looked_up = host.clone();
            crate::bounded::within(bound, move || getfqdn(&looked_up))
                .ok_or(HostnameError::Timeout { host, bound })?
        }
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

/// The items of the `hosts:` line of an nsswitch.conf, in order: its
/// modules and `[STATUS=action]` items; glibc's default without one
/// (nss_database.c: `dns [!UNAVAIL=return] files`).
fn hosts_line(nsswitch: &str) -> Vec<&str> {
    nsswitch
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .find_map(|l| l.trim_start().strip_prefix("hosts:"))
        .map_or_else(
            || vec!["dns", "[!UNAVAIL=return]", "files"],
            |sources| sources.split_whitespace().collect(),
        )
}

/// The first name with a dot on the first hosts(5) line that lists `host`:
/// its canonical name, or, as Python's `getfqdn()` takes them, the first
/// alias with a dot.
fn canonical_in_hosts(hosts: &str, host: &str) -> Option<String> {
    hosts
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .find_map(|l| {
            let mut fields = l.split_whitespace();
            fields.next()?.parse::<std::net::IpAddr>().ok()?;
            let names: Vec<&str> = fields.collect();
            names
                .iter()
                .any(|n| n.eq_ignore_ascii_case(host))
                .then_some(names)
        })
        .and_then(|names| names.into_iter().find(|n| n.contains('.')))
        .map(str::to_owned)
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

    #[test]
    fn nsswitch_hosts_line() {
        assert_eq!(
            hosts_line("hosts: files mdns4_minimal [NOTFOUND=return] dns myhostname\n"),
            [
                "files",
                "mdns4_minimal",
                "[NOTFOUND=return]",
                "dns",
                "myhostname"
            ]
        );
        assert_eq!(
            hosts_line("passwd: files\n"),
            ["dns", "[!UNAVAIL=return]", "files"]
        );
    }

    #[test]
    fn nsswitch_files_first() {
        let first = |conf| hosts_line(conf).first().copied();
        assert_eq!(
            first("passwd: files\nhosts:          files dns\n"),
            Some("files")
        );
        assert_eq!(
            first("hosts: files [NOTFOUND=return] dns # comment"),
            Some("files")
        );
        assert_eq!(first("hosts: dns files"), Some("dns"));
        assert_eq!(
            first("# hosts: files\nhosts: resolve files"),
            Some("resolve")
        );
        assert_eq!(first("passwd: files"), Some("dns"));
    }

    #[test]
    fn what_a_static_resolver_follows() {
        let short = |conf| static_resolver_falls_short(&hosts_line(conf));
        // Debian's own line, which every static build follows.
        assert!(!short("hosts: files dns\n"));
        assert!(short("hosts: files dns myhostname"));
        assert!(short("hosts: files resolve [!UNAVAIL=return] dns"));
        // musl asks /etc/hosts first, always, and takes no actions; glibc's
        // static build follows the order and the actions of its own modules.
        let musl = cfg!(target_env = "musl");
        assert_eq!(short("hosts: dns files"), musl);
        assert_eq!(short("hosts: files [NOTFOUND=return] dns"), musl);
        assert_eq!(short("hosts: files"), musl);
        assert_eq!(short("passwd: files"), musl);
    }

    #[test]
    fn canonical_name_from_hosts() {
        let hosts = "127.0.0.1 localhost\n# 10.0.0.1 host1.wrong.test host1\n127.0.1.1\thost1.example.test host1 # Debian\n::1 host1.other.test host1\n";
        assert_eq!(
            canonical_in_hosts(hosts, "host1").as_deref(),
            Some("host1.example.test")
        );
        assert_eq!(
            canonical_in_hosts(hosts, "HOST1").as_deref(),
            Some("host1.example.test")
        );
        assert_eq!(canonical_in_hosts(hosts, "other"), None);
        // As getfqdn() does: the first alias with a dot when the canonical name has none.
        assert_eq!(
            canonical_in_hosts("127.0.1.1 host1 host1.example.test\n", "host1").as_deref(),
            Some("host1.example.test")
        );
        assert_eq!(canonical_in_hosts("127.0.1.1 host1 other\n", "host1"), None);
        assert_eq!(
            canonical_in_hosts("not-an-address host1.example.test host1\n", "host1"),
            None
        );
    }
}
