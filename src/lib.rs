//! dyndns: register a host's own IPv6 addresses as AAAA records with RFC 2136
//! dynamic updates, as a pipeline of small Unix filters.
//!
//! ```text
//! dyndns-addrs [IFACE...] | dyndns-diff | dyndns-soa | dyndns-send
//! ```
//!
//! The library holds every decision; the binaries in `src/bin/` only parse
//! their arguments, call one function of [`stage`] and turn its result into an
//! exit status. The document passed between the stages is [`state::State`].

pub mod addrs;
pub mod argparse;
pub mod args;
mod bounded;
pub mod cache;
pub mod cli;
pub mod config;
mod describe;
pub mod exit;
mod fsutil;
#[cfg(feature = "gss")]
pub mod gss;
pub mod gss_env;
pub mod hostname;
pub mod keyfile;
pub mod live;
pub mod logging;
pub mod netlink;
pub mod observed;
pub mod programs;
pub mod query;
pub mod reach;
pub mod stage;
pub mod state;
pub mod tkey;
pub mod tls;
pub mod transport;
pub mod tsig;
pub mod update;
pub mod watch;
pub mod zone;
