//! `dyndns-addrs`: prints the state document of this host: its FQDN, the TTL and the
//! IPv6 addresses to register.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    dyndns::app::addrs(dyndns::app::args::AddrsArgs::parse())
}
