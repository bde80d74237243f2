//! `dyndns-diff`: passes the state on only when it differs from the last
//! registration: the cache's (no network), or the records the zone's
//! primary serves (`--live`). It says why it differs, in `-v` output and in
//! the state's `differs_because`.

use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use hickory_proto::rr::RecordType;

use super::owner::Holding;
use crate::dns::live;
use crate::dns::sshfp::Sshfp;
use crate::stage::exit;
use crate::state::State;
use crate::state::cache::{self, Cached};
use crate::state::observed::Observed;

use super::{CommonError, DiffError};
use crate::util::describe::chain;

/// The key `dyndns-diff` adds to a state it found different from the cache:
/// the cache's `confirmed` time it compared with (seconds), or `true` when
/// there was no usable cache. `dyndns-send` then re-reads the cache under
/// its lock, and sends nothing if a concurrent run registered the same
/// state meanwhile (the cache now holds it, confirmed at another time).
pub const DIFFERS_KEY: &str = "differs_from_cache";

/// The key that says why the state differs: a list of sentences.
pub const BECAUSE_KEY: &str = "differs_because";

/// The key by which `dyndns-addrs` tells the wrapper that the config asks
/// for the live comparison (`"compare": "live"`), which needs the zone's
/// primary, so `dyndns-soa` comes first.
pub const COMPARE_KEY: &str = "compare";

/// `dyndns-diff`'s options.
#[derive(Clone, Debug, Default)]
pub struct DiffOptions {
    /// The cache file; `None`: every state differs (unless `live`).
    pub cache: Option<PathBuf>,
    /// Remove the cache first, so a forced update that fails stays forced.
    pub force: bool,
    /// A registration confirmed longer ago than this counts as differing.
    pub refresh: Option<Duration>,
    /// A cache written during another boot counts as differing.
    pub reboot_updates: bool,
    /// Compare with the records the primary serves instead of the cache.
    pub live: bool,
    /// How the primary is reached: its port, and DNS over TLS.
    pub reach: crate::dns::reach::Reach,
    /// The TLS client, over TLS (the program makes it from `reach`).
    pub tls: Option<std::sync::Arc<dyn crate::dns::transport::Secure>>,
    /// The time each lookup and each address of the primary may take.
    pub timeout: Duration,
    /// Add the compare-and-swap prerequisite (`"guard": true`).
    pub guard: bool,
    /// The config asks for a lease (`"lease"`): it is renewed at 80 % of
    /// its length and 0 to 5 % more (RFC 9664 §4.2).
    pub lease: bool,
}

/// The outcome of `dyndns-diff`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffOutcome {
    /// Nothing on stdin: nothing to do.
    Empty,
    /// The state equals the last registration.
    Same,
    /// The state differs (or there is nothing to compare with): pass it on.
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

/// `dyndns-diff`: compares the state on stdin with the last registration.
pub fn diff(input: Option<&str>, opts: &DiffOptions) -> Result<DiffOutcome, DiffError> {
    let Some(input) = input else {
        return Ok(DiffOutcome::Empty);
    };
    let state = State::parse(input, "standard input").map_err(CommonError::from)?;
    diff_state(state, opts)
}

