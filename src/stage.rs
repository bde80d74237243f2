//! The four stages, each a function from validated options to its output.
//! The binaries parse their flags into these options and print the result.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use hickory_proto::rr::Name;

use crate::addrs::{self, Selection};
use crate::cache::{self, Cached};
use crate::cli::Failure;
use crate::config::Config;
use crate::exit;
use crate::hostname;
use crate::state::{State, parse_name};
use crate::tsig::Key;
use crate::update::{self, ServerError, Update};
use crate::zone::{self, ZoneError};

/// `dyndns-addrs`: the FQDN and the address set to register.
#[derive(Clone, Debug, Default)]
pub struct AddrsOptions {
    /// Interfaces to read; empty: every interface that is up and not a loopback.
    pub interfaces: Vec<String>,
    /// The FQDN, instead of the system's.
    pub hostname: Option<String>,
    /// The TTL, instead of the config's.
    pub ttl_secs: Option<u32>,
}

/// Builds the state document of this host.
pub fn addrs(opts: &AddrsOptions, config: &Config) -> Result<State, Failure> {
    let ttl_secs = opts.ttl_secs.or(config.ttl_secs).ok_or_else(|| {
        Failure::usage(format!(
            "no TTL: give --ttl SECONDS, or \"ttl\" in the config file ({})",
            config
                .path
                .as_ref()
                .map_or("none read".into(), |p| p.display().to_string())
        ))
    })?;
    let hostname = match &opts.hostname {
        Some(name) => hostname::given(name).map_err(Failure::usage)?,
        None => hostname::fqdn().map_err(Failure::usage)?,
    };
    let selection = Selection {
        interfaces: opts.interfaces.clone(),
        teredo: config.teredo,
    };
    let addresses = addrs::host_addresses(&selection).map_err(|e| match e {
        addrs::AddrError::NoSuchInterface(_) => Failure::usage(e),
        addrs::AddrError::Read { .. } => Failure::runtime(e),
    })?;
    log::debug!("{hostname}: {} address(es) to register", addresses.len());
    Ok(State::new(hostname, ttl_secs, addresses))
}

/// The outcome of `dyndns-diff`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffOutcome {
    /// Nothing on stdin: nothing to do.
    Empty,
    /// The state equals the cache.
    Same,
    /// The state differs (or there is no usable cache): pass it on.
    Differs(Box<State>),
}

impl DiffOutcome {
    /// The exit status, `diff(1)`-like.
    pub fn status(&self) -> u8 {
        match self {
            Self::Empty | Self::Same => exit::DIFF_SAME,
            Self::Differs(_) => exit::DIFF_DIFFERS,
        }
    }
}

/// `dyndns-diff`: compares the state on stdin with the cache. `force`
/// removes the cache first, so a forced update that fails stays forced.
pub fn diff(
    input: Option<&str>,
    cache_path: Option<&PathBuf>,
    force: bool,
) -> Result<DiffOutcome, Failure> {
    let Some(input) = input else {
        return Ok(DiffOutcome::Empty);
    };
    let mut state = State::parse(input, "standard input").map_err(Failure::usage)?;
    let Some(path) = cache_path else {
        log::debug!("no cache configured: every run updates");
        return Ok(DiffOutcome::Differs(Box::new(state)));
    };
    state.extra.insert(DIFFERS_KEY.into(), true.into());
    if force {
        log::debug!("--force: removing cache file {}", path.display());
        cache::remove(path).map_err(Failure::usage)?;
        return Ok(DiffOutcome::Differs(Box::new(state)));
    }
    match cache::read(path) {
        Cached::Found(cached) if cached.same_registration(&state) => {
            log::info!(
                "not updating {}: addresses unchanged since the last update (cache file {})",
                state.hostname,
                path.display()
            );
            Ok(DiffOutcome::Same)
        }
        Cached::Found(_) => {
            log::debug!(
                "{} changed since cache file {} was written",
                state.hostname,
                path.display()
            );
            Ok(DiffOutcome::Differs(Box::new(state)))
        }
        Cached::Missing => {
            log::debug!("no cache file {}: updating", path.display());
            Ok(DiffOutcome::Differs(Box::new(state)))
        }
        Cached::Unusable(e) => {
            log::warn!("{}; updating anyway", crate::cli::chain(&e));
            Ok(DiffOutcome::Differs(Box::new(state)))
        }
    }
}

