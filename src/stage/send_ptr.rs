//! `dyndns-send`'s PTR side: the records left to send, grouped by reverse
//! zone, one update per zone sent to that zone's primary (each of its
//! addresses in turn), each succeeding or failing on its own.

use std::time::Instant;

use hickory_proto::rr::Name;

use crate::dns::update::{PtrUpdate, ServerError, Step};
use crate::state::{Ptr, PtrRecord, State};

use super::deliver::{Lookups, Signing, mname, send_signed, show_server, shown_at};
use super::failover::{self, Ended};
use super::owner::Outcome;
use super::send_options::SendOptions;
use super::soa::bounded_find_zone;
use super::{SEND_BOUND, SendError, Unsent};

/// What the PTR side came to: a line per zone updated (or, for a dry run,
/// a block), and the zones that failed.
#[derive(Debug, Default)]
pub(super) struct PtrOutcome {
    /// Result lines, or dry-run blocks.
    pub lines: Vec<String>,
    /// Each zone (or reverse name whose zone was not found) that failed.
    pub failures: Vec<SendError>,
}

/// One reverse zone's share: indices into `records` and `gone`.
struct Group {
    zone: Name,
    server: String,
    add: Vec<usize>,
    delete: Vec<usize>,
}

/// Sends (or, for a dry run, describes) the PTR updates of `state`, and
/// marks in its `ptr` what is registered afterwards: records sent are
/// registered, gone addresses deleted are dropped, and gone addresses
/// whose deletion failed are kept as registered records, so that the cache
/// remembers them and the next run tries again.
pub(super) async fn send_ptr(
    state: &mut State,
    opts: &SendOptions,
    lookups: &mut Lookups,
) -> PtrOutcome {
    let mut outcome = PtrOutcome::default();
    let host = state.hostname.clone();
    let Some(ptr) = state.ptr.as_mut().filter(|p| p.pending()) else {
        return outcome;
    };
    // All the reverse zones share one bound, as long as the forward
    // update's: what is not done by then fails, and the next run retries it.
    let deadline = Instant::now() + opts.run_bound();
    for record in ptr.pending_mut() {
        if record.zone.is_some() && record.server.is_some() {
            continue;
        }
        let found = match lookups.resolver() {
            Ok(r) => {
                let what = format!("finding the reverse zone of {}", record.address);
                within(
                    deadline,
                    what,
                    bounded_find_zone(r, &record.name, opts.timeout),
                )
                .await
                .and_then(|found| found.map_err(SendError::from))
            }
            Err(e) => Err(e),
        };
        match found {
            Ok(found) => {
                record.zone.get_or_insert(found.zone);
                record
                    .server
                    .get_or_insert_with(|| found.primary.to_ascii());
            }
            Err(e) => outcome.failures.push(e),
        }
    }
    let principals = opts.gss_principals(&host, opts.ptr_key.as_ref());
    let dhcid = state.dhcid.as_deref();
    for group in groups(ptr) {
        for (add, delete) in units(&group, dhcid.is_some()) {
            let update = PtrUpdate {
                gss: principals.as_deref(),
                tls: opts.tls_config.as_ref(),
                zone: &group.zone,
                host: &host,
                ttl_secs: ptr.ttl_secs,
                add: add.iter().map(|&i| &ptr.records[i]).collect(),
                delete: delete.iter().map(|&i| &ptr.gone[i]).collect(),
                key: opts.ptr_key.as_ref(),
                owner: None,
                lease: opts.lease.map(|l| (l.secs, l.key_secs)),
            };
            // A gone name is this host's to delete only while its DHCID
            // says so: one keep step, and a refusal means "not ours".
            let steps = if !delete.is_empty() && dhcid.is_some() && !opts.take_over {
                vec![Some(Step::Keep)]
            } else {
                super::owner::steps(dhcid.is_some(), opts.take_over)
            };
            if let Some(format) = opts.dry_run {
                let (server, port) = show_server(&group.server, opts.port);
                for step in steps {
                    let block = update.at_step(dhcid, step).describe(&server, port, format);
                    outcome.lines.push(block.trim_end().to_owned());
                }
                continue;
            }
            let what = format!("the update of zone {} at {}", group.zone, group.server);
            let sending = send_zone(
                &update,
                dhcid,
                &steps,
                &group.server,
                opts,
                lookups,
                deadline,
            );
            match within(deadline, what, sending).await.and_then(|sent| sent) {
                Ok(at) => {
                    outcome.lines.push(result_line(&update, &at));
                    for &i in &add {
                        ptr.records[i].registered = true;
                    }
                    for &i in &delete {
                        ptr.gone[i].registered = true;
                    }
                }
                Err(e) => outcome.failures.push(e),
            }
        }
    }
    if opts.dry_run.is_none() {
        settle(ptr);
    }
    outcome
}

/// After sending: the gone addresses deleted are dropped (a deleted one is
/// marked `registered`, meaning "done"), and those left become records the
/// cache keeps.
fn settle(ptr: &mut Ptr) {
    let gone = std::mem::take(&mut ptr.gone);
    ptr.records.extend(
        gone.into_iter()
            .filter(|g| !g.registered)
            .map(|g| PtrRecord {
                registered: true,
                ..g
            }),
    );
}