/// [`diff`], of a state already read: `dyndns-addrs --diff`'s, which
/// need not go through its JSON text and back.
pub fn diff_state(mut state: State, opts: &DiffOptions) -> Result<DiffOutcome, DiffError> {
    let live = opts.live || state.extra.get(COMPARE_KEY).and_then(|v| v.as_str()) == Some("live");
    // The cache, read once: for the comparison, the guard, and the PTR
    // records of addresses gone (which only the cache remembers).
    let cached = match &opts.cache {
        Some(path) if opts.force => {
            log::debug!("--force: removing cache file {}", path.display());
            cache::remove(path).map_err(DiffError::CacheRemove)?;
            None
        }
        Some(path) if !live || opts.guard || opts.lease || state.ptr.is_some() => {
            Some((path.as_path(), cache::read(path)))
        }
        _ => None,
    };
    let via = live::Via {
        port: opts.reach.port,
        timeout: opts.timeout,
        tls: opts.tls.as_deref(),
    };
    let (mut because, renew) = if opts.force {
        (vec!["forced (-f)".to_owned()], true)
    } else if live {
        let mut because = live_differences(&state, &via)?;
        // The servers serve the records, but a lease still runs out: the
        // cache says when it was last renewed.
        if because.is_empty()
            && let Some((_, Cached::Found(record))) = &cached
        {
            because.extend(lease_due(opts.lease, record));
        }
        (because, false)
    } else {
        cache_differences(&state, opts, cached.as_ref())
    };
    // Marked for dyndns-send's re-check of the cache under its lock (with
    // the confirmation time seen); not when the comparison was live, where
    // the cache says nothing.
    if opts.cache.is_some() && !live {
        let seen = match &cached {
            Some((_, Cached::Found(record))) => record.confirmed_secs(),
            _ => None,
        };
        let mark = seen.map_or(serde_json::Value::Bool(true), Into::into);
        state.extra.insert(DIFFERS_KEY.into(), mark);
    }
    let found = match &cached {
        Some((_, Cached::Found(record))) => Some(&**record),
        _ => None,
    };
    if let Some(ptr) = state.ptr.as_mut() {
        let forward_same = because.is_empty();
        let host = &state.hostname;
        let ptr_because = if live && !opts.force {
            super::ptr::compare_live(ptr, host, found, &via)?
        } else {
            super::ptr::compare_with_cache(ptr, host, found, renew)
        };
        // Only the PTR side is left: dyndns-send sends no forward update.
        state.forward_registered = forward_same && !ptr_because.is_empty();
        because.extend(ptr_because);
    }
    if because.is_empty() {
        if state.ptr.is_some() {
            let against = if live { "the primaries" } else { "the cache" };
            log::info!(
                "not updating {}: its addresses and their PTR records are registered (compared with {against})",
                state.hostname
            );
        }
        return Ok(DiffOutcome::Same);
    }
    log::debug!("{} differs: {}", state.hostname, because.join("; "));
    state.extra.insert(BECAUSE_KEY.into(), because.into());
    if opts.guard {
        let last = match cached {
            Some((_, Cached::Found(record))) => Some(record.state.addresses),
            _ => None,
        };
        guard(&mut state, opts.force, last);
    }
    Ok(DiffOutcome::Differs(Box::new(state)))
}

/// Adds the prerequisite that the name holds what this host last
/// registered (`last`, the cache's AAAA set; none on a first
/// registration). `-f` overrides it, once.
fn guard(state: &mut State, force: bool, last: Option<Vec<Ipv6Addr>>) {
    if force {
        log::warn!(
            "-f: the guard is overridden once; {} is updated whatever it holds",
            state.hostname
        );
        return;
    }
    let guard = crate::dns::update::Guard {
        aaaa: last.unwrap_or_default(),
    };
    if let Ok(value) = serde_json::to_value(&guard) {
        state.extra.insert(super::GUARD_KEY.into(), value);
    }
}

/// Why `state` differs from the cache (its path and what reading it
/// found), empty when it does not; and whether everything is to be sent
/// again (no cache, another boot, a refresh due), the PTR records too.
fn cache_differences(
    state: &State,
    opts: &DiffOptions,
    cached: Option<&(&Path, Cached)>,
) -> (Vec<String>, bool) {
    let Some((path, cached)) = cached else {
        log::debug!("no cache configured: every run updates");
        return (vec!["no cache configured".into()], true);
    };
    let record = match cached {
        Cached::Found(record) => record,
        Cached::Missing => return (vec![format!("no cache file {}", path.display())], true),
        Cached::Unusable(e) => {
            log::warn!("{}; updating anyway", chain(e));
            return (vec![format!("the cache is unusable: {}", chain(e))], true);
        }
    };
    // PyDynDNS's cache says no TTL: the config's is taken as unchanged.
    let ttl = if record.ttl_known {
        record.state.ttl_secs
    } else {
        state.ttl_secs
    };
    let mut because = differences(&record.state, ttl, state);
    if !because.is_empty() {
        return (because, false);
    }
    let now_boot = state
        .observed
        .as_ref()
        .map(|o| o.boot_id.clone())
        .or_else(|| Observed::now().map(|o| o.boot_id));
    let cache_boot = record.state.observed.as_ref().map(|o| &o.boot_id);
    if opts.reboot_updates
        && let (Some(then), Some(now)) = (cache_boot, &now_boot)
        && then != now
    {
        because.push(format!(
            "cache file {} was written during another boot",
            path.display()
        ));
    } else if let (Some(refresh), Some(confirmed)) = (opts.refresh, record.confirmed) {
        let age = SystemTime::now()
            .duration_since(confirmed)
            .unwrap_or_default();
        if age >= refresh {
            because.push(format!(
                "refresh due: last confirmed {} ago (refresh {})",
                span(age),
                span(refresh)
            ));
        }
    }
    if because.is_empty() {
        because.extend(lease_due(opts.lease, record));
    }
    // With "ptr", said once the PTR side is compared too.
    if because.is_empty() && state.ptr.is_none() {
        log::info!(
            "not updating {}: addresses unchanged since the last update (cache file {})",
            state.hostname,
            path.display()
        );
    }
    let renew = !because.is_empty();
    (because, renew)
}

