//! `dyndns-diff`: passes the state on only when it differs from the cache.

use std::process::ExitCode;

use clap::Parser;
use dyndns::args::DiffArgs as Args;
use dyndns::cli::{self, Failure};
use dyndns::exit;
use dyndns::stage::{self, DiffOutcome};

const NAME: &str = "dyndns-diff";

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Err(mut failure) => {
            failure.status = exit::DIFF_TROUBLE;
            cli::finish(NAME, Err(failure))
        }
        ok => cli::finish(NAME, ok),
    }
}

fn run(args: Args) -> Result<u8, Failure> {
    let config = cli::start(NAME, &args.common)?;
    let input = cli::read_stdin()?;
    let cache = args.cache.or(config.cache);
    let outcome = stage::diff(input.as_deref(), cache.as_ref(), args.force)?;
    if let DiffOutcome::Differs(state) = &outcome {
        cli::print_line(&state.to_json())?;
    }
    Ok(outcome.status())
}
