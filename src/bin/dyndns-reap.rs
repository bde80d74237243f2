//! `dyndns-reap`: deletes the records of hosts whose lease expired.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    dyndns::app::reap(dyndns::app::args::ReapArgs::parse())
}
