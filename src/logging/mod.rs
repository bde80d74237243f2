//! Logging as the config file's `logging` object says: the parts of Python's
//! `logging.config.dictConfig` schema that matter for a command-line tool.
//!
//! ```json
//! {
//!   "version": 1,
//!   "formatters": {"syslog": {"format": "%(name)s: %(message)s"}},
//!   "handlers": {"syslog": {"class": "logging.handlers.SysLogHandler",
//!                           "address": "/dev/log", "facility": "local0", "formatter": "syslog"}},
//!   "root": {"level": "WARNING", "handlers": ["syslog"]}
//! }
//! ```
//!
//! Every message goes to the logger named `pydyndns`, as in PyDynDNS; its
//! level and handlers are resolved through the logger hierarchy (`pydyndns`,
//! then the root while `propagate` holds) once, at start-up, into a flat list
//! of outputs that `fern` dispatches to. Syslog goes through the `syslog`
//! crate's transports, with Python's `SysLogHandler` wire format:
//! `<PRI>formatted message\0`.
//!
//! | file | does |
//! | --- | --- |
//! | `schema` | checks the `dictConfig` object and resolves the `pydyndns` logger's handlers |
//! | `format` | the `%`-style formatter |
//! | `printf` | one printf conversion, as Python writes it |
//! | `handlers` | installs the logger: stderr, files, syslog, `-v` and `RUST_LOG` |
//! | `syslog` | Python's syslog wire format and its transports |

mod format;
mod handlers;
mod printf;
mod schema;
mod syslog;

use log::{Level, LevelFilter};

pub use format::{Context, Format};
pub use handlers::Installed;
pub(crate) use handlers::install;
pub(crate) use schema::parse;
pub use schema::{Handler, LogConfig, LogConfigError, SyslogAddress, Target};

/// The logger PyDynDNS logs everything to, and so do we.
pub const LOGGER: &str = "pydyndns";

/// Python's level numbers.
const DEBUG: u32 = 10;
const INFO: u32 = 20;
const WARNING: u32 = 30;
const ERROR: u32 = 40;

/// Python's level name for a record's level.
pub(crate) fn level_name(level: Level) -> &'static str {
    match level {
        Level::Error => "ERROR",
        Level::Warn => "WARNING",
        Level::Info => "INFO",
        Level::Debug => "DEBUG",
        Level::Trace => "Level 5",
    }
}

/// Python's level number for a record's level.
pub(crate) fn level_number(level: Level) -> u32 {
    match level {
        Level::Error => ERROR,
        Level::Warn => WARNING,
        Level::Info => INFO,
        Level::Debug => DEBUG,
        Level::Trace => 5,
    }
}

