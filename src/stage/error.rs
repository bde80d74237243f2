//! What can go wrong in each stage: an error enum per stage, whose variants
//! keep their causes, with [`CommonError`] for what every stage shares, and
//! the exit status each calls for ([`ExitStatus`]). Only the binaries print
//! an error and exit. One enum per stage, not one for all: a stage's binary
//! then links only the messages (and the libraries behind them) it can give.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::rr::Name;

use crate::config::ConfigError;
use crate::config::keyfile::KeyFileError;
use crate::dns::update::{BuildError, ServerError};
use crate::dns::zone::ZoneError;
use crate::host::addrs::AddrError;
use crate::host::hostname::HostnameError;
use crate::stage::exit;
use crate::state::cache::CacheError;
use crate::state::{NameError, StateError};
use crate::util::describe::chain;

/// A failure's exit status: [`exit::USAGE`] for bad usage or input
/// (nothing was sent), [`exit::FAILURE`] for a failure at run time.
pub trait ExitStatus {
    /// The status this failure calls for.
    fn exit_status(&self) -> u8;
}

/// What any stage can meet: its config, its input and output, its runtime.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommonError {
    /// The config file is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
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
    /// SIGTERM and SIGINT could not be caught (`dyndns-watch`).
    #[error("cannot catch SIGTERM and SIGINT")]
    Signals(#[source] io::Error),
    /// The state document on stdin is not valid.
    #[error(transparent)]
    State(#[from] StateError),
}

impl ExitStatus for CommonError {
    fn exit_status(&self) -> u8 {
        match self {
            Self::Stdout(_) | Self::Runtime(_) | Self::Signals(_) => exit::FAILURE,
            Self::Config(_) | Self::Stdin(_) | Self::StdinTooLarge { .. } | Self::State(_) => {
                exit::USAGE
            }
        }
    }
}

/// Why `dyndns-addrs` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AddrsError {
    /// See [`CommonError`].
    #[error(transparent)]
    Common(#[from] CommonError),
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
    /// `--diff`: the comparison with the cache failed.
    #[error(transparent)]
    Diff(#[from] DiffError),
    /// `"ownership"` without `client_id`, and the machine ID unreadable.
    #[error(
        "\"ownership\" gives no \"client_id\", and the machine ID that would make one cannot be read from {path}: {problem}; give \"client_id\", the host's DHCPv6 DUID in hexadecimal"
    )]
    MachineId {
        /// The machine-id file.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
}

impl ExitStatus for AddrsError {
    fn exit_status(&self) -> u8 {
        match self {
            Self::Common(e) => e.exit_status(),
            Self::Diff(e) => e.exit_status(),
            // The resolver not answering is a failure at run time, not bad input.
            Self::Hostname(HostnameError::Timeout { .. }) => exit::FAILURE,
            Self::NoTtl { .. }
            | Self::MachineId { .. }
            | Self::Hostname(_)
            | Self::Addrs(AddrError::NoSuchInterface(_)) => exit::USAGE,
            Self::Addrs(_) => exit::FAILURE,
        }
    }
}

/// Why `dyndns-addrs --diff` failed: [`AddrsError`]'s statuses, but for a
/// failure at run time, whose 1 means "differs" there (see
/// [`exit::ADDRS_DIFF_FAILURE`]).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct AddrsDiffError(#[from] pub AddrsError);

impl ExitStatus for AddrsDiffError {
    fn exit_status(&self) -> u8 {
        match self.0.exit_status() {
            exit::FAILURE => exit::ADDRS_DIFF_FAILURE,
            status => status,
        }
    }
}

/// Why `dyndns-diff` failed (its status is always "trouble", 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// See [`CommonError`].
    #[error(transparent)]
    Common(#[from] CommonError),
    /// The cache could not be removed (`--force`).
    #[error(transparent)]
    CacheRemove(CacheError),
    /// A live comparison without the zone's primary in the state.
    #[error(
        "the live comparison needs the zone's primary: run dyndns-soa before dyndns-diff \
         (dyndns-addrs | dyndns-soa | dyndns-diff --live | dyndns-send)"
    )]
    NoPrimary,
    /// A live comparison of a PTR record whose reverse zone's primary the
    /// state does not carry.
    #[error(
        "the live comparison needs the primary of the reverse zone of {address}: run dyndns-soa \
         before dyndns-diff, which finds it (key \"ptr.records\", \"server\")"
    )]
    NoPtrPrimary {
        /// The address.
        address: std::net::IpAddr,
    },
    /// The primary could not be asked what it serves.
    #[error(transparent)]
    Live(#[from] crate::dns::live::LiveError),
    /// The TLS client could not be set up (`"transport": "tls"`).
    #[error(transparent)]
    Tls(#[from] crate::dns::tls::TlsSetupError),
}

impl ExitStatus for DiffError {
    fn exit_status(&self) -> u8 {
        exit::DIFF_TROUBLE
    }
}

/// A name given on the command line or in the state that is not valid.
#[derive(Debug, thiserror::Error)]
#[error("{what}")]
pub struct BadName {
    /// Which name: `--zone`, `server`, or the name itself.
    pub what: String,
    /// Why.
    pub source: NameError,
}

/// A host name that is its zone's apex (RFC 2136 §3.4.2.3: deleting "all
/// RRsets" there spares only the SOA and NS): an update would delete the
/// zone's own MX, TXT and other records. The host's name may be a CNAME
/// to the apex, or come from `--hostname` or a state.
#[derive(Debug, thiserror::Error)]
#[error(
    "{name} is the apex of zone {zone}: an update there would replace the zone's own records (MX, TXT, ...), not a host's; register the host under a name of its own below the apex (is its name a CNAME to the apex?)"
)]
pub struct ApexName {
    /// The host name.
    pub name: Name,
    /// Its zone.
    pub zone: Name,
}

