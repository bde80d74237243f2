//! `dyndns-addrs`: the state, or with `--diff` `dyndns-addrs | dyndns-diff`
//! in one process (the wrapper's every-minute run), or with `--explain`
//! the table; and the wrapper's own command line (`--pydyndns-argv`,
//! `--pydyndns-help`), which it has no parser of its own for.

use std::process::ExitCode;

use crate::app::args::{AddrsArgs, DiffArgs};
use crate::app::cli::{self, RunFacts};
use crate::config::{Compare, Config, Secrets};
use crate::stage::{self, AddrsDiffError, AddrsError, AddrsOptions, DiffOutcome};
use crate::state::State;

/// `dyndns-addrs` after its arguments.
pub fn addrs(args: AddrsArgs) -> ExitCode {
    if args.pydyndns_help {
        return print_or_fail(&crate::app::argparse::help());
    }
    if args.pydyndns_argv {
        return pydyndns_argv(&args.interfaces);
    }
    let (reporter, config) = cli::start("dyndns-addrs", &args.common, Secrets::Skip);
    let diff = args.diff;
    let result = cli::run(config, |config, facts| addrs_run(args, config, facts));
    if diff {
        reporter.finish(result.map_err(AddrsDiffError))
    } else {
        reporter.finish(result)
    }
}

fn addrs_run(args: AddrsArgs, config: &Config, facts: &mut RunFacts) -> Result<u8, AddrsError> {
    let opts = AddrsOptions {
        interfaces: args.interfaces,
        hostname: args.hostname,
        ttl_secs: args.ttl,
    };
    if args.explain {
        let text = stage::explain(&opts, config, args.format)?;
        cli::print_line(&text)?;
        return Ok(stage::exit::SUCCESS);
    }
    facts.in_run = true;
    let Some(state) = stage::addrs(&opts, config)? else {
        // As dyndns-diff given nothing: nothing to do.
        return Ok(stage::exit::SUCCESS);
    };
    facts.learn(&state);
    if !args.diff {
        cli::print_line(&state.to_json())?;
        return Ok(stage::exit::SUCCESS);
    }
    let Some(differs) = differs_from_cache(state, config)? else {
        // The same as the cache: the run ends here.
        facts.ends = true;
        return Ok(stage::exit::DIFF_SAME);
    };
    cli::print_line(&differs.to_json())?;
    Ok(stage::exit::DIFF_DIFFERS)
}

/// `--diff`: the state to pass on (`state`, or as dyndns-diff marks it),
/// `None` when it is the cache's. "compare": "live" needs the zone's
/// primary (dyndns-soa first): passed on uncompared, marked as the state
/// says.
fn differs_from_cache(state: State, config: &Config) -> Result<Option<State>, AddrsError> {
    if config.compare == Compare::Live {
        return Ok(Some(state));
    }
    // The comparison dyndns-diff -c FILE makes, without its flags.
    let opts = super::diff::diff_options(&DiffArgs::default(), config, None);
    Ok(match stage::diff_state(state, &opts)? {
        DiffOutcome::Differs(state) => Some(*state),
        DiffOutcome::Same | DiffOutcome::Empty => None,
    })
}

/// `--pydyndns-argv -- ARGS...`: the wrapper's command line, as PyDynDNS's
/// argparse reads it, printed in the one spelling the wrapper reads
/// (`set -- -c 'FILE' -f -- 'eth0'`), or argparse's usage message on
/// stderr and exit 2.
fn pydyndns_argv(args: &[String]) -> ExitCode {
    let args: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
    let parsed = crate::app::argparse::parse(&args);
    if let crate::app::argparse::Parsed::Usage(message) = &parsed {
        eprintln!("{}", crate::app::argparse::USAGE);
        eprintln!("pydyndns: error: {message} (try --help)");
        return stage::exit::code(stage::exit::USAGE);
    }
    print_or_fail(&String::from_utf8_lossy(&parsed.to_shell()))
}

fn print_or_fail(text: &str) -> ExitCode {
    match cli::print_line(text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
