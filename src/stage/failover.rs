//! Beyond one primary (the config's `"servers"`): in a multi-master zone
//! (Active Directory, PowerDNS on a shared database) every NS server takes
//! updates, so when the SOA's MNAME cannot, the update goes to the next, as
//! samba_dnsupdate and the Windows client do. Only an outage moves it on:
//! a server that answers about the update itself (NOTAUTH, a TSIG error, a
//! failed prerequisite) has answered, and every other server would say the
//! same or, worse, apply what this one refused.

use std::net::SocketAddr;
use std::time::Instant;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::Name;

use crate::config::Servers;
use crate::dns::tkey::TkeyError;
use crate::dns::update::ServerError;

use super::deliver::Lookups;
use super::owner::Outcome;
use super::send_options::SendOptions;
use super::{SendError, ServerTries};

/// Whether `error` is one another server could cure: no answer (no
/// connection, none in time, the connection closed), or NOTIMP (updates
/// off there), REFUSED (not this server's to take: a secondary without
/// update forwarding) or SERVFAIL (its back end down), RFC 2136 §2.2. The
/// run's time being up moves on to nothing, but is no answer either.
pub(super) fn fails_over(error: &ServerError) -> bool {
    match error {
        ServerError::Transport(_) | ServerError::NotTried => true,
        ServerError::Tkey(TkeyError::Transport(_) | TkeyError::Timeout(_)) => true,
        ServerError::Refused(r) => matches!(
            r.rcode,
            ResponseCode::NotImp | ResponseCode::Refused | ResponseCode::ServFail
        ),
        _ => false,
    }
}

/// The servers to try after `first`, in order: the state's list (from
/// `dyndns-soa`) when it has one; else, as the config says, none, the
/// zone's NS servers but the first in a random order (so that a fleet
/// does not fall on one of them at once), or the config's list but the
/// first. `--server` names one server: it alone is tried.
pub(super) async fn after(
    first: &str,
    zone: &Name,
    given: Option<&[String]>,
    opts: &SendOptions,
    lookups: &mut Lookups,
) -> Vec<String> {
    if opts.server.is_some() {
        return Vec::new();
    }
    if let Some(given) = given {
        return given.to_vec();
    }
    match &opts.servers {
        Servers::Primary => Vec::new(),
        Servers::List(list) => list.iter().filter(|s| *s != first).cloned().collect(),
        Servers::PrimaryThenNs => match lookups.resolver() {
            Ok(resolver) => {
                let found = tokio::time::timeout(
                    opts.timeout,
                    crate::dns::zone::name_servers(resolver, zone),
                )
                .await
                .unwrap_or_default();
                crate::dns::zone::others_than(first, found)
            }
            Err(_) => Vec::new(),
        },
    }
}

/// How sending to a zone's servers ended.
pub(super) enum Ended {
    /// At `server`: accepted, refused on a prerequisite, or failed for a
    /// reason no other server could cure; after the failures of the
    /// servers tried before it.
    At {
        /// The server.
        server: String,
        /// What it said.
        outcome: Outcome,
        /// The servers tried before it, each with its failures.
        before: Vec<ServerTries>,
    },
    /// Every server failed, each for a reason another could have cured.
    Everywhere(Vec<ServerTries>),
}

/// Every server tried and its failures, for [`super::Unsent`]: those
/// before the last (`before`), then the last, `server`, with `attempts`.
pub(super) fn tries(
    mut before: Vec<ServerTries>,
    server: String,
    attempts: Vec<(SocketAddr, ServerError)>,
) -> Vec<ServerTries> {
    before.push(ServerTries {
        server,
        tried: Ok(attempts),
    });
    before
}

/// Sends to `first`, then while each fails for a reason another server
/// could cure, to each of `next` in turn, until `deadline`: `send` tries
/// one server at its addresses. With no `next`, `first`'s addresses are
/// looked up as ever, a failure to find them ending the run.
pub(super) async fn each_server(
    first: String,
    next: impl AsyncFnOnce(&mut Lookups) -> Vec<String>,
    opts: &SendOptions,
    lookups: &mut Lookups,
    deadline: Instant,
    mut send: impl FnMut(&str, Vec<SocketAddr>) -> Result<Outcome, SendError>,
) -> Result<Ended, SendError> {
    let failover = opts.server.is_none() && opts.servers != Servers::Primary;
    if !failover {
        let addrs = lookups.server_addresses(&first, opts).await?;
        let outcome = send(&first, addrs)?;
        return Ok(Ended::At {
            server: first,
            outcome,
            before: Vec::new(),
        });
    }
    let mut before = Vec::new();
    let mut queue = std::collections::VecDeque::from([first]);
    let mut next = Some(next);
    while let Some(server) = queue.pop_front() {
        let tried = if Instant::now() >= deadline {
            Err("not tried: the run's time was up".to_owned())
        } else {
            match lookups.server_addresses(&server, opts).await {
                Ok(addrs) => Ok(addrs),
                Err(e) => Err(crate::util::describe::chain(&e)),
            }
        };
        match tried {
            Ok(addrs) => match send(&server, addrs)? {
                Outcome::Failed(attempts) if attempts.iter().all(|(_, e)| fails_over(e)) => {
                    let tries = ServerTries {
                        server,
                        tried: Ok(attempts),
                    };
                    log::info!(
                        "{} could not take the update ({tries}); trying the next server",
                        tries.server
                    );
                    before.push(tries);
                }
                outcome => {
                    return Ok(Ended::At {
                        server,
                        outcome,
                        before,
                    });
                }
            },
            Err(why) => {
                log::info!("{server}: {why}; trying the next server");
                before.push(ServerTries {
                    server,
                    tried: Err(why),
                });
            }
        }
        if let Some(next) = next.take() {
            let more = next(lookups).await;
            if more.is_empty() {
                log::debug!("no other server to try");
            } else {
                log::debug!("the servers to try next: {}", more.join(", "));
            }
            queue.extend(more);
        }
    }
    Ok(Ended::Everywhere(before))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_primary_is_left_out_of_the_ns_set_and_the_rest_kept() {
        let name = |s: &str| Name::from_ascii(s).unwrap();
        let mut found = crate::dns::zone::others_than(
            "NS1.example.test.",
            vec![
                name("ns1.example.test."),
                name("ns2.example.test."),
                name("ns3.example.test."),
            ],
        );
        found.sort();
        assert_eq!(found, ["ns2.example.test.", "ns3.example.test."]);
    }
}
