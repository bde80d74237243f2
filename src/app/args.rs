//! The command lines of the programs, as clap definitions: each binary
//! parses its own, and `examples/gen-docs.rs` turns them (with the
//! wrapper's, from [`crate::app::argparse`]) into man pages and shell
//! completions, so the three never disagree.

use std::path::PathBuf;

use clap::Parser;

use crate::dns::reach::{Reach, TlsFlag, parse_tls};

/// Flags every stage takes.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Common {
    /// The config file (PyDynDNS's JSON format) [default: /etc/pydyndns.conf, if it exists]
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Debug output on stderr (RUST_LOG, in env_logger's syntax, overrides the levels)
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// Leave out the config file's warnings (pydyndns passes this to every stage but the first, which gave them)
    #[arg(long)]
    pub no_config_warnings: bool,
}

/// Parses `--cache FILE`: a file, not a directory (as the config's
/// `"cache"`).
pub fn parse_cache(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    match crate::config::cache_path_problem(&path) {
        Some(problem) => Err(problem),
        None => Ok(path),
    }
}

/// Parses `--timeout SECONDS`: more than 0, at most an hour.
pub fn parse_timeout(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= crate::config::MAX_TIMEOUT_SECS => Ok(secs),
        _ => Err(format!(
            "\"{text}\" is not a number of seconds, more than 0 and at most 3600"
        )),
    }
}

/// Print this host's name, TTL and IPv6 addresses to register.
///
/// Prints the state document (one JSON object) that dyndns-diff, dyndns-soa
/// and dyndns-send read: the FQDN as Python's socket.getfqdn() finds it, the
/// TTL, and every global unicast IPv6 address of the interfaces named that
/// the kernel does not flag as temporary, deprecated, tentative or
/// DAD-failed.
#[derive(Debug, Parser)]
#[command(
    name = "dyndns-addrs",
    version,
    after_help = "Example:\n  dyndns-addrs eth0\n  {\"hostname\":\"h.example.com.\",\"ttl\":300,\"addresses\":[\"2001:db8::1\"]}"
)]
pub struct AddrsArgs {
    /// The flags every stage takes.
    #[command(flatten)]
    pub common: Common,
    /// Register this FQDN instead of the host's own (as socket.getfqdn() finds it)
    #[arg(long, value_name = "FQDN")]
    pub hostname: Option<String>,
    /// The TTL of the records, seconds, instead of the config's "ttl"
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(0..=0x7fff_ffff))]
    pub ttl: Option<u32>,
    /// Print every address of every interface, with its flags, lifetimes and the verdict (registered, or left out and why), instead of the state; with the config's "sshfp", then each SSH key file, its type and its SSHFP records (or why it is left out)
    #[arg(long)]
    pub explain: bool,
    /// How --explain prints [default: table]
    #[arg(long, value_enum, default_value_t = crate::host::addrs::Format::Table, hide_default_value = true, requires = "explain")]
    pub format: crate::host::addrs::Format,
    /// Print the state only when it differs from the cache: `dyndns-addrs | dyndns-diff` in one process, with dyndns-diff's exit status (0 the same, 1 differs), and 3 for a failure at run time; with the config's "compare": "live", which needs dyndns-soa first, the state is printed uncompared (status 1)
    #[arg(long, conflicts_with_all = ["explain", "hostname", "ttl"])]
    pub diff: bool,
    /// The pydyndns wrapper's command line, given after `--` (in place of
    /// the interfaces), read as PyDynDNS's argparse reads it and printed in
    /// the one spelling the wrapper reads: `set -- -c 'FILE' -f -- 'eth0'`
    #[arg(long, hide = true, conflicts_with_all = ["explain", "hostname", "ttl", "diff"])]
    pub pydyndns_argv: bool,
    /// The pydyndns wrapper's --help
    #[arg(long, hide = true, conflicts_with_all = ["explain", "hostname", "ttl", "diff", "pydyndns_argv"])]
    pub pydyndns_help: bool,
    /// Interfaces whose addresses to register, or glob patterns ('eth*') [default: every interface that is up, but loopbacks]
    #[arg(value_name = "IFACE")]
    pub interfaces: Vec<String>,
}

