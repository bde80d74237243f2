//! `dyndns-diff`: passes the state on only when it differs from the cache (or,
//! `--live`, from what the primary serves); `--check` reports for monitoring.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    dyndns::app::diff(dyndns::app::args::DiffArgs::parse())
}
