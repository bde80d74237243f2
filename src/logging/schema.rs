//! The `logging` object of the config: the parts of Python's
//! `logging.config.dictConfig` schema that matter for a command-line tool,
//! checked once and resolved for the `pydyndns` logger into a flat list of
//! handlers.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{Map, Value};

use super::format::Format;
use super::{DEBUG, ERROR, INFO, LOGGER, WARNING};
use crate::util::describe::describe;

/// Why a `logging` object was refused: the key (dotted, from `logging`)
/// and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("key \"{key}\": {problem}")]
pub struct LogConfigError {
    /// The key, dotted: `logging.handlers.syslog.facility`.
    pub key: String,
    /// What is wrong, and what would be right.
    pub problem: String,
}

impl LogConfigError {
    pub(super) fn new(key: String, problem: String) -> Self {
        Self { key, problem }
    }
}

/// A validated `logging` object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogConfig {
    /// The outputs a record of the `pydyndns` logger reaches.
    pub handlers: Vec<Handler>,
    /// The `pydyndns` logger's effective level (Python level number).
    pub level: u32,
    /// Warnings found (unsupported handler classes, filters), to log once logging is up.
    pub warnings: Vec<String>,
}

/// One handler, as resolved for the `pydyndns` logger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handler {
    /// The handler's name in the config.
    pub name: String,
    /// Its level (Python number; 0 passes everything).
    pub level: u32,
    /// Its format.
    pub format: Format,
    /// Where it writes.
    pub target: Target,
}

/// Where a handler writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Standard error (also `ext://sys.stdout`: stdout carries the stages' data).
    Stderr,
    /// A file (`FileHandler`, `WatchedFileHandler`), truncated first when `mode` is `w`.
    File {
        /// The file.
        path: PathBuf,
        /// Truncate instead of append.
        truncate: bool,
    },
    /// A syslog daemon (`SysLogHandler`).
    Syslog {
        /// Where it listens.
        address: SyslogAddress,
        /// The facility code (0 to 23).
        facility: u8,
    },
    /// Nowhere (`NullHandler`).
    Null,
}

/// A syslog daemon's address, as `SysLogHandler` takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyslogAddress {
    /// A Unix socket (`"/dev/log"`): datagram, else stream.
    Unix(PathBuf),
    /// UDP to `[host, port]`.
    Udp(String, u16),
    /// TCP to `[host, port]` (`socktype` `ext://socket.SOCK_STREAM`).
    Tcp(String, u16),
}

/// Parses a `logging` object; errors are `(key, problem)`.
pub(crate) fn parse(value: &Value) -> Result<LogConfig, LogConfigError> {
    let Value::Object(top) = value else {
        return Err(LogConfigError::new(
            "logging".into(),
            format!(
                "must be a logging.config.dictConfig object, found {}",
                describe(value)
            ),
        ));
    };
    match top.get("version") {
        Some(Value::Number(n)) if n.as_u64() == Some(1) => {}
        Some(other) => {
            return Err(bad(
                "version",
                format!("must be 1, found {}", describe(other)),
            ));
        }
        None => {
            return Err(bad(
                "version",
                "missing; dictConfig needs \"version\": 1".into(),
            ));
        }
    }
    let mut warnings = Vec::new();
    if top.get("incremental") == Some(&Value::Bool(true)) {
        warnings.push(
            "logging.incremental is not supported; the logging object is applied whole".into(),
        );
    }
    let formats = formatters(top)?;
    let mut handlers = HashMap::new();
    for (name, h) in object(top.get("handlers"), "handlers")? {
        if let Some(handler) = handler(name, h, &formats, &mut warnings)? {
            handlers.insert(name.clone(), handler);
        }
    }
    let (level, chosen) = resolve(top)?;
    let mut resolved = Vec::new();
    for name in chosen {
        match handlers.get(&name) {
            Some(h) => resolved.push(h.clone()),
            // A handler of a class we do not support: warned about above.
            None if top.get("handlers").and_then(|h| h.get(&name)).is_some() => {}
            None => {
                return Err(bad(
                    "handlers",
                    format!("no handler named \"{name}\", though a logger names it"),
                ));
            }
        }
    }
    Ok(LogConfig {
        handlers: resolved,
        level: level.unwrap_or(WARNING),
        warnings,
    })
}