/// The flags of the stages that talk to the zone's servers; by default
/// none given (the config's port, timeout and TLS settings).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct NetArgs {
    /// The DNS port of the zone's servers [default: 53; over TLS, the config's "tls.port", else 853]
    #[arg(short = 'p', long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Seconds each DNS lookup and each server address may take, instead of the config's "timeout" [default: 5]
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: Option<f64>,
    /// DNS over TLS (RFC 7858) to the primary, whatever the config's "transport" says, with these settings over the config's "tls" object, one per --tls: on, ca=FILE (the CA its certificate must chain to), name=NAME (the name it must hold), cert=FILE and key=FILE (a client certificate for mutual TLS), insecure (for tests only: no verification at all); or off (TCP, whatever the config says)
    #[arg(long, value_name = "SETTING", value_parser = parse_tls)]
    pub tls: Vec<TlsFlag>,
}

impl NetArgs {
    /// How the primary is reached: these flags over the config.
    pub fn reach(&self, config: &crate::config::Config) -> Reach {
        Reach::new(self.port, &self.tls, config.tls.as_ref())
    }
}

/// Pass the state on only when it differs from the last registered one.
///
/// Compares the state on stdin with the cache of the last successful update
/// (no network), or, with --live, with the AAAA records the zone's primary
/// serves (one direct query; the state must carry "server": put dyndns-soa
/// first). A cache confirmed longer ago than the config's "refresh", or
/// written during another boot, counts as different. Like diff(1), the exit
/// status says the result: 0 the same (nothing printed), 1 different, or no
/// usable cache (the state is printed for the next stage, with
/// "differs_because" saying why), 2 trouble. An empty stdin is nothing to
/// do: exit 0.
///
/// With --check, nothing is passed on: one status line in the
/// monitoring-plugins convention (Nagios, Icinga, Checkmk) and exit 0 OK,
/// 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
#[derive(Debug, Default, Parser)]
#[command(
    name = "dyndns-diff",
    version,
    after_help = "Examples:\n  dyndns-addrs eth0 | dyndns-diff && echo unchanged\n  dyndns-addrs eth0 | dyndns-soa | dyndns-diff --live | dyndns-send\n  dyndns-addrs eth0 | dyndns-soa | dyndns-diff --check"
)]
pub struct DiffArgs {
    /// The flags every stage takes.
    #[command(flatten)]
    pub common: Common,
    /// The cache file, instead of the config's "cache"
    #[arg(long, value_name = "FILE", value_parser = parse_cache)]
    pub cache: Option<PathBuf>,
    /// Remove the cache first, so the state counts as changed until an update succeeds
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Compare with the records the zone's primary serves, not the cache (the config's "compare": "live")
    #[arg(long, conflicts_with = "check")]
    pub live: bool,
    /// Send nothing: report, for monitoring, whether the primary and the zone's other servers serve the host's addresses
    #[arg(long, conflicts_with = "force")]
    pub check: bool,
    /// The DNS port and the timeout.
    #[command(flatten)]
    pub net: NetArgs,
}

/// Find the zone of a name and its primary server.
///
/// Asks the system resolver (/etc/resolv.conf) for the SOA record that covers
/// the name: its owner is the zone apex, its MNAME the primary. With NAME, print the primary's name. Without, read the state document on
/// stdin and print it with "zone" and "server" added, and (with the config's
/// "ptr") the reverse zone and primary of each PTR record left to send; an
/// empty stdin is nothing to do.
#[derive(Parser)]
#[command(
    name = "dyndns-soa",
    version,
    after_help = "Examples:\n  dyndns-soa host1.example.com\n  ns1.example.com.\n  dyndns-addrs eth0 | dyndns-soa"
)]
pub struct SoaArgs {
    /// The flags every stage takes.
    #[command(flatten)]
    pub common: Common,
    /// Seconds each DNS lookup and each server address may take, instead of the config's "timeout" [default: 5]
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: Option<f64>,
    /// The name whose primary to print, instead of reading stdin
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
}

