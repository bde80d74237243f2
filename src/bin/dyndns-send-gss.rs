//! `dyndns-send-gss`: `dyndns-send` with GSS-TSIG (RFC 3645), the only
//! program linked with the system's GSS-API. `dyndns-send` runs it when
//! the config's `tsig` says `gss-tsig`, with the Kerberos environment the
//! config asks for; run by hand, it sets that environment up the same way.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use dyndns::args::SendArgs as Args;
use dyndns::cli;
use dyndns::gss::Initiator;
use dyndns::gss_env;
use dyndns::stage::SendError;

fn main() -> ExitCode {
    let args = Args::parse();
    let (reporter, config) = cli::start("dyndns-send", &args.common, dyndns::config::Secrets::Load);
    reporter.finish(config.map_err(SendError::from).and_then(|config| {
        match &config.gss {
            None => cli::send(args, &config, None, None),
            // Run by hand: the config's Kerberos environment first.
            Some(gss) if std::env::var_os(gss_env::MARK).is_none() => {
                Err(SendError::Helper(gss_env::exec(gss)))
            }
            // Over TLS: dyndns-helper, which has both.
            Some(_) if dyndns::programs::send_needs_tls(&args, &config) => {
                Err(dyndns::programs::send_over_tls(config.gss.as_ref()))
            }
            Some(gss) => {
                let initiator = Arc::new(Initiator::new(gss.principal.clone()));
                cli::send(args, &config, Some(initiator), None)
            }
        }
    }))
}
