//! The test world: a network namespace with a veth pair, its own resolver
//! config and host name, and a real BIND 9 `named` authoritative for the test
//! zones, all removed again in `Drop` (even when a test panics).
//!
//! Nothing here queries the machine's own resolver: every command that
//! resolves runs inside the namespace, whose `/etc/resolv.conf` names the
//! test's own `named` on `::1`.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

pub mod kerberos;
pub mod pgsql;
pub mod samba;
pub mod tls;

/// The six TSIG algorithms of `tsig-keygen`.
pub const ALGORITHMS: [&str; 6] = dyndns::dns::tsig::Algorithm::NAMES;

/// Where `DYNDNS_TEST_PROGRAMS` names a directory (scripts/test: the
/// release programs of `make build`, as the package ships them and the
/// bench measures them), the programs there; else those cargo built for
/// the tests.
pub fn bin(name: &str) -> PathBuf {
    if name != "pydyndns"
        && let Some(dir) = std::env::var_os("DYNDNS_TEST_PROGRAMS")
    {
        return Path::new(&dir).join(name);
    }
    match name {
        "dyndns-addrs" => env!("CARGO_BIN_EXE_dyndns-addrs").into(),
        "dyndns-diff" => env!("CARGO_BIN_EXE_dyndns-diff").into(),
        "dyndns-soa" => env!("CARGO_BIN_EXE_dyndns-soa").into(),
        "dyndns-send" => env!("CARGO_BIN_EXE_dyndns-send").into(),
        "dyndns-watch" => env!("CARGO_BIN_EXE_dyndns-watch").into(),
        "pydyndns" => Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pydyndns"),
        other => panic!("no such program {other}"),
    }
}

/// PATH for the programs under test: the built stages first, so the wrapper
/// finds them, then the system's directories.
fn test_path() -> String {
    let bins = bin("dyndns-addrs").parent().unwrap().to_owned();
    format!("{}:/usr/sbin:/usr/bin:/sbin:/bin", bins.display())
}

/// A state document with the TTL 300.
pub fn state(name: &str, addrs: &[&str]) -> String {
    let list: Vec<String> = addrs.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        r#"{{"hostname":"{name}","ttl":300,"addresses":[{}]}}"#,
        list.join(",")
    )
}

/// What a finished command did, for assertions that explain themselves.
pub struct Run {
    /// The command line, for messages.
    pub command: String,
    /// The exit status (-1 when killed by a signal).
    pub status: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "command: {}\nstatus: {}\n--- stdout\n{}--- stderr\n{}---",
            self.command, self.status, self.stdout, self.stderr
        )
    }
}

impl Run {
    /// Asserts the exit status.
    #[track_caller]
    pub fn status(&self, want: i32) -> &Self {
        assert_eq!(self.status, want, "unexpected exit status\n{self}");
        self
    }

    /// Asserts success (exit 0).
    #[track_caller]
    pub fn ok(&self) -> &Self {
        self.status(0)
    }

    /// Asserts stderr contains `needle`.
    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n{self}"
        );
        self
    }

    /// Asserts stdout is exactly `want` (plus a newline when `want` has none).
    #[track_caller]
    pub fn stdout_is(&self, want: &str) -> &Self {
        let want = if want.is_empty() || want.ends_with('\n') {
            want.to_owned()
        } else {
            format!("{want}\n")
        };
        assert_eq!(self.stdout, want, "stdout differs\n{self}");
        self
    }

    /// Asserts stdout is the state document `want` once its time stamp
    /// (`"observed"`, which must be there, of this boot) is taken out.
    #[track_caller]
    pub fn state_is(&self, want: &str) -> &Self {
        assert_eq!(
            unstamped(&self.stdout),
            format!("{want}\n"),
            "stdout differs\n{self}"
        );
        self
    }

    /// Asserts stdout holds each of `needles`.
    #[track_caller]
    pub fn stdout_has_lines(&self, needles: &[&str]) -> &Self {
        for needle in needles {
            assert!(
                self.stdout.contains(needle),
                "stdout lacks {needle:?}\n{self}"
            );
        }
        self
    }

    /// Asserts nothing at all on stderr.
    #[track_caller]
    pub fn quiet(&self) -> &Self {
        assert_eq!(self.stderr, "", "stderr not empty\n{self}");
        self
    }
}

/// A state document or cache without its `"observed"` time stamp, which
/// must be there and name this boot.
#[track_caller]
pub fn unstamped(text: &str) -> String {
    let boot_id = fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
    let key = ",\"observed\":{";
    let start = text
        .find(key)
        .unwrap_or_else(|| panic!("no time stamp in {text}"));
    let end = start + text[start..].find('}').unwrap() + 1;
    let stamp = &text[start..end];
    assert!(
        stamp.starts_with(&format!(
            ",\"observed\":{{\"boot_id\":\"{}\",\"monotonic_ns\":",
            boot_id.trim()
        )),
        "{stamp}"
    );
    format!("{}{}", &text[..start], &text[end..])
}

