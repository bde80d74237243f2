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

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use log::{Level, LevelFilter, Record};
use serde_json::{Map, Value};

use crate::config::describe;

/// The logger PyDynDNS logs everything to, and so do we.
pub const LOGGER: &str = "pydyndns";

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

/// Python's level numbers.
const DEBUG: u32 = 10;
const INFO: u32 = 20;
const WARNING: u32 = 30;
const ERROR: u32 = 40;

/// Parses a `logging` object; errors are `(key, problem)`.
pub fn parse(value: &Value) -> Result<LogConfig, (String, String)> {
    let bad = |key: &str, problem: String| (format!("logging.{key}"), problem);
    let Value::Object(top) = value else {
        return Err((
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

    let mut handlers = HashMap::new();
    for (name, h) in object(top.get("handlers"), "handlers")? {
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
                continue;
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
                let path =
                    string(h.get("filename"), &format!("{key}.filename"))?.ok_or_else(|| {
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
                            format!(
                                "\"{other}\" is not supported; use \"a\" (append) or \"w\" (truncate)"
                            ),
                        ));
                    }
                };
                if let Some(enc) = string(h.get("encoding"), &format!("{key}.encoding"))?
                    && !enc.eq_ignore_ascii_case("utf-8")
                    && !enc.eq_ignore_ascii_case("utf8")
                {
                    warnings.push(format!("logging handler \"{name}\": encoding \"{enc}\" ignored; messages are written as UTF-8"));
                }
                Target::File {
                    path: PathBuf::from(path),
                    truncate,
                }
            }
            "logging.handlers.SysLogHandler" => Target::Syslog {
                address: syslog_address(h, &key)?,
                facility: facility(h.get("facility"), &key)?,
            },
            "logging.NullHandler" => Target::Null,
            other => {
                warnings.push(format!("logging handler \"{name}\": class {other} is not supported here; handler ignored"));
                continue;
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
        let level = level(h.get("level"), &format!("{key}.level"))?.unwrap_or(0);
        handlers.insert(
            name.clone(),
            Handler {
                name: name.clone(),
                level,
                format,
                target,
            },
        );
    }

    // The hierarchy from `pydyndns` up to the root: each logger's level and
    // handlers, and whether records go on to its parent.
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
    let mut resolved = Vec::new();
    for handler in chosen {
        match handlers.get(&handler) {
            Some(h) => resolved.push(h.clone()),
            None if top.get("handlers").and_then(|h| h.get(&handler)).is_some() => {} // unsupported: warned above
            None => {
                return Err(bad(
                    "handlers",
                    format!("no handler named \"{handler}\", though a logger names it"),
                ));
            }
        }
    }
    Ok(LogConfig {
        handlers: resolved,
        level: effective_level.unwrap_or(WARNING),
        warnings,
    })
}

/// The object at `key`, borrowed (an absent key reads as an empty object).
fn object<'a>(
    value: Option<&'a Value>,
    key: &str,
) -> Result<&'a Map<String, Value>, (String, String)> {
    static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
    match value {
        None => Ok(&EMPTY),
        Some(Value::Object(m)) => Ok(m),
        Some(other) => Err((
            format!("logging.{key}"),
            format!("must be an object, found {}", describe(other)),
        )),
    }
}

fn string<'a>(value: Option<&'a Value>, key: &str) -> Result<Option<&'a str>, (String, String)> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err((
            format!("logging.{key}"),
            format!("must be a string, found {}", describe(other)),
        )),
    }
}

fn names(value: Option<&Value>, key: &str) -> Result<Vec<String>, (String, String)> {
    match value {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str().map(str::to_owned).ok_or_else(|| {
                    (
                        format!("logging.{key}"),
                        format!("must list handler names, found {}", describe(i)),
                    )
                })
            })
            .collect(),
        Some(other) => Err((
            format!("logging.{key}"),
            format!("must be a list of handler names, found {}", describe(other)),
        )),
    }
}