/// Why the lease calls for an update: none recorded though the config asks
/// for one, a marker left though it no longer does, or its renewal due at
/// 80 % of its length plus 0 to 5 % drawn per run (RFC 9664 §4.2), so
/// that a fleet's renewals spread.
fn lease_due(asked: bool, record: &cache::Record) -> Option<String> {
    let lease = record.state.lease.as_ref();
    match lease {
        None if asked => return Some("a lease to ask for (\"lease\")".into()),
        Some(l) if !asked && l.marker.is_some() => {
            return Some("the lease marker to delete (\"lease\" is off)".into());
        }
        _ => {}
    }
    let lease = lease.filter(|_| asked)?;
    let jitter = f64::from(getrandom::u32().unwrap_or(0)) / f64::from(u32::MAX) * 0.05;
    let renew = Duration::from_secs_f64(f64::from(lease.secs) * (0.80 + jitter));
    let age = SystemTime::now()
        .duration_since(record.confirmed?)
        .unwrap_or_default();
    (age >= renew).then(|| {
        format!(
            "lease renewal due: last confirmed {} ago (lease {})",
            span(age),
            span(Duration::from_secs(u64::from(lease.secs)))
        )
    })
}

/// Why `state` differs from what the primary serves; empty when it does not.
fn live_differences(state: &State, via: &live::Via<'_>) -> Result<Vec<String>, DiffError> {
    let primary = state.server.as_deref().ok_or(DiffError::NoPrimary)?;
    // The primary, or with "servers" the first after it that answers.
    let (server, _, at, served) = live::ask_in_order(
        &state.servers_in_order(),
        via,
        &state.hostname,
        RecordType::AAAA,
    )?;
    let server = server.as_str();
    let role = if server == primary {
        "the primary"
    } else {
        "the server"
    };
    // What the primary serves, as a registration: the AAAA set and, with
    // IPv4 on, the A set, asked at the address that answered.
    let mut there = State::new(state.hostname.clone(), 0, served.ipv6());
    let mut ttl = served.ttl;
    if state.ipv4.is_some() {
        let (_, a) = live::ask_any(server, &[at], &state.hostname, RecordType::A, via)?;
        ttl = ttl.or(a.ttl);
        there.ipv4 = Some(a.ipv4());
    }
    // With "sshfp": ours are all served (one query more). Others' SSHFP
    // records at the name are no difference: "replace": "aaaa" keeps them.
    if let Some(ours) = &state.sshfp {
        let (_, served) = live::ask_any(server, &[at], &state.hostname, RecordType::SSHFP, via)?;
        let served: Vec<Sshfp> = served.rdata.iter().filter_map(Sshfp::from_rdata).collect();
        let all_served = ours.iter().all(|r| served.contains(r));
        there.sshfp = Some(if all_served { ours.clone() } else { served });
    }
    // With an owner: whose the name is there (one query more).
    there.dhcid = state.dhcid.clone();
    let mut found = differences(&there, ttl.unwrap_or(state.ttl_secs), state);
    if let Some(dhcid) = &state.dhcid {
        match super::owner::ask(server, at, &state.hostname, dhcid, via) {
            Ok(Holding::Ours) => {}
            Ok(Holding::Other) => found.push(
                "another client holds the name (its DHCID is not this host's): dyndns-send will not change it".into(),
            ),
            Ok(Holding::Nobody) if served.exists => found.push(
                "no client owns the name's records (no DHCID): dyndns-send will not change them".into(),
            ),
            Ok(Holding::Nobody) => found.push("the owner's DHCID to register".into()),
            Err(e) => found.push(format!("its DHCID could not be read ({e})")),
        }
    }
    let because: Vec<String> = found
        .into_iter()
        .map(|d| format!("at {role} {server} ({at}): {d}"))
        .collect();
    if because.is_empty() && state.ptr.is_none() {
        log::info!(
            "not updating {}: {role} {server} ({at}) serves these addresses",
            state.hostname
        );
    }
    Ok(because)
}