/// Send the RFC 2136 update for the state on stdin.
///
/// Deletes every record at the name and adds one AAAA per address, over TCP
/// to each address of the primary in turn until one accepts it, TSIG-signed
/// when a key is configured. With the config's "ptr", then one update per
/// reverse zone, each on its own: the PTR record of each address, and the
/// deletion of a gone address's PTR where it still points to this host.
/// Then rewrites the cache with what is registered where.
///
/// The zone and server come from the state (dyndns-soa adds them), from
/// --zone and --server, or are found here. With the config's "servers",
/// a server that cannot be reached or answers NOTIMP, REFUSED or SERVFAIL
/// hands the update on to the next (the state's "failover", else the
/// zone's NS set or the config's list). An empty stdin is nothing to do.
#[derive(Parser)]
#[command(
    name = "dyndns-send",
    version,
    after_help = "Example:\n  dyndns-addrs eth0 | dyndns-soa | dyndns-send --dry-run"
)]
pub struct SendArgs {
    /// The flags every stage takes.
    #[command(flatten)]
    pub common: Common,
    /// The server: a name, an address, or an address and port.
    #[arg(
        short = 's',
        long,
        value_name = "SERVER",
        help = "The server: a name, an address, or [ADDRESS]:PORT; it alone is tried [default: the state's \"server\", then its \"failover\"]"
    )]
    pub server: Option<String>,
    /// The zone apex [default: the state's "zone"]
    #[arg(short = 'z', long, value_name = "ZONE")]
    pub zone: Option<String>,
    /// The DNS port and the timeout.
    #[command(flatten)]
    pub net: NetArgs,
    /// The cache file to rewrite on success, instead of the config's "cache"
    #[arg(long, value_name = "FILE", value_parser = parse_cache)]
    pub cache: Option<PathBuf>,
    /// Sign with the key in this BIND key file (as tsig-keygen writes it, and nsupdate -k reads it), instead of the config's "tsig"
    #[arg(short = 'k', long = "key-file", value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Print the update instead of sending it (as a script nsupdate runs, unless --format says otherwise)
    #[arg(short = 'n', long)]
    pub dry_run: bool,
    /// How --dry-run shows the update [default: nsupdate]
    #[arg(long, value_enum, default_value_t = crate::dns::update::DryRunFormat::Nsupdate, hide_default_value = true, requires = "dry_run")]
    pub format: crate::dns::update::DryRunFormat,
    /// After the server accepts the update, ask it for the name's AAAA records, and fail (writing no cache) unless it serves what was sent (the config's "verify": true)
    #[arg(long, conflicts_with = "dry_run")]
    pub verify: bool,
    /// With "ownership": take the name whoever owns it (its records and its DHCID replaced by this host's), once; logged as a warning. Without it, a name another client owns is never changed (-f does not override that)
    #[arg(long)]
    pub take_over: bool,
}

/// Write a line for each address that becomes registrable or stops being, as the kernel announces it.
///
/// Subscribes to the kernel's rtnetlink address and link events and, after
/// each burst (a quiet time without events), reads the kernel's table again
/// and compares the registrable set (under the config's policy) with the
/// last: one JSON line per change on stdout, flushed at once
/// ({"event": "address-added", "interface": "eth0", "address": "2001:db8::1"};
/// "address-removed"; "resync" after the kernel dropped events). Addresses
/// still tentative count once duplicate address detection ends. It waits in
/// poll(2): no CPU while nothing changes.
///
/// With --run PROGRAM, it also runs PROGRAM -c CONFIG [-v] -- IFACE... at
/// start and after each burst of changes, retries a failed run with backoff
/// (30 s, then 1, 2, 4 ... up to 15 minutes) until it succeeds or the next
/// change, and runs it again after the config's "refresh" while nothing
/// changes; SIGTERM stops the run under way and ends it. pydyndns --watch
/// is this with PROGRAM pydyndns.
#[derive(Parser)]
#[command(
    name = "dyndns-watch",
    version,
    after_help = "Examples:\n  dyndns-watch eth0\n  dyndns-watch -c /etc/pydyndns.conf --run /usr/bin/pydyndns eth0"
)]
pub struct WatchArgs {
    /// The flags every stage takes.
    #[command(flatten)]
    pub common: Common,
    /// How long the events of one burst may be apart, milliseconds [default: the config's "watch.quiet_ms", else 500]
    #[arg(long, value_name = "MS")]
    pub quiet: Option<u64>,
    /// Run PROGRAM (pydyndns) at start and after each burst of changes
    #[arg(long, value_name = "PROGRAM")]
    pub run: Option<PathBuf>,
    /// The first retry's delay after a failed run, seconds (doubling up to 15 minutes)
    #[arg(long, value_name = "SECONDS", default_value_t = 30, hide = true)]
    pub retry_after: u64,
    /// The socket's receive buffer, octets (tests make it tiny)
    #[arg(long, value_name = "OCTETS", hide = true)]
    pub receive_buffer: Option<usize>,
    /// Interfaces to watch, or glob patterns ('eth*') [default: every interface that is up, but loopbacks]
    #[arg(value_name = "IFACE")]
    pub interfaces: Vec<String>,
}

