//! `dyndns-send`: sends the RFC 2136 update and rewrites the cache.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use dyndns::cli::{self, Common, Failure};
use dyndns::exit;
use dyndns::keyfile;
use dyndns::stage::{self, SendOptions};
use dyndns::state::{State, parse_name};

const NAME: &str = "dyndns-send";

/// Send the update for the state on stdin: delete every record at the name,
/// add one AAAA per address, over TCP to each address of the primary in turn
/// until one accepts it; then rewrite the cache.
///
/// The zone and server come from the state (dyndns-soa adds them), from
/// --zone and --server, or are found here. An empty stdin is nothing to do.
#[derive(Parser)]
#[command(name = NAME, version, after_help = "Example:\n  dyndns-addrs eth0 | dyndns-soa | dyndns-send --dry-run")]
struct Args {
    #[command(flatten)]
    common: Common,
    /// The server: a name, an address, or [ADDRESS]:PORT [default: the state's "server"]
    #[arg(short = 's', long, value_name = "SERVER")]
    server: Option<String>,
    /// The zone apex [default: the state's "zone"]
    #[arg(short = 'z', long, value_name = "ZONE")]
    zone: Option<String>,
    /// The server's DNS port
    #[arg(short = 'p', long, default_value_t = 53)]
    port: u16,
    /// Seconds each DNS lookup and each server address may take, instead of the config's "timeout" [default: 5]
    #[arg(long, value_name = "SECONDS", value_parser = cli::parse_timeout)]
    timeout: Option<f64>,
    /// The cache file to rewrite on success, instead of the config's "cache"
    #[arg(long, value_name = "FILE")]
    cache: Option<PathBuf>,
    /// Sign with the key in this BIND key file (as tsig-keygen writes it, and nsupdate -k reads it), instead of the config's "tsig"
    #[arg(short = 'k', long = "key-file", value_name = "FILE")]
    key_file: Option<PathBuf>,
    /// Print the update (in nsupdate's words) instead of sending it
    #[arg(short = 'n', long)]
    dry_run: bool,
}

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
        dry_run: args.dry_run,
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
