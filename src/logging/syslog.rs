//! Syslog as Python's `SysLogHandler` writes it: its wire format
//! `<PRI>message\0`, over a Unix socket, UDP or TCP, through the `syslog`
//! crate's transports (its `address`, `socktype` and `facility` keys are
//! read with the rest of the config, in `schema`).

use std::io::{BufWriter, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Mutex;
use std::time::Duration;

use syslog::LoggerBackend;

use log::Level;

use super::schema::SyslogAddress;

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
    crate::util::bounded::within(timeout, move || {
        (owned.as_str(), port)
            .to_socket_addrs()
            .map(Iterator::collect::<Vec<_>>)
    })
    .ok_or_else(|| format!("looking up {host} took over {timeout:?}"))?
    .map_err(|e| e.to_string())
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
