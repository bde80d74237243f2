//! `dyndns-addrs`: the state, or with `--diff` and `--pydyndns-fast` (the
//! wrapper's every-minute run) `dyndns-addrs | dyndns-diff` in one process.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

use super::{CHANGED_STATE, HELPER, NSS_HOSTS, hand_over};
use crate::args::{AddrsArgs, DiffArgs};
use crate::cli;
use crate::config::{Compare, Config};
use crate::stage::{self, AddrsDiffError, AddrsError, AddrsOptions, DiffOutcome};
use crate::state::State;

/// `dyndns-addrs` after its arguments: the state document, with `--diff`
/// only when it differs from the cache, or with `--explain` the table.
pub fn addrs(args: AddrsArgs, lookup: Option<crate::hostname::HostLookup>) -> ExitCode {
    let (reporter, config) = cli::start("dyndns-addrs", &args.common, crate::config::Secrets::Skip);
    if let Some(line) = std::env::var_os(NSS_HOSTS) {
        log::debug!(
            "dyndns-addrs run by {HELPER}: the host name's lookup follows \"hosts: {}\" (nsswitch.conf)",
            line.to_string_lossy()
        );
    }
    // --pydyndns-fast keeps dyndns-addrs's statuses (see AddrsArgs).
    let diff = args.diff && args.pydyndns_fast.is_none();
    let result = config
        .map_err(AddrsError::from)
        .and_then(|config| addrs_run(args, lookup, &config));
    if diff {
        reporter.finish(result.map_err(AddrsDiffError))
    } else {
        reporter.finish(result)
    }
}

fn addrs_run(
    args: AddrsArgs,
    lookup: Option<crate::hostname::HostLookup>,
    config: &Config,
) -> Result<u8, AddrsError> {
    let opts = AddrsOptions {
        interfaces: args.interfaces,
        hostname: args.hostname,
        ttl_secs: args.ttl,
        lookup,
    };
    if args.explain {
        let text = stage::explain(&opts, config, args.format)?;
        cli::print_line(&text)?;
        return Ok(crate::exit::SUCCESS);
    }
    let Some(state) = stage::addrs(&opts, config)? else {
        // As dyndns-diff given nothing: nothing to do.
        return Ok(crate::exit::SUCCESS);
    };
    if !args.diff && args.pydyndns_fast.is_none() {
        cli::print_line(&state.to_json())?;
        return Ok(crate::exit::SUCCESS);
    }
    let Some(differs) = differs_from_cache(state, config)? else {
        return Ok(crate::exit::DIFF_SAME);
    };
    let differs = differs.to_json();
    match args.pydyndns_fast {
        Some(script) => Err(AddrsError::Wrapper(wrapper_again(
            &script,
            args.common.config.as_deref(),
            &opts.interfaces,
            &differs,
        ))),
        None => {
            cli::print_line(&differs)?;
            Ok(crate::exit::DIFF_DIFFERS)
        }
    }
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
    let opts = super::diff_options(&DiffArgs::default(), config, None);
    Ok(match stage::diff_state(state, &opts)? {
        DiffOutcome::Differs(state) => Some(*state),
        DiffOutcome::Same | DiffOutcome::Empty => None,
    })
}

/// `--pydyndns-fast`: replaces this process with the wrapper `script` again,
/// its every-minute command line, with the state that changed in
/// [`CHANGED_STATE`]. A state too large for the environment (128 KiB) is
/// left out, the ID alone telling the wrapper to find it again itself
/// without coming back here. Returns only on failure.
fn wrapper_again(
    script: &std::path::Path,
    config: Option<&std::path::Path>,
    interfaces: &[String],
    state: &str,
) -> io::Error {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg(script);
    if let Some(config) = config {
        cmd.arg("-c").arg(config);
    }
    cmd.arg("--").args(interfaces);
    let id = std::process::id();
    let mut error = cmd.env(CHANGED_STATE, format!("{id} {state}")).exec();
    if error.raw_os_error() == Some(libc::E2BIG) {
        // The ID alone: the wrapper finds the state itself, and does not
        // come back here.
        error = cmd.env(CHANGED_STATE, format!("{id} ")).exec();
    }
    io::Error::new(
        error.kind(),
        format!(
            "cannot run the wrapper {} again for the update: {error}",
            script.display()
        ),
    )
}

/// In a statically linked `dyndns-addrs`: how the host's FQDN is found,
/// decided before anything else, and the run handed to [`HELPER`] when
/// that asks the system's resolver and its own would not follow the
/// `hosts:` line of nsswitch.conf. Returns the decision, for the run not
/// to read the files again; with the hand-over failed, after a warning
/// (its own resolver then answers). `None` in a dynamically linked build,
/// or with `--hostname`.
pub fn addrs_hand_over_if_needed(args: &AddrsArgs) -> Option<crate::hostname::HostLookup> {
    use crate::hostname::{self, HostLookup};
    if !cfg!(target_feature = "crt-static") || args.hostname.is_some() {
        return None;
    }
    // An error (no host name) is the run's to report, as before.
    let lookup = hostname::lookup().ok()?;
    if let HostLookup::Resolver {
        nss: Some(line), ..
    } = &lookup
    {
        let e = hand_over(
            HELPER,
            &["dyndns-addrs"],
            vec![(NSS_HOSTS, line.into())],
            "the host name's lookup through NSS",
        );
        eprintln!(
            "dyndns-addrs: warning: {e}; looking the host name up in /etc/hosts and DNS only"
        );
    }
    Some(lookup)
}