/// How long a stage's network work may take in all, in units of the
/// per-server timeout: the SOA lookup gets two, an update three (every
/// address of the primary shares them).
pub const LOOKUP_BOUND: u32 = 2;
/// See [`LOOKUP_BOUND`].
pub const SEND_BOUND: u32 = 3;

/// `dyndns-soa NAME` by hand: the primary server's name.
pub fn soa_of_name(name: &str, timeout: Duration) -> Result<Name, Failure> {
    let name = parse_name(name).map_err(|p| Failure::usage(format!("{name}: {p}")))?;
    find_zone_blocking(&name, timeout).map(|z| z.primary)
}

/// `dyndns-soa` in a pipeline: adds `zone` and `server` to the state.
pub fn soa(mut state: State, timeout: Duration) -> Result<State, Failure> {
    let found = find_zone_blocking(&state.hostname, timeout)?;
    state.zone = Some(found.zone);
    state.server = Some(found.primary.to_ascii());
    Ok(state)
}

/// The zone of `name`, on a runtime and a system resolver of its own.
fn find_zone_blocking(name: &Name, timeout: Duration) -> Result<zone::ZoneInfo, Failure> {
    crate::cli::runtime()?.block_on(async {
        let resolver = zone::system_resolver(timeout).map_err(Failure::runtime)?;
        bounded_find_zone(&resolver, name, timeout).await
    })
}

/// [`zone::find_zone`] within [`LOOKUP_BOUND`] timeouts.
async fn bounded_find_zone(
    resolver: &hickory_resolver::TokioResolver,
    name: &Name,
    timeout: Duration,
) -> Result<zone::ZoneInfo, Failure> {
    let bound = timeout * LOOKUP_BOUND;
    match tokio::time::timeout(bound, zone::find_zone(resolver, name)).await {
        Ok(found) => found.map_err(Failure::runtime),
        Err(_) => Err(Failure::runtime(format!(
            "no zone found for {name}: the resolvers of /etc/resolv.conf gave no answer within {bound:?}"
        ))),
    }
}

/// The key `dyndns-diff` adds to a state it found different from the cache.
/// `dyndns-send` then re-reads the cache under its lock, and sends nothing if
/// a concurrent run registered the same state meanwhile.
pub const DIFFERS_KEY: &str = "differs_from_cache";

/// `dyndns-send`'s options.
#[derive(Clone, Debug)]
pub struct SendOptions {
    /// The server (name or address), instead of the state's.
    pub server: Option<String>,
    /// The zone, instead of the state's.
    pub zone: Option<Name>,
    /// The DNS port.
    pub port: u16,
    /// The time one server address has to answer, and each DNS lookup.
    pub timeout: Duration,
    /// Print the update in this format instead of sending it.
    pub dry_run: Option<update::DryRunFormat>,
    /// The cache file to rewrite on success.
    pub cache: Option<PathBuf>,
    /// The TSIG key.
    pub key: Option<Key>,
}

/// Why an update failed at every server.
#[derive(Debug, thiserror::Error)]
#[error("update of {name} in zone {zone} failed at every address of {server}: {}", attempts.iter().map(|(a, e)| format!("{a}: {e}")).collect::<Vec<_>>().join("; "))]
pub struct SendError {
    /// The host name.
    pub name: Name,
    /// The zone.
    pub zone: Name,
    /// The server.
    pub server: String,
    /// Each address tried, and what happened there.
    pub attempts: Vec<(SocketAddr, ServerError)>,
}

/// `dyndns-send`: sends the update to each address of the primary in turn
/// until one accepts it, then rewrites the cache. Returns the result line.
///
/// With a cache, the update runs under the cache's lock: runs from cron and
/// from a DHCP hook at the same moment take turns, and the second finds the
/// first's fresh cache and sends nothing.
pub fn send(mut state: State, opts: &SendOptions) -> Result<String, Failure> {
    if let Some(zone) = &opts.zone {
        state.zone = Some(zone.clone());
    }
    if let Some(server) = &opts.server {
        state.server = Some(server.clone());
    }
    crate::cli::runtime()?.block_on(send_state(state, opts))
}

