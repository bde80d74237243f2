//! Installing the logger: the handlers a record of the `pydyndns` logger
//! reaches, each with its level and format, dispatched by `fern`; `-v` and
//! `RUST_LOG` on top.

use std::io;
use std::time::Instant;

use log::{Level, LevelFilter, Record};

use super::format::Context;
use super::schema::{Handler, LogConfig, Target};
use super::syslog::syslog_output;
use super::{WARNING, filter_of, level_name};

/// How logging was set up, for the caller's error reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Installed {
    /// Whether errors already reach stderr through a handler.
    pub errors_on_stderr: bool,
}

/// Our own stderr format: `program: level: message` (errors without the level word).
fn default_line(program: &str, record: &Record<'_>) -> String {
    match record.level() {
        Level::Error => format!("{program}: {}", record.args()),
        level => format!(
            "{program}: {}: {}",
            level_name(level).to_ascii_lowercase(),
            record.args()
        ),
    }
}

/// Installs the logger. `config` is the `logging` object (`None`: warnings
/// and errors to stderr); `verbose` adds debug output on stderr; `RUST_LOG`,
/// when set, overrides every level. Outputs that cannot be opened are warned
/// about on stderr, and the rest still work.
pub(crate) fn install(
    program: &'static str,
    config: Option<&LogConfig>,
    verbose: bool,
    timeout: std::time::Duration,
) -> Installed {
    let ctx = Context {
        program,
        started: Instant::now(),
    };
    let rust_log = rust_log();
    let pass_all = rust_log.is_some();
    let mut root = fern::Dispatch::new().level(LevelFilter::Trace);
    // Only our own records, unless RUST_LOG asks for others by name.
    root = root.filter(move |meta| meta.target().starts_with("dyndns") || pass_all);
    let mut errors_on_stderr = false;
    let mut problems = Vec::new();

    let logger_level = config.map_or(WARNING, |c| c.level);
    // -v shows everything on stderr in our own format, instead of the
    // config's stderr handlers.
    let handlers: Vec<&Handler> = config.map_or(Vec::new(), |c| {
        c.handlers
            .iter()
            .filter(|h| !(verbose && h.target == Target::Stderr))
            .collect()
    });
    if config.is_none() || verbose || (pass_all && handlers.is_empty()) {
        let threshold = if verbose {
            LevelFilter::Debug
        } else {
            filter_of(logger_level)
        };
        root = root.chain(
            fern::Dispatch::new()
                .level(if pass_all {
                    LevelFilter::Trace
                } else {
                    threshold
                })
                .format(move |out, _msg, record| {
                    out.finish(format_args!("{}", default_line(program, record)))
                })
                .chain(io::stderr()),
        );
        errors_on_stderr = true;
    }
    for handler in handlers {
        let threshold = filter_of(handler.level.max(logger_level));
        let format = handler.format.clone();
        let dispatch = fern::Dispatch::new()
            .level(if pass_all {
                LevelFilter::Trace
            } else {
                threshold
            })
            .format(move |out, _msg, record| {
                out.finish(format_args!("{}", format.render(record, &ctx)))
            });
        if handler.target == Target::Stderr {
            errors_on_stderr |= pass_all || threshold >= LevelFilter::Error;
        }
        match output(handler, timeout) {
            Ok(Some(output)) => root = root.chain(dispatch.chain(output)),
            Ok(None) => {}
            Err(why) => problems.push(format!(
                "{program}: warning: logging handler \"{}\": {why}; its messages are lost",
                handler.name
            )),
        }
    }
    let (max, logger) = root.into_log();
    let max = rust_log.as_ref().map_or(max, env_filter::Filter::filter);
    let logger: Box<dyn log::Log> = match rust_log {
        Some(filter) => Box::new(Filtered {
            filter,
            inner: logger,
        }),
        None => logger,
    };
    if log::set_boxed_logger(logger).is_ok() {
        log::set_max_level(max);
    }
    for p in problems {
        eprintln!("{p}");
    }
    if let Some(c) = config {
        for w in &c.warnings {
            log::warn!(target: "dyndns", "{w}");
        }
    }
    Installed { errors_on_stderr }
}

/// The filter `RUST_LOG` describes, in env_logger's syntax, if it is set.
fn rust_log() -> Option<env_filter::Filter> {
    let spec = std::env::var("RUST_LOG").ok().filter(|s| !s.is_empty())?;
    let mut builder = env_filter::Builder::new();
    builder.parse(&spec);
    Some(builder.build())
}

/// Where a handler writes: `None` for `NullHandler`; an error says why the
/// file or the syslog daemon could not be reached.
fn output(handler: &Handler, timeout: std::time::Duration) -> Result<Option<fern::Output>, String> {
    Ok(Some(match &handler.target {
        Target::Null => return Ok(None),
        Target::Stderr => io::stderr().into(),
        // Created 0600; a symlink planted at the log's path is not
        // followed (with "mode": "w" it would truncate its target).
        Target::File { path, truncate } => {
            crate::util::fs::open_private(path, !truncate, *truncate)
                .map_err(|e| format!("cannot open {}: {e}", path.display()))?
                .file
                .into()
        }
        Target::Syslog { address, facility } => syslog_output(address, *facility, timeout)
            .map_err(|e| format!("cannot reach syslog at {address:?}: {e}"))?,
    }))
}

/// A logger whose levels RUST_LOG decides.
struct Filtered {
    filter: env_filter::Filter,
    inner: Box<dyn log::Log>,
}

impl log::Log for Filtered {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        self.filter.enabled(metadata) && self.inner.enabled(metadata)
    }
    fn log(&self, record: &Record<'_>) {
        if self.filter.matches(record) {
            self.inner.log(record);
        }
    }
    fn flush(&self) {
        self.inner.flush();
    }
}
