//! `dyndns-send`: sends the update to each address of the primary in turn
//! until one accepts it, then rewrites the cache.
//!
//! Two steps, so that the only blocking wait, for the cache's lock, happens
//! before any async runtime exists: [`send_prepare`] takes the lock and
//! re-checks the cache; [`Sending::send`] (async) finds the zone if need be,
//! sends, and writes the cache.

use std::fs::File;
use std::net::SocketAddr;
use std::time::Instant;

use crate::config::Empty;
use std::time::{Duration, SystemTime};

use crate::dns::lease;
use crate::dns::sshfp::Sshfp;
use crate::dns::update::{
    self, DryRunFormat, Granted, LeaseRequest, Owner, ServerError, Step, Update,
};
use crate::host::addrs::{LeftOutByInterface, explain_left_out};
use crate::state::cache::{self, Cached};
use crate::state::{Lease, State};

use super::deliver::{Lookups, Signing, mname, send_signed, show_server, shown_at};
use super::failover::{self, Ended};
use super::owner::Outcome;
use super::send_options::SendOptions;
use super::soa::bounded_find_zone;
use super::{CacheNotWritten, DIFFERS_KEY, LEFT_OUT_KEY, PtrUnsent, SendError, Unsent};

/// What [`send_prepare`] decided.
#[derive(Debug)]
pub enum Prepared {
    /// Nothing to send; the result line.
    Done(String),
    /// Send, holding the lock.
    Go(Box<Sending>),
}

/// An update ready to send, holding the cache's lock (released when this
/// is dropped).
#[derive(Debug)]
pub struct Sending {
    state: State,
    opts: SendOptions,
    lock: Option<File>,
    /// What the cache says the last registration left (read once, under
    /// the lock).
    previous: Previous,
}

/// What the last registration left at the name, as the cache records it:
/// what the next update deletes by value rather than by type.
#[derive(Debug, Default)]
struct Previous {
    /// The lease, and its marker.
    lease: Option<Lease>,
    /// The SSHFP records this host published.
    sshfp: Vec<Sshfp>,
}

impl Previous {
    fn of(record: cache::Record) -> Self {
        Self {
            lease: record.state.lease,
            sshfp: record.state.sshfp.unwrap_or_default(),
        }
    }
}

/// Takes the lock (beside the cache, or in the runtime directory without
/// one; not for a dry run), so that runs from cron and from a DHCP hook at
/// the same moment take turns; then, under it, drops what another run made
/// pointless: a state `dyndns-diff` found changed that the cache now holds
/// (another run has just registered it), and a state observed before the
/// one last registered (an older address set must not overwrite a newer).
pub fn send_prepare(mut state: State, opts: SendOptions) -> Result<Prepared, SendError> {
    if let Some(zone) = &opts.zone {
        state.zone = Some(zone.clone());
    }
    if let Some(server) = &opts.server {
        state.server = Some(server.clone());
    }
    if state.addresses.is_empty() && state.ipv4_or_none().is_empty() && opts.empty == Empty::Keep {
        log::info!(
            "not updating {}: no address to register, and \"empty\": \"keep\" keeps the records",
            state.hostname
        );
        return Ok(Prepared::Done(format!(
            "unchanged {}: no address to register (\"empty\": \"keep\")",
            state.hostname
        )));
    }
    let (lock, previous) = match opts.dry_run {
        Some(_) => (None, previous(&opts)),
        None => match lock_and_recheck(&state, &opts)? {
            Turn::Send(lock, previous) => (lock, previous),
            Turn::Done(line) => return Ok(Prepared::Done(line)),
        },
    };
    Ok(Prepared::Go(Box::new(Sending {
        state,
        opts,
        lock,
        previous,
    })))
}

/// What the lock decided: send (holding it, if it could be taken), or not.
enum Turn {
    /// Go on and send; the lock is released when this is dropped. With
    /// what the cache says the last registration left.
    Send(Option<File>, Previous),
    /// Another run made this one pointless: the result line.
    Done(String),
}

