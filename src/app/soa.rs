//! `dyndns-soa`: the zone of the state's name (or of a name given) and its
//! primary.

use std::process::ExitCode;

use crate::app::args::SoaArgs;
use crate::app::cli;
use crate::config::{Config, Secrets};
use crate::stage::{self, CommonError, SoaError};
use crate::state::State;

/// `dyndns-soa` after its arguments.
pub fn soa(args: SoaArgs) -> ExitCode {
    let (reporter, config) = cli::start("dyndns-soa", &args.common, Secrets::Skip);
    reporter.finish(
        config
            .map_err(SoaError::from)
            .and_then(|config| soa_run(args, &config)),
    )
}

fn soa_run(args: SoaArgs, config: &Config) -> Result<u8, SoaError> {
    let timeout = config.timeout_or(args.timeout);
    if let Some(name) = &args.name {
        let primary = cli::block_on(stage::soa_of_name(name, timeout))?;
        cli::print_line(&primary.to_ascii())?;
        return Ok(stage::exit::SUCCESS);
    }
    let Some(input) = cli::read_stdin()? else {
        return Ok(stage::exit::SUCCESS);
    };
    let state = State::parse(&input, "standard input").map_err(CommonError::from)?;
    let state = cli::block_on(stage::soa(state, timeout))?;
    cli::print_line(&state.to_json())?;
    Ok(stage::exit::SUCCESS)
}
