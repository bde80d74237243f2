//! `dyndns-send`: the update sent and the cache rewritten. The TLS client
//! and GSS-TSIG's initiator are made here, for a run that sends.

use std::process::ExitCode;
use std::sync::Arc;

use crate::app::args::SendArgs;
use crate::app::cli::{self, RunFacts};
use crate::config::{Config, Secrets};
use crate::stage::{self, CommonError, Prepared, SendError, SendFlags, SendOptions};
use crate::state::State;

/// `dyndns-send` after its arguments. A GSS-TSIG config's Kerberos
/// environment is set first, while the process has one thread.
pub fn send(args: SendArgs) -> ExitCode {
    let dry_run = args.dry_run;
    let (reporter, config) =
        cli::start_with("dyndns-send", &args.common, Secrets::Load, |config| {
            if let Some(gss) = config.gss.as_ref().filter(|_| !dry_run) {
                crate::dns::gss_env::apply(gss);
            }
        });
    reporter.finish(cli::run(config, |config, facts| {
        send_run(args, config, facts)
    }))
}

/// The flags checked, the state read from stdin, the lock taken, the
/// update sent, the result printed.
fn send_run(args: SendArgs, config: &Config, facts: &mut RunFacts) -> Result<u8, SendError> {
    let dry_run = args.dry_run;
    let reach = args.net.reach(config);
    let flags = SendFlags {
        server: args.server,
        zone: args.zone,
        reach: reach.clone(),
        timeout_secs: args.net.timeout,
        cache: args.cache,
        key_file: args.key_file,
        dry_run: args.dry_run.then_some(args.format),
        verify: args.verify,
        take_over: args.take_over,
    };
    let mut opts = SendOptions::new(flags, config)?;
    let Some(input) = cli::read_stdin()? else {
        return Ok(stage::exit::SUCCESS);
    };
    // The last stage: its outcome is the run's (a dry run is none).
    facts.in_run = !dry_run;
    facts.ends = true;
    let state = State::parse(&input, "standard input").map_err(CommonError::from)?;
    facts.learn(&state);
    // Only for a state to send: a dry run connects nowhere, so it reads no
    // TLS file and asks no KDC (it prints the script for nsupdate -g).
    if !dry_run {
        opts.tls = crate::dns::tls::client(&reach, opts.server.as_deref())?;
        if let Some(gss) = &config.gss {
            opts.gss = Some(gss_initiator(gss)?);
        }
    }
    // The lock is waited for before the runtime exists.
    let line = match stage::send_prepare(state, opts)? {
        Prepared::Done(line) => line,
        Prepared::Go(sending) => {
            let start = std::time::Instant::now();
            let line = cli::block_on(sending.send())?;
            facts.end.update = Some(start.elapsed());
            line
        }
    };
    cli::print_line(&line)?;
    Ok(stage::exit::SUCCESS)
}

/// GSS-TSIG's initiator, through the system's GSS-API.
#[cfg(feature = "gss")]
fn gss_initiator(
    gss: &crate::dns::gss_env::GssConfig,
) -> Result<Arc<dyn crate::dns::tkey::GssInitiator>, SendError> {
    Ok(Arc::new(crate::dns::gss::Initiator::new(
        gss.principal.clone(),
    )))
}

/// Built without the "gss" feature: one line saying how to get it.
#[cfg(not(feature = "gss"))]
fn gss_initiator(
    _: &crate::dns::gss_env::GssConfig,
) -> Result<Arc<dyn crate::dns::tkey::GssInitiator>, SendError> {
    Err(SendError::NoGss)
}
