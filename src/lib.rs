//! dyndns: register a host's own IPv6 addresses as AAAA records with RFC 2136
//! dynamic updates, as a pipeline of small Unix filters.
//!
//! ```text
//! dyndns-addrs [IFACE...] | dyndns-diff | dyndns-soa | dyndns-send
//! ```
//!
//! The library holds every decision; the binaries in `src/bin/` only parse
//! their arguments and call one function of [`app`], which runs a [`stage`]
//! and turns its result into an exit status. The document passed between
//! the stages is [`state::State`]. The folders follow the pipeline's
//! concerns: [`host`] (what the kernel says), [`config`], [`state`] (with
//! the cache), [`stage`], [`dns`] (the wire) and [`logging`].

pub mod app;
pub mod config;
pub mod dns;
pub mod host;
pub mod logging;
pub mod stage;
pub mod state;
mod util;
