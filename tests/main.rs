//! Integration tests: the real binaries and the wrapper, against a real BIND 9
//! `named` and real kernel interfaces in network namespaces (see `common`).
//! They need root (for `ip netns`); `scripts/test` installs what they use.

// Helpers are `pub` so sibling modules share them; nothing leaves this crate.
#![allow(unreachable_pub)]

mod common;

#[cfg(feature = "gss")]
mod ad;
mod addrs;
mod converge;
mod diff;
mod faults;
mod fleet;
#[cfg(feature = "gss")]
mod gss;
mod hardening;
mod hostile;
mod ipv4;
mod lease;
mod logging;
mod multi;
mod ownership;
mod package;
mod ptr;
mod reap;
mod replace;
mod send;
mod servers;
mod setup;
mod soa;
mod sshfp;
mod stages;
mod tls;
mod watch;
mod wrapper;