/// A Python logging level, by name or number.
pub fn level(value: Option<&Value>, key: &str) -> Result<Option<u32>, (String, String)> {
    let bad = || {
        (
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
fn syslog_address(h: &Map<String, Value>, key: &str) -> Result<SyslogAddress, (String, String)> {
    let stream = match h.get("socktype") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "ext://socket.SOCK_STREAM" => Some(true),
        Some(Value::String(s)) if s == "ext://socket.SOCK_DGRAM" => Some(false),
        Some(Value::Number(n)) if n.as_u64() == Some(1) => Some(true),
        Some(Value::Number(n)) if n.as_u64() == Some(2) => Some(false),
        Some(other) => {
            return Err((
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
                _ => Err((
                    format!("logging.{key}.address"),
                    "must be [\"host\", port]".into(),
                )),
            }
        }
        Some(other) => Err((
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

fn facility(value: Option<&Value>, key: &str) -> Result<u8, (String, String)> {
    let bad = |v: &Value| {
        (
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

/// A `%`-style format string, parsed once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Format {
    pieces: Vec<Piece>,
    datefmt: Option<String>,
}

impl Default for Format {
    fn default() -> Self {
        Self {
            pieces: vec![Piece::Field {
                name: "message".into(),
                spec: Spec::default(),
            }],
            datefmt: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field { name: String, spec: Spec },
}

/// A printf conversion spec: `%(name)-8.3s`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Spec {
    left: bool,
    zero: bool,
    plus: bool,
    width: usize,
    precision: Option<usize>,
    conversion: char,
}

/// The record attributes a format may name (Python's `LogRecord` attributes that make sense here).
const ATTRIBUTES: [&str; 18] = [
    "name",
    "levelname",
    "levelno",
    "message",
    "msg",
    "asctime",
    "created",
    "msecs",
    "relativeCreated",
    "process",
    "processName",
    "thread",
    "threadName",
    "module",
    "filename",
    "pathname",
    "funcName",
    "lineno",
];

impl Format {
    /// Parses a format like `%(asctime)s %(levelname)-8s %(message)s`.
    pub fn parse(text: &str, datefmt: Option<&str>) -> Result<Self, String> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(pos) = rest.find('%') {
            literal.push_str(&rest[..pos]);
            rest = &rest[pos + 1..];
            if let Some(after) = rest.strip_prefix('%') {
                literal.push('%');
                rest = after;
                continue;
            }
            let Some(inner) = rest.strip_prefix('(') else {
                return Err(format!(
                    "\"{text}\": every % must be followed by (attribute) or %; see the Python logging docs"
                ));
            };
            let close = inner
                .find(')')
                .ok_or_else(|| format!("\"{text}\": an attribute name is not closed with )"))?;
            let name = &inner[..close];
            if !ATTRIBUTES.contains(&name) {
                return Err(format!(
                    "\"{text}\": %({name}) is not a record attribute; use one of {}",
                    ATTRIBUTES.join(", ")
                ));
            }
            let mut chars = inner[close + 1..].char_indices().peekable();
            let mut spec = Spec::default();
            while let Some(&(_, c)) = chars.peek() {
                match c {
                    '-' => spec.left = true,
                    '0' => spec.zero = true,
                    '+' => spec.plus = true,
                    ' ' | '#' => {}
                    _ => break,
                }
                chars.next();
            }
            let digits = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>| {
                let mut n = None;
                while let Some(&(_, c)) = chars.peek() {
                    let Some(d) = c.to_digit(10) else { break };
                    n = Some(n.unwrap_or(0) * 10 + d as usize);
                    chars.next();
                }
                n
            };
            spec.width = digits(&mut chars).unwrap_or(0);
            if chars.peek().map(|&(_, c)| c) == Some('.') {
                chars.next();
                spec.precision = Some(digits(&mut chars).unwrap_or(0));
            }
            let Some((at, conversion)) = chars.next() else {
                return Err(format!(
                    "\"{text}\": %({name}) needs a conversion such as s or d"
                ));
            };
            if !"sdifrxXeEgGa".contains(conversion) {
                return Err(format!(
                    "\"{text}\": %({name}){conversion} is not a conversion; use s, d or f"
                ));
            }
            spec.conversion = conversion;
            if !literal.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut literal)));
            }
            pieces.push(Piece::Field {
                name: name.to_owned(),
                spec,
            });
            rest = &inner[close + 1 + at + conversion.len_utf8()..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Self {
            pieces,
            datefmt: datefmt.map(str::to_owned),
        })
    }

    /// Formats one record as Python's `Formatter.format` would.
    pub fn render(&self, record: &Record<'_>, ctx: &Context) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Field { name, spec } => {
                    let value = match name.as_str() {
                        "name" => Val::Str(LOGGER.into()),
                        "levelname" => Val::Str(level_name(record.level()).into()),
                        "levelno" => Val::Int(i64::from(level_number(record.level()))),
                        "message" | "msg" => Val::Str(record.args().to_string()),
                        "asctime" => Val::Str(asctime(now, self.datefmt.as_deref())),
                        "created" => Val::Float(now.as_secs_f64()),
                        "msecs" => Val::Float(f64::from(now.subsec_millis())),
                        "relativeCreated" => {
                            Val::Float(ctx.started.elapsed().as_secs_f64() * 1000.0)
                        }
                        "process" | "thread" => Val::Int(i64::from(std::process::id())),
                        "processName" => Val::Str(ctx.program.into()),
                        "threadName" => Val::Str("MainThread".into()),
                        "module" => Val::Str(
                            record
                                .module_path()
                                .and_then(|m| m.rsplit("::").next())
                                .unwrap_or("")
                                .into(),
                        ),
                        "filename" => Val::Str(
                            record
                                .file()
                                .and_then(|f| f.rsplit('/').next())
                                .unwrap_or("")
                                .into(),
                        ),
                        "pathname" => Val::Str(record.file().unwrap_or("").into()),
                        "funcName" => Val::Str(record.module_path().unwrap_or("").into()),
                        "lineno" => Val::Int(i64::from(record.line().unwrap_or(0))),
                        _ => Val::Str(String::new()),
                    };
                    spec.write(&mut out, &value);
                }
            }
        }
        out
    }
}

enum Val {
    Str(String),
    Int(i64),
    Float(f64),
}

impl Spec {
    fn write(&self, out: &mut String, value: &Val) {
        let body = match (self.conversion, value) {
            ('d' | 'i', Val::Int(n)) => sign(self.plus, *n >= 0) + &n.to_string(),
            ('d' | 'i', Val::Float(f)) => {
                sign(self.plus, *f >= 0.0) + &(f.trunc() as i64).to_string()
            }
            ('f' | 'F' | 'e' | 'E' | 'g' | 'G', Val::Float(f)) => format!(
                "{}{:.*}",
                sign(self.plus, *f >= 0.0),
                self.precision.unwrap_or(6),
                f
            ),
            ('f' | 'F' | 'e' | 'E' | 'g' | 'G', Val::Int(n)) => format!(
                "{}{:.*}",
                sign(self.plus, *n >= 0),
                self.precision.unwrap_or(6),
                *n as f64
            ),
            ('x', Val::Int(n)) => format!("{n:x}"),
            ('X', Val::Int(n)) => format!("{n:X}"),
            (_, Val::Str(s)) if self.conversion == 'r' || self.conversion == 'a' => {
                format!("'{s}'")
            }
            (_, Val::Str(s)) => match self.precision {
                Some(p) => s.chars().take(p).collect(),
                None => s.clone(),
            },
            (_, Val::Int(n)) => n.to_string(),
            (_, Val::Float(f)) => f.to_string(),
        };
        let pad = self.width.saturating_sub(body.chars().count());
        if self.left {
            out.push_str(&body);
            out.extend(std::iter::repeat_n(' ', pad));
        } else if self.zero && !matches!(value, Val::Str(_)) {
            let (sign, digits) = body.split_at(usize::from(body.starts_with(['-', '+'])));
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', pad));
            out.push_str(digits);
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&body);
        }
    }
}

fn sign(plus: bool, positive: bool) -> String {
    if plus && positive {
        "+".into()
    } else {
        String::new()
    }
}

/// Python's `asctime`: local time, `%Y-%m-%d %H:%M:%S,mmm` unless `datefmt` says otherwise.
fn asctime(now: std::time::Duration, datefmt: Option<&str>) -> String {
    static TZ: OnceLock<jiff::tz::TimeZone> = OnceLock::new();
    let tz = TZ.get_or_init(jiff::tz::TimeZone::system);
    let Ok(ts) = jiff::Timestamp::new(now.as_secs() as i64, now.subsec_nanos() as i32) else {
        return String::new();
    };
    let zoned = ts.to_zoned_datetime(tz.clone());
    match datefmt {
        Some(fmt) => jiff::fmt::strtime::format(fmt, &zoned).unwrap_or_else(|_| fmt.to_owned()),
        None => {
            let mut s = jiff::fmt::strtime::format("%Y-%m-%d %H:%M:%S", &zoned).unwrap_or_default();
            let _ = write!(s, ",{:03}", now.subsec_millis());
            s
        }
    }
}

/// Python's level name for a record's level.
pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Error => "ERROR",
        Level::Warn => "WARNING",
        Level::Info => "INFO",
        Level::Debug => "DEBUG",
        Level::Trace => "Level 5",
    }
}

