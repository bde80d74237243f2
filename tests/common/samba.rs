//! A throwaway Active Directory domain, AD.EXAMPLE.TEST, for GSS-TSIG as a
//! domain member registers: one Samba domain controller (`samba -i -M
//! single`: its KDC, LDAP and internal DNS in one process) in the world's
//! namespace, on `lo` (::1, 127.0.0.1, and the DC's own addresses
//! [`DC_V6`] and [`DC_V4`], which its SOA MNAME dc1.ad.example.test
//! resolves to).
//!
//! The domain is provisioned once per test run, with no network at all,
//! into a template directory removed when the run exits; each world works
//! on its own copy (`cp -a`, well under a second, against about 3 s for a
//! provision). The template holds two machine accounts as a join leaves
//! them (enabled, a random password, `dNSHostName`, the `HOST/` SPNs,
//! RC4 and AES keys) with their keytabs: [`MEMBER`] and [`OTHER`]. Every
//! copy shares the domain's keys; credential caches stay per test.
//!
//! Nothing here reads or writes the machine's `/etc/samba`, `/var/lib/samba`
//! or `/etc/krb5.conf`: the DC's smb.conf names only the world's directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{require, sh};

/// The realm.
pub const REALM: &str = "AD.EXAMPLE.TEST";
/// The AD zone the DC serves.
pub const ZONE: &str = "ad.example.test";
/// The DC's IPv6 address (its A and AAAA records, provisioned).
pub const DC_V6: &str = "2001:db8:30::1";
/// The DC's IPv4 address.
pub const DC_V4: &str = "192.0.2.1";
/// The member's short name: its machine account is HOST7$.
pub const MEMBER: &str = "host7";
/// Another computer of the domain: HOST8$.
pub const OTHER: &str = "host8";
/// An AD reverse zone a test may create ([`Dc::create_reverse_zones`]):
/// 2001:db8:30::/48.
pub const REVERSE: &str = "0.3.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
/// Its IPv4 companion: 192.0.2.0/24.
pub const REVERSE_V4: &str = "2.0.192.in-addr.arpa";

/// The provisioned domain every world copies: its directory and the
/// administrator's password.
struct Template {
    dir: PathBuf,
    password: String,
}

static TEMPLATE: OnceLock<Template> = OnceLock::new();

/// Machine accounts as `realm join` / `adcli join` / `net ads join` leave
/// them, and a keytab for each with the principals a join exports
/// (`HOST7$@REALM`, `host/host7.ad.example.test@REALM`). Samba's own
/// Python bindings, in one process: faster than a samba-tool per step.
const ACCOUNTS: &str = r#"
import secrets, sys
import ldb
from samba import dsdb, enable_net_export_keytab
from samba.auth import system_session
from samba.net import Net
from samba.param import LoadParm
from samba.samdb import SamDB

smb_conf, out_dir, *hosts = sys.argv[1:]
lp = LoadParm()
lp.load(smb_conf)
samdb = SamDB(session_info=system_session(), lp=lp)
realm = lp.get("realm").upper()
domain = samdb.domain_dns_name()
enable_net_export_keytab()
net = Net(None, lp)
for host in hosts:
    short, fqdn = host.upper(), f"{host}.{domain}"
    samdb.newcomputer(short, service_principal_name_list=[
        f"HOST/{fqdn}", f"HOST/{short}",
        f"RestrictedKrbHost/{fqdn}", f"RestrictedKrbHost/{short}"])
    dn = samdb.search(expression=f"(sAMAccountName={short}$)", attrs=[])[0].dn
    samdb.setpassword(f"(distinguishedName={ldb.binary_encode(str(dn))})",
                      secrets.token_urlsafe(32), False)
    m = ldb.Message(dn)
    m["uac"] = ldb.MessageElement(str(dsdb.UF_WORKSTATION_TRUST_ACCOUNT),
                                  ldb.FLAG_MOD_REPLACE, "userAccountControl")
    m["dns"] = ldb.MessageElement(fqdn, ldb.FLAG_MOD_REPLACE, "dNSHostName")
    m["enc"] = ldb.MessageElement("28", ldb.FLAG_MOD_REPLACE,
                                  "msDS-SupportedEncryptionTypes")
    samdb.modify(m)
    keytab = f"{out_dir}/{host}.keytab"
    net.export_keytab(keytab=keytab, principal=f"{short}$@{realm}")
    net.export_keytab(keytab=keytab, principal=f"host/{fqdn}@{realm}")
