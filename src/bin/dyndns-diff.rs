//! `dyndns-diff`: passes the state on only when it differs from the cache.

use std::process::ExitCode;

use clap::Parser;
use dyndns::args::DiffArgs as Args;
use dyndns::cli;
use dyndns::config::Config;
use dyndns::stage::{self, DiffError, DiffOutcome};

fn main() -> ExitCode {
    let args = Args::parse();
    let (reporter, config) = cli::start("dyndns-diff", &args.common, dyndns::config::Secrets::Skip);
    // diff(1)-like: every failure is "trouble" (DiffError's status).
    reporter.finish(
        config
            .map_err(DiffError::from)
            .and_then(|config| run(args, config)),
    )
}

fn run(args: Args, config: Config) -> Result<u8, DiffError> {
    let input = cli::read_stdin()?;
    let cache = args.cache.or(config.cache);
    let outcome = stage::diff(input.as_deref(), cache.as_deref(), args.force)?;
    if let DiffOutcome::Differs(state) = &outcome {
        cli::print_line(&state.to_json())?;
    }
    Ok(outcome.status())
}
