//! `dyndns-addrs`: prints the state document of this host: its FQDN, the TTL
//! and the IPv6 addresses to register.

use std::process::ExitCode;

use dyndns::args::AddrsArgs as Args;
use dyndns::cli;
use dyndns::config::Config;
use dyndns::exit;
use dyndns::stage::{self, AddrsError, AddrsOptions};

fn main() -> ExitCode {
    // The pydyndns wrapper's command line, for the spellings it does not
    // parse itself, and its help (see dyndns::argparse).
    let mut argv = std::env::args_os().skip(1);
    match argv.next().as_deref().and_then(|a| a.to_str()) {
        Some("--pydyndns-argv") => return cli::pydyndns_argv(&argv.collect::<Vec<_>>()),
        Some("--pydyndns-help") => {
            return match cli::print_line(dyndns::argparse::HELP) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::FAILURE,
            };
        }
        _ => {}
    }
    let args = dyndns::quickargs::addrs_args();
    let (reporter, config) =
        cli::start("dyndns-addrs", &args.common, dyndns::config::Secrets::Skip);
    reporter.finish(
        config
            .map_err(AddrsError::from)
            .and_then(|config| run(args, &config)),
    )
}

fn run(args: Args, config: &Config) -> Result<u8, AddrsError> {
    let opts = AddrsOptions {
        interfaces: args.interfaces,
        hostname: args.hostname,
        ttl_secs: args.ttl,
    };
    if args.explain {
        let text = stage::explain(&opts, config, args.format)?;
        cli::print_line(&text)?;
        return Ok(exit::SUCCESS);
    }
    if let Some(state) = stage::addrs(&opts, config)? {
        cli::print_line(&state.to_json())?;
    }
    Ok(exit::SUCCESS)
}
