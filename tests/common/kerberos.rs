//! A throwaway MIT Kerberos realm, EXAMPLE.TEST, for GSS-TSIG: its database
//! and keytabs in the world's scratch directory, its KDC (`krb5kdc`) in the
//! world's namespace on [::1]:88 and 127.0.0.1:88, and a `krb5.conf` that
//! every command of the world reads (`KRB5_CONFIG`), never the machine's.
//! Principals: `DNS/ns1.krb.test` (named's, in `dns.keytab`) and
//! `host/NAME.krb.test` for each host name given (in `NAME.keytab`).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::require;

/// The realm.
pub const REALM: &str = "EXAMPLE.TEST";
/// The zone BIND serves with `krb5-self` grants.
pub const KRB_ZONE: &str = "krb.test";

/// The realm of one world.
pub struct Kerberos {
    /// Its directory: krb5.conf, kdc.conf, the database, the keytabs, logs.
    pub dir: PathBuf,
    kdc: Option<Child>,
}

impl Kerberos {
    /// Makes the realm in `world_dir`/krb with a `host/` principal and
    /// keytab for each of `hosts` (short names in krb.test), and starts
    /// its KDC in namespace `ns`.
    pub fn new(world_dir: &Path, ns: &str, hosts: &[&str]) -> Self {
        require("krb5kdc", "krb5-kdc");
        require("kadmin.local", "krb5-admin-server");
        require("kinit", "krb5-user");
        let dir = world_dir.join("krb");
        fs::create_dir_all(&dir).unwrap();
        let k = dir.display();
        fs::write(
            dir.join("krb5.conf"),
            format!(
                "[libdefaults]\n    default_realm = {REALM}\n    dns_lookup_kdc = false\n    dns_lookup_realm = false\n    \
                 dns_canonicalize_hostname = false\n    rdns = false\n    default_ccache_name = FILE:{k}/ccache\n    \
                 default_keytab_name = FILE:{k}/default.keytab\n\
                 [realms]\n    {REALM} = {{\n        kdc = [::1]:88\n        kdc = 127.0.0.1:88\n    }}\n\
                 [domain_realm]\n    .{KRB_ZONE} = {REALM}\n    {KRB_ZONE} = {REALM}\n\
                 [logging]\n    default = FILE:{k}/krb5.log\n"
            ),
        )
        .unwrap();
        fs::write(
            dir.join("kdc.conf"),
            format!(
                "[kdcdefaults]\n    kdc_listen = 127.0.0.1:88, [::1]:88\n    kdc_tcp_listen = 127.0.0.1:88, [::1]:88\n\
                 [realms]\n    {REALM} = {{\n        database_name = {k}/principal\n        key_stash_file = {k}/stash\n        \
                 acl_file = {k}/kadm5.acl\n        admin_keytab = FILE:{k}/kadm5.keytab\n        max_life = 10h 0m 0s\n        \
                 max_renewable_life = 7d 0h 0m 0s\n        default_principal_flags = +preauth\n    }}\n\
                 [plugins]\n    kdcpreauth = {{\n        disable = spake\n    }}\n\
                 [logging]\n    kdc = FILE:{k}/kdc.log\n    admin_server = FILE:{k}/kadmin.log\n    default = FILE:{k}/krb5.log\n"
            ),
        )
        .unwrap();
        let mut realm = Self { dir, kdc: None };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let password = format!("{:x}-{nanos:x}", std::process::id());
        realm.tool(
            "kdb5_util",
            &["-r", REALM, "create", "-s", "-P", &password],
            "",
        );
        let mut script = "addprinc -randkey DNS/ns1.krb.test\nktadd -k DIR/dns.keytab -norandkey DNS/ns1.krb.test\n".to_owned();
        for host in hosts {
            script.push_str(&format!(
                "addprinc -randkey host/{host}.{KRB_ZONE}\nktadd -k DIR/{host}.keytab -norandkey host/{host}.{KRB_ZONE}\n"
            ));
        }
        let script = script.replace("DIR", &realm.dir.display().to_string());
        realm.tool("kadmin.local", &["-r", REALM], &script);
        for keytab in std::iter::once("dns").chain(hosts.iter().copied()) {
            assert!(
                realm.keytab(keytab).exists(),
                "kadmin.local made no {keytab}.keytab: {}",
                fs::read_to_string(realm.dir.join("kadmin.log")).unwrap_or_default()
            );
        }
        realm.start_kdc(ns);
        realm
    }

    /// The krb5.conf every command of the world reads.
    pub fn krb5_conf(&self) -> PathBuf {
        self.dir.join("krb5.conf")
    }

    /// The keytab of `name` (`dns`, or a host's short name).
    pub fn keytab(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.keytab"))
    }

    /// The environment the KDC's tools, named and the client read.
    pub fn env(&self) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("KRB5_CONFIG", self.krb5_conf()),
            ("KRB5_KDC_PROFILE", self.dir.join("kdc.conf")),
            ("KRB5RCACHEDIR", self.dir.clone()),
        ]
    }

    /// Runs a Kerberos admin tool on the realm's files, with `stdin`.
    fn tool(&self, program: &str, args: &[&str], stdin: &str) {
        let mut child = Command::new(program)
            .args(args)
            .envs(self.env())
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts `krb5kdc` in the namespace and waits until it serves.
    fn start_kdc(&mut self, ns: &str) {
        let log = fs::File::create(self.dir.join("kdc.out")).unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", ns, "krb5kdc", "-n", "-r", REALM])
            .envs(self.env())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("cannot start krb5kdc");
        self.kdc = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while !fs::read_to_string(self.dir.join("kdc.log"))
            .unwrap_or_default()
            .contains("commencing operation")
        {
            assert!(
                Instant::now() < deadline,
                "krb5kdc did not start: {}",
                fs::read_to_string(self.dir.join("kdc.out")).unwrap_or_default()
            );
            sleep(Duration::from_millis(20));
        }
    }
}

impl Kerberos {
    /// Stops the KDC, as a KDC that is down or cut off would be.
    pub fn stop_kdc(&mut self) {
        if let Some(mut kdc) = self.kdc.take() {
            let _ = kdc.kill();
            let _ = kdc.wait();
        }
    }
}

impl Drop for Kerberos {
    fn drop(&mut self) {
        self.stop_kdc();
    }
}
