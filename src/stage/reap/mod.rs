//! `dyndns-reap`: the records of hosts whose lease expired, found by a
//! zone transfer ([`list`]) and deleted with prerequisites that keep a
//! host that renewed in between ([`delete`]). Between the two, one JSON
//! line per name ([`Expired`]); after the second, one per name with its
//! result ([`Reaped`]).
//!
//! Only names that hold a lease marker are ever listed: static records
//! and hosts without a lease have none.

mod delete;
mod line;
mod list;

use std::path::PathBuf;
use std::time::Duration;

use hickory_proto::rr::Name;

use crate::config::{Config, keyfile};
use crate::dns::tsig::Key;
use crate::state::parse_name;

use super::{BadName, CommonError, ExitStatus, exit};

pub use delete::{Deleting, delete};
pub use line::{Expired, PtrSet, Reaped};
pub use list::list;

/// `dyndns-reap`'s flags as given.
#[derive(Clone, Debug, Default)]
pub struct ReapFlags {
    /// `--server`: the forward zone's server, instead of its SOA's MNAME
    /// (or the listed line's).
    pub server: Option<String>,
    /// `--port`.
    pub port: Option<u16>,
    /// `--timeout`, seconds.
    pub timeout_secs: Option<f64>,
    /// `--key-file`.
    pub key_file: Option<PathBuf>,
    /// `--grace`, seconds.
    pub grace_secs: u64,
    /// `--ptr-zone`.
    pub ptr_zones: Vec<String>,
    /// `--dry-run`.
    pub dry_run: bool,
}

/// `dyndns-reap`'s options, checked.
#[derive(Clone, Debug)]
pub struct ReapOptions {
    /// The forward zone's server, instead of the SOA's MNAME.
    pub server: Option<String>,
    /// The servers' port.
    pub port: u16,
    /// The time each exchange, and each message of a transfer, may take.
    pub timeout: Duration,
    /// The key that signs the transfers and updates of the forward zone.
    pub key: Option<Key>,
    /// The reverse zones' key (`ptr.tsig`, else the forward zone's).
    pub ptr_key: Option<Key>,
    /// How long past its expiry a lease is left alone.
    pub grace: Duration,
    /// The reverse zones whose PTRs to reaped names go too.
    pub ptr_zones: Vec<Name>,
    /// Print the updates, send nothing.
    pub dry_run: bool,
}

/// How long a whole transfer may take, in timeouts: each message has one,
/// and a zone of a million names takes well under this on a LAN.
pub const TRANSFER_BOUND: u32 = 120;

impl ReapOptions {
    /// Checks the flags against the config: zones are names, a key file
    /// is read, and a GSS-TSIG config without a key is refused (a reaper
    /// signs with a TSIG key).
    pub fn new(flags: ReapFlags, config: &Config) -> Result<Self, ReapError> {
        let ptr_zones = flags
            .ptr_zones
            .iter()
            .map(|z| zone_name(z, "--ptr-zone"))
            .collect::<Result<_, _>>()?;
        if flags
            .server
            .as_deref()
            .is_some_and(|s| !crate::state::is_server(s))
        {
            return Err(ReapError::BadServer);
        }
        let key = match &flags.key_file {
            Some(file) => Some(keyfile::read_flagged(file)?),
            None => config.tsig.clone(),
        };
        if key.is_none() && config.gss.is_some() {
            return Err(ReapError::GssOnly);
        }
        let ptr_key = match config.ptr.as_ref().and_then(|p| p.tsig.clone()) {
            Some(own) if flags.key_file.is_none() => Some(own),
            _ => key.clone(),
        };
        Ok(Self {
            server: flags.server,
            port: flags.port.unwrap_or(53),
            timeout: config.timeout_or(flags.timeout_secs),
            key,
            ptr_key,
            grace: Duration::from_secs(flags.grace_secs),
            ptr_zones,
            dry_run: flags.dry_run,
        })
    }
}

/// A zone given on the command line, as a name.
pub fn zone_name(text: &str, what: &str) -> Result<Name, ReapError> {
    parse_name(text).map_err(|source| {
        ReapError::Name(BadName {
            what: what.into(),
            source,
        })
    })
}

/// Why `dyndns-reap` failed as a whole (a name that could not be reaped
/// is a result line, not this).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReapError {
    /// The config, stdin or stdout.
    #[error(transparent)]
    Common(#[from] CommonError),
    /// `-k`'s key file.
    #[error(transparent)]
    KeyFile(#[from] keyfile::KeyFileError),
    /// A zone or server that is not a name.
    #[error(transparent)]
    Name(BadName),
    /// `--server` is neither a name nor an address.
    #[error("--server: not a host name, an address, or [ADDRESS]:PORT")]
    BadServer,
    /// GSS-TSIG only: the reaper needs a TSIG key.
    #[error(
        "the config signs with GSS-TSIG, which is a host's own identity; dyndns-reap signs its transfers and deletions with a TSIG key: give one with -k FILE"
    )]
    GssOnly,
    /// A line on stdin is not one `--list` writes.
    #[error("standard input, line {line}: {problem}")]
    BadLine {
        /// The line's number, from 1.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// The zone's primary could not be found.
    #[error(transparent)]
    Soa(#[from] super::SoaError),
    /// The zone could not be transferred.
    #[error("cannot read zone {zone} from {server}: {source}")]
    Transfer {
        /// The zone.
        zone: Name,
        /// The server, and the address that failed last.
        server: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ExitStatus for ReapError {
    fn exit_status(&self) -> u8 {
        match self {
            Self::Common(e) => e.exit_status(),
            Self::KeyFile(_)
            | Self::Name(_)
            | Self::BadServer
            | Self::GssOnly
            | Self::BadLine { .. } => exit::USAGE,
            Self::Soa(e) => e.exit_status(),
            Self::Transfer { .. } => exit::FAILURE,
        }
    }
}