/// An error at `logging.KEY`.
fn bad(key: &str, problem: String) -> LogConfigError {
    LogConfigError::new(format!("logging.{key}"), problem)
}

/// The `formatters` object: each formatter's format, parsed.
fn formatters(top: &Map<String, Value>) -> Result<HashMap<String, Format>, LogConfigError> {
    let mut formats = HashMap::new();
    for (name, f) in object(top.get("formatters"), "formatters")? {
        let key = format!("formatters.{name}");
        let Value::Object(f) = f else {
            return Err(bad(
                &key,
                format!("must be an object, found {}", describe(f)),
            ));
        };
        if let Some(style) = f.get("style").and_then(Value::as_str).filter(|s| *s != "%") {
            return Err(bad(
                &format!("{key}.style"),
                format!("\"{style}\" is not supported; use the default \"%\" style"),
            ));
        }
        let text = string(f.get("format"), &format!("{key}.format"))?.unwrap_or("%(message)s");
        let datefmt = string(f.get("datefmt"), &format!("{key}.datefmt"))?;
        let format = Format::parse(text, datefmt).map_err(|p| bad(&format!("{key}.format"), p))?;
        formats.insert(name.clone(), format);
    }
    Ok(formats)
}

/// One entry of `handlers`; `None` for a class we do not support (with a
/// warning: the rest of the logging still works).
fn handler(
    name: &str,
    h: &Value,
    formats: &HashMap<String, Format>,
    warnings: &mut Vec<String>,
) -> Result<Option<Handler>, LogConfigError> {
    let key = format!("handlers.{name}");
    let Value::Object(h) = h else {
        return Err(bad(
            &key,
            format!("must be an object, found {}", describe(h)),
        ));
    };
    let class = match (h.get("class"), h.get("()")) {
        (Some(Value::String(c)), _) => c.as_str(),
        (_, Some(_)) => {
            warnings.push(format!("logging handler \"{name}\": custom factories (\"()\") are not supported; handler ignored"));
            return Ok(None);
        }
        _ => {
            return Err(bad(
                &format!("{key}.class"),
                "missing; name a handler class such as logging.StreamHandler".into(),
            ));
        }
    };
    let target = match class {
        "logging.StreamHandler" => match string(h.get("stream"), &format!("{key}.stream"))? {
            None | Some("ext://sys.stderr" | "ext://sys.stdout") => Target::Stderr,
            Some(other) => {
                return Err(bad(
                    &format!("{key}.stream"),
                    format!(
                        "\"{other}\" is not a stream; use ext://sys.stderr or ext://sys.stdout"
                    ),
                ));
            }
        },
        "logging.FileHandler" | "logging.handlers.WatchedFileHandler" => {
            file_target(name, h, &key, warnings)?
        }
        "logging.handlers.SysLogHandler" => Target::Syslog {
            address: syslog_address(h, &key)?,
            facility: facility(h.get("facility"), &key)?,
        },
        "logging.NullHandler" => Target::Null,
        other => {
            warnings.push(format!(
                "logging handler \"{name}\": class {other} is not supported here; handler ignored"
            ));
            return Ok(None);
        }
    };
    if h.contains_key("filters") {
        warnings.push(format!(
            "logging handler \"{name}\": filters are not supported; ignored"
        ));
    }
    let format = match string(h.get("formatter"), &format!("{key}.formatter"))? {
        None => Format::default(),
        Some(f) => formats.get(f).cloned().ok_or_else(|| {
            bad(
                &format!("{key}.formatter"),
                format!("no formatter named \"{f}\" in logging.formatters"),
            )
        })?,
    };
    Ok(Some(Handler {
        name: name.to_owned(),
        level: level(h.get("level"), &format!("{key}.level"))?.unwrap_or(0),
        format,
        target,
    }))
}