/// How `state` differs from the registration `before` (with the TTL
/// `ttl`): the name, the addresses of both families added and removed, the
/// TTL when either side has records.
fn differences(before: &State, ttl: u32, state: &State) -> Vec<String> {
    let mut because = Vec::new();
    if !before
        .hostname
        .to_ascii()
        .eq_ignore_ascii_case(&state.hostname.to_ascii())
    {
        because.push(format!(
            "host name {} → {}",
            before.hostname, state.hostname
        ));
    }
    let (v4_before, v4_now) = (before.ipv4_or_none(), state.ipv4_or_none());
    let mut added = only_in(v4_now, v4_before);
    added.extend(only_in(&state.addresses, &before.addresses));
    let mut removed = only_in(v4_before, v4_now);
    removed.extend(only_in(&before.addresses, &state.addresses));
    if !added.is_empty() {
        because.push(format!("added {}", added.join(" ")));
    }
    if !removed.is_empty() {
        because.push(format!("removed {}", removed.join(" ")));
    }
    let no_records = |s: &State| s.addresses.is_empty() && s.ipv4_or_none().is_empty();
    if ttl != state.ttl_secs && !(no_records(before) && no_records(state)) {
        because.push(format!("TTL {ttl} → {}", state.ttl_secs));
    }
    match (&before.dhcid, &state.dhcid) {
        (Some(a), Some(b)) if a != b => {
            because.push("the owner's DHCID changed (another client_id)".into())
        }
        (None, Some(_)) => because.push("the owner's DHCID to register (\"ownership\")".into()),
        _ => {}
    }
    because.extend(sshfp_difference(before, state));
    because
}

/// How the SSHFP set differs (RFC 4255): a key added, rotated or gone, or
/// the set to delete now that `"sshfp"` is off.
fn sshfp_difference(before: &State, state: &State) -> Option<String> {
    let (was, now) = (before.sshfp_or_none(), state.sshfp_or_none());
    if was == now {
        return None;
    }
    if state.sshfp.is_none() {
        return Some("SSHFP records to delete (\"sshfp\" is off)".into());
    }
    let added = now.iter().filter(|r| !was.contains(r)).count();
    let removed = was.iter().filter(|r| !now.contains(r)).count();
    Some(format!(
        "SSHFP changed: {added} record(s) added, {removed} removed"
    ))
}

/// The items of `a` that `b` lacks, as text.
fn only_in<T: PartialEq + std::fmt::Display>(a: &[T], b: &[T]) -> Vec<String> {
    a.iter()
        .filter(|x| !b.contains(x))
        .map(ToString::to_string)
        .collect()
}

