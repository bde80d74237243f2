//! The programs: their command lines ([`args`], and the wrapper's
//! PyDynDNS grammar in [`argparse`]), start-up, reporting and exit
//! ([`cli`]), and each program's body after its arguments. The
//! binaries in `src/bin/` call one function here; nothing below `app`
//! knows it serves a command line.

pub mod argparse;
pub mod args;
pub mod cli;

mod addrs;
mod diff;
mod reap;
mod send;
mod soa;
mod watch;

pub use addrs::addrs;
pub use diff::diff;
pub use reap::reap;
pub use send::send;
pub use soa::soa;
pub use watch::watch;