impl ApexName {
    /// `Err` when `name` is `zone`'s apex.
    pub(crate) fn check(name: &Name, zone: &Name) -> Result<(), Box<Self>> {
        if name == zone {
            return Err(Box::new(Self {
                name: name.clone(),
                zone: zone.clone(),
            }));
        }
        Ok(())
    }
}

/// Why the zone of a name was not found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// The resolver found none.
    #[error(transparent)]
    Zone(#[from] ZoneError),
    /// No answer in time.
    #[error(
        "no zone found for {name}: the resolvers of /etc/resolv.conf gave no answer within {bound:?}"
    )]
    Timeout {
        /// The name.
        name: Name,
        /// The time allowed.
        bound: Duration,
    },
}

/// Why `dyndns-soa` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SoaError {
    /// See [`CommonError`].
    #[error(transparent)]
    Common(#[from] CommonError),
    /// The name is not valid.
    #[error(transparent)]
    Name(#[from] BadName),
    /// No zone was found.
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// The host name is its zone's apex.
    #[error(transparent)]
    Apex(#[from] Box<ApexName>),
}

impl ExitStatus for SoaError {
    fn exit_status(&self) -> u8 {
        match self {
            Self::Common(e) => e.exit_status(),
            Self::Name(_) | Self::Apex(_) => exit::USAGE,
            Self::Lookup(_) => exit::FAILURE,
        }
    }
}

impl From<ZoneError> for SoaError {
    fn from(e: ZoneError) -> Self {
        Self::Lookup(e.into())
    }
}

/// Why `dyndns-send` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// See [`CommonError`].
    #[error(transparent)]
    Common(#[from] CommonError),
    /// A key file named with `-k` is unusable.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// A name given is not valid.
    #[error(transparent)]
    Name(#[from] BadName),
    /// The host name is its zone's apex.
    #[error(transparent)]
    Apex(#[from] Box<ApexName>),
    /// `--server` is neither a host name nor an address (not echoed: it
    /// would reach `--dry-run`'s nsupdate script).
    #[error(
        "--server is not a server: give a host name (letters, digits, '-', '_' and dots), an address, or [ADDRESS]:PORT"
    )]
    BadServer,
    /// `"lease"` without a cache: the old marker could not be deleted.
    #[error(
        "\"lease\" needs a cache (\"cache\" in the config, or --cache): the lease marker is replaced by its exact value, which only the cache keeps; without it every update would leave another marker"
    )]
    LeaseWithoutCache,
    /// The cache's lock could not be had: another run held it for longer
    /// than a run may take, or what is at the lock's path is not a lock
    /// this run may use (a symlink, a FIFO, a hard link, a directory it
    /// cannot write). Nothing is sent without it.
    #[error(transparent)]
    Lock(CacheError),
    /// No zone was found.
    #[error(transparent)]
    Lookup(#[from] LookupError),
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
    Unsent(#[from] Box<Unsent>),
    /// The update landed, but the cache could not be written.
    #[error(transparent)]
    CacheWrite(#[from] Box<CacheNotWritten>),
    /// A reverse zone's update failed; the rest landed.
    #[error(transparent)]
    PtrUnsent(#[from] Box<PtrUnsent>),
    /// The TLS client could not be set up (a CA, certificate or key file
    /// the config names is unusable): nothing was sent.
    #[error(transparent)]
    Tls(#[from] crate::dns::tls::TlsSetupError),
    /// The config asks for GSS-TSIG, and this build has no GSS-API.
    #[error(
        "the config's \"tsig\" asks for gss-tsig, but this dyndns-send was built without GSS-TSIG; \
         build it with cargo build --release --features gss (make and the Debian package do)"
    )]
    NoGss,
    /// The PTR side's bound passed before this step.
    #[error(
        "{what}: not done: the reverse zones' time was up (five timeouts for all of them; \"timeout\" in the config)"
    )]
    PtrTimeUp {
        /// The step: finding a zone, or a zone's update.
        what: String,
    },
    /// The state's `guard` is not a prerequisite.
    #[error("key \"guard\" of the state must be {{\"aaaa\": [IPv6 addresses]}}")]
    BadGuard,
    /// The guard's prerequisite failed: somebody else changed the name.
    #[error(transparent)]
    Guarded(#[from] Box<Guarded>),
    /// The name is not this host's (`"ownership"`): nothing was changed.
    #[error(transparent)]
    Owned(#[from] Box<Owned>),
    /// The primary accepted the update, but does not serve it, or could
    /// not be asked (`"verify"`).
    #[error(transparent)]
    Verify(#[from] Box<NotVerified>),
}

/// The guard's prerequisite failed: somebody else changed the name (RFC
/// 2136 §2.4; NXRRSET, YXRRSET or NXDOMAIN). Nothing was overwritten.
#[derive(Debug, thiserror::Error)]
#[error(
    "{name} was changed by somebody else: the server {server} refused the update ({rcode}): \
     the name holds {found}, not what this host last registered; nothing was overwritten \
     and the cache is as it was; run with -f to take the name back"
)]
pub struct Guarded {
    /// The host name.
    pub name: Name,
    /// The address that refused.
    pub server: SocketAddr,
    /// NXRRSET, YXRRSET or NXDOMAIN.
    pub rcode: String,
    /// The AAAA records found there.
    pub found: String,
}

/// The name is not this host's (RFC 4703 §5.3: the claim found it in use,
/// and its DHCID is not this host's). Nothing was changed.
#[derive(Debug, thiserror::Error)]
#[error("{name} {holder}; nothing was changed, and the cache is as it was. {fix}")]
pub struct Owned {
    /// The host name.
    pub name: Name,
    /// Who holds it, as the server that refused says.
    pub holder: Holder,
    /// What an administrator can do.
    pub fix: String,
}

/// Who holds a name this host may not take.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Holder {
    /// Another client: a DHCID record that is not this host's.
    #[error(
        "belongs to another client: its DHCID record at {0} is not this host's (RFC 4701; another host, or a DHCP server for one, registered the name)"
    )]
    OtherClient(SocketAddr),
    /// Records without a DHCID: no client owns them.
    #[error(
        "holds records that no client owns: there is no DHCID record at {0} (an administrator's records, or a client's without \"ownership\")"
    )]
    NoClient(SocketAddr),
    /// The name is in use, but its DHCID could not be read.
    #[error("is in use at {0} and its DHCID is not this host's (the DHCID could not be read: {1})")]
    Unread(SocketAddr, String),
}

