//! The bodies of `dyndns-diff` and `dyndns-send` after their config is
//! loaded, shared with the programs that run them with more linked in:
//! `dyndns-send-gss` (the GSS-API) and `dyndns-helper` (rustls), each given
//! what it adds. A run that needs either is handed to it with
//! [`hand_over`], so that the common programs stay small.

use std::ffi::OsString;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};
use std::sync::Arc;

use crate::args::{AddrsArgs, DiffArgs, SendArgs};
use crate::cli::{self, Reporter};
use crate::config::{Compare, Config};
use crate::live::Via;
use crate::reach::Reach;
use crate::stage::{
    self, AddrsDiffError, AddrsError, AddrsOptions, CommonError, DiffError, DiffOptions,
    DiffOutcome, Report, SendError,
};
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
    io::Error::new(
        error.kind(),
        format!("cannot run {} for {what}: {error}", path.display()),
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
    let interfaces = args.interfaces.clone();
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
    let json = state.to_json();
    if !args.diff && args.pydyndns_fast.is_none() {
        cli::print_line(&json)?;
        return Ok(crate::exit::SUCCESS);
    }
    let Some(differs) = differs_from_cache(json, config)? else {
        return Ok(crate::exit::DIFF_SAME);
    };
    match args.pydyndns_fast {
        Some(script) => Err(AddrsError::Wrapper(wrapper_again(
            &script,
            args.common.config.as_deref(),
            &interfaces,
            &differs,
        ))),
        None => {
            cli::print_line(&differs)?;
            Ok(crate::exit::DIFF_DIFFERS)
        }
    }
}

/// `--diff`: the state to pass on (`json`, or as dyndns-diff marks it),
/// `None` when it is the cache's. "compare": "live" needs the zone's
/// primary (dyndns-soa first): passed on uncompared, marked as the state
/// says.
fn differs_from_cache(json: String, config: &Config) -> Result<Option<String>, AddrsError> {
    if config.compare == Compare::Live {
        return Ok(Some(json));
    }
    // The comparison dyndns-diff -c FILE makes, without its flags.
    let opts = DiffOptions {
        refresh: config.refresh(),
        reboot_updates: config.reboot_updates(),
        live: false,
        reach: Reach::new(&crate::args::NetArgs::default(), config),
        tls: None,
        timeout: config.timeout_or(None),
        cache: config.cache.clone(),
        force: false,
        guard: config.guard,
    };
    Ok(match stage::diff(Some(&json), &opts)? {
        DiffOutcome::Differs(state) => Some(state.to_json()),
        DiffOutcome::Same | DiffOutcome::Empty => None,
    })
}

/// `--pydyndns-fast`: replaces this process with the wrapper `script` again,
/// its every-minute command line, with the state that changed in
/// [`CHANGED_STATE`]. A state too large for the environment (128 KiB) is
/// left out: the wrapper then finds it again itself. Returns only on
/// failure.
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
    let mut error = cmd
        .env(CHANGED_STATE, format!("{} {state}", std::process::id()))
        .exec();
    if error.raw_os_error() == Some(libc::E2BIG) {
        error = cmd.env_remove(CHANGED_STATE).exec();
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
    let opts = DiffOptions {
        refresh: config.refresh(),
        reboot_updates: config.reboot_updates(),
        live: args.live || config.compare == Compare::Live,
        reach: Reach::new(&args.net, &config),
        tls,
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
