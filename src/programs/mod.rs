//! The bodies of the programs after their arguments: each starts (the
//! config and logging, [`cli::start`]), runs its stage and turns the
//! outcome into an exit code. DNS over TLS and GSS-TSIG are linked in
//! here, where a program needs them.

mod addrs;
mod watch;

pub use addrs::addrs;
pub use watch::watch;

use std::process::ExitCode;
use std::sync::Arc;

use crate::args::{DiffArgs, SendArgs, SoaArgs};
use crate::cli;
use crate::config::{Compare, Config, Secrets};
use crate::live::Via;
use crate::reach::Reach;
use crate::stage::{
    self, CommonError, DiffError, DiffOptions, DiffOutcome, Prepared, Report, SendError, SendFlags,
    SendOptions, SoaError,
};
use crate::state::State;
use crate::transport::Secure;

/// `dyndns-diff` after its arguments.
pub fn diff(args: DiffArgs) -> ExitCode {
    let (reporter, config) = cli::start("dyndns-diff", &args.common, Secrets::Skip);
    if args.check {
        // Monitoring's convention: every failure is UNKNOWN, on stdout.
        let report = config
            .map_err(|e| Report::unknown(&cli::chain(&e)))
            .and_then(|config| check(&args, &config))
            .unwrap_or_else(|report| report);
        let _ = cli::print_line(&report.line);
        return crate::exit::code(report.status);
    }
    // diff(1)-like: every failure is "trouble" (DiffError's status).
    reporter.finish(
        config
            .map_err(DiffError::from)
            .and_then(|config| diff_run(&args, &config)),
    )
}

/// `--check`: the state on stdin against what the zone's servers serve.
fn check(args: &DiffArgs, config: &Config) -> Result<Report, Report> {
    let unknown = |e: &(dyn std::error::Error + 'static)| Report::unknown(&cli::chain(e));
    let reach = Reach::new(&args.net, config);
    let tls = crate::tls::client(&reach).map_err(|e| unknown(&e))?;
    let input = cli::read_stdin()
        .map_err(|e| unknown(&e))?
        .ok_or_else(|| Report::unknown("no state on standard input: the host has no address to register, or an earlier stage failed"))?;
    let state = State::parse(&input, "standard input").map_err(|e| unknown(&e))?;
    let via = Via {
        port: reach.port,
        timeout: config.timeout_or(args.net.timeout),
        tls: tls.as_deref(),
    };
    Ok(stage::check(&state, &via, reach.plain_port))
}

fn diff_run(args: &DiffArgs, config: &Config) -> Result<u8, DiffError> {
    let live = args.live || config.compare == Compare::Live;
    let tls = if live {
        crate::tls::client(&Reach::new(&args.net, config))?
    } else {
        None
    };
    let input = cli::read_stdin()?;
    let opts = diff_options(args, config, tls);
    let outcome = stage::diff(input.as_deref(), &opts)?;
    if let DiffOutcome::Differs(state) = &outcome {
        cli::print_line(&state.to_json())?;
    }
    Ok(outcome.status())
}

/// What `dyndns-diff` compares, and how, from its flags over the config.
fn diff_options(args: &DiffArgs, config: &Config, tls: Option<Arc<dyn Secure>>) -> DiffOptions {
    DiffOptions {
        refresh: config.refresh(),
        reboot_updates: config.reboot_updates(),
        live: args.live || config.compare == Compare::Live,
        reach: Reach::new(&args.net, config),
        tls,
        timeout: config.timeout_or(args.net.timeout),
        cache: args.cache.clone().or_else(|| config.cache.clone()),
        force: args.force,
        guard: config.guard,
    }
}

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
        return Ok(crate::exit::SUCCESS);
    }
    let Some(input) = cli::read_stdin()? else {
        return Ok(crate::exit::SUCCESS);
    };
    let state = State::parse(&input, "standard input").map_err(CommonError::from)?;
    let state = cli::block_on(stage::soa(state, timeout))?;
    cli::print_line(&state.to_json())?;
    Ok(crate::exit::SUCCESS)
}

/// `dyndns-send` after its arguments. A GSS-TSIG config's Kerberos
/// environment is set first, while the process has one thread.
pub fn send(args: SendArgs) -> ExitCode {
    let dry_run = args.dry_run;
    let (reporter, config) =
        cli::start_with("dyndns-send", &args.common, Secrets::Load, |config| {
            if let Some(gss) = config.gss.as_ref().filter(|_| !dry_run) {
                crate::gss_env::apply(gss);
            }
        });
    reporter.finish(
        config
            .map_err(SendError::from)
            .and_then(|config| send_run(args, &config)),
    )
}

/// The flags checked, the state read from stdin, the lock taken, the
/// update sent, the result printed.
fn send_run(args: SendArgs, config: &Config) -> Result<u8, SendError> {
    let reach = Reach::new(&args.net, config);
    let dry_run = args.dry_run;
    let flags = SendFlags {
        server: args.server,
        zone: args.zone,
        reach: reach.clone(),
        timeout_secs: args.net.timeout,
        cache: args.cache,
        key_file: args.key_file,
        dry_run: args.dry_run.then_some(args.format),
        verify: args.verify,
    };
    let mut opts = SendOptions::new(flags, config)?;
    // A dry run connects nowhere: it reads no TLS file and asks no KDC
    // (it prints the script for nsupdate -g).
    if !dry_run {
        opts.tls = crate::tls::client(&reach)?;
        if let Some(gss) = &config.gss {
            opts.gss = Some(gss_initiator(gss)?);
        }
    }
    let Some(input) = cli::read_stdin()? else {
        return Ok(crate::exit::SUCCESS);
    };
    let state = State::parse(&input, "standard input").map_err(CommonError::from)?;
    // The lock is waited for before the runtime exists.
    let line = match stage::send_prepare(state, opts)? {
        Prepared::Done(line) => line,
        Prepared::Go(sending) => cli::block_on(sending.send())?,
    };
    cli::print_line(&line)?;
    Ok(crate::exit::SUCCESS)
}

/// GSS-TSIG's initiator, through the system's GSS-API.
#[cfg(feature = "gss")]
fn gss_initiator(
    gss: &crate::config::GssConfig,
) -> Result<Arc<dyn crate::tkey::GssInitiator>, SendError> {
    Ok(Arc::new(crate::gss::Initiator::new(gss.principal.clone())))
}

/// Built without the "gss" feature: one line saying how to get it.
#[cfg(not(feature = "gss"))]
fn gss_initiator(
    _: &crate::config::GssConfig,
) -> Result<Arc<dyn crate::tkey::GssInitiator>, SendError> {
    Err(SendError::NoGss)
}
