//! `"guard": true`: the compare-and-swap prerequisite the state carries
//! (`dyndns-diff` adds it from the cache), and what a failed one means.

use std::net::SocketAddr;

use crate::dns::update::Guard;
use crate::state::State;

use super::{Guarded, SendError};
use crate::util::describe::chain;

/// The key of the state that carries the update's prerequisite (`"guard"`).
pub const GUARD_KEY: &str = "guard";

/// The prerequisite the state carries (`dyndns-diff` adds it under
/// `"guard": true`), if any.
pub(super) fn of(state: &State) -> Result<Option<Guard>, SendError> {
    match state.extra.get(GUARD_KEY) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value) => serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|_| SendError::BadGuard),
    }
}

/// The guard's prerequisite failed at `addr`: what the name holds now (one
/// query), for the message; the cache is not touched.
pub(super) fn refused(
    state: &State,
    (server, addr): (&str, SocketAddr),
    via: &crate::dns::live::Via<'_>,
    rcode: String,
) -> SendError {
    // YXDOMAIN: "name is not in use" failed (a first registration that
    // would delete every RRset, §2.4.5); its AAAA set says nothing.
    if rcode.contains("YXDOMAIN") {
        return Box::new(Guarded {
            name: state.hostname.clone(),
            server: addr,
            rcode,
            found: "records of somebody else's, which \"replace\": \"all\" would have deleted"
                .into(),
        })
        .into();
    }
    let found = crate::dns::live::ask_any(
        server,
        &[addr],
        &state.hostname,
        hickory_proto::rr::RecordType::AAAA,
        via,
    )
    .map(|(_, served)| served.ipv6())
    .map_or_else(
        |e| format!("(they could not be read: {})", chain(&e)),
        |found| {
            if found.is_empty() {
                "no AAAA record".to_owned()
            } else {
                format!(
                    "[{}]",
                    found
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            }
        },
    );
    Box::new(Guarded {
        name: state.hostname.clone(),
        server: addr,
        rcode,
        found,
    })
    .into()
}
