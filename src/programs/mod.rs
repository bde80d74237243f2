//! The bodies of the stages after their arguments, shared with the
//! programs that run them with more linked in: `dyndns-send-gss` (the
//! GSS-API) and `dyndns-helper` (rustls, the system's NSS, clap), each
//! given what it adds. A run that needs either is handed to it with
//! [`hand_over`], so that the every-minute programs stay small.

mod addrs;

pub use addrs::{addrs, addrs_hand_over_if_needed};

use std::ffi::OsString;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};
use std::sync::Arc;

use crate::args::{DiffArgs, SendArgs};
use crate::cli::{self, Reporter};
use crate::config::{Compare, Config};
use crate::live::Via;
use crate::reach::Reach;
use crate::stage::{self, CommonError, DiffError, DiffOptions, DiffOutcome, Report, SendError};
use crate::state::State;
use crate::transport::Secure;

/// The program that adds what the every-minute programs leave out (TLS,
/// the GSS-API, the system's NSS modules), installed beside them.
pub const HELPER: &str = "dyndns-helper";

/// Set by `dyndns-addrs --pydyndns-fast` running the wrapper again: this
/// process's ID, a space, and the state that changed. The wrapper takes it
/// only when the ID is its own (`$$`: the same process, after `exec`), so
/// that one inherited from elsewhere is never taken for this run's.
pub const CHANGED_STATE: &str = "DYNDNS_CHANGED_STATE";

/// Set by a statically linked stage handing its run to [`HELPER`] for its
/// lookups to go through the system's NSS: the `hosts:` line they follow.
pub const NSS_HOSTS: &str = "DYNDNS_NSS_HOSTS";

