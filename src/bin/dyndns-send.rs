//! `dyndns-send`: sends the RFC 2136 update and rewrites the cache.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    dyndns::app::send(dyndns::app::args::SendArgs::parse())
}
