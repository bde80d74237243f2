//! Syslog as Python's `SysLogHandler` takes and writes it: its `address`,
//! `socktype` and `facility` keys, and its wire format `<PRI>message\0`, over
//! a Unix socket, UDP or TCP, through the `syslog` crate's transports.

use std::io::{BufWriter, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use syslog::LoggerBackend;

use log::Level;

use serde_json::{Map, Value};

use super::schema::{LogConfigError, SyslogAddress};
use crate::describe::describe;

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

/// The syslog output of a handler. A host name is looked up, and a TCP
/// connection made (to any of its addresses), within `timeout` each, and a
/// TCP write may take `timeout`: after one fails, the handler drops what
/// follows rather than hold up every record.
pub(super) fn syslog_output(
    address: &SyslogAddress,
    facility: u8,
    timeout: Duration,
) -> Result<fern::Output, String> {
    let formatter = PythonSyslog { facility };
    let logger = match address {
        SyslogAddress::Unix(path) => {
            syslog::unix_custom(formatter, path).map_err(|e| e.to_string())?
        }
        SyslogAddress::Udp(host, port) => {
            let server = *resolve(host, *port, timeout)?
                .first()
                .ok_or_else(|| format!("{host} has no address"))?;
            // Send from the server's address family.
            let local = if server.is_ipv6() {
                "[::]:0"
            } else {
                "0.0.0.0:0"
            };
            syslog::udp(formatter, local, server).map_err(|e| e.to_string())?
        }
        SyslogAddress::Tcp(host, port) => {
            let mut last = format!("{host} has no address");
            let mut stream = None;
            let addrs = resolve(host, *port, timeout)?;
            // Every address shares one timeout.
            let deadline = std::time::Instant::now() + timeout;
            for addr in addrs {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                if left.is_zero() {
                    break;
                }
                match TcpStream::connect_timeout(&addr, left) {
                    Ok(s) => {
                        stream = Some(s);
                        break;
                    }
                    Err(e) => last = format!("{addr}: {e}"),
                }
            }
            let stream = stream.ok_or(last)?;
            stream
                .set_write_timeout(Some(timeout))
                .map_err(|e| e.to_string())?;
            syslog::Logger::new(LoggerBackend::Tcp(BufWriter::new(stream)), formatter)
        }
    };
    let logger = Mutex::new((logger, false));
    Ok(fern::Output::call(move |record| {
        let Ok(mut guard) = logger.lock() else {
            return;
        };
        let (logger, failed) = &mut *guard;
        if *failed {
            return;
        }
        // fern hands over the handler's formatted line as the record's args.
        let message = record.args().to_string();
        let sent = match record.level() {
            Level::Error => logger.err(message),
            Level::Warn => logger.warning(message),
            Level::Info => logger.info(message),
            Level::Debug | Level::Trace => logger.debug(message),
        };
        *failed = sent.is_err();
    }))
}

/// The addresses of a syslog host, looked up within `timeout`.
fn resolve(host: &str, port: u16, timeout: Duration) -> Result<Vec<SocketAddr>, String> {
    let owned = host.to_owned();
    crate::bounded::within(timeout, move || {
        (owned.as_str(), port)
            .to_socket_addrs()
            .map(Iterator::collect::<Vec<_>>)
    })
    .ok_or_else(|| format!("looking up {host} took over {timeout:?}"))?
    .map_err(|e| e.to_string())
}

/// `SysLogHandler`'s `address` and `socktype`.
pub(super) fn syslog_address(
    h: &Map<String, Value>,
    key: &str,
) -> Result<SyslogAddress, LogConfigError> {
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

pub(super) fn facility(value: Option<&Value>, key: &str) -> Result<u8, LogConfigError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_syslog_wire_format() {
        let mut out = Vec::new();
        ::syslog::LogFormat::format(
            &PythonSyslog { facility: 16 },
            &mut out,
            ::syslog::Severity::LOG_WARNING,
            "pydyndns: hi".to_owned(),
        )
        .unwrap();
        assert_eq!(out, b"<132>pydyndns: hi\0");
    }
}