/// `FileHandler`'s and `WatchedFileHandler`'s `filename`, `mode` and
/// `encoding`.
fn file_target(
    name: &str,
    h: &Map<String, Value>,
    key: &str,
    warnings: &mut Vec<String>,
) -> Result<Target, LogConfigError> {
    let path = string(h.get("filename"), &format!("{key}.filename"))?.ok_or_else(|| {
        bad(
            &format!("{key}.filename"),
            "missing; name the log file".into(),
        )
    })?;
    let truncate = match string(h.get("mode"), &format!("{key}.mode"))? {
        None | Some("a") => false,
        Some("w") => true,
        Some(other) => {
            return Err(bad(
                &format!("{key}.mode"),
                format!("\"{other}\" is not supported; use \"a\" (append) or \"w\" (truncate)"),
            ));
        }
    };
    if let Some(enc) = string(h.get("encoding"), &format!("{key}.encoding"))?
        && !enc.eq_ignore_ascii_case("utf-8")
        && !enc.eq_ignore_ascii_case("utf8")
    {
        warnings.push(format!(
            "logging handler \"{name}\": encoding \"{enc}\" ignored; messages are written as UTF-8"
        ));
    }
    Ok(Target::File {
        path: PathBuf::from(path),
        truncate,
    })
}

/// The hierarchy from `pydyndns` up to the root: the first level set on
/// the way, and the names of the handlers a record reaches while
/// `propagate` holds.
fn resolve(top: &Map<String, Value>) -> Result<(Option<u32>, Vec<String>), LogConfigError> {
    let loggers = object(top.get("loggers"), "loggers")?;
    for (name, l) in loggers {
        if !l.is_object() {
            return Err(bad(
                &format!("loggers.{name}"),
                format!("must be an object, found {}", describe(l)),
            ));
        }
    }
    let root = match top.get("root") {
        None => None,
        Some(r @ Value::Object(_)) => Some(r),
        Some(other) => {
            return Err(bad(
                "root",
                format!("must be an object, found {}", describe(other)),
            ));
        }
    };
    let mut chain: Vec<(String, &Value)> = Vec::new();
    let mut name = LOGGER.to_owned();
    loop {
        if let Some(l) = loggers.get(&name) {
            chain.push((format!("loggers.{name}"), l));
        }
        match name.rfind('.') {
            Some(dot) => name.truncate(dot),
            None => break,
        }
    }
    let mut effective_level = None;
    let mut chosen = Vec::new();
    let mut propagate = true;
    for (key, l) in &chain {
        if effective_level.is_none() {
            effective_level = level(l.get("level"), &format!("{key}.level"))?.filter(|l| *l > 0);
        }
        if propagate {
            chosen.extend(names(l.get("handlers"), &format!("{key}.handlers"))?);
            propagate = match l.get("propagate") {
                None => true,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    return Err(bad(
                        &format!("{key}.propagate"),
                        format!("must be true or false, found {}", describe(other)),
                    ));
                }
            };
        }
    }
    // Child loggers other than those above are accepted and validated, but no
    // message is logged to them.
    for (name, l) in loggers {
        level(l.get("level"), &format!("loggers.{name}.level"))?;
        names(l.get("handlers"), &format!("loggers.{name}.handlers"))?;
    }
    if let Some(root) = root {
        let root_level = level(root.get("level"), "root.level")?;
        effective_level = effective_level.or(root_level.filter(|l| *l > 0));
        if propagate {
            chosen.extend(names(root.get("handlers"), "root.handlers")?);
        }
    }
    Ok((effective_level, chosen))
}

/// The object at `key`, borrowed (an absent key reads as an empty object).
fn object<'a>(
    value: Option<&'a Value>,
    key: &str,
) -> Result<&'a Map<String, Value>, LogConfigError> {
    static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
    match value {
        None => Ok(&EMPTY),
        Some(Value::Object(m)) => Ok(m),
        Some(other) => Err(LogConfigError::new(
            format!("logging.{key}"),
            format!("must be an object, found {}", describe(other)),
        )),
    }
}

fn string<'a>(value: Option<&'a Value>, key: &str) -> Result<Option<&'a str>, LogConfigError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(LogConfigError::new(
            format!("logging.{key}"),
            format!("must be a string, found {}", describe(other)),
        )),
    }
}

fn names(value: Option<&Value>, key: &str) -> Result<Vec<String>, LogConfigError> {
    match value {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str().map(str::to_owned).ok_or_else(|| {
                    LogConfigError::new(
                        format!("logging.{key}"),
                        format!("must list handler names, found {}", describe(i)),
                    )
                })
            })
            .collect(),
        Some(other) => Err(LogConfigError::new(
            format!("logging.{key}"),
            format!("must be a list of handler names, found {}", describe(other)),
        )),
    }
}

