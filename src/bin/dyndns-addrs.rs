//! `dyndns-addrs`: prints the state document of this host: its FQDN, the TTL
//! and the IPv6 addresses to register.

use std::process::ExitCode;

use clap::Parser;
use dyndns::cli::{self, Common, Failure};
use dyndns::exit;
use dyndns::stage::{self, AddrsOptions};

const NAME: &str = "dyndns-addrs";

/// Print this host's FQDN, TTL and the IPv6 addresses to register, as the
/// state document (one JSON object) that dyndns-diff, dyndns-soa and
/// dyndns-send read.
#[derive(Parser)]
#[command(name = NAME, version, after_help = "Example:\n  dyndns-addrs eth0\n  {\"hostname\":\"host1.example.com.\",\"ttl\":300,\"addresses\":[\"2001:db8::10\"]}")]
struct Args {
    #[command(flatten)]
    common: Common,
    /// Register this FQDN instead of the host's own (as socket.getfqdn() finds it)
    #[arg(long, value_name = "FQDN")]
    hostname: Option<String>,
    /// The TTL of the records, seconds, instead of the config's "ttl"
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(0..=0x7fff_ffff))]
    ttl: Option<u32>,
    /// Interfaces whose addresses to register [default: every interface that is up, but loopbacks]
    #[arg(value_name = "IFACE")]
    interfaces: Vec<String>,
}

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
