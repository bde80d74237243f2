//! `dyndns-diff`: passes the state on only when it differs from the cache.

use std::process::ExitCode;

use clap::Parser;
use dyndns::args::DiffArgs as Args;
use dyndns::cli;
use dyndns::config::Config;
use dyndns::exit;
use dyndns::stage::{self, DiffOutcome, StageError};

fn main() -> ExitCode {
    let args = Args::parse();
    let (reporter, config) = cli::start("dyndns-diff", &args.common);
    // diff(1)-like: every failure is "trouble".
    reporter.finish_with(config.and_then(|config| run(args, config)), |_| {
        exit::DIFF_TROUBLE
    })
}

fn run(args: Args, config: Config) -> Result<u8, StageError> {
    let input = cli::read_stdin()?;
    let cache = args.cache.or(config.cache);
    let outcome = stage::diff(input.as_deref(), cache.as_deref(), args.force)?;
    if let DiffOutcome::Differs(state) = &outcome {
        cli::print_line(&state.to_json())?;
    }
    Ok(outcome.status())
}
