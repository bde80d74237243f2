//! `dyndns-addrs`: prints the state document of this host: its FQDN, the TTL
//! and the IPv6 addresses to register.

use std::process::ExitCode;

use clap::Parser;
use dyndns::args::AddrsArgs as Args;
use dyndns::cli::{self, Failure};
use dyndns::exit;
use dyndns::stage::{self, AddrsOptions};

const NAME: &str = "dyndns-addrs";

fn main() -> ExitCode {
    let args = Args::parse();
    cli::finish(NAME, run(args))
}

fn run(args: Args) -> Result<u8, Failure> {
    let config = cli::start(NAME, &args.common)?;
    let opts = AddrsOptions {
        interfaces: args.interfaces,
        hostname: args.hostname,
        ttl_secs: args.ttl,
    };
    let state = stage::addrs(&opts, &config)?;
    cli::print_line(&state.to_json())?;
    Ok(exit::SUCCESS)
}