/// Replaces this process with `helper` from the same directory, with
/// `first` before this run's own arguments and `env` added; `what` says
/// what it is for. Returns only on failure.
pub fn hand_over(
    helper: &str,
    first: &[&str],
    env: Vec<(&'static str, OsString)>,
    what: &str,
) -> io::Error {
    let path = beside_this_program(helper);
    let error = Command::new(&path)
        .args(first)
        .args(std::env::args_os().skip(1))
        .envs(env)
        .exec();
    // What to do about the usual cause: a program copied without the rest.
    let hint = if error.kind() == io::ErrorKind::NotFound {
        format!(
            "; {helper} comes with dyndns (make install, or its package): install it beside this program"
        )
    } else {
        String::new()
    };
    io::Error::new(
        error.kind(),
        format!("cannot run {} for {what}: {error}{hint}", path.display()),
    )
}

/// Hands a command line that a statically linked stage does not read
/// itself ([`crate::quickargs`]) to [`HELPER`], which reads it with clap
/// and runs the stage. Returns only on failure.
pub fn parse_in_helper(program: &str) -> ExitCode {
    let e = hand_over(HELPER, &[program], Vec::new(), "this command line");
    eprintln!("{program}: {e}");
    crate::exit::code(crate::exit::USAGE)
}

/// `program` in this program's directory: from `/proc/self/exe`, else
/// (no /proc) from how it was run, as a path, or else by name on `PATH`,
/// where this program was found.
fn beside_this_program(program: &str) -> std::path::PathBuf {
    if let Ok(exe) = std::env::current_exe() {
        return exe.with_file_name(program);
    }
    match std::env::args_os().next().map(std::path::PathBuf::from) {
        Some(run) if run.as_os_str().as_encoded_bytes().contains(&b'/') => {
            run.with_file_name(program)
        }
        _ => program.into(),
    }
}

/// Why a `dyndns-diff` run goes to [`HELPER`].
#[derive(Debug)]
pub enum DiffHelp {
    /// It asks the primary over TLS.
    Tls,
    /// It looks servers up by name, and a statically linked build's own
    /// resolver would not follow this `hosts:` line of nsswitch.conf.
    Nss(String),
}

/// Whether this `dyndns-diff` run needs [`HELPER`]: a live comparison or
/// `--check` (which ask the primary, and look it up by name) over TLS, or
/// through NSS where this program's own resolver falls short.
pub fn diff_needs_helper(args: &DiffArgs, config: &Config) -> Option<DiffHelp> {
    let asks = args.live || args.check || config.compare == Compare::Live;
    if !asks {
        return None;
    }
    if Reach::new(&args.net, config).tls.is_some() {
        return Some(DiffHelp::Tls);
    }
    crate::hostname::static_resolver_falls_short_here().map(DiffHelp::Nss)
}

/// Hands a `dyndns-diff` run to `dyndns-helper`; returns only on failure,
/// reported as the run asks (`--check`: UNKNOWN on stdout).
pub fn diff_over_helper(args: &DiffArgs, reporter: Reporter, why: DiffHelp) -> ExitCode {
    let e = match why {
        DiffHelp::Tls => hand_over(HELPER, &["dyndns-diff"], Vec::new(), "DNS over TLS"),
        DiffHelp::Nss(line) => hand_over(
            HELPER,
            &["dyndns-diff"],
            vec![(NSS_HOSTS, line.into())],
            "the servers' lookups through NSS",
        ),
    };
    if args.check {
        let report = Report::unknown(&cli::chain(&e));
        let _ = cli::print_line(&report.line);
        return crate::exit::code(report.status);
    }
    reporter.finish::<DiffError>(Err(DiffError::Helper(e)))
}

/// `dyndns-diff`, with the TLS client when it has one.
pub fn diff(
    args: DiffArgs,
    reporter: Reporter,
    config: Result<Config, CommonError>,
    tls: Option<Arc<dyn Secure>>,
) -> ExitCode {
    if let Some(line) = std::env::var_os(NSS_HOSTS) {
        log::debug!(
            "dyndns-diff run by {HELPER}: the servers' lookups follow \"hosts: {}\" (nsswitch.conf)",
            line.to_string_lossy()
        );
    }
    if args.check {
        // Monitoring's convention: every failure is UNKNOWN, on stdout.
        let report = config
            .map_err(|e| Report::unknown(&cli::chain(&e)))
            .and_then(|config| check(&args, &config, tls.as_deref()))
            .unwrap_or_else(|report| report);
        let _ = cli::print_line(&report.line);
        return crate::exit::code(report.status);
    }
    // diff(1)-like: every failure is "trouble" (DiffError's status).
    reporter.finish(
        config
            .map_err(DiffError::from)
            .and_then(|config| diff_run(args, config, tls)),
    )
}

/// `--check`: the state on stdin against what the zone's servers serve.
fn check(args: &DiffArgs, config: &Config, tls: Option<&dyn Secure>) -> Result<Report, Report> {
    let input = cli::read_stdin()
        .map_err(|e| Report::unknown(&cli::chain(&e)))?
        .ok_or_else(|| Report::unknown("no state on standard input: the host has no address to register, or an earlier stage failed"))?;
    let state =
        State::parse(&input, "standard input").map_err(|e| Report::unknown(&cli::chain(&e)))?;
    let reach = Reach::new(&args.net, config);
    let via = Via {
        port: reach.port,
        timeout: config.timeout_or(args.net.timeout),
        tls,
    };
    Ok(stage::check(&state, &via, reach.plain_port))
}

fn diff_run(args: DiffArgs, config: Config, tls: Option<Arc<dyn Secure>>) -> Result<u8, DiffError> {
    let input = cli::read_stdin()?;
    let opts = diff_options(&args, &config, tls);
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

/// Whether this `dyndns-send` run goes over TLS (a dry run connects nowhere).
pub fn send_needs_tls(args: &SendArgs, config: &Config) -> bool {
    !args.dry_run && Reach::new(&args.net, config).tls.is_some()
}

/// Hands a `dyndns-send` run that goes over TLS to `dyndns-helper`, with the
/// Kerberos environment when it signs with GSS-TSIG. Returns only on failure.
pub fn send_over_tls(gss: Option<&crate::config::GssConfig>) -> SendError {
    let env = gss.map(crate::gss_env::environment).unwrap_or_default();
    SendError::Helper(hand_over(HELPER, &["dyndns-send"], env, "DNS over TLS"))
}
