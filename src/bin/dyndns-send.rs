//! `dyndns-send`: sends the RFC 2136 update and rewrites the cache. A
//! config asking for DNS over TLS hands the run to `dyndns-helper`, one
//! asking for GSS-TSIG to `dyndns-send-gss`, so that this program links
//! neither the TLS library nor the GSS-API.

use std::process::ExitCode;

use clap::Parser;
use dyndns::args::SendArgs as Args;
use dyndns::stage::SendError;
use dyndns::{cli, gss_env, programs};

fn main() -> ExitCode {
    let args = Args::parse();
    let (reporter, config) = cli::start("dyndns-send", &args.common, dyndns::config::Secrets::Load);
    reporter.finish(config.map_err(SendError::from).and_then(|config| {
        if programs::send_needs_tls(&args, &config) {
            return Err(programs::send_over_tls(config.gss.as_ref()));
        }
        // A dry run prints the nsupdate -g script without Kerberos.
        match &config.gss {
            Some(gss) if !args.dry_run => Err(SendError::Helper(gss_env::exec(gss))),
            _ => cli::send(args, &config, None, None),
        }
    }))
}
