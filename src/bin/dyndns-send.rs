//! `dyndns-send`: sends the RFC 2136 update and rewrites the cache. A
//! config asking for GSS-TSIG hands the run to `dyndns-send-gss`, so that
//! this program never links the GSS-API libraries.

use std::process::ExitCode;

use clap::Parser;
use dyndns::args::SendArgs as Args;
use dyndns::cli;
use dyndns::gss_env;
use dyndns::stage::SendError;

fn main() -> ExitCode {
    let args = Args::parse();
    let (reporter, config) = cli::start("dyndns-send", &args.common, dyndns::config::Secrets::Load);
    reporter.finish(config.map_err(SendError::from).and_then(|config| {
        // A dry run prints the nsupdate -g script without Kerberos.
        match &config.gss {
            Some(gss) if !args.dry_run => Err(SendError::GssHelper(gss_env::exec(gss))),
            _ => cli::send(args, &config, None),
        }
    }))
}