/// A cache file's text without what changes from run to run: its
/// `observed` stamp (of this boot) and its `confirmed` time (within the
/// last ten minutes), which must be there.
#[track_caller]
pub fn registration(text: &str) -> String {
    let text = unstamped(text);
    let key = ",\"confirmed\":";
    let start = text
        .find(key)
        .unwrap_or_else(|| panic!("no confirmation time in {text}"));
    let digits: String = text[start + key.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let confirmed: u64 = digits.parse().unwrap();
    assert!(
        confirmed <= now && now - confirmed < 600,
        "confirmed {confirmed}, now {now}"
    );
    format!(
        "{}{}",
        &text[..start],
        &text[start + key.len() + digits.len()..]
    )
}

/// Runs `cmd` with `stdin`, a clean environment (no RUST_LOG) and the test PATH.
/// A command that sends without a cache locks in `$RUNTIME_DIRECTORY`: one
/// of its own unless the caller gave one (a world shares one between its
/// runs), never the machine's `/run/pydyndns`.
pub fn run_command(mut cmd: Command, stdin: &str, shown: String) -> Run {
    let mut extra: Vec<(std::ffi::OsString, std::ffi::OsString)> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
        .collect();
    let runtime = tempfile::Builder::new()
        .prefix("dyndns-run.")
        .tempdir()
        .unwrap();
    if !extra.iter().any(|(k, _)| k == "RUNTIME_DIRECTORY") {
        extra.push(("RUNTIME_DIRECTORY".into(), runtime.path().into()));
    }
    cmd.env_clear()
        .envs(extra)
        .env("PATH", test_path())
        .env("LC_ALL", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(stdin.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run {
        command: shown,
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs a program of ours on the host (for what resolves nothing).
pub fn run(program: &str, args: &[&str], stdin: &str) -> Run {
    let mut cmd = Command::new(bin(program));
    cmd.args(args);
    run_command(cmd, stdin, format!("{program} {}", args.join(" ")))
}

/// PyDynDNS 1.2.1 itself, from PyPI, in a virtual environment made once
/// under cargo's scratch directory (`target/tmp`): its `pydyndns` program.
pub fn pydyndns_121() -> PathBuf {
    static ONCE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        require("python3", "python3");
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pydyndns-1.2.1");
        let program = venv.join("bin/pydyndns");
        if !program.exists() {
            let _ = fs::remove_dir_all(&venv);
            let made = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .output()
                .unwrap();
            assert!(
                made.status.success(),
                "python3 -m venv failed (apt-get install python3-venv): {}",
                String::from_utf8_lossy(&made.stderr)
            );
            let pip = Command::new(venv.join("bin/pip"))
                .args([
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "PyDynDNS==1.2.1",
                ])
                .output()
                .unwrap();
            assert!(
                pip.status.success(),
                "pip install PyDynDNS==1.2.1 failed (it needs PyPI): {}",
                String::from_utf8_lossy(&pip.stderr)
            );
        }
        program
    })
    .clone()
}

/// Fails the test with an install hint when a needed tool is missing.
#[track_caller]
pub fn require(tool: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .chain(["/usr/sbin".into(), "/sbin".into()])
                .any(|d| d.join(tool).is_file())
        })
        .unwrap_or(false);
    assert!(
        found,
        "{tool} is missing: run scripts/test, or apt-get install {package}"
    );
}

/// The `rtype` records at `name` as the server at address `at` in
/// namespace `ns` serves them: "TTL DATA", sorted.
pub fn records_at(ns: &str, at: &str, name: &str, rtype: &str) -> Vec<String> {
    let out = Command::new("ip")
        .args([
            "netns", "exec", ns, "dig", "+noall", "+answer", "+time=1", "+tries=1",
        ])
        .arg(format!("@{at}"))
        .args([name, rtype])
        .output()
        .unwrap();
    let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 5 && f[3] == rtype).then(|| format!("{} {}", f[1], f[4..].join(" ")))
        })
        .collect();
    v.sort();
    v
}

/// `zone`'s SOA serial as the server at address `at` in namespace `ns`
/// answers it; `None` while it does not serve the zone.
pub fn serial_at(ns: &str, at: &str, zone: &str) -> Option<u32> {
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            ns,
            "dig",
            "+short",
            "+norecurse",
            "+time=1",
            "+tries=1",
        ])
        .arg(format!("@{at}"))
        .args([zone, "SOA"])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(2)?
        .parse()
        .ok()
}