/// Why an update the primary accepted did not pass the check after it
/// (`"verify"`); the cache is then not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotVerified {
    /// The primary serves something else.
    #[error(
        "{name}: {server} answered NOERROR but serves {served}, not the {sent} just sent; \
         the server may apply a policy to updates (its log says); the cache is not written"
    )]
    NotApplied {
        /// The host name.
        name: Name,
        /// The address that accepted the update.
        server: SocketAddr,
        /// What it serves.
        served: String,
        /// What was sent.
        sent: String,
    },
    /// It could not be asked.
    #[error("{name} was updated, but not verified; the cache is not written")]
    Unanswered {
        /// The host name.
        name: Name,
        /// Why.
        source: crate::dns::live::LiveError,
    },
}

impl ExitStatus for SendError {
    fn exit_status(&self) -> u8 {
        match self {
            Self::Common(e) => e.exit_status(),
            Self::KeyFile(_)
            | Self::Name(_)
            | Self::Apex(_)
            | Self::BadServer
            | Self::LeaseWithoutCache
            | Self::Build(_)
            | Self::Tls(_)
            | Self::NoGss
            | Self::BadGuard => exit::USAGE,
            Self::Lock(_)
            | Self::Lookup(_)
            | Self::ServerTimeout { .. }
            | Self::Unsent(_)
            | Self::CacheWrite(_)
            | Self::PtrUnsent(_)
            | Self::PtrTimeUp { .. }
            | Self::Verify(_)
            | Self::Guarded(_)
            | Self::Owned(_) => exit::FAILURE,
        }
    }
}

impl From<ZoneError> for SendError {
    fn from(e: ZoneError) -> Self {
        Self::Lookup(e.into())
    }
}

/// The update landed, but the cache could not be written: the next run
/// sends it again.
#[derive(Debug)]
pub struct CacheNotWritten {
    /// The host name.
    pub name: Name,
    /// Where the update was accepted.
    pub at: String,
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
            self.at,
            chain(&self.source)
        )
    }
}

