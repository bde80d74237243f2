//! `dyndns-soa`: finds the zone of a name and its primary server.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    dyndns::app::soa(dyndns::app::args::SoaArgs::parse())
}
