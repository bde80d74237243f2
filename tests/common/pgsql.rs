//! A multi-master zone on a real distributed back end: two PowerDNS
//! primaries on one PostgreSQL database, each accepting TSIG-signed
//! updates into it, in the world's namespace.
//!
//! - PostgreSQL: `initdb` into a directory of its own (as the `postgres`
//!   user, which initdb insists on), `pg_ctl` listening on a Unix socket
//!   only; the schema PowerDNS ships, then zone multi.test in SQL.
//! - ns1.multi.test ([`NS1`], the SOA's MNAME) and ns2.multi.test
//!   ([`NS2`]): `pdns_server` with the gpgsql back end, `dnsupdate=yes`,
//!   for multi.test and the reverse zone of 2001:db8:10::/48.
//! - A third instance on `::1` with updates off, in no NS record: the
//!   namespace's resolver, so that the zone can be looked up while both
//!   primaries are stopped.
//!
//! Every process is stopped, and the directory removed, when dropped.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::sh;

/// The zone.
pub const ZONE: &str = "multi.test";
/// ns1.multi.test's address: the SOA's MNAME.
pub const NS1: &str = "2001:db8:61::1";
/// ns2.multi.test's address.
pub const NS2: &str = "2001:db8:62::1";

/// The database and the two primaries.
pub struct Multi {
    ns: String,
    dir: tempfile::TempDir,
    bin: PathBuf,
    primaries: [Option<Child>; 2],
}

/// The directory of PostgreSQL's server programs (initdb, pg_ctl).
fn pg_bin() -> PathBuf {
    let found = fs::read_dir("/usr/lib/postgresql").ok().and_then(|d| {
        d.filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .find(|b| b.join("initdb").is_file())
    });
    found.expect("PostgreSQL's initdb is missing: run scripts/test, or apt-get install postgresql")
}

impl Multi {
    /// Sets up the database in the namespace `ns` and starts both
    /// primaries; TSIG key `key_name` (hmac-sha256, `secret`) may update
    /// the zone. The resolver instance is the world's to start
    /// ([`Multi::resolver`]).
    pub fn new(ns: &str, key_name: &str, secret: &str) -> Self {
        super::require("pdns_server", "pdns-server");
        assert!(
            Path::new("/usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql").is_file(),
            "the gpgsql back end is missing: run scripts/test, or apt-get install pdns-backend-pgsql"
        );
        let dir = tempfile::Builder::new()
            .prefix("dyndns-pgsql.")
            .tempdir()
            .unwrap();
        let d = dir.path().to_owned();
        fs::create_dir(d.join("run")).unwrap();
        sh(&["chown", "-R", "postgres:postgres", &d.display().to_string()]);
        let multi = Self {
            ns: ns.to_owned(),
            bin: pg_bin(),
            dir,
            primaries: [None, None],
        };
        multi.as_postgres(&[
            multi.bin.join("initdb").to_str().unwrap(),
            "-D",
            &multi.data(),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        let options = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c fsync=off",
            multi.socket_dir()
        );
        multi.as_postgres(&[
            multi.bin.join("pg_ctl").to_str().unwrap(),
            "-D",
            &multi.data(),
            "-l",
            &d.join("postgres.log").display().to_string(),
            "-o",
            &options,
            "-w",
            "start",
        ]);
        multi.psql(&["-d", "postgres", "-c", "CREATE DATABASE pdns"]);
        multi.psql(&[
            "-d",
            "pdns",
            "-f",
            "/usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql",
        ]);
        let sql = zone_sql(key_name, secret);
        fs::write(d.join("zone.sql"), sql).unwrap();
        multi.psql(&[
            "-d",
            "pdns",
            "-1",
            "-f",
            &d.join("zone.sql").display().to_string(),
        ]);
        let mut multi = multi;
        for i in 0..2 {
            multi.start(i);
        }
        multi
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn socket_dir(&self) -> String {
        self.dir.path().join("run").display().to_string()
    }

    /// Runs a PostgreSQL program as `postgres` inside the namespace.
    fn as_postgres(&self, args: &[&str]) -> String {
        let mut all = vec![
            "ip", "netns", "exec", &self.ns, "runuser", "-u", "postgres", "--",
        ];
        all.extend_from_slice(args);
        String::from_utf8(sh(&all).stdout).unwrap()
    }

    /// `psql` on the socket, stopping at the first error.
    fn psql(&self, args: &[&str]) {
        let socket = self.socket_dir();
        let mut all = vec![
            "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            &socket,
            "-U",
            "postgres",
        ];
        all.extend_from_slice(args);
        self.as_postgres(&all);
    }

    /// The config of a `pdns_server` on `address`, updates on or off.
    fn pdns_conf(&self, name: &str, address: &str, updates: bool) -> PathBuf {
        let dir = self.dir.path().join(name);
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("pdns.conf"),
            format!(
                "launch=gpgsql\ngpgsql-host={socket}\ngpgsql-dbname=pdns\ngpgsql-user=postgres\ngpgsql-dnssec=no\n\
                 local-address={address}\nlocal-port=53\ndnsupdate={updates}\nallow-dnsupdate-from=::/0,0.0.0.0/0\n\
                 daemon=no\nguardian=no\nwrite-pid=no\nsocket-dir={dir}\nsecurity-poll-suffix=\n\
                 cache-ttl=0\nnegquery-cache-ttl=0\nquery-cache-ttl=0\nloglevel=6\n",
                socket = self.socket_dir(),
                updates = if updates { "yes" } else { "no" },
                dir = dir.display()
            ),
        )
        .unwrap();
        dir
    }

    /// The resolver instance's program and arguments, on `::1`, updates off.
    pub fn resolver(&self) -> (&'static str, Vec<String>) {
        let dir = self.pdns_conf("resolver", "::1, 127.0.0.1", false);
        (
            "pdns_server",
            vec![format!("--config-dir={}", dir.display())],
        )
    }

    /// Starts primary `i` (0: ns1, the MNAME; 1: ns2) and waits until it
    /// answers.
    pub fn start(&mut self, i: usize) {
        assert!(self.primaries[i].is_none(), "ns{} runs already", i + 1);
        let address = [NS1, NS2][i];
        let dir = self.pdns_conf(&format!("ns{}", i + 1), address, true);
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("log"))
            .unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", &self.ns, "pdns_server"])
            .arg(format!("--config-dir={}", dir.display()))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        self.primaries[i] = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while super::serial_at(&self.ns, address, ZONE).is_none() {
            assert!(
                Instant::now() < deadline,
                "ns{} did not answer within 15 s: {}",
                i + 1,
                fs::read_to_string(dir.join("log")).unwrap_or_default()
            );
            sleep(Duration::from_millis(20));
        }
    }

