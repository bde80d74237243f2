//! `dyndns-reap --delete`: for each listed name, one update that deletes
//! its AAAA, A and DHCID sets and its markers while its TXT set is still
//! the listed one; then, if it went, one update per PTR to it.

use std::time::{SystemTime, UNIX_EPOCH};

use hickory_proto::op::{Message, UpdateMessage};
use hickory_proto::rr::Name;
use hickory_proto::rr::rdata::TXT;

use crate::dns::live::server_addresses;
use crate::dns::tsig::Key;
use crate::dns::update::reap::{self, ReapName, ReapPtr};
use crate::dns::update::{self, ServerError};
use crate::dns::{lease, rcode_name, txt};
use crate::state::parse_name;

use super::ReapOptions;
use super::line::{Expired, Outcome, PtrReaped, Reaped};

/// A listed name, its line read and checked.
pub struct Deleting {
    zone: Name,
    name: Name,
    server: String,
    txt: Vec<TXT>,
    markers: Vec<TXT>,
    expires: SystemTime,
    ptr: Vec<(Name, Name, String, Vec<Name>)>,
}

impl Deleting {
    /// Reads a line `--list` wrote; what is wrong with it, if anything.
    pub fn new(line: &Expired) -> Result<Self, String> {
        let name_of =
            |text: &str, what: &str| parse_name(text).map_err(|e| format!("\"{what}\": {e}"));
        let txt = line
            .records
            .get("TXT")
            .map(|sets| sets.iter().map(|t| txt::from_text(t)).collect())
            .transpose()
            .map_err(|e| format!("\"records\".\"TXT\": {e}"))?
            .unwrap_or_default();
        let mut markers = Vec::new();
        let mut expires = None;
        for set in &txt {
            let Some(text) = txt::single(set) else {
                continue;
            };
            match lease::expires(text) {
                Ok(None) => {}
                Ok(Some(at)) => {
                    markers.push(set.clone());
                    expires = expires.max(Some(at));
                }
                // A malformed marker is never deleted, nor its name.
                Err(bad) => return Err(bad.to_string()),
            }
        }
        let expires =
            expires.ok_or("its TXT set holds no lease marker: only names with one are reaped")?;
        let ptr = line
            .ptr
            .iter()
            .map(|p| {
                Ok((
                    name_of(&p.zone, "ptr.zone")?,
                    name_of(&p.name, "ptr.name")?,
                    p.server.clone(),
                    p.ptr
                        .iter()
                        .map(|t| name_of(t, "ptr.ptr"))
                        .collect::<Result<_, String>>()?,
                ))
            })
            .collect::<Result<_, String>>()?;
        if !crate::state::is_server(&line.server) {
            return Err(format!("\"server\": \"{}\" is not a server", line.server));
        }
        Ok(Self {
            zone: name_of(&line.zone, "zone")?,
            name: name_of(&line.name, "name")?,
            server: line.server.clone(),
            txt,
            markers,
            expires,
            ptr,
        })
    }

    fn name_reap(&self) -> ReapName<'_> {
        ReapName {
            zone: &self.zone,
            name: &self.name,
            txt: &self.txt,
            markers: &self.markers,
        }
    }

    /// The updates as nsupdate scripts, `-s` over the line's server.
    pub fn script(&self, opts: &ReapOptions, out: &mut String) {
        let server = opts.server.as_deref().unwrap_or(&self.server);
        update::signing_comment(out, opts.key.as_ref(), None);
        reap::name_script(&self.name_reap(), server, opts.port, out);
        for (zone, name, server, ptr) in &self.ptr {
            let one = ReapPtr {
                zone,
                name,
                ptr,
                target: &self.name,
            };
            update::signing_comment(out, opts.ptr_key.as_ref(), None);
            reap::ptr_script(&one, server, opts.port, out);
        }
    }
}

/// Reaps one listed name at `now`: its records, then its PTRs.
pub fn delete(line: &Deleting, opts: &ReapOptions, now: SystemTime) -> Reaped {
    let mut reaped = Reaped {
        name: line.name.to_ascii(),
        result: Outcome::Failed,
        rcode: None,
        reason: None,
        ptr: Vec::new(),
    };
    if line.expires > now {
        // The line says the lease still runs: whoever made it, a live
        // host's records are not deleted.
        reaped.reason = Some(format!(
            "its lease runs until {}: not deleted",
            lease::marker(line.expires).trim_start_matches(lease::MARKER_PREFIX)
        ));
        return reaped;
    }
    let server = opts.server.as_deref().unwrap_or(&line.server);
    let message = |id| reap::name_update(&line.name_reap(), id);
    (reaped.result, reaped.rcode, reaped.reason) = send(
        server,
        opts,
        message,
        opts.key.as_ref(),
        &line.name,
        Outcome::Renewed,
    );
    if reaped.result != Outcome::Deleted {
        return reaped;
    }
    for (zone, name, server, ptr) in &line.ptr {
        let one = ReapPtr {
            zone,
            name,
            ptr,
            target: &line.name,
        };
        let (result, rcode, reason) = send(
            server,
            opts,
            |id| reap::ptr_update(&one, id),
            opts.ptr_key.as_ref(),
            name,
            Outcome::Changed,
        );
        reaped.ptr.push(PtrReaped {
            name: name.to_ascii(),
            result,
            rcode,
            reason,
        });
    }
    reaped
}

/// Sends the update `message` makes to each address of `server` in turn
/// until one answers: NOERROR is [`Outcome::Deleted`], NXRRSET (the
/// listed set is not there any more) `unmet`, anything else a failure
/// with its rcode and reason.
fn send(
    server: &str,
    opts: &ReapOptions,
    message: impl Fn(u16) -> Message,
    key: Option<&Key>,
    name: &Name,
    unmet: Outcome,
) -> (Outcome, Option<String>, Option<String>) {
    let failed = |reason: String| (Outcome::Failed, None, Some(reason));
    let id = match update::random_id() {
        Ok(id) => id,
        Err(e) => return failed(e.to_string()),
    };
    let message = message(id);
    let wanted = message.updates().len();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (request, wire, signed) = match update::seal(message, key, now, (wanted, 0), name) {
        Ok(sealed) => sealed,
        Err(e) => return failed(e.to_string()),
    };
    let addrs = match server_addresses(server, opts.port, opts.timeout) {
        Ok(addrs) => addrs,
        Err(e) => return failed(e.to_string()),
    };
    let mut tried = Vec::new();
    for addr in addrs {
        let answer = update::exchange(
            addr,
            None,
            &request,
            &wire,
            key.zip(signed.as_ref()),
            opts.timeout,
        );
        match answer {
            Ok(_) => return (Outcome::Deleted, None, None),
            Err(ServerError::Refused(r)) if r.rcode == hickory_proto::op::ResponseCode::NXRRSet => {
                let why = match unmet {
                    Outcome::Renewed => {
                        "its TXT set changed since it was listed (the host renewed its lease): kept"
                    }
                    _ => "its PTR set changed since it was listed: kept",
                };
                return (unmet, None, Some(why.into()));
            }
            Err(ServerError::Refused(r)) => {
                return (
                    Outcome::Failed,
                    Some(rcode_name(r.rcode)),
                    Some(format!("{server} ({addr}): {r}")),
                );
            }
            // Another address of the server may answer.
            Err(e @ ServerError::Transport(_)) => tried.push(format!("{addr}: {e}")),
            Err(e) => return failed(format!("{server} ({addr}): {e}")),
        }
    }
    failed(format!("{server}: {}", tried.join("; ")))
}