/// Delete the records of hosts whose lease expired.
///
/// Hosts that register with a "lease" write a lease marker beside their
/// records where the server ignores RFC 9664's leases: a TXT record
/// "dyndns-lease expires=2026-12-05T13:00:00Z", renewed while they run.
/// dyndns-reap, run on or near the zone's primary, removes the records of
/// the hosts that stopped renewing.
///
/// With --list, it reads ZONE by AXFR (signed with the config's TSIG key,
/// or -k's) from its primary and prints one JSON line per name whose
/// marker expired more than --grace seconds ago: the name, the marker,
/// when it expired, the record sets at the name, and (with --ptr-zone) the
/// PTR sets that point to it. Names without a marker are never listed; a
/// malformed marker is warned about and its name left alone.
///
/// With --delete, it reads such lines on stdin and, for each name, sends
/// one update that deletes its AAAA, A and DHCID records and its marker,
/// on the prerequisite that its TXT set is still exactly the listed one
/// (RFC 2136 §2.4.2): a host that renewed in between keeps its records
/// and is reported as renewed. Then, for a deleted name, one update per
/// PTR that points to it, on the same kind of prerequisite. One JSON line
/// per name says the result: deleted, renewed, or failed (with the rcode).
///
/// ZONE alone does both. Exit status: 0 every expired name handled
/// (deleted or renewed), 1 a failure at run time, 2 bad usage or input.
#[derive(Parser)]
#[command(
    name = "dyndns-reap",
    version,
    after_help = "Examples:\n  dyndns-reap --list -k /etc/bind/reaper.key example.com\n  dyndns-reap --list example.com | dyndns-reap --delete\n  dyndns-reap --ptr-zone 8.b.d.0.1.0.0.2.ip6.arpa --dry-run example.com"
)]
pub struct ReapArgs {
    /// The flags every stage takes.
    #[command(flatten)]
    pub common: Common,
    /// Only list the expired names, one JSON line each; delete nothing
    #[arg(long, conflicts_with_all = ["delete", "dry_run"])]
    pub list: bool,
    /// Only delete the names listed on stdin (lines of --list)
    #[arg(long, conflicts_with_all = ["ptr_zone", "grace"])]
    pub delete: bool,
    /// The zone's server [default: its SOA's MNAME; with --delete, the listed line's]
    #[arg(short = 's', long, value_name = "SERVER")]
    pub server: Option<String>,
    /// The servers' DNS port [default: 53]
    #[arg(short = 'p', long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Seconds each lookup, each update and each message of a transfer may take, instead of the config's "timeout" [default: 5]
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: Option<f64>,
    /// Sign with the key in this BIND key file, instead of the config's "tsig"
    #[arg(short = 'k', long = "key-file", value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// How long after its expiry a lease is left alone, seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub grace: u64,
    /// Also delete the PTRs to reaped names in this reverse zone (repeatable)
    #[arg(long, value_name = "ZONE")]
    pub ptr_zone: Vec<String>,
    /// Print the updates as nsupdate scripts instead of sending them
    #[arg(short = 'n', long)]
    pub dry_run: bool,
    /// The zone to read (not with --delete)
    #[arg(
        value_name = "ZONE",
        required_unless_present = "delete",
        conflicts_with = "delete"
    )]
    pub zone: Option<String>,
}

/// The clap commands of the four stages, the watcher, the reaper and the wrapper, by name, for
/// documentation and completions.
pub fn commands() -> Vec<clap::Command> {
    use clap::CommandFactory;
    vec![
        AddrsArgs::command(),
        DiffArgs::command(),
        SoaArgs::command(),
        SendArgs::command(),
        WatchArgs::command(),
        ReapArgs::command(),
        crate::app::argparse::command(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// clap's own consistency checks (conflicting flags, bad defaults, …)
    /// on every command line, which otherwise only fail when parsed.
    #[test]
    fn timeouts_are_positive_and_at_most_an_hour() {
        assert_eq!(parse_timeout("0.5"), Ok(0.5));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("3601").is_err());
        assert!(parse_timeout("soon").is_err());
    }

    #[test]
    fn every_command_line_is_consistent() {
        for cmd in commands() {
            cmd.debug_assert();
        }
    }
}
