//! `dyndns-soa`: finds the zone of a name and its primary server.

use std::process::ExitCode;

use clap::Parser;
use dyndns::args::SoaArgs as Args;
use dyndns::cli::{self, Failure};
use dyndns::exit;
use dyndns::stage;
use dyndns::state::State;

const NAME: &str = "dyndns-soa";

fn main() -> ExitCode {
    let args = Args::parse();
    cli::finish(NAME, run(args))
}

fn run(args: Args) -> Result<u8, Failure> {
    let config = cli::start(NAME, &args.common)?;
    let timeout = config.timeout_or(args.timeout);
    if let Some(name) = &args.name {
        let primary = stage::soa_of_name(name, timeout)?;
        cli::print_line(&primary.to_ascii())?;
        return Ok(exit::SUCCESS);
    }
    let Some(input) = cli::read_stdin()? else {
        return Ok(exit::SUCCESS);
    };
    let state = State::parse(&input, "standard input").map_err(Failure::usage)?;
    let state = stage::soa(state, timeout)?;
    cli::print_line(&state.to_json())?;
    Ok(exit::SUCCESS)
}