/// The `log` filter that lets through records at or above a Python level.
fn filter_of(python_level: u32) -> LevelFilter {
    match python_level {
        0..=5 => LevelFilter::Trace,
        6..=10 => LevelFilter::Debug,
        11..=20 => LevelFilter::Info,
        21..=30 => LevelFilter::Warn,
        31..=40 => LevelFilter::Error,
        _ => LevelFilter::Off,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use log::Record;
    use serde_json::{Value, json};

    use super::*;

    fn record_line(format: &Format, level: Level, msg: &str) -> String {
        let ctx = Context {
            program: "dyndns-send",
            started: Instant::now(),
        };
        format.render(
            &Record::builder()
                .level(level)
                .args(format_args!("{msg}"))
                .target("dyndns")
                .build(),
            &ctx,
        )
    }

    #[test]
    fn formats_like_python() {
        let f = Format::parse(
            "%(name)s: %(levelname)-8s|%(levelno)d|%(message)s|%%|%(processName)s",
            None,
        )
        .unwrap();
        assert_eq!(
            record_line(&f, Level::Warn, "hi"),
            "pydyndns: WARNING |30|hi|%|dyndns-send"
        );
        let f = Format::parse(
            "%(process)d %(created).3f %(levelname).1s %(levelno)05d",
            None,
        )
        .unwrap();
        let line = record_line(&f, Level::Info, "x");
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts[0], std::process::id().to_string());
        assert_eq!(parts[1].split('.').nth(1).unwrap().len(), 3);
        assert_eq!(&parts[2..], ["I", "00020"]);
    }

    #[test]
    fn asctime_with_and_without_datefmt() {
        let f = Format::parse("%(asctime)s", None).unwrap();
        let line = record_line(&f, Level::Info, "x");
        assert_eq!(line.len(), "2003-07-08 16:49:45,896".len(), "{line}");
        assert_eq!(&line[19..20], ",");
        let f = Format::parse("%(asctime)s", Some("%Y")).unwrap();
        assert_eq!(record_line(&f, Level::Info, "x").len(), 4);
    }

    #[test]
    fn bad_formats_are_refused() {
        assert!(
            Format::parse("%(nope)s", None)
                .unwrap_err()
                .contains("not a record attribute")
        );
        assert!(
            Format::parse("%(message)", None)
                .unwrap_err()
                .contains("needs a conversion")
        );
        assert!(Format::parse("100%", None).is_err());
    }

    #[test]
    fn resolves_the_pydyndns_readme_example() {
        let c = parse(&json!({
            "version": 1,
            "formatters": {"syslog": {"format": "%(name)s: %(message)s"}},
            "handlers": {"syslog": {"class": "logging.handlers.SysLogHandler", "address": "/dev/log", "facility": "local0", "formatter": "syslog"}},
            "root": {"level": "WARNING", "handlers": ["syslog"]}
        }))
        .unwrap();
        assert_eq!(c.level, WARNING);
        assert_eq!(c.handlers.len(), 1);
        assert_eq!(
            c.handlers[0].target,
            Target::Syslog {
                address: SyslogAddress::Unix("/dev/log".into()),
                facility: 16
            }
        );
    }

    #[test]
    fn hierarchy_levels_and_propagation() {
        let c = parse(&json!({
            "version": 1,
            "handlers": {"a": {"class": "logging.StreamHandler"}, "b": {"class": "logging.NullHandler", "level": "ERROR"}},
            "loggers": {"pydyndns": {"level": "DEBUG", "handlers": ["b"], "propagate": false}},
            "root": {"level": "ERROR", "handlers": ["a"]}
        }))
        .unwrap();
        assert_eq!(c.level, DEBUG);
        assert_eq!(
            c.handlers
                .iter()
                .map(|h| h.name.as_str())
                .collect::<Vec<_>>(),
            ["b"]
        );
        let c = parse(&json!({"version": 1, "handlers": {"a": {"class": "logging.StreamHandler"}}, "loggers": {"pydyndns": {"handlers": ["a"]}}, "root": {"level": "INFO", "handlers": ["a"]}})).unwrap();
        assert_eq!(c.level, INFO);
        assert_eq!(
            c.handlers.len(),
            2,
            "Python sends to both when propagate is true"
        );
    }

    #[test]
    fn unsupported_classes_warn_and_bad_objects_fail() {
        let c = parse(&json!({"version": 1, "handlers": {"ev": {"class": "logging.handlers.NTEventLogHandler"}}, "root": {"handlers": ["ev"]}})).unwrap();
        assert!(c.handlers.is_empty());
        assert!(c.warnings[0].contains("logging.handlers.NTEventLogHandler"));
        let err = |v: Value| parse(&v).unwrap_err();
        assert_eq!(err(json!({})).key, "logging.version");
        assert_eq!(err(json!({"version": 2})).key, "logging.version");
        assert_eq!(
            err(json!({"version": 1, "root": {"level": "LOUD"}})).key,
            "logging.root.level"
        );
        assert_eq!(
            err(json!({"version": 1, "root": {"handlers": ["x"]}})).problem,
            "no handler named \"x\", though a logger names it"
        );
        assert_eq!(err(json!({"version": 1, "handlers": {"s": {"class": "logging.handlers.SysLogHandler", "facility": "local9"}}})).key, "logging.handlers.s.facility");
        assert_eq!(
            err(json!({"version": 1, "handlers": {"f": {"class": "logging.FileHandler"}}})).key,
            "logging.handlers.f.filename"
        );
        assert_eq!(
            err(json!({"version": 1, "formatters": {"f": {"format": "%(bogus)s"}}})).key,
            "logging.formatters.f.format"
        );
    }

    #[test]
    fn syslog_addresses_and_facilities() {
        let h = |v: Value| {
            parse(&json!({"version": 1, "handlers": {"s": v}, "root": {"handlers": ["s"]}}))
                .unwrap()
                .handlers[0]
                .target
                .clone()
        };
        assert_eq!(
            h(
                json!({"class": "logging.handlers.SysLogHandler", "address": ["127.0.0.1", 5514], "facility": 3})
            ),
            Target::Syslog {
                address: SyslogAddress::Udp("127.0.0.1".into(), 5514),
                facility: 3
            }
        );
        assert_eq!(
            h(
                json!({"class": "logging.handlers.SysLogHandler", "address": ["h", 1], "socktype": "ext://socket.SOCK_STREAM"})
            ),
            Target::Syslog {
                address: SyslogAddress::Tcp("h".into(), 1),
                facility: 1
            }
        );
    }
}