async fn send_state(mut state: State, opts: &SendOptions) -> Result<String, Failure> {
    let deadline = Instant::now() + opts.timeout * (LOOKUP_BOUND + SEND_BOUND);
    let (zone, server, resolver) = match (state.zone.take(), state.server.take()) {
        (Some(zone), Some(server)) => (zone, server, None),
        // A state straight from dyndns-addrs or dyndns-diff: find the zone here.
        (given_zone, given_server) => {
            let r = zone::system_resolver(opts.timeout).map_err(Failure::runtime)?;
            let found = bounded_find_zone(&r, &state.hostname, opts.timeout).await?;
            let server = given_server.unwrap_or_else(|| found.primary.to_ascii());
            (given_zone.unwrap_or(found.zone), server, Some(r))
        }
    };
    let update = Update {
        state: &state,
        zone: &zone,
        key: opts.key.as_ref(),
    };
    if let Some(format) = opts.dry_run {
        let (host, port) = match parse_server_literal(&server, opts.port) {
            Some(addr) => (addr.ip().to_string(), addr.port()),
            None => (server.clone(), opts.port),
        };
        return Ok(update::describe(&update, &host, port, format)
            .trim_end()
            .to_owned());
    }
    let (request, wire, signed) = update::encode(&update).map_err(Failure::usage)?;
    log::debug!("the update message is {} octets", wire.len());

    let _lock = match &opts.cache {
        Some(path) => {
            match lock_and_recheck(path, &state, opts.timeout * (LOOKUP_BOUND + SEND_BOUND))? {
                Turn::Send(lock) => lock,
                Turn::Done(line) => return Ok(line),
            }
        }
        None => None,
    };
    log::info!(
        "updating {} to [{}]",
        state.hostname,
        joined(&state.addresses, ", ")
    );
    let tsig = opts.key.as_ref().map_or("off".into(), |k| {
        format!("on, key {} ({})", k.name, k.algorithm)
    });
    log::debug!("TSIG {tsig}");

    let mut attempts = Vec::new();
    for addr in server_addresses(&server, opts, resolver).await? {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            attempts.push((addr, ServerError::Timeout(Duration::ZERO)));
            continue;
        }
        log::debug!("sending the update to {server} at {addr}");
        let key = opts.key.as_ref().zip(signed.as_ref());
        match update::exchange(addr, &request, &wire, key, opts.timeout.min(left)).await {
            Ok(()) => return registered(&state, &zone, &server, addr, opts),
            Err(e) => {
                log::debug!("{addr}: {e}");
                attempts.push((addr, e));
            }
        }
    }
    Err(Failure::runtime(SendError {
        name: state.hostname.clone(),
        zone,
        server,
        attempts,
    }))
}

/// What the lock decided: send (holding it, if it could be taken), or not.
enum Turn {
    /// Go on and send; the lock is released when this is dropped.
    Send(Option<std::fs::File>),
    /// A concurrent run registered this state meanwhile: the result line.
    Done(String),
}

/// Takes the cache's lock within `wait`, then, for a state `dyndns-diff`
/// found changed, reads the cache again: equal now means another run has
/// just registered it.
fn lock_and_recheck(
    path: &std::path::Path,
    state: &State,
    wait: Duration,
) -> Result<Turn, Failure> {
    let lock = match cache::lock(path, wait) {
        Ok(lock) => Some(lock),
        // A lock that cannot be had in time means a stuck run: stop.
        Err(e @ cache::CacheError::LockHeld { .. }) => return Err(Failure::runtime(e)),
        // One that cannot be made (a read-only directory): go on unlocked;
        // the cache write will say what is wrong.
        Err(e) => {
            log::warn!("{}; updating without it", crate::cli::chain(&e));
            None
        }
    };
    if state.extra.contains_key(DIFFERS_KEY)
        && let Cached::Found(now) = cache::read(path)
        && now.same_registration(state)
    {
        log::info!(
            "not updating {}: another run registered these addresses meanwhile (cache file {})",
            state.hostname,
            path.display()
        );
        return Ok(Turn::Done(format!(
            "unchanged {}: registered meanwhile by another run",
            state.hostname
        )));
    }
    Ok(Turn::Send(lock))
}