    /// Stops primary `i`.
    pub fn stop(&mut self, i: usize) {
        if let Some(mut child) = self.primaries[i].take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The `rtype` records at `name` as the server at `address` serves
    /// them ("TTL DATA"), sorted.
    pub fn records_at(&self, address: &str, name: &str, rtype: &str) -> Vec<String> {
        super::records_at(&self.ns, address, name, rtype)
    }
}

/// Zone multi.test (SOA MNAME ns1, NS ns1 and ns2) and the reverse zone
/// of 2001:db8:10::/48 on the same two servers, the TSIG key, and the
/// metadata that lets it update both, the serial moving with each.
fn zone_sql(key_name: &str, secret: &str) -> String {
    let mut sql = format!(
        "INSERT INTO tsigkeys (name, algorithm, secret) VALUES ('{key_name}', 'hmac-sha256', '{secret}');\n"
    );
    for zone in [ZONE, super::REVERSE_10] {
        let mut records = vec![
            (
                zone.to_owned(),
                "SOA",
                format!("ns1.{ZONE}. hostmaster.{ZONE}. 1 3600 600 86400 60"),
            ),
            (zone.to_owned(), "NS", format!("ns1.{ZONE}.")),
            (zone.to_owned(), "NS", format!("ns2.{ZONE}.")),
        ];
        if zone == ZONE {
            records.push((format!("ns1.{ZONE}"), "AAAA", NS1.to_owned()));
            records.push((format!("ns2.{ZONE}"), "AAAA", NS2.to_owned()));
        }
        sql.push_str(&format!(
            "INSERT INTO domains (name, type) VALUES ('{zone}', 'NATIVE');\n"
        ));
        for (name, rtype, content) in records {
            sql.push_str(&format!(
                "INSERT INTO records (domain_id, name, type, content, ttl, auth) SELECT id, '{name}', '{rtype}', '{content}', 300, true FROM domains WHERE name = '{zone}';\n"
            ));
        }
        for (kind, content) in [
            ("TSIG-ALLOW-DNSUPDATE", key_name),
            ("SOA-EDIT-DNSUPDATE", "INCREASE"),
        ] {
            sql.push_str(&format!(
                "INSERT INTO domainmetadata (domain_id, kind, content) SELECT id, '{kind}', '{content}' FROM domains WHERE name = '{zone}';\n"
            ));
        }
    }
    sql
}

impl Drop for Multi {
    fn drop(&mut self) {
        for i in 0..2 {
            self.stop(i);
        }
        let pg_ctl = self.bin.join("pg_ctl");
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(pg_ctl)
            .args(["-D", &self.data(), "-m", "immediate", "-w", "stop"])
            .output();
    }
}