/// Runs a command, panicking with its output if it fails.
#[track_caller]
pub fn sh(args: &[&str]) -> Output {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(
        out.status.success(),
        "{args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

static WORLDS: AtomicUsize = AtomicUsize::new(0);

/// The authoritative server a world runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    /// BIND 9 (`named`).
    Bind,
    /// Knot DNS (`knotd`).
    Knot,
    /// PowerDNS Authoritative (`pdns_server`, gsqlite3 backend).
    PowerDns,
    /// A Samba Active Directory domain controller and its internal DNS,
    /// serving the AD zone only (see [`samba`]).
    Samba,
    /// Two PowerDNS primaries on one PostgreSQL database, serving
    /// [`pgsql::ZONE`] only (see [`pgsql`]).
    PowerDnsPgsql,
}

/// A network namespace with a veth pair (`veth0` and its peer `veth1`), a
/// host name, and a DNS server serving the test zones on `::1` and 127.0.0.1.
pub struct World {
    /// The server it runs.
    pub server: Server,
    /// The namespace's name.
    pub ns: String,
    /// The host name inside the namespace (short form, as `hostname` prints it).
    pub hostname: String,
    /// A scratch directory: named's files, configs, the cache.
    pub dir: tempfile::TempDir,
    named: Option<Child>,
    /// The Kerberos realm, in a world made with [`World::with_kerberos`].
    pub kerberos: Option<kerberos::Kerberos>,
    /// The DNS-over-TLS PKI, in a world made with [`World::with_tls`].
    pub tls: Option<tls::Pki>,
    /// The domain controller, in a world made with [`World::with_samba`].
    pub dc: Option<samba::Dc>,
    /// The database and its two primaries, in a [`Server::PowerDnsPgsql`] world.
    pub pg: Option<pgsql::Multi>,
}

/// The zones every world serves: (apex, primary's label, records). How each
/// accepts updates is server configuration: example.test, dead.test and
/// silent.test from loopback, signed.test with any of the test keys,
/// noupdate.test not at all.
fn zone_files() -> Vec<(&'static str, &'static str, Vec<String>)> {
    let ns1 = || vec!["ns1 AAAA ::1".to_owned()];
    vec![
        ("example.test", "ns1", ns1()),
        ("noupdate.test", "ns1", ns1()),
        ("signed.test", "ns1", ns1()),
        // BIND grants one key AAAA records at one name only, which holds a
        // TXT record of the administrator's (tests/replace.rs).
        (
            "grant.test",
            "ns1",
            vec!["ns1 AAAA ::1".to_owned(), "host1 TXT \"admin\"".to_owned()],
        ),
        // Two servers: BIND's secondary on SECONDARY_ADDRESS, started by
        // the test that needs it (tests/converge.rs).
        (
            "two.test",
            "ns1",
            vec![
                "ns1 AAAA ::1".to_owned(),
                "@ NS ns2".to_owned(),
                format!("ns2 AAAA {SECONDARY_ADDRESS}"),
            ],
        ),
        (
            "silent.test",
            "ns",
            vec![format!("ns AAAA {SILENT_ADDRESS}")],
        ),
        (
            "dead.test",
            "ns",
            vec![
                format!("ns AAAA {DEAD_ADDRESS}"),
                "ns A 127.0.0.1".to_owned(),
            ],
        ),
        // Reverse zones (tests/ptr.rs), their primary ns1.example.test.:
        // 2001:db8:10::/48 and 2001:db8:20::/48 open to loopback like
        // example.test, 2001:db8:30::/48 only to the hmac-sha256 key.
        (REVERSE_10, "ns1.example.test.", vec![]),
        (REVERSE_20, "ns1.example.test.", vec![]),
        (REVERSE_30, "ns1.example.test.", vec![]),
        (REVERSE_V4, "ns1.example.test.", vec![]),
        // Signed by BIND itself (dnssec-policy default; tests/sshfp.rs).
        ("dnssec.test", "ns1", ns1()),
        // GSS-TSIG (tests/gss.rs): BIND serves it in a world with a realm.
        (kerberos::KRB_ZONE, "ns1", ns1()),
    ]
}

/// The reverse zone of 2001:db8:10::/48, open to updates from loopback.
pub const REVERSE_10: &str = "0.1.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
/// The reverse zone of 2001:db8:20::/48, open to updates from loopback.
pub const REVERSE_20: &str = "0.2.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
/// The reverse zone of 2001:db8:30::/48: updates signed with key-hmac-sha256 only.
pub const REVERSE_30: &str = "0.3.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
/// The reverse zone of 198.51.100.0/24, open to updates from loopback.
pub const REVERSE_V4: &str = "100.51.198.in-addr.arpa";

/// The silent primary's address: on veth0's link once a test adds
/// [`SILENT_NET`] there, but no host answers neighbour discovery for it, so
/// every packet to it is lost.
pub const SILENT_ADDRESS: &str = "2001:db8:99::5";
/// The prefix to put on veth0 (`ip addr add SILENT_NET dev veth0`) for that.
pub const SILENT_NET: &str = "2001:db8:99::1/64";

/// The address of two.test's secondary server, on the namespace's loopback
/// once a test puts it there.
pub const SECONDARY_ADDRESS: &str = "2001:db8:54::2";

/// An address of the dead primary: on the namespace's loopback, where nothing listens.
pub const DEAD_ADDRESS: &str = "2001:db8:53::1";

impl World {
    /// A world whose host calls itself `fqdn` (its short name as the kernel
    /// host name, the full one through `/etc/hosts`).
    pub fn new(fqdn: &str) -> Self {
        Self::with(fqdn, Server::Bind)
    }

    /// A world whose zones `server` serves.
    pub fn with(fqdn: &str, server: Server) -> Self {
        Self::build(fqdn, server, None)
    }

    /// A BIND world with a Kerberos realm (see [`kerberos`]): a `host/`
    /// principal and keytab for each of `hosts`, and zone krb.test, whose
    /// names each host's principal may update (BIND's `krb5-self`) over
    /// GSS-TSIG (`tkey-gssapi-keytab`).
    pub fn with_kerberos(fqdn: &str, hosts: &[&str]) -> Self {
        Self::build(fqdn, Server::Bind, Some(hosts))
    }

    /// A BIND world that also serves DNS over TLS on `[::1]` (see
    /// [`tls`]): port 853 with a certificate from a throwaway CA, 8853
    /// requiring a client certificate, 8854 an expired certificate, 8855
    /// one without subjectAltName.
    pub fn with_tls(fqdn: &str) -> Self {
        Self::build_with(fqdn, Server::Bind, None, true)
    }

    /// A world whose server is a Samba AD domain controller (see
    /// [`samba`]), the host a member of its domain: `fqdn` is in
    /// [`samba::ZONE`].
    pub fn with_samba(fqdn: &str) -> Self {
        Self::build(fqdn, Server::Samba, None)
    }

    /// [`World::with_kerberos`] and [`World::with_tls`] at once: GSS-TSIG
    /// over DNS over TLS.
    pub fn with_kerberos_and_tls(fqdn: &str, hosts: &[&str]) -> Self {
        Self::build_with(fqdn, Server::Bind, Some(hosts), true)
    }

    fn build(fqdn: &str, server: Server, kerberos_hosts: Option<&[&str]>) -> Self {
        Self::build_with(fqdn, server, kerberos_hosts, false)
    }

    fn build_with(fqdn: &str, server: Server, kerberos_hosts: Option<&[&str]>, tls: bool) -> Self {
        match server {
            Server::Bind => require("named", "bind9"),
            Server::Knot => require("knotd", "knot"),
            Server::PowerDns => {
                require("pdns_server", "pdns-server pdns-backend-sqlite3");
                require("sqlite3", "sqlite3");
            }
            Server::Samba => require("samba", "samba"),
            Server::PowerDnsPgsql => require("pdns_server", "pdns-server pdns-backend-pgsql"),
        }
        require("dig", "bind9-dnsutils");
        require("tsig-keygen", "bind9");
        require("ip", "iproute2");
        require("unshare", "util-linux");
        let n = WORLDS.fetch_add(1, Ordering::SeqCst);
        let ns = format!("dyndns-t{}-{n}", std::process::id());
        let dir = tempfile::Builder::new()
            .prefix("dyndns-test.")
            .tempdir()
            .unwrap();
        let hostname = fqdn.split('.').next().unwrap().to_owned();
        let mut world = Self {
            server,
            ns,
            hostname,
            dir,
            named: None,
            kerberos: None,
            tls: None,
            dc: None,
            pg: None,
        };
        world.make_namespace(fqdn);
        if server == Server::Samba {
            // The DC's own addresses, which its SOA MNAME resolves to.
            world.ip(&["addr", "add", &format!("{}/128", samba::DC_V6), "dev", "lo"]);
            world.ip(&["addr", "add", &format!("{}/32", samba::DC_V4), "dev", "lo"]);
            world.dc = Some(samba::Dc::new(world.dir.path()));
        }
        if server == Server::PowerDnsPgsql {
            // The two primaries' addresses.
            for address in [pgsql::NS1, pgsql::NS2] {
                world.ip(&["addr", "add", &format!("{address}/128"), "dev", "lo"]);
            }
        }
        if let Some(hosts) = kerberos_hosts {
            world.kerberos = Some(kerberos::Kerberos::new(world.dir.path(), &world.ns, hosts));
        }
        if tls {
            world.tls = Some(tls::Pki::new(world.dir.path()));
        }
        world.start_server();
        world
    }

    fn make_namespace(&mut self, fqdn: &str) {
        // A leftover from a killed run would make `ip netns add` fail.
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).output();
        sh(&["ip", "netns", "add", &self.ns]);
        let etc = self.etc();
        // Another world's Drop may remove an empty /etc/netns between the
        // two mkdirs of create_dir_all: try again.
        for _ in 0..3 {
            if fs::create_dir_all(&etc).is_ok() {
                break;
            }
        }
        fs::write(etc.join("resolv.conf"), "nameserver ::1\n").unwrap();
        fs::write(
            etc.join("hosts"),
            format!(
                "127.0.0.1 localhost\n::1 localhost\n127.0.1.1 {fqdn} {}\n",
                self.hostname
            ),
        )
        .unwrap();
        self.ip(&["link", "set", "lo", "up"]);
        self.ip(&[
            "link", "add", "veth0", "type", "veth", "peer", "name", "veth1",
        ]);
        // RFC 4941 temporary addresses for prefixes added with mngtmpaddr.
        self.exec(&["sysctl", "-qw", "net.ipv6.conf.veth0.use_tempaddr=2"]);
        self.ip(&["link", "set", "veth0", "up"]);
        self.ip(&["link", "set", "veth1", "up"]);
        self.ip(&["addr", "add", &format!("{DEAD_ADDRESS}/128"), "dev", "lo"]);
    }

    fn etc(&self) -> PathBuf {
        PathBuf::from("/etc/netns").join(&self.ns)
    }

    /// Puts `text` in the namespace's own `/etc/NAME` (`ip netns exec`
    /// mounts each file of /etc/netns/NS over /etc's).
    pub fn etc_file(&self, name: &str, text: &str) {
        fs::write(self.etc().join(name), text).unwrap();
    }

    /// `ip -n NS ARGS`.
    pub fn ip(&self, args: &[&str]) {
        let mut all = vec!["ip", "-n", &self.ns];
        all.extend_from_slice(args);
        sh(&all);
    }

    /// Runs a system command inside the namespace, panicking if it fails.
    pub fn exec(&self, args: &[&str]) -> String {
        let mut all = vec!["ip", "netns", "exec", &self.ns];
        all.extend_from_slice(args);
        String::from_utf8(sh(&all).stdout).unwrap()
    }

    fn start_server(&mut self) {
        let d = self.dir.path().to_owned();
        if self.server != Server::Samba {
            self.write_keys_and_zones();
        }
        let (program, args) = match self.server {
            Server::Bind => self.configure_bind(),
            Server::Knot => self.configure_knot(),
            Server::PowerDns => self.configure_powerdns(),
            Server::Samba => self.dc.as_ref().unwrap().command(),
            Server::PowerDnsPgsql => {
                let multi =
                    pgsql::Multi::new(&self.ns, "key-hmac-sha256", &self.secret("hmac-sha256"));
                let resolver = multi.resolver();
                self.pg = Some(multi);
                resolver
            }
        };
        let log = fs::File::create(d.join("server.log")).unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", &self.ns, program])
            .args(&args)
            .envs(self.krb5_env())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        self.named = Some(child);
        let probe = match self.server {
            Server::Samba => samba::ZONE,
            Server::PowerDnsPgsql => pgsql::ZONE,
            _ => "example.test",
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.dig(probe, "SOA").is_empty() {
            if let Some(Some(status)) = self.named.as_mut().map(|c| c.try_wait().unwrap()) {
                panic!(
                    "{program} exited ({status}): {}",
                    fs::read_to_string(d.join("server.log")).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{program} did not answer within 15 s: {}",
                fs::read_to_string(d.join("server.log")).unwrap_or_default()
            );
            sleep(Duration::from_millis(20));
        }
    }

    /// The Kerberos environment of the world's realm, MIT's or the DC's.
    fn krb5_env(&self) -> Vec<(&'static str, PathBuf)> {
        match (&self.kerberos, &self.dc) {
            (Some(realm), _) => realm.env(),
            (None, Some(dc)) => vec![("KRB5_CONFIG", dc.krb5_conf())],
            (None, None) => Vec::new(),
        }
    }

    /// One key file per TSIG algorithm, and the zone files.
    fn write_keys_and_zones(&self) {
        let d = self.dir.path().to_owned();
        // One key file per algorithm, as tsig-keygen writes it.
        let mut all_keys = Vec::new();
        for algorithm in ALGORITHMS {
            let key = Command::new("tsig-keygen")
                .args(["-a", algorithm, &format!("key-{algorithm}")])
                .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
                .output()
                .unwrap();
            assert!(key.status.success(), "tsig-keygen -a {algorithm} failed");
            let file = self.key_file(algorithm);
            fs::write(&file, &key.stdout).unwrap();
            fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o600))
                .unwrap();
            all_keys.extend(key.stdout);
        }
        fs::write(d.join("keys.conf"), all_keys).unwrap();
        // The same zones on every server (see ZONE_FILES).
        for (zone, primary, records) in zone_files() {
            let records: Vec<&str> = records.iter().map(String::as_str).collect();
            fs::write(
                d.join(format!("{zone}.db")),
                zone_file(zone, primary, &records),
            )
            .unwrap();
        }
    }

    /// BIND 9: address-based `allow-update`, and an `update-policy` per key for signed.test;
    /// dnssec.test signed by named itself (`dnssec-policy default`);
    /// signed.test and the key-only reverse zone may be transferred with key-hmac-sha256 (tests/reap.rs).
    fn configure_bind(&self) -> (&'static str, Vec<String>) {
        let d = self.dir.path();
        let grants: String = ALGORITHMS
            .iter()
            .map(|a| format!("grant key-{a} zonesub ANY; "))
            .collect();
        let mut conf = format!(
            r#"options {{
  directory "{dir}";
  pid-file none;
  session-keyfile "{dir}/session.key";
  managed-keys-directory "{dir}";
  listen-on port 53 {{ 127.0.0.1; }};
  listen-on-v6 port 53 {{ ::1; }};
  recursion no; dnssec-validation no; notify no; querylog yes;
}};
controls {{ }};
include "{dir}/keys.conf";
zone "signed.test" {{ type primary; file "signed.test.db"; update-policy {{ {grants}}}; allow-transfer {{ key key-hmac-sha256; }}; }};
zone "example.test" {{ type primary; file "example.test.db"; allow-update {{ 127.0.0.1; ::1; }}; }};
zone "noupdate.test" {{ type primary; file "noupdate.test.db"; }};
zone "grant.test" {{ type primary; file "grant.test.db"; update-policy {{ grant key-hmac-sha256 name host1.grant.test. AAAA; }}; }};
zone "two.test" {{ type primary; file "two.test.db"; allow-update {{ 127.0.0.1; ::1; }}; allow-transfer {{ any; }}; }};
zone "dead.test" {{ type primary; file "dead.test.db"; allow-update {{ 127.0.0.1; ::1; }}; }};
zone "silent.test" {{ type primary; file "silent.test.db"; allow-update {{ 127.0.0.1; ::1; }}; }};
zone "dnssec.test" {{ type primary; file "dnssec.test.db"; allow-update {{ 127.0.0.1; ::1; }}; dnssec-policy default; }};
zone "{REVERSE_10}" {{ type primary; file "{REVERSE_10}.db"; allow-update {{ 127.0.0.1; ::1; }}; }};
zone "{REVERSE_20}" {{ type primary; file "{REVERSE_20}.db"; allow-update {{ 127.0.0.1; ::1; }}; }};
zone "{REVERSE_V4}" {{ type primary; file "{REVERSE_V4}.db"; allow-update {{ 127.0.0.1; ::1; }}; }};
zone "{REVERSE_30}" {{ type primary; file "{REVERSE_30}.db"; update-policy {{ grant key-hmac-sha256 zonesub PTR; }}; allow-transfer {{ key key-hmac-sha256; }}; }};
"#,
            dir = d.display()
        );
        if let Some(realm) = &self.kerberos {
            // named accepts GSS-TSIG with any key of this keytab.
            conf = conf.replacen(
                "querylog yes;",
                &format!(
                    "querylog yes; tkey-gssapi-keytab \"{}\";",
                    realm.keytab("dns").display()
                ),
                1,
            );
            conf.push_str(&format!(
                "zone \"{z}\" {{ type primary; file \"{z}.db\"; update-policy {{ grant {r} krb5-self . AAAA; }}; }};\n",
                z = kerberos::KRB_ZONE,
                r = kerberos::REALM
            ));
        }
        if let Some(pki) = &self.tls {
            let (blocks, listen) = pki.named_conf();
            conf = conf.replacen("querylog yes;", &format!("querylog yes; {listen}"), 1);
            conf.push_str(&blocks);
        }
        fs::write(d.join("named.conf"), conf).unwrap();
        (
            "named",
            vec![
                "-g".into(),
                "-n".into(),
                "1".into(),
                "-c".into(),
                d.join("named.conf").display().to_string(),
            ],
        )
    }

    /// Knot DNS: an address ACL for the open zones, a key ACL for signed.test.
    fn configure_knot(&self) -> (&'static str, Vec<String>) {
        let d = self.dir.path();
        fs::create_dir_all(d.join("db")).unwrap();
        let keys: String = ALGORITHMS
            .iter()
            .map(|a| {
                format!(
                    "  - id: key-{a}\n    algorithm: {a}\n    secret: {}\n",
                    self.secret(a)
                )
            })
            .collect();
        let key_ids = ALGORITHMS
            .iter()
            .map(|a| format!("key-{a}"))
            .collect::<Vec<_>>()
            .join(", ");
        let conf = format!(
            r#"server:
    rundir: "{dir}"
    pidfile: "{dir}/knot.pid"
    listen: [ "::1@53", "127.0.0.1@53" ]
database:
    storage: "{dir}/db"
    journal-db-max-size: 64M
    kasp-db-max-size: 16M
    timer-db-max-size: 16M
    catalog-db-max-size: 16M
control:
    listen: "{dir}/knot.sock"
log:
  - target: stderr
    any: info
key:
{keys}acl:
  - id: local_update
    address: [ "::1", "127.0.0.1" ]
    action: update
  - id: signed_update
    key: [ {key_ids} ]
    action: update
  - id: ptr_signed_update
    key: [ key-hmac-sha256 ]
    action: update
  - id: reaper_transfer
    key: [ key-hmac-sha256 ]
    action: transfer
template:
  - id: default
    storage: "{dir}"
    semantic-checks: off
zone:
  - domain: example.test
    file: example.test.db
    acl: local_update
  - domain: noupdate.test
    file: noupdate.test.db
  - domain: dead.test
    file: dead.test.db
    acl: local_update
  - domain: silent.test
    file: silent.test.db
    acl: local_update
  - domain: signed.test
    file: signed.test.db
    acl: [ signed_update, reaper_transfer ]
  - domain: {REVERSE_10}
    file: {REVERSE_10}.db
    acl: local_update
  - domain: {REVERSE_20}
    file: {REVERSE_20}.db
    acl: local_update
  - domain: {REVERSE_V4}
    file: {REVERSE_V4}.db
    acl: local_update
  - domain: {REVERSE_30}
    file: {REVERSE_30}.db
    acl: [ ptr_signed_update, reaper_transfer ]
"#,
            dir = d.display()
        );
        fs::write(d.join("knot.conf"), conf).unwrap();
        (
            "knotd",
            vec!["-c".into(), d.join("knot.conf").display().to_string()],
        )
    }

    /// PowerDNS with the gsqlite3 backend: per-zone metadata decides who may update.
    fn configure_powerdns(&self) -> (&'static str, Vec<String>) {
        let d = self.dir.path();
        let dir = d.display().to_string();
        fs::write(
            d.join("pdns.conf"),
            format!(
                "launch=gsqlite3\ngsqlite3-database={dir}/pdns.sqlite3\nlocal-address=127.0.0.1, ::1\nlocal-port=53\n\
                 dnsupdate=yes\nallow-dnsupdate-from=\ndaemon=no\nguardian=no\nwrite-pid=no\nsocket-dir={dir}\n\
                 security-poll-suffix=\ncache-ttl=0\nnegquery-cache-ttl=0\nquery-cache-ttl=0\nloglevel=6\nlog-dns-queries=yes\n"
            ),
        )
        .unwrap();
        let schema =
            fs::read_to_string("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql")
                .expect("the gsqlite3 schema: apt-get install pdns-backend-sqlite3");
        let mut sqlite = Command::new("sqlite3")
            .arg(d.join("pdns.sqlite3"))
            .stdin(Stdio::piped())
            .spawn()
            .expect("sqlite3: apt-get install sqlite3");
        sqlite
            .stdin
            .take()
            .unwrap()
            .write_all(schema.as_bytes())
            .unwrap();
        assert!(
            sqlite.wait().unwrap().success(),
            "sqlite3 could not create the database"
        );
        let pdnsutil = |args: &[&str]| {
            let out = Command::new("pdnsutil")
                .arg(format!("--config-dir={dir}"))
                .args(args)
                .output()
                .expect("pdnsutil: apt-get install pdns-server");
            assert!(
                out.status.success(),
                "pdnsutil {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        for (zone, _, _) in zone_files() {
            pdnsutil(&["load-zone", zone, &format!("{dir}/{zone}.db")]);
            pdnsutil(&["set-meta", zone, "SOA-EDIT-DNSUPDATE", "INCREASE"]);
        }
        for zone in [
            "example.test",
            "dead.test",
            "silent.test",
            REVERSE_10,
            REVERSE_20,
            REVERSE_V4,
        ] {
            pdnsutil(&[
                "set-meta",
                zone,
                "ALLOW-DNSUPDATE-FROM",
                "127.0.0.0/8",
                "::1/128",
            ]);
        }
        let mut allowed = vec![
            "set-meta".to_owned(),
            "signed.test".into(),
            "TSIG-ALLOW-DNSUPDATE".into(),
        ];
        for algorithm in ALGORITHMS {
            pdnsutil(&[
                "import-tsig-key",
                &format!("key-{algorithm}"),
                algorithm,
                &self.secret(algorithm),
            ]);
            allowed.push(format!("key-{algorithm}"));
        }
        pdnsutil(&allowed.iter().map(String::as_str).collect::<Vec<_>>());
        pdnsutil(&[
            "set-meta",
            REVERSE_30,
            "TSIG-ALLOW-DNSUPDATE",
            "key-hmac-sha256",
        ]);
        pdnsutil(&["set-meta", REVERSE_30, "ALLOW-DNSUPDATE-FROM", "::/0"]);
        // dyndns-reap's transfers (tests/reap.rs).
        for zone in ["signed.test", REVERSE_30] {
            pdnsutil(&["set-meta", zone, "TSIG-ALLOW-AXFR", "key-hmac-sha256"]);
        }
        pdnsutil(&[
            "set-meta",
            "signed.test",
            "ALLOW-DNSUPDATE-FROM",
            "0.0.0.0/0",
            "::/0",
        ]);
        ("pdns_server", vec![format!("--config-dir={dir}")])
    }

    /// `dig +short @::1 NAME TYPE` inside the namespace, lines sorted.
    pub fn dig(&self, name: &str, rtype: &str) -> Vec<String> {
        let out = Command::new("ip")
            .args([
                "netns", "exec", &self.ns, "dig", "+short", "+time=1", "+tries=1", "@::1", name,
                rtype,
            ])
            .output()
            .unwrap();
        let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with(';'))
            .map(str::to_owned)
            .collect();
        lines.sort();
        lines
    }

    /// The AAAA records at `name` as "TTL ADDRESS", sorted.
    pub fn aaaa(&self, name: &str) -> Vec<String> {
        self.records(name, "AAAA")
    }

    /// The `rtype` records at `name` as "TTL DATA", sorted.
    pub fn records(&self, name: &str, rtype: &str) -> Vec<String> {
        records_at(&self.ns, "::1", name, rtype)
    }

    /// The zone's SOA serial.
    pub fn serial(&self, zone: &str) -> u32 {
        serial_at(&self.ns, "::1", zone).unwrap_or_else(|| panic!("no SOA for {zone}"))
    }

    /// The secret of the test key for `algorithm`, from named's key file.
    pub fn secret(&self, algorithm: &str) -> String {
        let keys = fs::read_to_string(self.dir.path().join("keys.conf")).unwrap();
        let block = keys
            .split("key \"")
            .find(|b| b.starts_with(&format!("key-{algorithm}\"")))
            .unwrap();
        block.split('"').nth(2).unwrap().to_owned()
    }

    /// The key file `tsig-keygen -a ALGORITHM key-ALGORITHM` wrote.
    pub fn key_file(&self, algorithm: &str) -> PathBuf {
        self.dir.path().join(format!("key-{algorithm}.key"))
    }

    /// How many updates named applied to `zone` (from its log).
    pub fn updates_logged(&self, zone: &str) -> usize {
        assert_eq!(self.server, Server::Bind, "named's log is BIND's");
        let log = fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        // Each of our updates starts with "delete all RRsets at the name".
        let mark = format!("updating zone '{zone}/IN': delete all rrsets");
        log.lines().filter(|l| l.contains(&mark)).count()
    }

    /// Writes a config file (mode 600, as it may hold a secret) into the
    /// scratch directory and returns its path.
    pub fn config(&self, name: &str, json: &str) -> String {
        let path = self.dir.path().join(name);
        fs::write(&path, json).unwrap();
        fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        path.display().to_string()
    }

    /// A config file `file` with the world's cache and an inline TSIG key.
    /// A config with the TTL 300, the cache in the scratch directory, and
    /// the keys `extra` (JSON members, `"guard": true`) too.
    pub fn cached_config(&self, name: &str, extra: &str) -> String {
        self.config(
            name,
            &format!(
                r#"{{"ttl": 300, "cache": "{}", {extra}}}"#,
                self.cache().display()
            ),
        )
    }

    /// The `"tsig"` member of a config with the world's key of `algorithm`.
    pub fn tsig_json(&self, algorithm: &str) -> String {
        format!(
            r#""tsig": {{"algorithm": "{algorithm}", "keyname": "key-{algorithm}", "key": "{}"}}"#,
            self.secret(algorithm)
        )
    }

    pub fn tsig_config(&self, file: &str, algorithm: &str, keyname: &str, secret: &str) -> String {
        self.config(
            file,
            &format!(
                r#"{{"ttl": 300, "cache": "{}", "tsig": {{"algorithm": "{algorithm}", "keyname": "{keyname}", "key": "{secret}"}}}}"#,
                self.cache().display()
            ),
        )
    }

    /// Registers h.signed.test. with a good key, then runs `attempt` with a
    /// state for other addresses: it must fail (exit 1) with `want` from the
    /// server, and the records, the serial and the cache stay as they were.
    #[track_caller]
    pub fn signed_update_fails(&self, attempt: impl FnOnce(&str) -> Run, want: &str) {
        let good = self.tsig_config(
            "good.conf",
            "hmac-sha256",
            "key-hmac-sha256",
            &self.secret("hmac-sha256"),
        );
        self.run(
            "dyndns-send",
            &["-c", &good],
            &state("h.signed.test.", &["2001:db8::1"]),
        )
        .ok();
        let cache = fs::read_to_string(self.cache()).unwrap();
        let serial = self.serial("signed.test");
        attempt(&state("h.signed.test.", &["2001:db8::2"]))
            .status(1)
            .stderr_has(&format!(
                "failed at every address of ns1.signed.test.: [::1]:53: {want}"
            ));
        assert_eq!(self.serial("signed.test"), serial);
        assert_eq!(self.aaaa("h.signed.test"), ["300 2001:db8::1"]);
        assert_eq!(fs::read_to_string(self.cache()).unwrap(), cache);
    }

    /// What the server has logged so far (queries, with BIND and PowerDNS).
    pub fn server_log(&self) -> String {
        fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// The cache path used by [`World::default_config`].
    pub fn cache(&self) -> PathBuf {
        self.dir.path().join("cache")
    }

    /// A config with a cache in the scratch directory and the given TTL.
    pub fn default_config(&self, ttl: u32) -> String {
        self.config(
            "pydyndns.conf",
            &format!(r#"{{"cache": "{}", "ttl": {ttl}}}"#, self.cache().display()),
        )
    }

    /// Runs a program of ours inside the namespace, with the world's host name.
    pub fn run(&self, program: &str, args: &[&str], stdin: &str) -> Run {
        self.run_env(program, args, stdin, &[])
    }

    /// [`World::run`] with extra environment variables.
    pub fn run_env(&self, program: &str, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Run {
        let mut cmd = self.as_host("exec \"$@\"");
        cmd.envs(env.iter().copied()).arg(bin(program)).args(args);
        let env: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
        run_command(
            cmd,
            stdin,
            format!("[{}] {env}{program} {}", self.ns, args.join(" ")),
        )
    }

    /// Stops the DNS server (as a crash would), to start it again later.
    pub fn stop_server(&mut self) {
        if let Some(mut named) = self.named.take() {
            let _ = named.kill();
            let _ = named.wait();
        }
    }

    /// Starts the DNS server again after [`World::stop_server`], on the
    /// same files.
    pub fn restart_server(&mut self) {
        assert!(self.named.is_none(), "the server still runs");
        let (program, args) = match self.server {
            Server::Bind => (
                "named",
                vec![
                    "-g".to_owned(),
                    "-n".into(),
                    "1".into(),
                    "-c".into(),
                    self.dir.path().join("named.conf").display().to_string(),
                ],
            ),
            _ => panic!("restart_server is for BIND"),
        };
        let log = fs::OpenOptions::new()
            .append(true)
            .open(self.dir.path().join("server.log"))
            .unwrap();
        self.named = Some(
            Command::new("ip")
                .args(["netns", "exec", &self.ns, program])
                .args(&args)
                .envs(self.krb5_env())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap(),
        );
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.dig("example.test", "SOA").is_empty() {
            assert!(Instant::now() < deadline, "named did not come back");
            sleep(Duration::from_millis(20));
        }
    }

    /// Starts a program of ours inside the namespace, as the host, without
    /// waiting: its stdout and stderr go to `out` in the scratch directory.
    pub fn spawn(&self, program: &str, args: &[&str], out: &str) -> Child {
        let mut cmd = self.as_host("exec \"$@\"");
        cmd.arg(bin(program)).args(args);
        let log = fs::File::create(self.dir.path().join(out)).unwrap();
        cmd.env("PATH", test_path())
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap()
    }

    /// Runs a program given by its path inside the namespace, as the host.
    pub fn run_path(&self, program: &Path, args: &[&str]) -> Run {
        let mut cmd = self.as_host("exec \"$@\"");
        cmd.arg(program).args(args);
        run_command(
            cmd,
            "",
            format!("[{}] {} {}", self.ns, program.display(), args.join(" ")),
        )
    }

    /// Runs a shell command line inside the namespace (the stages are on PATH).
    pub fn run_shell(&self, line: &str) -> Run {
        let mut cmd = self.as_host("exec sh -c \"$1\"");
        cmd.arg(line);
        run_command(cmd, "", format!("[{}] sh -c '{line}'", self.ns))
    }

    /// A command that runs `script` (sh, arguments from `$1`) as the host
    /// would: in the namespace, with the world's host name in a UTS
    /// namespace of its own.
    fn as_host(&self, script: &str) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args([
            "netns", "exec", &self.ns, "unshare", "--uts", "--", "sh", "-c",
        ])
        .arg(format!("hostname \"$0\" && {script}"))
        .arg(&self.hostname)
        .env("RUNTIME_DIRECTORY", self.dir.path());
        if let Some(realm) = &self.kerberos {
            cmd.env("KRB5_CONFIG", realm.krb5_conf());
        }
        if let Some(dc) = &self.dc {
            cmd.env("KRB5_CONFIG", dc.krb5_conf());
        }
        cmd
    }

    /// Adds an address to veth0 (`ip addr add ARGS dev veth0`).
    pub fn add_address(&self, args: &[&str]) {
        let mut all = vec!["addr", "add"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["dev", "veth0"]);
        self.ip(&all);
    }

    /// Removes an address from veth0.
    pub fn del_address(&self, addr: &str) {
        self.ip(&["addr", "del", addr, "dev", "veth0"]);
    }

    /// Waits until duplicate address detection is over on veth0 and, when
    /// `temporary` is set, the kernel made a temporary address.
    pub fn settle(&self, temporary: bool) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let table = self.exec(&["cat", "/proc/net/if_inet6"]);
            let veth: Vec<u32> = table
                .lines()
                .filter(|l| l.ends_with(" veth0"))
                .filter_map(|l| u32::from_str_radix(l.split_whitespace().nth(4)?, 16).ok())
                .collect();
            let tentative = veth.iter().any(|f| f & 0x40 != 0);
            let has_temp = veth.iter().any(|f| f & 0x01 != 0);
            if !tentative && (has_temp || !temporary) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "addresses did not settle: {table}"
            );
            sleep(Duration::from_millis(50));
        }
    }

    /// Sends an update with `nsupdate` inside the namespace (to change the zone behind our back).
    pub fn nsupdate(&self, script: &str) {
        let mut child = Command::new("ip")
            .args(["netns", "exec", &self.ns, "nsupdate"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("server ::1\n{script}\nsend\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "nsupdate failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A zone file: SOA naming `primary` as MNAME, an NS, and `extra` records.
fn zone_file(zone: &str, primary: &str, extra: &[&str]) -> String {
    // A primary's label is in the zone; an absolute name is elsewhere.
    let mname = if primary.ends_with('.') {
        primary.to_owned()
    } else {
        format!("{primary}.{zone}.")
    };
    let mut z = format!(
        "$ORIGIN {zone}.\n$TTL 300\n@ IN SOA {mname} hostmaster.{zone}. 1 3600 600 86400 300\n@ IN NS {primary}\n"
    );
    for line in extra {
        let _ = writeln!(z, "{line}");
    }
    z
}

impl Drop for World {
    fn drop(&mut self) {
        // The KDC first: it runs in the namespace.
        self.kerberos.take();
        if let Some(mut named) = self.named.take() {
            let _ = named.kill();
            let _ = named.wait();
        }
        // The primaries and the database.
        self.pg.take();
        // `ip netns exec` is gone with named; the namespace and its /etc go too.
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).output();
        let _ = fs::remove_dir_all(self.etc());
        // /etc/netns itself, once no world uses it (fails while one does).
        let _ = fs::remove_dir("/etc/netns");
    }
}

/// A proxy inside the world's namespace on `[::1]:PORT`, between a client
/// and the server on `[::1]:53` (TCP): it passes everything on, but flips
/// one bit of the MAC in each answer to an UPDATE (opcode 5). The MAC ends
/// 7 octets before the end of the TSIG record (original ID, error, other
/// length). Stopped when dropped.
pub fn flip_answer_macs(world: &World, port: u16) -> Killed {
    require("python3", "python3");
    let source = PROXY.replace("PORT", &port.to_string());
    let mut proxy = Killed(
        Command::new("ip")
            .args(["netns", "exec", &world.ns, "python3", "-c", &source])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(proxy.0.stdout.take().unwrap()),
        &mut ready,
    )
    .unwrap();
    assert_eq!(ready, "ready\n");
    proxy
}

/// [`flip_answer_macs`]'s proxy.
const PROXY: &str = r#"
import socket, threading
l = socket.socket(socket.AF_INET6); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("::1", PORT)); l.listen(8)
print("ready", flush=True)
def recv(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: raise EOFError
        b += c
    return b
def serve(c):
    u = socket.create_connection(("::1", 53))
    try:
        while True:
            q = recv(c, int.from_bytes(recv(c, 2), "big"))
            u.sendall(len(q).to_bytes(2, "big") + q)
            a = bytearray(recv(u, int.from_bytes(recv(u, 2), "big")))
            if (a[2] >> 3) & 15 == 5:
                a[-7] ^= 1
            c.sendall(len(a).to_bytes(2, "big") + a)
    except EOFError:
        pass
while True:
    c, _ = l.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"#;

/// A child killed when dropped, a failed assertion included.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