/// Python's level number for a record's level.
pub fn level_number(level: Level) -> u32 {
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

/// What a format needs to know about the running program.
#[derive(Clone, Copy, Debug)]
pub struct Context {
    /// The stage's name (`%(processName)s`).
    pub program: &'static str,
    /// When it started (`%(relativeCreated)d`).
    pub started: Instant,
}

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
pub fn install(program: &'static str, config: Option<&LogConfig>, verbose: bool) -> Installed {
    let ctx = Context {
        program,
        started: Instant::now(),
    };
    let rust_log = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| !s.is_empty())
        .map(|spec| {
            let mut b = env_filter::Builder::new();
            b.parse(&spec);
            b.build()
        });
    let pass_all = rust_log.is_some();
    let mut root = fern::Dispatch::new().level(LevelFilter::Trace);
    // Only our own records, unless RUST_LOG asks for others by name.
    root = root.filter(move |meta| meta.target().starts_with("dyndns") || pass_all);
    let mut errors_on_stderr = false;
    let mut problems = Vec::new();

    let logger_level = config.map_or(WARNING, |c| c.level);
    let handlers: Vec<Handler> = match config {
        Some(c) => c
            .handlers
            .iter()
            .filter(|h| !(verbose && h.target == Target::Stderr))
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    let use_default = config.is_none() || verbose || (pass_all && handlers.is_empty());
    if use_default {
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
        let mut dispatch = fern::Dispatch::new()
            .level(if pass_all {
                LevelFilter::Trace
            } else {
                threshold
            })
            .format(move |out, _msg, record| {
                out.finish(format_args!("{}", format.render(record, &ctx)))
            });
        dispatch = match &handler.target {
            Target::Null => continue,
            Target::Stderr => {
                errors_on_stderr |= pass_all || threshold >= LevelFilter::Error;
                dispatch.chain(io::stderr())
            }
            Target::File { path, truncate } => {
                match OpenOptions::new()
                    .create(true)
                    .append(!truncate)
                    .write(true)
                    .truncate(*truncate)
                    .open(path)
                {
                    Ok(file) => dispatch.chain(file),
                    Err(e) => {
                        problems.push(format!("{program}: warning: logging handler \"{}\": cannot open {}: {e}; its messages are lost", handler.name, path.display()));
                        continue;
                    }
                }
            }
            Target::Syslog { address, facility } => match syslog_output(address, *facility) {
                Ok(output) => dispatch.chain(output),
                Err(e) => {
                    problems.push(format!("{program}: warning: logging handler \"{}\": cannot reach syslog at {address:?}: {e}; its messages are lost", handler.name));
                    continue;
                }
            },
        };
        root = root.chain(dispatch);
    }
    let (max, logger) = root.into_log();
    let max = match &rust_log {
        Some(f) => f.filter(),
        None => max,
    };
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

/// Python's `SysLogHandler` wire format: `<PRI>message\0` (RFC 3164 §4.1.1
/// priority, then the formatted message as it is).
#[derive(Clone, Copy, Debug)]
struct PythonSyslog {
    facility: u8,
}

impl syslog::LogFormat<String> for PythonSyslog {
    fn format<W: Write>(
        &self,
        w: &mut W,
        severity: syslog::Severity,
        message: String,
    ) -> syslog::Result<()> {
        let priority = (u32::from(self.facility) << 3) | severity as u32;
        w.write_all(format!("<{priority}>{message}\0").as_bytes())
            .map_err(syslog::Error::Write)
    }
}

fn syslog_output(address: &SyslogAddress, facility: u8) -> Result<fern::Output, String> {
    let formatter = PythonSyslog { facility };
    let logger = match address {
        SyslogAddress::Unix(path) => syslog::unix_custom(formatter, path),
        SyslogAddress::Udp(host, port) => {
            let server = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), *port))
                .map_err(|e| e.to_string())?
                .next()
                .ok_or_else(|| format!("{host} has no address"))?;
            // Send from the server's address family.
            let local = if server.is_ipv6() {
                "[::]:0"
            } else {
                "0.0.0.0:0"
            };
            syslog::udp(formatter, local, server)
        }
        SyslogAddress::Tcp(host, port) => syslog::tcp(formatter, (host.as_str(), *port)),
    }
    .map_err(|e| e.to_string())?;
    let logger = Mutex::new(logger);
    Ok(fern::Output::call(move |record| {
        let Ok(mut logger) = logger.lock() else {
            return;
        };
        // fern hands over the handler's formatted line as the record's args.
        let message = record.args().to_string();
        let _ = match record.level() {
            Level::Error => logger.err(message),
            Level::Warn => logger.warning(message),
            Level::Info => logger.info(message),
            Level::Debug | Level::Trace => logger.debug(message),
        };
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        assert_eq!(err(json!({})).0, "logging.version");
        assert_eq!(err(json!({"version": 2})).0, "logging.version");
        assert_eq!(
            err(json!({"version": 1, "root": {"level": "LOUD"}})).0,
            "logging.root.level"
        );
        assert_eq!(
            err(json!({"version": 1, "root": {"handlers": ["x"]}})).1,
            "no handler named \"x\", though a logger names it"
        );
        assert_eq!(err(json!({"version": 1, "handlers": {"s": {"class": "logging.handlers.SysLogHandler", "facility": "local9"}}})).0, "logging.handlers.s.facility");
        assert_eq!(
            err(json!({"version": 1, "handlers": {"f": {"class": "logging.FileHandler"}}})).0,
            "logging.handlers.f.filename"
        );
        assert_eq!(
            err(json!({"version": 1, "formatters": {"f": {"format": "%(bogus)s"}}})).0,
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

    #[test]
    fn python_syslog_wire_format() {
        let mut out = Vec::new();
        syslog::LogFormat::format(
            &PythonSyslog { facility: 16 },
            &mut out,
            syslog::Severity::LOG_WARNING,
            "pydyndns: hi".to_owned(),
        )
        .unwrap();
        assert_eq!(out, b"<132>pydyndns: hi\0");
    }
}