/// The records left to send, grouped by (zone, primary), in the order
/// first met; records whose zone was not found are left out.
fn groups(ptr: &Ptr) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut place = |r: &PtrRecord, i: usize, gone: bool| {
        let (Some(zone), Some(server)) = (&r.zone, &r.server) else {
            return;
        };
        let at = groups
            .iter()
            .position(|g| &g.zone == zone && &g.server == server);
        let at = at.unwrap_or_else(|| {
            groups.push(Group {
                zone: zone.clone(),
                server: server.clone(),
                add: Vec::new(),
                delete: Vec::new(),
            });
            groups.len() - 1
        });
        if gone {
            groups[at].delete.push(i);
        } else {
            groups[at].add.push(i);
        }
    };
    for (i, r) in ptr.records.iter().enumerate() {
        if !r.registered {
            place(r, i, false);
        }
    }
    for (i, r) in ptr.gone.iter().enumerate() {
        place(r, i, true);
    }
    groups
}

/// The updates a group is sent in: one for the whole zone; with an owner,
/// one per reverse name, since each name's prerequisites stand alone.
fn units(group: &Group, owned: bool) -> Vec<(Vec<usize>, Vec<usize>)> {
    if !owned {
        return vec![(group.add.clone(), group.delete.clone())];
    }
    let adds = group.add.iter().map(|&i| (vec![i], Vec::new()));
    let deletes = group.delete.iter().map(|&i| (Vec::new(), vec![i]));
    adds.chain(deletes).collect()
}

/// Sends one zone's update to each address of its primary in turn, within
/// its own bound, in `steps` (with an owner, RFC 4703 §5.3's); the address
/// (as shown) that accepted it.
async fn send_zone(
    update: &PtrUpdate<'_>,
    dhcid: Option<&[u8]>,
    steps: &[Option<Step>],
    server: &str,
    opts: &SendOptions,
    lookups: &mut Lookups,
    shared: Instant,
) -> Result<String, SendError> {
    let deadline = shared.min(Instant::now() + opts.timeout * SEND_BOUND);
    log::info!(
        "updating the PTR records in zone {} at {server}: {} to {}, {} deleted",
        update.zone,
        update.add.len(),
        update.host,
        update.delete.len()
    );
    let gss_server = match &opts.gss {
        Some(_) if update.key.is_none() => Some(mname(server, update.zone, lookups, opts).await?),
        _ => None,
    };
    // One name with an owner, named in the steps' logs; else the zone.
    let name = match (dhcid, update.add.first().or(update.delete.first())) {
        (Some(_), Some(record)) => record.name.clone(),
        _ => update.zone.clone(),
    };
    // The reverse zone's other servers, asked only when its primary fails.
    let next = async |lookups: &mut Lookups| {
        failover::after(server, update.zone, None, opts, lookups).await
    };
    let ended = failover::each_server(
        server.to_owned(),
        next,
        opts,
        lookups,
        deadline,
        |at, addrs| {
            super::owner::run(&name, steps, addrs, |step, targets| {
                let stepped = update.at_step(dhcid, step);
                let (request, wire, signed) = stepped.encode()?;
                let signing = Signing::of(
                    opts,
                    gss_server.as_ref(),
                    update.host,
                    update.key.zip(signed.as_ref()),
                );
                let prerequisite = |e: &ServerError| {
                    dhcid.is_some() && matches!(e, ServerError::Refused(r) if r.is_prerequisite())
                };
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
        },
    )
    .await?;
    let (server, outcome, before) = match ended {
        Ended::At {
            server,
            outcome,
            before,
        } => (server, outcome, before),
        Ended::Everywhere(tries) => return Err(unsent(update, tries)),
    };
    let attempts = match outcome {
        Outcome::Accepted(addr, _) => return Ok(shown_at(&server, addr, opts.port)),
        Outcome::Refused {
            step: Some(Step::Keep),
            addr,
            ..
        } if !update.delete.is_empty() => {
            log::info!(
                "the PTR records at {name} are not this host's (its DHCID is not there): left as they are"
            );
            return Ok(shown_at(&server, addr, opts.port));
        }
        Outcome::Refused {
            step: Some(Step::Keep),
            addr,
            attempts,
            ..
        } => {
            match dhcid.and_then(|d| super::owner::refused(&name, d, (&server, addr), &opts.via()))
            {
                Some(owned) => return Err(owned),
                None => attempts,
            }
        }
        Outcome::Refused { attempts, .. } | Outcome::Failed(attempts) => attempts,
    };
    let tries = failover::tries(before, server, attempts);
    Err(unsent(update, tries))
}

/// The PTR update failed at every server tried.
fn unsent(update: &PtrUpdate<'_>, tries: Vec<super::ServerTries>) -> SendError {
    Box::new(Unsent {
        what: "the PTR records".into(),
        zone: update.zone.clone(),
        tries,
    })
    .into()
}

/// `step` (`what`), unless `deadline` passes first: then the PTR side's
/// time is up.
async fn within<T>(
    deadline: Instant,
    what: String,
    step: impl Future<Output = T>,
) -> Result<T, SendError> {
    tokio::time::timeout_at(deadline.into(), step)
        .await
        .map_err(|_| SendError::PtrTimeUp { what })
}

/// `updated PTR in zone Z at S: A B → host; deleted C`.
fn result_line(update: &PtrUpdate<'_>, at: &str) -> String {
    let list = |records: &[&PtrRecord]| {
        records
            .iter()
            .map(|r| r.address.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut line = format!("updated PTR in zone {} at {at}:", update.zone);
    if !update.add.is_empty() {
        line.push_str(&format!(" {} → {}", list(&update.add), update.host));
    }
    if !update.delete.is_empty() {
        let sep = if update.add.is_empty() { "" } else { ";" };
        line.push_str(&format!("{sep} deleted {}", list(&update.delete)));
    }
    line
}