/// A Python logging level, by name or number.
pub(super) fn level(value: Option<&Value>, key: &str) -> Result<Option<u32>, LogConfigError> {
    let bad = || {
        LogConfigError::new(
            format!("logging.{key}"),
            format!(
                "{} is not a logging level; use DEBUG, INFO, WARNING, ERROR or CRITICAL",
                describe(value.unwrap_or(&Value::Null))
            ),
        )
    };
    match value {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(match s.to_ascii_uppercase().as_str() {
            "NOTSET" => 0,
            "DEBUG" => DEBUG,
            "INFO" => INFO,
            "WARN" | "WARNING" => WARNING,
            "ERROR" => ERROR,
            "CRITICAL" | "FATAL" => 50,
            _ => return Err(bad()),
        })),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(bad),
        Some(_) => Err(bad()),
    }
}

/// `SysLogHandler`'s `address` and `socktype`.
fn syslog_address(h: &Map<String, Value>, key: &str) -> Result<SyslogAddress, LogConfigError> {
    let stream = match h.get("socktype") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "ext://socket.SOCK_STREAM" => Some(true),
        Some(Value::String(s)) if s == "ext://socket.SOCK_DGRAM" => Some(false),
        Some(Value::Number(n)) if n.as_u64() == Some(1) => Some(true),
        Some(Value::Number(n)) if n.as_u64() == Some(2) => Some(false),
        Some(other) => {
            return Err(LogConfigError::new(
                format!("logging.{key}.socktype"),
                format!(
                    "{} is not a socket type; use ext://socket.SOCK_DGRAM or ext://socket.SOCK_STREAM",
                    describe(other)
                ),
            ));
        }
    };
    match h.get("address") {
        None => Ok(if stream == Some(true) {
            SyslogAddress::Tcp("localhost".into(), 514)
        } else {
            SyslogAddress::Udp("localhost".into(), 514)
        }),
        Some(Value::String(path)) => Ok(SyslogAddress::Unix(PathBuf::from(path))),
        Some(Value::Array(pair)) if pair.len() == 2 => {
            let host = pair[0].as_str();
            let port = pair[1].as_u64().and_then(|p| u16::try_from(p).ok());
            match (host, port) {
                (Some(host), Some(port)) if stream == Some(true) => {
                    Ok(SyslogAddress::Tcp(host.into(), port))
                }
                (Some(host), Some(port)) => Ok(SyslogAddress::Udp(host.into(), port)),
                _ => Err(LogConfigError::new(
                    format!("logging.{key}.address"),
                    "must be [\"host\", port]".into(),
                )),
            }
        }
        Some(other) => Err(LogConfigError::new(
            format!("logging.{key}.address"),
            format!(
                "must be a socket path or [\"host\", port], found {}",
                describe(other)
            ),
        )),
    }
}

/// Syslog facilities by name, as Python's `SysLogHandler.facility_names` has them (RFC 5424 §6.2.1).
const FACILITIES: [(&str, u8); 24] = [
    ("kern", 0),
    ("user", 1),
    ("mail", 2),
    ("daemon", 3),
    ("auth", 4),
    ("syslog", 5),
    ("lpr", 6),
    ("news", 7),
    ("uucp", 8),
    ("cron", 9),
    ("authpriv", 10),
    ("ftp", 11),
    ("ntp", 12),
    ("security", 4),
    ("console", 14),
    ("solaris-cron", 15),
    ("local0", 16),
    ("local1", 17),
    ("local2", 18),
    ("local3", 19),
    ("local4", 20),
    ("local5", 21),
    ("local6", 22),
    ("local7", 23),
];

fn facility(value: Option<&Value>, key: &str) -> Result<u8, LogConfigError> {
    let bad = |v: &Value| {
        LogConfigError::new(
            format!("logging.{key}.facility"),
            format!(
                "{} is not a syslog facility; use a name such as daemon or local0, or a number from 0 to 23",
                describe(v)
            ),
        )
    };
    match value {
        None => Ok(1),
        Some(v @ Value::String(s)) => {
            let name = s
                .strip_prefix("ext://logging.handlers.SysLogHandler.LOG_")
                .unwrap_or(s)
                .to_ascii_lowercase();
            FACILITIES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, c)| *c)
                .ok_or_else(|| bad(v))
        }
        Some(v @ Value::Number(n)) => n
            .as_u64()
            .filter(|n| *n <= 23)
            .map(|n| n as u8)
            .ok_or_else(|| bad(v)),
        Some(v) => Err(bad(v)),
    }
}
