//! `dyndns-diff`: passes the state on only when it differs from the cache.

use std::process::ExitCode;

use clap::Parser;
use dyndns::args::DiffArgs as Args;
use dyndns::cli;
use dyndns::config::{Compare, Config};
use dyndns::live::Via;
use dyndns::reach::Reach;
use dyndns::stage::{self, DiffError, DiffOptions, DiffOutcome, Report};
use dyndns::state::State;

fn main() -> ExitCode {
    let args = Args::parse();
    let (reporter, config) = cli::start("dyndns-diff", &args.common, dyndns::config::Secrets::Skip);
    if args.check {
        // Monitoring's convention: every failure is UNKNOWN, on stdout.
        let report = config
            .map_err(|e| Report::unknown(&cli::chain(&e)))
            .and_then(|config| check(&args, &config))
            .unwrap_or_else(|report| report);
        let _ = cli::print_line(&report.line);
        return dyndns::exit::code(report.status);
    }
    // diff(1)-like: every failure is "trouble" (DiffError's status).
    reporter.finish(
        config
            .map_err(DiffError::from)
            .and_then(|config| run(args, config)),
    )
}

/// `--check`: the state on stdin against what the zone's servers serve.
fn check(args: &Args, config: &Config) -> Result<Report, Report> {
    let input = cli::read_stdin()
        .map_err(|e| Report::unknown(&cli::chain(&e)))?
        .ok_or_else(|| Report::unknown("no state on standard input: the host has no address to register, or an earlier stage failed"))?;
    let state =
        State::parse(&input, "standard input").map_err(|e| Report::unknown(&cli::chain(&e)))?;
    let reach = Reach::new(&args.net, config);
    let tls = reach
        .client()
        .map_err(|e| Report::unknown(&cli::chain(&e)))?;
    let via = Via {
        port: reach.port,
        timeout: config.timeout_or(args.net.timeout),
        tls: tls.as_deref(),
    };
    Ok(stage::check(&state, &via, reach.plain_port))
}

fn run(args: Args, config: Config) -> Result<u8, DiffError> {
    let input = cli::read_stdin()?;
    let opts = DiffOptions {
        refresh: config.refresh(),
        reboot_updates: config.reboot_updates(),
        live: args.live || config.compare == Compare::Live,
        reach: Reach::new(&args.net, &config),
        timeout: config.timeout_or(args.net.timeout),
        cache: args.cache.or(config.cache),
        force: args.force,
        guard: config.guard,
    };
    let outcome = stage::diff(input.as_deref(), &opts)?;
    if let DiffOutcome::Differs(state) = &outcome {
        cli::print_line(&state.to_json())?;
    }
    Ok(outcome.status())
}