/// A duration as people read it: `1d 2h`, `5h 3m`, `42s`.
fn span(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 86_400, s / 3600 % 24, s / 60 % 60) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}m {}s", s % 60),
        (0, h, m) => format!("{h}h {m}m"),
        (days, h, _) => format!("{days}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stage::ExitStatus;

    fn cached(path: &Path) -> DiffOptions {
        DiffOptions {
            cache: Some(path.to_owned()),
            refresh: Some(Duration::from_secs(86_400)),
            reboot_updates: true,
            ..DiffOptions::default()
        }
    }

    fn because(outcome: DiffOutcome) -> Vec<String> {
        let DiffOutcome::Differs(state) = outcome else {
            panic!("{outcome:?} is not Differs");
        };
        serde_json::from_value(state.extra[BECAUSE_KEY].clone()).unwrap()
    }

    #[test]
    fn diff_without_cache_differs_and_empty_is_nothing() {
        let none = DiffOptions::default();
        assert_eq!(diff(None, &none).unwrap(), DiffOutcome::Empty);
        let doc = r#"{"hostname":"h.example.","ttl":1,"addresses":[]}"#;
        assert_eq!(
            because(diff(Some(doc), &none).unwrap()),
            ["no cache configured"]
        );
        assert_eq!(
            diff(Some("{"), &none).unwrap_err().exit_status(),
            exit::DIFF_TROUBLE
        );
    }

    #[test]
    fn diff_compares_with_the_cache_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache");
        let opts = cached(&path);
        let doc =
            r#"{"hostname":"h.example.","ttl":1,"addresses":["2001:db8::1"],"zone":"example."}"#;
        assert_eq!(
            because(diff(Some(doc), &opts).unwrap()),
            [format!("no cache file {}", path.display())]
        );
        let state = State::parse(doc, "t").unwrap();
        cache::write(&path, &state, None).unwrap();
        assert_eq!(diff(Some(doc), &opts).unwrap(), DiffOutcome::Same);
        let upper = r#"{"hostname":"H.EXAMPLE.","ttl":1,"addresses":["2001:db8::1"]}"#;
        assert_eq!(diff(Some(upper), &opts).unwrap(), DiffOutcome::Same);
        let changed = r#"{"hostname":"h.example.","ttl":2,"addresses":["2001:db8::2"]}"#;
        assert_eq!(
            because(diff(Some(changed), &opts).unwrap()),
            ["added 2001:db8::2", "removed 2001:db8::1", "TTL 1 → 2"]
        );
        let forced = DiffOptions {
            force: true,
            ..opts.clone()
        };
        assert_eq!(because(diff(Some(doc), &forced).unwrap()), ["forced (-f)"]);
        assert!(!path.exists(), "--force removes the cache");
    }

    #[test]
    fn an_old_or_foreign_cache_differs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache");
        let opts = cached(&path);
        let doc = r#"{"hostname":"h.example.","ttl":1,"addresses":["2001:db8::1"]}"#;
        // Confirmed two days ago.
        std::fs::write(
            &path,
            r#"{"hostname":"h.example.","ttl":1,"addresses":["2001:db8::1"],"confirmed":1}"#,
        )
        .unwrap();
        let old = because(diff(Some(doc), &opts).unwrap());
        assert!(
            old[0].starts_with("refresh due: last confirmed "),
            "{old:?}"
        );
        let never = DiffOptions {
            refresh: None,
            ..opts.clone()
        };
        assert_eq!(diff(Some(doc), &never).unwrap(), DiffOutcome::Same);
        // Written during another boot.
        std::fs::write(&path, r#"{"hostname":"h.example.","ttl":1,"addresses":["2001:db8::1"],"observed":{"boot_id":"00000000-0000-0000-0000-000000000000","monotonic_ns":1}}"#).unwrap();
        assert_eq!(
            because(diff(Some(doc), &opts).unwrap()),
            [format!(
                "cache file {} was written during another boot",
                path.display()
            )]
        );
        let trusting = DiffOptions {
            reboot_updates: false,
            ..opts.clone()
        };
        assert_eq!(diff(Some(doc), &trusting).unwrap(), DiffOutcome::Same);
        // Today's format before these keys, just written: the same.
        std::fs::write(
            &path,
            r#"{"hostname":"h.example.","ttl":1,"addresses":["2001:db8::1"]}"#,
        )
        .unwrap();
        assert_eq!(diff(Some(doc), &opts).unwrap(), DiffOutcome::Same);
    }

    #[test]
    fn spans_read_as_people_say_them() {
        assert_eq!(span(Duration::from_secs(42)), "42s");
        assert_eq!(span(Duration::from_secs(125)), "2m 5s");
        assert_eq!(span(Duration::from_secs(3 * 3600 + 120)), "3h 2m");
        assert_eq!(span(Duration::from_secs(2 * 86_400 + 3600)), "2d 1h");
    }
}
