//! Command-line pieces every stage shares: the common flags, logging set-up,
//! reading stdin and writing stdout, and reporting an error on one line.

use std::error::Error;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use std::sync::OnceLock;

use crate::config::Config;
use crate::exit;

/// Flags every stage takes.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Common {
    /// The config file (PyDynDNS's JSON format) [default: /etc/pydyndns.conf, if it exists]
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Debug output on stderr (RUST_LOG, in env_logger's syntax, overrides the levels)
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// Leave out the config file's warnings (pydyndns passes this to every stage but the first, which gave them)
    #[arg(long)]
    pub no_config_warnings: bool,
}

/// A stage's failure: the error and the exit status it calls for.
#[derive(Debug)]
pub struct Failure {
    /// The exit status ([`exit::FAILURE`] or [`exit::USAGE`]).
    pub status: u8,
    /// What went wrong.
    pub error: Box<dyn Error + Send + Sync>,
}

impl Failure {
    /// Bad usage or input: exit 2.
    pub fn usage(error: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        Self {
            status: exit::USAGE,
            error: error.into(),
        }
    }

    /// A failure at run time: exit 1.
    pub fn runtime(error: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        Self {
            status: exit::FAILURE,
            error: error.into(),
        }
    }
}

/// Whether a handler already shows errors on stderr (set once at start-up).
static ERRORS_ON_STDERR: OnceLock<bool> = OnceLock::new();

/// Loads the config named by the common flags and starts logging as its
/// `logging` object says (see [`crate::logging`]); `-v` adds debug output on
/// stderr and `RUST_LOG` overrides the levels. A config that cannot be read
/// still gets its error reported, on stderr.
pub fn start(program: &'static str, common: &Common) -> Result<Config, Failure> {
    let loaded = Config::load(common.config.as_deref());
    let logging = loaded.as_ref().ok().and_then(|c| c.logging.as_ref());
    let installed = crate::logging::install(program, logging, common.verbose);
    let _ = ERRORS_ON_STDERR.set(installed.errors_on_stderr);
    let config = loaded.map_err(Failure::usage)?;
    let warnings = if common.no_config_warnings {
        &[][..]
    } else {
        &config.warnings[..]
    };
    for warning in warnings {
        log::warn!(target: "dyndns", "{warning}");
    }
    Ok(config)
}

/// Reads all of stdin; `None` when it is empty or only whitespace.
pub fn read_stdin() -> Result<Option<String>, Failure> {
    let mut text = String::new();
    io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
    Ok(if text.trim().is_empty() {
        None
    } else {
        Some(text)
    })
}

/// Writes one line to stdout. A closed pipe (the reader went away) is quiet.
pub fn print_line(line: &str) -> Result<(), Failure> {
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
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Failure::runtime(format!(
            "cannot write to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}

/// The one-line report of an error: `program: error: cause: cause`.
pub fn report(program: &str, error: &(dyn Error + 'static)) -> String {
    format!("{program}: {}", chain(error))
}

/// An error and its causes on one line: `error: cause: cause`.
pub fn chain(error: &(dyn Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        // Some errors repeat their cause in their own message.
        if !line.ends_with(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = cause.source();
    }
    line
}

/// Ends a stage: prints a failure on stderr and turns the status into an exit code.
pub fn finish(program: &str, result: Result<u8, Failure>) -> ExitCode {
    match result {
        Ok(status) => exit::code(status),
        Err(failure) => {
            // Failures go to the configured handlers (syslog, a file) and,
            // so that cron always sees them, to stderr.
            log::error!(target: "dyndns", "{}", chain(&*failure.error));
            if !ERRORS_ON_STDERR.get().copied().unwrap_or(false) {
                eprintln!("{}", report(program, &*failure.error));
            }
            exit::code(failure.status)
        }
    }
}

/// Parses `--timeout SECONDS`: more than 0, at most an hour.
pub fn parse_timeout(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= crate::config::MAX_TIMEOUT_SECS => Ok(secs),
        _ => Err(format!(
            "\"{text}\" is not a number of seconds, more than 0 and at most 3600"
        )),
    }
}

/// A current-thread tokio runtime: one thread, enough for one update.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start the async runtime: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] io::Error);

    #[test]
    fn report_walks_the_causes() {
        let e = Outer(io::Error::other("inner"));
        assert_eq!(report("dyndns-send", &e), "dyndns-send: outer: inner");
    }
}
