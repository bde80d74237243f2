//! `dyndns-soa`: finds the zone of a name and its primary server.

use std::process::ExitCode;

use clap::Parser;
use dyndns::cli::{self, Common, Failure};
use dyndns::exit;
use dyndns::stage;
use dyndns::state::State;

const NAME: &str = "dyndns-soa";

/// Find the zone apex and primary server (SOA MNAME) of a name through the
/// system resolver (/etc/resolv.conf).
///
/// With NAME, print the primary's name. Without, read the state document on
/// stdin and print it with "zone" and "server" added; an empty stdin is
/// nothing to do.
#[derive(Parser)]
#[command(name = NAME, version, after_help = "Examples:\n  dyndns-soa host1.example.com\n  ns1.example.com.\n  dyndns-addrs eth0 | dyndns-soa")]
struct Args {
    #[command(flatten)]
    common: Common,
    /// Seconds each DNS lookup and each server address may take, instead of the config's "timeout" [default: 5]
    #[arg(long, value_name = "SECONDS", value_parser = cli::parse_timeout)]
    timeout: Option<f64>,
    /// The name whose primary to print, instead of reading stdin
    #[arg(value_name = "NAME")]
    name: Option<String>,
}

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