"#;

/// Removes the template when the test run exits.
extern "C" fn remove_template() {
    if let Some(template) = TEMPLATE.get() {
        let _ = fs::remove_dir_all(&template.dir);
    }
}

#[allow(unsafe_code)]
mod exit {
    unsafe extern "C" {
        /// C's `atexit(3)`: the test harness ends with `exit(3)`.
        pub(super) fn atexit(f: extern "C" fn()) -> std::ffi::c_int;
    }
}

/// The template, provisioned now if this is the run's first DC.
fn template() -> &'static Template {
    TEMPLATE.get_or_init(|| {
        require("samba", "samba");
        require("samba-tool", "samba");
        let dir = std::env::temp_dir().join(format!("dyndns-samba.{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("dom")).unwrap();
        // SAFETY: registers a function that takes nothing and only
        // removes a directory; atexit(3) has no other precondition.
        #[allow(unsafe_code)]
        let registered = unsafe { exit::atexit(remove_template) };
        assert_eq!(registered, 0, "atexit failed");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let password = format!("Dy{:x}-{nanos:x}!", std::process::id());
        provision(&dir.join("dom"), &password);
        Template { dir, password }
    })
}

/// `samba-tool domain provision` into `dom` (mode 0755, as Samba wants its
/// lock directory), without a network (its DNS forwarder would be this
/// machine's resolver), then the smb.conf of a test DC, then the accounts.
fn provision(dom: &Path, password: &str) {
    let d = dom.display();
    fs::set_permissions(dom, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    for sub in ["run", "log"] {
        fs::create_dir_all(dom.join(sub)).unwrap();
    }
    let options = [
        format!("--option=pid directory={d}/run"),
        format!("--option=ncalrpc dir={d}/run/ncalrpc"),
        format!("--option=winbindd socket directory={d}/run/winbindd"),
        format!("--option=ntp signd socket directory={d}/run/ntp_signd"),
        format!("--option=log file={d}/log/%m.log"),
    ];
    let mut args = vec![
        "unshare".to_owned(),
        "--net".into(),
        "samba-tool".into(),
        "domain".into(),
        "provision".into(),
        "--server-role=dc".into(),
        "--dns-backend=SAMBA_INTERNAL".into(),
        "--use-rfc2307".into(),
        format!("--realm={REALM}"),
        "--domain=ADEXAMPLE".into(),
        "--host-name=dc1".into(),
        format!("--host-ip={DC_V4}"),
        format!("--host-ip6={DC_V6}"),
        format!("--adminpass={password}"),
        format!("--targetdir={d}"),
    ];
    args.extend(options);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    sh(&args);
    test_smb_conf(dom);
    fs::create_dir_all(dom.join("cache")).unwrap();
    let conf = dom.join("etc/smb.conf");
    let out = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(ACCOUNTS)
        .arg(&conf)
        .arg(dom)
        .args([MEMBER, OTHER])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "making the machine accounts failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for host in [MEMBER, OTHER] {
        fs::set_permissions(
            dom.join(format!("{host}.keytab")),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
    }
}

/// Rewrites provision's smb.conf for a test DC: no forwarder (it names
/// this machine's resolver), no printer or home shares, only the services
/// a member's registration meets (no smbd or winbindd: they write to
/// /var/log/samba before reading smb.conf), on `lo` only, secure updates
/// only, and each GSS negotiation and refused write in the log.
fn test_smb_conf(dom: &Path) {
    let path = dom.join("etc/smb.conf");
    let text = fs::read_to_string(&path).unwrap();
    let (global, rest) = text.split_once("[homes]").expect("provision's smb.conf");
    let shares = &rest[rest.find("[sysvol]").expect("a sysvol share")..];
    let dropped = [
        "dns forwarder",
        "panic action",
        "passwd",
        "unix password sync",
        "pam password",
        "obey pam",
        "usershare",
    ];
    let mut out: String = global
        .lines()
        .filter(|l| !dropped.iter().any(|d| l.trim_start().starts_with(d)))
        .map(|l| format!("{l}\n"))
        .collect();
    out.push_str(
        "\tserver services = ldap cldap kdc dns rpc\n\tinterfaces = lo\n\tbind interfaces only = yes\n\
         \tallow dns updates = secure only\n\ttls enabled = no\n\tload printers = no\n\
         \tdisable spoolss = yes\n\tlog level = 1 auth_audit:5 dns:10\n\n",
    );
    out.push_str(shares);
    for bad in ["/var", "/etc/", "/run/"] {
        let named = out.lines().find(|l| {
            l.contains(bad) && !l.contains(&dom.display().to_string()) && !l.contains("%")
        });
        assert!(
            named.is_none(),
            "the test DC's smb.conf names {bad}: {named:?}"
        );
    }
    fs::write(&path, out).unwrap();
}

/// One world's domain controller: a copy of the template.
pub struct Dc {
    /// Its directory: smb.conf (`etc/`), the database (`private/`), the
    /// keytabs, krb5.conf, logs.
    pub dir: PathBuf,
    password: String,
}

impl Dc {
    /// Copies the template into `world_dir`/dc and writes the members'
    /// krb5.conf.
    pub fn new(world_dir: &Path) -> Self {
        let template = template();
        let dir = world_dir.join("dc");
        sh(&[
            "cp",
            "-a",
            &template.dir.join("dom").display().to_string(),
            &dir.display().to_string(),
        ]);
        let conf = dir.join("etc/smb.conf");
        let text = fs::read_to_string(&conf).unwrap().replace(
            &template.dir.join("dom").display().to_string(),
            &dir.display().to_string(),
        );
        fs::write(&conf, text).unwrap();
        fs::write(
            dir.join("krb5.conf"),
            format!(
                "[libdefaults]\n    default_realm = {REALM}\n    dns_lookup_kdc = false\n    dns_lookup_realm = false\n    \
                 dns_canonicalize_hostname = false\n    rdns = false\n    default_ccache_name = FILE:{d}/ccache\n\
                 [realms]\n    {REALM} = {{\n        kdc = [::1]:88\n        kdc = 127.0.0.1:88\n    }}\n\
                 [domain_realm]\n    .{ZONE} = {REALM}\n    {ZONE} = {REALM}\n",
                d = dir.display()
            ),
        )
        .unwrap();
        Self {
            dir,
            password: template.password.clone(),
        }
    }

    /// The program and arguments that run the DC in the foreground.
    pub fn command(&self) -> (&'static str, Vec<String>) {
        (
            "samba",
            vec![
                "-i".into(),
                "-M".into(),
                "single".into(),
                "-s".into(),
                self.dir.join("etc/smb.conf").display().to_string(),
            ],
        )
    }

    /// The krb5.conf of the realm, for the members.
    pub fn krb5_conf(&self) -> PathBuf {
        self.dir.join("krb5.conf")
    }

    /// The keytab of a machine account ([`MEMBER`] or [`OTHER`]).
    pub fn keytab(&self, host: &str) -> PathBuf {
        self.dir.join(format!("{host}.keytab"))
    }

    /// Runs `samba-tool dns ARGS` as the domain's administrator against
    /// the DC, in namespace `ns` (zone and record management over RPC, as
    /// an administrator would from the DNS console).
    pub fn dns_tool(&self, ns: &str, args: &[&str]) {
        let user = format!("Administrator%{}", self.password);
        let conf = self.dir.join("etc/smb.conf").display().to_string();
        let mut all = vec!["ip", "netns", "exec", ns, "samba-tool", "dns"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-U", &user, "-s", &conf]);
        sh(&all);
    }

    /// Creates the AD reverse zones [`REVERSE`] and [`REVERSE_V4`] on the DC.
    pub fn create_reverse_zones(&self, ns: &str) {
        for zone in [REVERSE, REVERSE_V4] {
            self.dns_tool(ns, &["zonecreate", "::1", zone]);
        }
    }
}
