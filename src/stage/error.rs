//! What can go wrong in a stage, as one typed error whose variants keep
//! their causes, and the exit status each calls for (`exit_status`). Only the
//! binaries print an error and exit.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::rr::Name;

use crate::addrs::AddrError;
use crate::cache::CacheError;
use crate::config::ConfigError;
use crate::exit;
use crate::hostname::HostnameError;
use crate::keyfile::KeyFileError;
use crate::state::{NameError, StateError};
use crate::update::{BuildError, ServerError};
use crate::zone::ZoneError;

/// Why a stage failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StageError {
    /// The config file is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A key file named with `-k` is unusable.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// Standard input could not be read.
    #[error("cannot read standard input")]
    Stdin(#[source] io::Error),
    /// Standard input holds more than a state document may.
    #[error("standard input holds more than {limit} octets; a state document is one line of JSON")]
    StdinTooLarge {
        /// The limit, octets.
        limit: u64,
    },
    /// Standard output could not be written.
    #[error("cannot write to standard output")]
    Stdout(#[source] io::Error),
    /// The async runtime could not be started.
    #[error("cannot start the async runtime")]
    Runtime(#[source] io::Error),
    /// The state document on stdin is not valid.
    #[error(transparent)]
    State(#[from] StateError),
    /// No TTL from the flags or the config.
    #[error("no TTL: give --ttl SECONDS, or \"ttl\" in the config file ({config})")]
    NoTtl {
        /// The config file read, or "none read".
        config: String,
    },
    /// The host's FQDN could not be found, or the one given is not valid.
    #[error(transparent)]
    Hostname(#[from] HostnameError),
    /// The interfaces or their addresses could not be read.
    #[error(transparent)]
    Addrs(#[from] AddrError),
    /// A name given on the command line or in the state is not valid.
    #[error("{what}")]
    Name {
        /// Which name: `--zone`, `server`, or the name itself.
        what: String,
        /// Why.
        source: NameError,
    },
    /// The cache could not be removed (`--force`).
    #[error(transparent)]
    CacheRemove(CacheError),
    /// Another run held the cache's lock for longer than a run may take.
    #[error(transparent)]
    LockHeld(CacheError),
    /// No zone was found.
    #[error(transparent)]
    Zone(#[from] ZoneError),
    /// No zone was found in time.
    #[error(
        "no zone found for {name}: the resolvers of /etc/resolv.conf gave no answer within {bound:?}"
    )]
    ZoneTimeout {
        /// The name.
        name: Name,
        /// The time allowed.
        bound: Duration,
    },
    /// The primary's addresses were not found in time.
    #[error("cannot find the addresses of {name}: no answer within {bound:?}")]
    ServerTimeout {
        /// The primary's name.
        name: Name,
        /// The time allowed.
        bound: Duration,
    },
    /// The update could not be built.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// Every address of the primary failed (boxed, as the rarest and largest).
    #[error(transparent)]
    Send(#[from] Box<SendError>),
    /// The update landed, but the cache could not be written.
    #[error(transparent)]
    CacheWrite(#[from] Box<CacheNotWritten>),
}

/// The update landed, but the cache could not be written: the next run
/// sends it again.
#[derive(Debug)]
pub struct CacheNotWritten {
    /// The host name.
    pub name: Name,
    /// The address that accepted the update.
    pub addr: SocketAddr,
    /// Why the cache could not be written.
    pub source: CacheError,
}

impl fmt::Display for CacheNotWritten {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The cause belongs in the middle of the sentence, before what
        // happens next.
        write!(
            f,
            "{} was updated at {}, but {}; the next run will update again",
            self.name,
            self.addr,
            chain(&self.source)
        )
    }
}

impl std::error::Error for CacheNotWritten {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl StageError {
    /// The exit status this failure calls for: [`exit::USAGE`] for bad usage
    /// or input (nothing was sent), [`exit::FAILURE`] for a failure at run
    /// time.
    pub fn exit_status(&self) -> u8 {
        match self {
            Self::Config(_)
            | Self::KeyFile(_)
            | Self::Stdin(_)
            | Self::StdinTooLarge { .. }
            | Self::State(_)
            | Self::NoTtl { .. }
            | Self::Hostname(_)
            | Self::Addrs(AddrError::NoSuchInterface(_))
            | Self::Name { .. }
            | Self::CacheRemove(_)
            | Self::Build(_) => exit::USAGE,
            Self::Stdout(_)
            | Self::Runtime(_)
            | Self::Addrs(_)
            | Self::LockHeld(_)
            | Self::Zone(_)
            | Self::ZoneTimeout { .. }
            | Self::ServerTimeout { .. }
            | Self::Send(_)
            | Self::CacheWrite(_) => exit::FAILURE,
        }
    }
}

/// Why an update failed at every address of the primary.
#[derive(Debug)]
pub struct SendError {
    /// The host name.
    pub name: Name,
    /// The zone.
    pub zone: Name,
    /// The server.
    pub server: String,
    /// Each address tried, and what happened there.
    pub attempts: Vec<(SocketAddr, ServerError)>,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "update of {} in zone {} failed at every address of {}: ",
            self.name, self.zone, self.server
        )?;
        for (i, (addr, error)) in self.attempts.iter().enumerate() {
            let sep = if i == 0 { "" } else { "; " };
            write!(f, "{sep}{addr}: {}", chain(error))?;
        }
        Ok(())
    }
}

impl std::error::Error for SendError {}

/// An error and its causes on one line: `error: cause: cause`. A cause whose
/// text the line already holds (an error that quotes its cause) is not
/// repeated.
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = cause.source();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] io::Error);

    #[test]
    fn chain_walks_the_causes() {
        assert_eq!(chain(&Outer(io::Error::other("inner"))), "outer: inner");
    }

    #[test]
    fn bad_input_is_2_and_run_time_trouble_is_1() {
        let usage = StageError::NoTtl {
            config: "none read".into(),
        };
        assert_eq!(usage.exit_status(), exit::USAGE);
        let missing = StageError::Addrs(AddrError::NoSuchInterface("eth9".into()));
        assert_eq!(missing.exit_status(), exit::USAGE);
        let unreadable = StageError::Addrs(AddrError::Read {
            path: "/proc/net/if_inet6".into(),
            source: io::Error::other("gone"),
        });
        assert_eq!(unreadable.exit_status(), exit::FAILURE);
        let timeout = StageError::ZoneTimeout {
            name: Name::root(),
            bound: Duration::from_secs(1),
        };
        assert_eq!(timeout.exit_status(), exit::FAILURE);
    }
}
