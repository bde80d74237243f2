//! `dyndns-diff`: passes the state on only when it differs from the cache.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use dyndns::cli::{self, Common, Failure};
use dyndns::exit;
use dyndns::stage::{self, DiffOutcome};

const NAME: &str = "dyndns-diff";

/// Compare the state on stdin with the cache of the last successful update.
///
/// Like diff(1), the exit status says the result: 0 the same (nothing
/// printed), 1 different, or no usable cache (the state is printed for the
/// next stage), 2 trouble. An empty stdin is nothing to do: exit 0.
#[derive(Parser)]
#[command(name = NAME, version, after_help = "Example:\n  dyndns-addrs eth0 | dyndns-diff && echo unchanged")]
struct Args {
    #[command(flatten)]
    common: Common,
    /// The cache file, instead of the config's "cache"
    #[arg(long, value_name = "FILE")]
    cache: Option<PathBuf>,
    /// Remove the cache first, so the state counts as changed until an update succeeds
    #[arg(short = 'f', long)]
    force: bool,
}

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
