//! `"ownership"`: the name is this host's by its DHCID record (RFC 4701),
//! claimed and kept in RFC 4703 §5.3's steps, each one atomic update; and
//! who holds a name when a step's prerequisite failed.

use std::net::SocketAddr;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData};

use crate::dns::dhcid::DHCID;
use crate::dns::live::{self, Via};
use crate::dns::query::Served;
use crate::dns::update::{Granted, ServerError, Step};

use super::{Holder, Owned, SendError};

/// The steps a run takes, in order: none without an owner; a claim then,
/// when the name is in use, a keep (RFC 4703 §5.3.1, §5.3.2); or one
/// take-over (`--take-over`).
pub(super) fn steps(owned: bool, take_over: bool) -> Vec<Option<Step>> {
    match (owned, take_over) {
        (false, _) => vec![None],
        (true, true) => vec![Some(Step::TakeOver)],
        (true, false) => vec![Some(Step::Claim), Some(Step::Keep)],
    }
}

/// How a run of [`steps`] ended.
pub(super) enum Outcome {
    /// An update was accepted at this address, granting this lease.
    Accepted(SocketAddr, Granted),
    /// A step's prerequisite failed at `addr` with `rcode`, and no step
    /// after it applies.
    Refused {
        /// The step refused.
        step: Option<Step>,
        /// Where.
        addr: SocketAddr,
        /// NXRRSET, YXRRSET, NXDOMAIN or YXDOMAIN.
        rcode: ResponseCode,
        /// Every address tried for that step.
        attempts: Vec<(SocketAddr, ServerError)>,
    },
    /// No address accepted a step for another reason.
    Failed(Vec<(SocketAddr, ServerError)>),
}

/// The result of one step sent to some addresses: the address that took
/// it, or each address tried and what it said.
pub(super) type Sent = Result<(SocketAddr, Granted), Vec<(SocketAddr, ServerError)>>;

/// Runs `steps` in order for `name`, each sent by `send` to the addresses
/// given: the primary's at first; after a claim refused because the name
/// is in use (YXDOMAIN), the keep goes to the address that said so.
pub(super) fn run(
    name: &Name,
    steps: &[Option<Step>],
    mut targets: Vec<SocketAddr>,
    mut send: impl FnMut(Option<Step>, Vec<SocketAddr>) -> Result<Sent, SendError>,
) -> Result<Outcome, SendError> {
    let mut outcome = Outcome::Failed(Vec::new());
    for &step in steps {
        match step {
            Some(Step::Claim) => log::debug!(
                "claiming {name} for this host: its records and DHCID, if the name is not in use (RFC 4703 §5.3.1)"
            ),
            Some(Step::Keep) => log::debug!(
                "replacing the records of {name}, if its DHCID is this host's (RFC 4703 §5.3.2)"
            ),
            Some(Step::TakeOver) => log::warn!(
                "taking {name} over (--take-over): its records and DHCID are replaced whoever owns them"
            ),
            None => {}
        }
        let attempts = match send(step, targets.clone())? {
            Ok((addr, granted)) => return Ok(Outcome::Accepted(addr, granted)),
            Err(attempts) => attempts,
        };
        let refused = match attempts.last() {
            Some((addr, ServerError::Refused(r))) if r.is_prerequisite() => Some((*addr, r.rcode)),
            _ => None,
        };
        outcome = match refused {
            Some((addr, rcode)) => Outcome::Refused {
                step,
                addr,
                rcode,
                attempts,
            },
            None => return Ok(Outcome::Failed(attempts)),
        };
        match (step, &outcome) {
            (Some(Step::Claim), Outcome::Refused { addr, rcode, .. })
                if *rcode == ResponseCode::YXDomain =>
            {
                targets = vec![*addr];
            }
            _ => break,
        }
    }
    Ok(outcome)
}

/// Whose the name's DHCID set says it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Holding {
    /// This host's DHCID is there.
    Ours,
    /// Another DHCID, not this host's.
    Other,
    /// No DHCID record.
    Nobody,
}

/// Whose `served` (the name's DHCID set) says the name is, for `dhcid`.
pub(crate) fn holding(served: &Served, dhcid: &[u8]) -> Holding {
    let all: Vec<&[u8]> = served
        .rdata
        .iter()
        .filter_map(|r| match r {
            RData::Unknown { code, rdata } if *code == DHCID => Some(rdata.anything.as_slice()),
            _ => None,
        })
        .collect();
    if all.contains(&dhcid) {
        Holding::Ours
    } else if all.is_empty() {
        Holding::Nobody
    } else {
        Holding::Other
    }
}

/// The name's DHCID set at `addr` (one query), and whose it says the name is.
pub(crate) fn ask(
    server: &str,
    addr: SocketAddr,
    name: &Name,
    dhcid: &[u8],
    via: &Via<'_>,
) -> Result<Holding, String> {
    live::ask_any(server, &[addr], name, DHCID, via)
        .map(|(_, served)| holding(&served, dhcid))
        .map_err(|e| crate::util::describe::chain(&e))
}

/// The keep step's prerequisite failed at `addr`: who holds the name, for
/// the message. `None` when this host's DHCID is there after all: then
/// the guard's prerequisite is the one that failed.
pub(super) fn refused(
    name: &Name,
    dhcid: &[u8],
    (server, addr): (&str, SocketAddr),
    via: &Via<'_>,
) -> Option<SendError> {
    let holder = match ask(server, addr, name, dhcid, via) {
        Ok(Holding::Ours) => return None,
        Ok(Holding::Other) => Holder::OtherClient(addr),
        Ok(Holding::Nobody) => Holder::NoClient(addr),
        Err(e) => Holder::Unread(addr, e),
    };
    let fix = match holder {
        Holder::NoClient(_) => format!(
            "To let this host own the name, an administrator deletes those records (nsupdate: update delete {name}), or this host takes it once with dyndns-send --take-over"
        ),
        _ => format!(
            "If two hosts have this name, give one of them another. To hand the name over, an administrator deletes its records and its DHCID (nsupdate: update delete {name}), or this host takes it once with dyndns-send --take-over"
        ),
    };
    Some(
        Box::new(Owned {
            name: name.clone(),
            holder,
            fix,
        })
        .into(),
    )
}
