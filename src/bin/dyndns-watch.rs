//! `dyndns-watch`: writes a line for each address that becomes registrable
//! or stops being, as the kernel announces it; with `--run PROGRAM`, runs
//! the pipeline after each burst of changes.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    dyndns::app::watch(dyndns::app::args::WatchArgs::parse())
}
