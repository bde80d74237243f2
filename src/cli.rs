//! Command-line pieces every stage shares: the common flags, logging set-up,
//! reading stdin and writing stdout, and reporting an error on one line.

use std::error::Error;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use log::LevelFilter;

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

/// Loads the config named by the common flags and starts logging at the
/// level it gives: `-v` means debug, else the config's `logging` root level,
/// else warnings; `RUST_LOG` overrides both. Warnings found in the config are
/// logged once logging is up.
pub fn start(program: &'static str, common: &Common) -> Result<Config, Failure> {
    let loaded = Config::load(common.config.as_deref());
    let level = match (&loaded, common.verbose) {
        (_, true) => LevelFilter::Debug,
        (Ok(config), false) => config.log_level.unwrap_or(LevelFilter::Warn),
        (Err(_), false) => LevelFilter::Warn,
    };
    init_logging(program, level);
    let config = loaded.map_err(Failure::usage)?;
    for warning in &config.warnings {
        log::warn!("{warning}");
    }
    Ok(config)
}

/// Logging to stderr as `program: level: message`; `RUST_LOG` overrides `level`.
pub fn init_logging(program: &'static str, level: LevelFilter) {
    let mut builder = env_logger::Builder::new();
    builder.filter_level(level).format(move |f, record| {
        let level = match record.level() {
            log::Level::Error => "error",
            log::Level::Warn => "warning",
            log::Level::Info => "info",
            log::Level::Debug => "debug",
            log::Level::Trace => "trace",
        };
        writeln!(f, "{program}: {level}: {}", record.args())
    });
    if let Ok(spec) = std::env::var("RUST_LOG") {
        builder.parse_filters(&spec);
    }
    // A second call (tests in one process) keeps the first logger.
    let _ = builder.try_init();
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
            eprintln!("{}", report(program, &*failure.error));
            exit::code(failure.status)
        }
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
