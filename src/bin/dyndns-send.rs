//! `dyndns-send`: sends the RFC 2136 update and rewrites the cache.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    dyndns::programs::send(dyndns::args::SendArgs::parse())
}