impl std::error::Error for CacheNotWritten {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The PTR update of one reverse zone or more failed (or their zone was
/// not found); the forward update and the other zones' landed, the cache
/// says so, and the next run sends only what failed.
#[derive(Debug)]
pub struct PtrUnsent {
    /// The result lines of what landed.
    pub done: Vec<String>,
    /// Each failure.
    pub failures: Vec<SendError>,
}

impl fmt::Display for PtrUnsent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, failure) in self.failures.iter().enumerate() {
            let sep = if i == 0 { "" } else { "; " };
            write!(f, "{sep}{}", chain(failure))?;
        }
        if self.done.is_empty() {
            f.write_str("; the next run tries again")
        } else {
            write!(
                f,
                "; the rest landed ({}); the next run sends only what failed",
                self.done.join("; ")
            )
        }
    }
}

impl std::error::Error for PtrUnsent {}

/// Why an update failed at every server tried.
#[derive(Debug)]
pub struct Unsent {
    /// What was updated: the host name, or "the PTR records".
    pub what: String,
    /// The zone.
    pub zone: Name,
    /// Each server tried, in order, and what happened there.
    pub tries: Vec<ServerTries>,
}

/// One server an update was tried at: what each of its addresses said, or
/// why none was tried.
#[derive(Debug)]
pub struct ServerTries {
    /// The server, as the state or the zone's NS records name it.
    pub server: String,
    /// Each address and its failure; or why it has none to try (its
    /// addresses not found, the run's time up).
    pub tried: Result<Vec<(SocketAddr, ServerError)>, String>,
}

impl fmt::Display for ServerTries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.tried {
            Ok(attempts) => {
                for (i, (addr, error)) in attempts.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "; " };
                    write!(f, "{sep}{addr}: {}", chain(error))?;
                }
                Ok(())
            }
            Err(why) => f.write_str(why),
        }
    }
}

impl fmt::Display for Unsent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.tries.as_slice() {
            [one] => write!(
                f,
                "update of {} in zone {} failed at every address of {}: {one}",
                self.what, self.zone, one.server
            ),
            tries => {
                write!(
                    f,
                    "update of {} in zone {} failed at each of {} servers: ",
                    self.what,
                    self.zone,
                    tries.len()
                )?;
                for (i, one) in tries.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "; " };
                    write!(f, "{sep}{} [{one}]", one.server)?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Unsent {}

#[cfg(test)]
mod tests {
    use super::*;

    /// `dyndns-addrs --diff`: a failure at run time is 3, since 1 says
    /// "differs" there; bad usage stays 2, and so does dyndns-diff's trouble.
    #[test]
    fn addrs_diff_statuses() {
        let timeout = AddrsError::Hostname(HostnameError::Timeout {
            host: "host1".into(),
            bound: Duration::from_secs(5),
        });
        assert_eq!(timeout.exit_status(), exit::FAILURE);
        assert_eq!(AddrsDiffError(timeout).exit_status(), 3);
        let usage = AddrsError::NoTtl {
            config: "none read".into(),
        };
        assert_eq!(AddrsDiffError(usage).exit_status(), exit::USAGE);
        let trouble = AddrsError::Diff(DiffError::NoPrimary);
        assert_eq!(AddrsDiffError(trouble).exit_status(), exit::DIFF_TROUBLE);
    }

    /// A dyndns-send built without the "gss" feature, given a gss-tsig
    /// config: one line saying what is missing and how to get it, exit 2.
    #[test]
    fn without_gss_one_line_says_how_to_build_it() {
        let e = SendError::NoGss;
        assert_eq!(e.exit_status(), exit::USAGE);
        let line = e.to_string();
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("built without GSS-TSIG"), "{line}");
        assert!(line.contains("--features gss"), "{line}");
    }

    #[test]
    fn bad_input_is_2_and_run_time_trouble_is_1() {
        let usage = AddrsError::NoTtl {
            config: "none read".into(),
        };
        assert_eq!(usage.exit_status(), exit::USAGE);
        let missing = AddrsError::Addrs(AddrError::NoSuchInterface("eth9".into()));
        assert_eq!(missing.exit_status(), exit::USAGE);
        let unreadable = AddrsError::Addrs(AddrError::Netlink(io::Error::other("gone")));
        assert_eq!(unreadable.exit_status(), exit::FAILURE);
        let timeout = SoaError::Lookup(LookupError::Timeout {
            name: Name::root(),
            bound: Duration::from_secs(1),
        });
        assert_eq!(timeout.exit_status(), exit::FAILURE);
        let stdout = SendError::Common(CommonError::Stdout(io::Error::other("closed")));
        assert_eq!(stdout.exit_status(), exit::FAILURE);
        let stdin = DiffError::Common(CommonError::Stdin(io::Error::other("bad")));
        assert_eq!(stdin.exit_status(), exit::DIFF_TROUBLE);
    }
}