/// The addresses to send to: the server's own when it is an address, else
/// every address of its name, IPv6 first, within [`LOOKUP_BOUND`] timeouts.
async fn server_addresses(
    server: &str,
    opts: &SendOptions,
    resolver: Option<hickory_resolver::TokioResolver>,
) -> Result<Vec<SocketAddr>, Failure> {
    if let Some(addr) = parse_server_literal(server, opts.port) {
        return Ok(vec![addr]);
    }
    let name = parse_name(server).map_err(|p| Failure::usage(format!("server: {p}")))?;
    let resolver = match resolver {
        Some(r) => r,
        None => zone::system_resolver(opts.timeout).map_err(Failure::runtime)?,
    };
    let bound = opts.timeout * LOOKUP_BOUND;
    let found = tokio::time::timeout(bound, zone::server_addresses(&resolver, &name))
        .await
        .map_err(|_| {
            Failure::runtime(format!(
                "cannot find the addresses of {name}: no answer within {bound:?}"
            ))
        })?;
    Ok(found
        .map_err(|e: ZoneError| Failure::runtime(e))?
        .into_iter()
        .map(|ip| SocketAddr::new(ip, opts.port))
        .collect())
}

/// After the server accepted the update: rewrite the cache, and say so.
fn registered(
    state: &State,
    zone: &Name,
    server: &str,
    addr: SocketAddr,
    opts: &SendOptions,
) -> Result<String, Failure> {
    if let Some(path) = &opts.cache {
        cache::write(path, state).map_err(|e| {
            Failure::runtime(format!(
                "{} was updated at {addr}, but {}; the next run will update again",
                state.hostname,
                crate::cli::chain(&e)
            ))
        })?;
        log::debug!("wrote cache file {}", path.display());
    }
    let at = if parse_server_literal(server, opts.port).is_some() {
        addr.to_string()
    } else {
        format!("{server} ({addr})")
    };
    let addresses = if state.addresses.is_empty() {
        "no addresses".to_owned()
    } else {
        joined(&state.addresses, " ")
    };
    Ok(format!(
        "updated {} in zone {zone} at {at}: {addresses}",
        state.hostname
    ))
}

/// The addresses as text, joined by `sep`.
fn joined(addresses: &[std::net::Ipv6Addr], sep: &str) -> String {
    addresses
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}

/// A server given as an address: `ADDR`, `[ADDR]:PORT` or `V4ADDR:PORT`.
fn parse_server_literal(server: &str, port: u16) -> Option<SocketAddr> {
    server
        .parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, port))
        .or_else(|_| server.parse::<SocketAddr>())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_literals() {
        assert_eq!(
            parse_server_literal("::1", 53),
            Some("[::1]:53".parse().unwrap())
        );
        assert_eq!(
            parse_server_literal("[::1]:5353", 53),
            Some("[::1]:5353".parse().unwrap())
        );
        assert_eq!(
            parse_server_literal("127.0.0.1:54", 53),
            Some("127.0.0.1:54".parse().unwrap())
        );
        assert_eq!(parse_server_literal("ns1.example.test.", 53), None);
    }

    #[test]
    fn diff_without_cache_differs_and_empty_is_nothing() {
        assert_eq!(diff(None, None, false).unwrap(), DiffOutcome::Empty);
        let doc = r#"{"hostname":"h.example.","ttl":1,"addresses":[]}"#;
        assert!(matches!(
            diff(Some(doc), None, false).unwrap(),
            DiffOutcome::Differs(_)
        ));
        assert_eq!(
            diff(Some("{"), None, false).unwrap_err().status,
            exit::USAGE
        );
    }

    #[test]
    fn diff_compares_with_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache");
        let doc =
            r#"{"hostname":"h.example.","ttl":1,"addresses":["2001:db8::1"],"zone":"example."}"#;
        let state = State::parse(doc, "t").unwrap();
        cache::write(&path, &state).unwrap();
        assert_eq!(
            diff(Some(doc), Some(&path), false).unwrap(),
            DiffOutcome::Same
        );
        let upper = r#"{"hostname":"H.EXAMPLE.","ttl":1,"addresses":["2001:db8::1"]}"#;
        assert_eq!(
            diff(Some(upper), Some(&path), false).unwrap(),
            DiffOutcome::Same
        );
        let ttl = r#"{"hostname":"h.example.","ttl":2,"addresses":["2001:db8::1"]}"#;
        assert!(matches!(
            diff(Some(ttl), Some(&path), false).unwrap(),
            DiffOutcome::Differs(_)
        ));
        assert!(matches!(
            diff(Some(doc), Some(&path), true).unwrap(),
            DiffOutcome::Differs(_)
        ));
        assert!(!path.exists(), "--force removes the cache");
    }
}
