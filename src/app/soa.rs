//! `dyndns-soa`: the zone of the state's name (or of a name given) and its
//! primary.

use std::process::ExitCode;

use crate::app::args::SoaArgs;
use crate::app::cli::{self, RunFacts};
use crate::config::{Config, Secrets};
use crate::stage::{self, CommonError, SoaError};
use crate::state::State;

/// `dyndns-soa` after its arguments.
pub fn soa(args: SoaArgs) -> ExitCode {
    let (reporter, config) = cli::start("dyndns-soa", &args.common, Secrets::Skip);
    reporter.finish(cli::run(config, |config, facts| {
        soa_run(args, config, facts)
    }))
}

fn soa_run(args: SoaArgs, config: &Config, facts: &mut RunFacts) -> Result<u8, SoaError> {
    let timeout = config.timeout_or(args.timeout);
    if let Some(name) = &args.name {
        let primary = cli::block_on(stage::soa_of_name(name, timeout))?;
        cli::print_line(&primary.to_ascii())?;
        return Ok(stage::exit::SUCCESS);
    }
    let Some(input) = cli::read_stdin()? else {
        return Ok(stage::exit::SUCCESS);
    };
    // A failure here ends the run; a success passes it on.
    facts.in_run = true;
    let state = State::parse(&input, "standard input").map_err(CommonError::from)?;
    facts.learn(&state);
    let state = cli::block_on(stage::soa(state, timeout, &config.servers))?;
    cli::print_line(&state.to_json())?;
    Ok(stage::exit::SUCCESS)
}
