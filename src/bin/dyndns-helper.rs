//! `dyndns-helper`: the stages with what the every-minute programs leave
//! out, linked dynamically: DNS over TLS (RFC 7858; the only program linked
//! with the TLS library, rustls), GSS-TSIG over TLS (built with the "gss"
//! feature: the GSS-API too), and the system's NSS modules for the host
//! name's lookup and the servers' (where the statically linked stages'
//! own resolver would not follow nsswitch.conf). `dyndns-send`, `dyndns-diff` and `dyndns-addrs` run it
//! themselves when they need it — `dyndns-helper dyndns-send ARGS...` —
//! with the same arguments and standard input.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use dyndns::args::{AddrsArgs, DiffArgs, SendArgs};
use dyndns::config::Secrets;
use dyndns::reach::Reach;
use dyndns::stage::SendError;
use dyndns::{cli, programs, tls};

fn main() -> ExitCode {
    let mut argv: Vec<OsString> = std::env::args_os().collect();
    let program = argv.get(1).and_then(|p| p.to_str()).map(str::to_owned);
    match program.as_deref() {
        Some(name @ ("dyndns-send" | "dyndns-diff" | "dyndns-addrs")) => {
            // The program's own command line: its name, then its arguments.
            argv.remove(0);
            match name {
                "dyndns-send" => send(SendArgs::parse_from(argv)),
                "dyndns-diff" => diff(DiffArgs::parse_from(argv)),
                _ => programs::addrs(AddrsArgs::parse_from(argv), None),
            }
        }
        _ => {
            eprintln!(
                "dyndns-helper: run as dyndns-helper dyndns-send|dyndns-diff|dyndns-addrs ARGS... (those run it themselves: for DNS over TLS, GSS-TSIG over TLS, and host lookups through the system's NSS modules)"
            );
            dyndns::exit::code(dyndns::exit::USAGE)
        }
    }
}

fn diff(args: DiffArgs) -> ExitCode {
    let (reporter, config) = cli::start("dyndns-diff", &args.common, Secrets::Skip);
    let client = match &config {
        Ok(c) => tls::client(&Reach::new(&args.net, c)),
        Err(_) => Ok(None),
    };
    match client {
        Ok(client) => programs::diff(args, reporter, config, client),
        Err(e) if args.check => {
            let report = dyndns::stage::Report::unknown(&cli::chain(&e));
            let _ = cli::print_line(&report.line);
            dyndns::exit::code(report.status)
        }
        Err(e) => reporter.finish::<dyndns::stage::DiffError>(Err(e.into())),
    }
}

fn send(args: SendArgs) -> ExitCode {
    let (reporter, config) = cli::start("dyndns-send", &args.common, Secrets::Load);
    reporter.finish(config.map_err(SendError::from).and_then(|config| {
        // GSS-TSIG first: it may re-run this program, before any TLS file is read.
        let gss = match &config.gss {
            None => None,
            Some(gss) => Some(gss_initiator(gss)?),
        };
        let client = tls::client(&Reach::new(&args.net, &config))?;
        cli::send(args, &config, gss, client)
    }))
}

/// GSS-TSIG's initiator, in the config's Kerberos environment (set up by
/// re-running this program in it, when run by hand).
#[cfg(feature = "gss")]
fn gss_initiator(
    gss: &dyndns::config::GssConfig,
) -> Result<std::sync::Arc<dyn dyndns::tkey::GssInitiator>, SendError> {
    if std::env::var_os(dyndns::gss_env::MARK).is_none() {
        // Its own arguments again ("dyndns-send" and the rest), in the
        // config's Kerberos environment.
        return Err(SendError::Helper(programs::hand_over(
            programs::HELPER,
            &[],
            dyndns::gss_env::environment(gss),
            "GSS-TSIG's Kerberos environment",
        )));
    }
    Ok(std::sync::Arc::new(dyndns::gss::Initiator::new(
        gss.principal.clone(),
    )))
}

/// Without the "gss" feature, no GSS-TSIG.
#[cfg(not(feature = "gss"))]
fn gss_initiator(
    _: &dyndns::config::GssConfig,
) -> Result<std::sync::Arc<dyn dyndns::tkey::GssInitiator>, SendError> {
    Err(SendError::Helper(std::io::Error::other(
        "GSS-TSIG over TLS needs dyndns-helper built with the \"gss\" feature",
    )))
}
