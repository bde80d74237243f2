//! Python's `%`-style format strings (`%(asctime)s %(levelname)-8s
//! %(message)s`), parsed once and rendered for each record as Python's
//! `logging.Formatter` would, printf flags, width and precision included.

use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::Instant;
use std::time::{SystemTime, UNIX_EPOCH};

use log::Record;

use super::printf::{Spec, Val};
use super::{LOGGER, level_name, level_number};

/// What a format needs to know about the running program.
#[derive(Clone, Copy, Debug)]
pub struct Context {
    /// The stage's name (`%(processName)s`).
    pub program: &'static str,
    /// When it started (`%(relativeCreated)d`).
    pub started: Instant,
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
    /// Parses a format like `%(asctime)s %(levelname)-8s %(message)s`: one
    /// pass over the text, each `%(name)` spec read in place, which is
    /// clearer as one function than as a state machine spread over several.
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
            if !"sdifFrxXeEgGa".contains(conversion) {
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
