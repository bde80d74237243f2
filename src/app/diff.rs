//! `dyndns-diff`: the state passed on only when it differs from the cache
//! (or, live, from what the primary serves), or `--check`'s report. The
//! TLS client is made here when a run asks the zone's servers over TLS.

use std::process::ExitCode;
use std::sync::Arc;

use crate::app::args::DiffArgs;
use crate::app::cli::{self, RunFacts};
use crate::config::{Compare, Config, Secrets};
use crate::dns::live::Via;
use crate::dns::transport::Secure;
use crate::stage::{self, DiffError, DiffOptions, DiffOutcome, Report};
use crate::state::State;

/// `dyndns-diff` after its arguments.
pub fn diff(args: DiffArgs) -> ExitCode {
    let (reporter, config) = cli::start("dyndns-diff", &args.common, Secrets::Skip);
    if args.check {
        // Monitoring's convention: every failure is UNKNOWN, on stdout.
        let report = config
            .map_err(|e| Report::unknown(&crate::util::describe::chain(&e)))
            .and_then(|config| check(&args, &config))
            .unwrap_or_else(|report| report);
        let _ = cli::print_line(&report.line);
        return stage::exit::code(report.status);
    }
    // diff(1)-like: every failure is "trouble" (DiffError's status).
    reporter.finish(cli::run(config, |config, facts| {
        diff_run(&args, config, facts)
    }))
}

/// `--check`: the state on stdin against what the zone's servers serve.
fn check(args: &DiffArgs, config: &Config) -> Result<Report, Report> {
    let unknown =
        |e: &(dyn std::error::Error + 'static)| Report::unknown(&crate::util::describe::chain(e));
    let input = cli::read_stdin()
        .map_err(|e| unknown(&e))?
        .ok_or_else(|| Report::unknown("no state on standard input: the host has no address to register, or an earlier stage failed"))?;
    let state = State::parse(&input, "standard input").map_err(|e| unknown(&e))?;
    let reach = args.net.reach(config);
    let tls = crate::dns::tls::client(&reach, None).map_err(|e| unknown(&e))?;
    let via = Via {
        port: reach.port,
        timeout: config.timeout_or(args.net.timeout),
        tls: tls.as_deref(),
    };
    Ok(stage::check(&state, &via, reach.plain_port))
}

fn diff_run(args: &DiffArgs, config: &Config, facts: &mut RunFacts) -> Result<u8, DiffError> {
    let input = cli::read_stdin()?;
    // An empty stdin: an earlier stage ended the run.
    facts.in_run = input.is_some();
    let mut opts = diff_options(args, config, None);
    // The TLS client (its files read, perhaps the system's trust store)
    // only for a state to compare live.
    if opts.live && input.is_some() {
        opts.tls = crate::dns::tls::client(&opts.reach, None)?;
    }
    let outcome = stage::diff(input.as_deref(), &opts)?;
    match &outcome {
        DiffOutcome::Differs(state) => cli::print_line(&state.to_json())?,
        DiffOutcome::Same => {
            facts.ends = true;
            // For the metrics only: the state was good enough to compare.
            if config.metrics.is_some()
                && let Some(state) = input.as_deref().and_then(|i| State::parse(i, "").ok())
            {
                facts.learn(&state);
            }
        }
        DiffOutcome::Empty => {}
    }
    Ok(outcome.status())
}

/// What `dyndns-diff` compares, and how, from its flags over the config.
pub(super) fn diff_options(
    args: &DiffArgs,
    config: &Config,
    tls: Option<Arc<dyn Secure>>,
) -> DiffOptions {
    DiffOptions {
        refresh: config.refresh(),
        reboot_updates: config.reboot_updates(),
        live: args.live || config.compare == Compare::Live,
        reach: args.net.reach(config),
        tls,
        timeout: config.timeout_or(args.net.timeout),
        cache: args.cache.clone().or_else(|| config.cache.clone()),
        force: args.force,
        guard: config.guard,
        lease: config.lease.is_some(),
    }
}
