//! `dyndns-soa`: finds the zone of a name and its primary server.

use std::process::ExitCode;

use clap::Parser;
use dyndns::args::SoaArgs as Args;
use dyndns::cli;
use dyndns::config::Config;
use dyndns::exit;
use dyndns::stage::{self, CommonError, SoaError};
use dyndns::state::State;

fn main() -> ExitCode {
    let args = Args::parse();
    let (reporter, config) = cli::start("dyndns-soa", &args.common, dyndns::config::Secrets::Skip);
    reporter.finish(
        config
            .map_err(SoaError::from)
            .and_then(|config| run(args, &config)),
    )
}

fn run(args: Args, config: &Config) -> Result<u8, SoaError> {
    let timeout = config.timeout_or(args.timeout);
    if let Some(name) = &args.name {
        let primary = cli::block_on(stage::soa_of_name(name, timeout))?;
        cli::print_line(&primary.to_ascii())?;
        return Ok(exit::SUCCESS);
    }
    let Some(input) = cli::read_stdin()? else {
        return Ok(exit::SUCCESS);
    };
    let state = State::parse(&input, "standard input").map_err(CommonError::from)?;
    let state = cli::block_on(stage::soa(state, timeout))?;
    cli::print_line(&state.to_json())?;
    Ok(exit::SUCCESS)
}
