//! `dyndns-send`: sends the RFC 2136 update and rewrites the cache.

use std::process::ExitCode;

use clap::Parser;
use dyndns::args::SendArgs as Args;
use dyndns::cli::{self, Failure};
use dyndns::exit;
use dyndns::keyfile;
use dyndns::stage::{self, SendOptions};
use dyndns::state::{State, parse_name};

const NAME: &str = "dyndns-send";

fn main() -> ExitCode {
    let args = Args::parse();
    cli::finish(NAME, run(args))
}

fn run(args: Args) -> Result<u8, Failure> {
    let config = cli::start(NAME, &args.common)?;
    let zone = match &args.zone {
        Some(z) => Some(parse_name(z).map_err(|p| Failure::usage(format!("--zone: {p}")))?),
        None => None,
    };
    let timeout = config.timeout_or(args.timeout);
    let key = match &args.key_file {
        Some(file) => {
            if let Some(warning) = keyfile::exposure_warning(file, "key file") {
                log::warn!("{warning}");
            }
            Some(keyfile::read(file, None).map_err(Failure::usage)?)
        }
        None => config.tsig,
    };
    let opts = SendOptions {
        server: args.server,
        zone,
        port: args.port,
        timeout,
        dry_run: args.dry_run.then_some(args.format),
        cache: args.cache.or(config.cache),
        key,
    };
    let Some(input) = cli::read_stdin()? else {
        return Ok(exit::SUCCESS);
    };
    let state = State::parse(&input, "standard input").map_err(Failure::usage)?;
    let line = stage::send(state, &opts)?;
    cli::print_line(&line)?;
    Ok(exit::SUCCESS)
}
