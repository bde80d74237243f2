//! The binaries' shared layer, and the only part of the library that knows
//! it serves a command line: loading the config named by the common flags and
//! starting logging, reading stdin and writing stdout, the async runtime, and
//! turning a stage's result into one line on stderr and an exit code. The
//! stages (`crate::stage`) use none of it.

use std::future::Future;
use std::io::{self, Read, Write};
use std::process::ExitCode;

use crate::app::args::Common;
use crate::config::{Config, Secrets};
use crate::stage::exit;
use crate::stage::{CommonError, ExitStatus};
use crate::util::describe::chain;

/// The most a stage reads from stdin: a state document is one line of a
/// few hundred octets (a few kilobytes with thousands of addresses).
pub const MAX_STDIN_BYTES: u64 = 1 << 20;

/// Reports a stage's outcome: where its errors go, decided once logging is up.
#[derive(Clone, Copy, Debug)]
pub struct Reporter {
    program: &'static str,
    /// Whether a configured handler already shows errors on stderr.
    errors_on_stderr: bool,
}

/// Loads the config named by the common flags and starts logging as its
/// `logging` object says (see [`crate::logging`]); `-v` adds debug output on
/// stderr and `RUST_LOG` overrides the levels. A config that cannot be read
/// still gets its error reported, on stderr, through the [`Reporter`].
/// Only `dyndns-send` loads the TSIG secret (`secrets`).
pub fn start(
    program: &'static str,
    common: &Common,
    secrets: Secrets,
) -> (Reporter, Result<Config, CommonError>) {
    start_with(program, common, secrets, |_| {})
}

/// [`start`], with `before_logging` called on the config while the process
/// still has one thread (logging may start one, for a syslog server's
/// lookup): `dyndns-send` sets GSS-TSIG's Kerberos environment there.
pub fn start_with(
    program: &'static str,
    common: &Common,
    secrets: Secrets,
    before_logging: impl FnOnce(&Config),
) -> (Reporter, Result<Config, CommonError>) {
    // Before the config, which may hold a TSIG secret, is read.
    crate::util::coredump::off();
    let loaded = Config::load(common.config.as_deref(), secrets);
    if let Ok(config) = &loaded {
        before_logging(config);
    }
    let logging = loaded.as_ref().ok().and_then(|c| c.logging.as_ref());
    // A syslog host is looked up, and a TCP connection to it made, within
    // the config's timeout.
    let timeout = loaded
        .as_ref()
        .map_or(crate::config::DEFAULT_TIMEOUT, |c| c.timeout_or(None));
    let installed = crate::logging::install(program, logging, common.verbose, timeout);
    let reporter = Reporter {
        program,
        errors_on_stderr: installed.errors_on_stderr,
    };
    if let Ok(config) = &loaded
        && !common.no_config_warnings
    {
        for warning in config.all_warnings() {
            log::warn!(target: "dyndns", "{warning}");
        }
    }
    (reporter, loaded.map_err(CommonError::from))
}

impl Reporter {
    /// Ends a stage: prints a failure on stderr and turns the status into
    /// an exit code.
    pub fn finish<E>(self, result: Result<u8, E>) -> ExitCode
    where
        E: std::error::Error + ExitStatus + 'static,
    {
        match result {
            Ok(code) => exit::code(code),
            Err(error) => {
                // Failures go to the configured handlers (syslog, a file)
                // and, so that cron always sees them, to stderr.
                log::error!(target: "dyndns", "{}", chain(&error));
                if !self.errors_on_stderr {
                    eprintln!("{}", report(self.program, &error));
                }
                exit::code(error.exit_status())
            }
        }
    }
}

/// What a program learned of the run it is part of, for the config's
/// `"metrics"`: filled in as it goes, written at the end of [`run`].
#[derive(Debug, Default)]
pub struct RunFacts {
    /// This invocation is part of a run (not `--check`, `--dry-run`,
    /// `--explain`, nor a lookup by hand).
    pub in_run: bool,
    /// Its success ends the run: nothing is passed on to a next stage.
    pub ends: bool,
    /// The name, the addresses registered and the update, as far as known.
    pub end: crate::state::metrics::RunEnd,
}

impl RunFacts {
    /// The name and the address counts of `state`.
    pub fn learn(&mut self, state: &crate::state::State) {
        self.end.name = Some(state.hostname.to_ascii());
        self.end.registered = Some((state.addresses.len(), state.ipv4_or_none().len()));
    }
}

/// Runs a program's body on its config, then writes the metrics with what it
/// learned of the run.
pub fn run<E: From<CommonError> + ExitStatus>(
    config: Result<Config, CommonError>,
    body: impl FnOnce(&Config, &mut RunFacts) -> Result<u8, E>,
) -> Result<u8, E> {
    let config = config?;
    let mut facts = RunFacts::default();
    let result = body(&config, &mut facts);
    end_run(&config, facts, &result);
    result
}

/// Writes the metrics file (the config's `"metrics"`) when this program
/// ended the run: it failed, or it succeeded with nothing to pass on. A
/// file that cannot be written is a warning; the run's outcome stands.
fn end_run<E: ExitStatus>(config: &Config, mut facts: RunFacts, result: &Result<u8, E>) {
    let Some(path) = config.metrics.as_deref() else {
        return;
    };
    if !facts.in_run {
        return;
    }
    facts.end.status = match result {
        Ok(_) if facts.ends => exit::SUCCESS,
        Ok(_) => return,
        Err(e) => e.exit_status(),
    };
    if let Err(e) = crate::state::metrics::record(path, &facts.end) {
        log::warn!(target: "dyndns", "{}; not written", chain(&e));
    }
}

/// Reads stdin, at most [`MAX_STDIN_BYTES`]; `None` when it is empty or
/// only whitespace.
pub fn read_stdin() -> Result<Option<String>, CommonError> {
    let mut text = String::new();
    io::stdin()
        .lock()
        .take(MAX_STDIN_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(CommonError::Stdin)?;
    if text.len() as u64 > MAX_STDIN_BYTES {
        return Err(CommonError::StdinTooLarge {
            limit: MAX_STDIN_BYTES,
        });
    }
    Ok(if text.trim().is_empty() {
        None
    } else {
        Some(text)
    })
}

/// Writes one line to stdout. A closed pipe (the reader went away) is quiet.
pub fn print_line(line: &str) -> Result<(), CommonError> {
    let mut out = io::stdout().lock();
    match out
        .write_all(line.as_bytes())
        .and_then(|()| {
            if line.ends_with('\n') {
                Ok(())
            } else {
                out.write_all(b"\n")
            }
        })
        .and_then(|()| out.flush())
    {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CommonError::Stdout(e)),
        _ => Ok(()),
    }
}

/// The one-line report of an error: `program: error: cause: cause`.
pub fn report(program: &str, error: &(dyn std::error::Error + 'static)) -> String {
    format!("{program}: {}", chain(error))
}

/// Runs `future` to completion on a current-thread tokio runtime: one
/// thread, enough for one lookup or one update.
pub fn block_on<T, E: From<CommonError>>(
    future: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CommonError::Runtime)?
        .block_on(future)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_the_program_then_the_chain() {
        let e = CommonError::Stdin(io::Error::other("gone"));
        assert_eq!(
            report("dyndns-send", &e),
            "dyndns-send: cannot read standard input: gone"
        );
    }
}