/// Takes the lock within the run's bound, then re-checks (see
/// [`send_prepare`]).
fn lock_and_recheck(state: &State, opts: &SendOptions) -> Result<Turn, SendError> {
    let Some(base) = opts.cache.clone().or_else(cache::runtime_lock_base) else {
        log::debug!("no cache and no runtime directory: updating without a lock");
        return Ok(Turn::Send(None, Previous::default()));
    };
    // Fail closed: a lock that cannot be had in time means a stuck run,
    // and one that cannot be opened (a symlink, a FIFO or a hard link
    // planted at its path, a directory this user cannot write) may be
    // someone's way to make two runs race. Either way, send nothing. The
    // one exception: a read-only file system without a lock file, where
    // no run can lock (or write the cache), and nothing was planted.
    let lock = cache::lock(&base, opts.lock_bound(state)).map_err(SendError::Lock)?;
    if lock.is_none() {
        log::warn!(
            "cannot lock {}.lock: the file system is read-only and holds no lock file, so no run can take one; updating without it",
            base.display()
        );
    }
    let mut previous = Previous::default();
    let last = match &opts.cache {
        Some(path) => match cache::read(path) {
            Cached::Found(now) if registered_meanwhile(state, &now) => {
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
            Cached::Found(now) => {
                let observed = now.state.observed.clone();
                previous = Previous::of(*now);
                observed
            }
            _ => None,
        },
        None => lock.as_ref().and_then(cache::read_stamp),
    };
    if let (Some(mine), Some(last)) = (&state.observed, &last)
        && mine.is_before(last)
    {
        log::debug!(
            "not updating {}: these addresses were read before those another run registered; dropping this older state",
            state.hostname
        );
        return Ok(Turn::Done(format!(
            "unchanged {}: older than the addresses another run registered meanwhile",
            state.hostname
        )));
    }
    Ok(Turn::Send(lock, previous))
}

/// Whether the cache, read again under the lock, shows that another run
/// registered `state` after `dyndns-diff` compared it: it now holds the
/// same registration, confirmed at another time than the one seen.
fn registered_meanwhile(state: &State, now: &cache::Record) -> bool {
    let Some(seen) = state.extra.get(DIFFERS_KEY) else {
        return false;
    };
    let ptr_covered = match (&state.ptr, &now.state.ptr) {
        (None, _) => true,
        (Some(mine), Some(theirs)) => mine.covered_by(&state.hostname, theirs, &now.state.hostname),
        (Some(mine), None) => !mine.pending(),
    };
    now.state.same_registration(state)
        && ptr_covered
        && match seen.as_u64() {
            Some(secs) => now.confirmed_secs() != Some(secs),
            None => true,
        }
}

impl Sending {
    /// Finds the zone and primary when the state lacks them, builds the
    /// update, sends it to each address of the primary in turn until one
    /// accepts it (or prints it, for a dry run); then the PTR side, one
    /// update per reverse zone; then rewrites the cache. Returns the
    /// result lines.
    pub async fn send(self) -> Result<String, SendError> {
        let Self {
            mut state,
            opts,
            lock,
            previous,
        } = self;
        let mut lookups = Lookups::new(opts.timeout);
        let mut lines = Vec::new();
        let mut accepted = None;
        if state.forward_registered {
            // The forward records stand as the cache has them, lease too.
            state.lease = previous.lease;
        } else {
            let (line, addr) = forward(&mut state, &opts, &mut lookups, previous).await?;
            lines.push(line);
            accepted = addr;
        }
        let ptr = super::send_ptr::send_ptr(&mut state, &opts, &mut lookups).await;
        lines.extend(ptr.lines);
        if opts.dry_run.is_some() {
            return Ok(lines.join("\n"));
        }
        write_cache(&state, &opts, lock.as_ref(), accepted)?;
        if !ptr.failures.is_empty() {
            return Err(Box::new(PtrUnsent {
                done: lines,
                failures: ptr.failures,
            })
            .into());
        }
        Ok(lines.join("\n"))
    }
}

/// The forward update: finds the zone when the state has none, sends it
/// (or describes it, for a dry run: then no address), verifies it when
/// asked. The result line, and the address that accepted it.
async fn forward(
    state: &mut State,
    opts: &SendOptions,
    lookups: &mut Lookups,
    previous: Previous,
) -> Result<(String, Option<SocketAddr>), SendError> {
    let deadline = Instant::now() + opts.run_bound();
    let (zone, server) = match (state.zone.take(), state.server.take()) {
        (Some(zone), Some(server)) => (zone, server),
        // A state straight from dyndns-addrs or dyndns-diff: find the zone here.
        (given_zone, given_server) => {
            let found =
                bounded_find_zone(lookups.resolver()?, &state.hostname, opts.timeout).await?;
            // The config's list, first to last, replaces the MNAME.
            let listed = match &opts.servers {
                crate::config::Servers::List(list) => list.first().cloned(),
                _ => None,
            };
            let server = given_server
                .or(listed)
                .unwrap_or_else(|| found.primary.to_ascii());
            (given_zone.unwrap_or(found.zone), server)
        }
    };
    super::ApexName::check(&state.hostname, &zone)?;
    let given = state.failover.take();
    let guard = super::guard::of(state)?;
    let principals = opts.gss_principals(&state.hostname, opts.key.as_ref());
    let dhcid = state.dhcid.clone();
    let steps = super::owner::steps(dhcid.is_some(), opts.take_over);
    if opts.take_over && dhcid.is_none() {
        log::warn!(
            "--take-over does nothing here: the state has no \"dhcid\" (no \"ownership\" in the config), so the update replaces the records whoever holds them"
        );
    }
    // The lease, and its marker where the server ignores leases (or has
    // not been asked yet): the cache says which, and the old marker.
    let marker = opts
        .lease
        .filter(|_| !previous.lease.as_ref().is_some_and(|p| p.granted))
        .map(|l| lease::marker(SystemTime::now() + Duration::from_secs(u64::from(l.secs))));
    let old_marker = previous.lease.as_ref().and_then(|p| p.marker.clone());
    let lease_request = (opts.lease.is_some() || old_marker.is_some()).then(|| LeaseRequest {
        ask: opts.lease.map(|l| (l.secs, l.key_secs)),
        marker: marker.as_deref(),
        old_marker: old_marker.as_deref(),
    });
    let update = |step: Option<Step>| Update {
        state,
        zone: &zone,
        key: opts.key.as_ref(),
        gss: principals.as_deref(),
        tls: opts.tls_config.as_ref(),
        replace: opts.replace,
        guard: guard.as_ref(),
        owner: dhcid
            .as_deref()
            .zip(step)
            .map(|(dhcid, step)| Owner { dhcid, step }),
        lease: lease_request,
        sshfp_before: &previous.sshfp,
    };
    if let Some(format) = opts.dry_run {
        let (host, port) = show_server(&server, opts.port);
        let texts: Vec<String> = steps
            .iter()
            .map(|step| update::describe(&update(*step), &host, port, format))
            .collect();
        // nsupdate runs both steps: the claim fails with YXDOMAIN where the
        // name is in use, and the keep then replaces the records.
        let text = texts.join(match format {
            DryRunFormat::Nsupdate => {
                "; if the name is in use (YXDOMAIN), the records are replaced while its DHCID is this host's (RFC 4703 §5.3.2):\n"
            }
            DryRunFormat::Json => "",
        });
        return Ok((text.trim_end().to_owned(), None));
    }
    if state.addresses.is_empty() && state.ipv4_or_none().is_empty() {
        warn_empty(state);
    }
    log::info!(
        "updating {} to [{}]",
        state.hostname,
        addresses(state).join(", ")
    );
    let tsig = opts.key.as_ref().map_or("off".into(), |k| {
        format!("on, key {} ({})", k.name, k.algorithm)
    });
    log::debug!("TSIG {tsig}");
    let gss_server = match &opts.gss {
        Some(_) if opts.key.is_none() => Some(mname(&server, &zone, lookups, opts).await?),
        _ => None,
    };
    // A prerequisite that failed: somebody else changed or holds the name.
    // Never retried elsewhere, never overwritten.
    let prerequisite = |e: &ServerError| {
        (guard.is_some() || dhcid.is_some())
            && matches!(e, ServerError::Refused(r) if r.is_prerequisite())
    };
    let first = server.clone();
    let next = async |lookups: &mut Lookups| {
        failover::after(&first, &zone, given.as_deref(), opts, lookups).await
    };
    let ended = failover::each_server(server, next, opts, lookups, deadline, |at, targets| {
        super::owner::run(&state.hostname, &steps, targets, |step, targets| {
            let (request, wire, signed) = update::encode(&update(step))?;
            log::debug!("the update message is {} octets", wire.len());
            let signing = Signing::of(
                opts,
                gss_server.as_ref(),
                &state.hostname,
                opts.key.as_ref().zip(signed.as_ref()),
            );
            Ok(send_signed(
                at,
                targets,
                &request,
                &wire,
                signing,
                opts,
                deadline,
                prerequisite,
            ))
        })
    })
    .await?;
    let (server, outcome, before) = match ended {
        Ended::At {
            server,
            outcome,
            before,
        } => (server, outcome, before),
        Ended::Everywhere(tries) => {
            return Err(Box::new(Unsent {
                what: state.hostname.to_string(),
                zone,
                tries,
            })
            .into());
        }
    };
    let attempts = match outcome {
        Outcome::Accepted(addr, granted) => {
            hold_lease(state, opts, marker, granted);
            state.server = Some(server.clone());
            return updated(state, &zone, &server, addr, opts);
        }
        Outcome::Failed(attempts) => attempts,
        Outcome::Refused {
            step,
            addr,
            rcode,
            attempts,
        } => {
            if step == Some(Step::Keep)
                && let Some(owned) = dhcid.as_deref().and_then(|d| {
                    super::owner::refused(&state.hostname, d, (&server, addr), &opts.via())
                })
            {
                return Err(owned);
            }
            if guard.is_some() {
                return Err(super::guard::refused(
                    state,
                    (&server, addr),
                    &opts.via(),
                    crate::dns::rcode_name(rcode),
                ));
            }
            attempts
        }
    };
    let tries = failover::tries(before, server, attempts);
    Err(Box::new(Unsent {
        what: state.hostname.to_string(),
        zone,
        tries,
    })
    .into())
}

/// The lease an accepted update holds: what the server granted, or what
/// was asked and the marker written (with records to mark).
fn hold_lease(state: &mut State, opts: &SendOptions, marker: Option<String>, granted: Granted) {
    let written = marker.filter(|_| state.all_addresses().next().is_some());
    state.lease = opts.lease.map(|asked| match granted {
        Some(secs) => Lease {
            secs,
            granted: true,
            marker: written,
        },
        None => Lease {
            secs: asked.secs,
            granted: false,
            marker: written,
        },
    });
    if let Some(secs) = granted {
        log::debug!("the server granted a lease of {secs} s (RFC 9664)");
    }
}

/// What the cache says the last registration left, for a dry run (which
/// takes no lock, so reads the cache only for this).
fn previous(opts: &SendOptions) -> Previous {
    match opts.cache.as_ref().map(|path| cache::read(path)) {
        Some(Cached::Found(record)) => Previous::of(*record),
        _ => Previous::default(),
    }
}

/// The forward update was accepted at `addr`: verified when asked; the
/// result line.
fn updated(
    state: &State,
    zone: &hickory_proto::rr::Name,
    server: &str,
    addr: SocketAddr,
    opts: &SendOptions,
) -> Result<(String, Option<SocketAddr>), SendError> {
    if opts.verify {
        super::verify::verify(state, server, addr, &opts.via())?;
    }
    let all = addresses(state);
    let list = if all.is_empty() {
        "no addresses".to_owned()
    } else {
        all.join(" ")
    };
    let at = shown_at(server, addr, opts.port);
    let line = format!("updated {} in zone {zone} at {at}: {list}", state.hostname);
    Ok((line, Some(addr)))
}

/// The addresses of both families as text, IPv4 first.
fn addresses(state: &State) -> Vec<String> {
    state.all_addresses().map(|a| a.to_string()).collect()
}

/// After the updates: rewrite the cache (or, without one, stamp the lock
/// file) with what is registered now. A run that sent only the PTR side
/// keeps the forward registration's `confirmed` time: its refresh is not
/// put off.
fn write_cache(
    state: &State,
    opts: &SendOptions,
    lock: Option<&File>,
    accepted: Option<SocketAddr>,
) -> Result<(), SendError> {
    if opts.cache.is_none()
        && let Some(lock) = lock
        && let Err(e) = cache::write_stamp(lock, state.observed.as_ref())
    {
        log::warn!("cannot record the time stamp of this update in the lock file: {e}");
    }
    let Some(path) = &opts.cache else {
        return Ok(());
    };
    let kept = match state.extra.get(DIFFERS_KEY) {
        Some(seen) if state.forward_registered => seen.as_u64(),
        _ => None,
    };
    cache::write(path, state, kept).map_err(|source| {
        Box::new(CacheNotWritten {
            name: state.hostname.clone(),
            at: accepted.map_or_else(|| "the reverse zones' primaries".into(), |a| a.to_string()),
            source,
        })
    })?;
    log::debug!("wrote cache file {}", path.display());
    Ok(())
}

/// Says, without `-v`, that the update deletes every record: the host has
/// no address to register. The cache keeps this from repeating every minute.
fn warn_empty(state: &State) {
    let why = state
        .extra
        .get(LEFT_OUT_KEY)
        .and_then(|v| serde_json::from_value::<LeftOutByInterface>(v.clone()).ok())
        .map_or_else(
            || "the state gives no reason".to_owned(),
            |left_out| explain_left_out(&left_out),
        );
    let records = if state.ipv4.is_some() {
        "A and AAAA records"
    } else {
        "AAAA records"
    };
    log::warn!(
        "the update deletes the {records} of {}: no address to register ({why}); \
         set \"empty\": \"keep\" in the config to keep the records instead",
        state.hostname
    );
}
