//! Active Directory: a member of a Samba 4.17 AD domain registers with its
//! machine account's keytab, as a Windows member does, against the DC's
//! internal DNS (see `common::samba`). The config says only
//! `"algorithm": "gss-tsig"`: the keytab is the system's (`KRB5_KTNAME`
//! here), the principal the machine account `HOST7$`. The DC signs its
//! answers in its own layout, which is verified; another computer account
//! cannot take the name, and is told why; `--check` and `--live` read the
//! records. Built with `--features gss` only.

use crate::common::samba::{MEMBER, OTHER, REALM, REVERSE, REVERSE_V4, ZONE};
use crate::common::{World, flip_answer_macs, state};

const HOST: &str = "host7.ad.example.test";

/// A member of the domain, host7, with 2001:db8:30::7 on veth0.
fn member() -> World {
    let world = World::with_samba(HOST);
    world.add_address(&["2001:db8:30::7/64", "nodad"]);
    world
}

/// The environment that makes `host`'s keytab the system keytab.
fn keytab_of(world: &World, host: &str) -> (&'static str, String) {
    let keytab = world.dc.as_ref().unwrap().keytab(host);
    ("KRB5_KTNAME", format!("FILE:{}", keytab.display()))
}

/// A config with a cache, GSS-TSIG and nothing else about Kerberos, and `extra`.
fn config(world: &World, extra: &str) -> String {
    world.cached_config(
        "ad.conf",
        &format!(r#""tsig": {{"algorithm": "gss-tsig"}}{extra}"#),
    )
}

#[test]
fn the_member_registers_its_aaaa_a_and_ptr_with_only_gss_tsig_in_the_config() {
    let world = member();
    world.add_address(&["192.0.2.7/24"]);
    let dc = world.dc.as_ref().unwrap();
    dc.create_reverse_zones(&world.ns);
    let conf = config(&world, r#", "ipv4": true, "ptr": true"#);
    let (k, v) = keytab_of(&world, MEMBER);
    let run = world.run_env("pydyndns", &["-c", &conf, "-v", "veth0"], "", &[(k, &v)]);
    run.ok()
        .stderr_has(&format!("GSS-TSIG as HOST7$@{REALM} to DNS/dc1.{ZONE}@{REALM}"))
        .stderr_has("the answer's MIC verified in Samba's layout")
        .stdout_is(&format!(
            "updated {HOST}. in zone {ZONE}. at dc1.{ZONE}. ([2001:db8:30::1]:53): 192.0.2.7 2001:db8:30::7\n\
             updated PTR in zone {REVERSE_V4}. at dc1.{ZONE}. ([2001:db8:30::1]:53): 192.0.2.7 → {HOST}.\n\
             updated PTR in zone {REVERSE}. at dc1.{ZONE}. ([2001:db8:30::1]:53): 2001:db8:30::7 → {HOST}.\n"
        ));
    assert!(!run.stderr.contains("does not verify"), "{run}");
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:30::7"]);
    assert_eq!(world.records(HOST, "A"), ["300 192.0.2.7"]);
    let reverse = format!("7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.{REVERSE}");
    assert_eq!(world.records(&reverse, "PTR"), [format!("300 {HOST}.")]);
    assert_eq!(
        world.records(&format!("7.{REVERSE_V4}"), "PTR"),
        [format!("300 {HOST}.")]
    );
    // The DC applied it as the machine account.
    assert!(world.server_log().contains(&format!("HOST7$@{REALM}")));
    // Registered and cached: the next run sends nothing.
    world
        .run_env("pydyndns", &["-c", &conf, "veth0"], "", &[(k, &v)])
        .ok()
        .quiet();
}

#[test]
fn another_computer_account_cannot_take_the_name_and_is_told_why() {
    let world = member();
    let conf = config(&world, "");
    let (k, v) = keytab_of(&world, MEMBER);
    world
        .run_env("pydyndns", &["-c", &conf, "veth0"], "", &[(k, &v)])
        .ok();
    let cache = std::fs::read_to_string(world.cache()).unwrap();
    // A clone of host7 with host8's account (its keytab, its principal).
    let clone = world.config(
        "clone.conf",
        &format!(
            r#"{{"ttl": 300, "cache": "{}/clone-cache", "tsig": {{"algorithm": "gss-tsig", "principal": "HOST8$"}}}}"#,
            world.dir.path().display()
        ),
    );
    let (k8, v8) = keytab_of(&world, OTHER);
    let doc = state(&format!("{HOST}."), &["2001:db8:30::8"]);
    world
        .run_env("dyndns-send", &["-c", &clone], &doc, &[(k8, &v8)])
        .status(1)
        .stderr_has(&format!(
            "update of {HOST}. in zone {ZONE}. failed at every address of dc1.{ZONE}.: [2001:db8:30::1]:53: SERVFAIL: the server did not apply the update. An Active Directory domain controller answers so when the name belongs to another computer account"
        ))
        .stderr_has("An administrator can delete the name's old records (samba-tool dns delete, or the DNS console), after which this host registers it afresh");
    assert!(world.server_log().contains("WERR_ACCESS_DENIED"));
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:30::7"]);
    assert_eq!(std::fs::read_to_string(world.cache()).unwrap(), cache);
    assert!(!world.dir.path().join("clone-cache").exists());
    // What the message says an administrator can do works: with the old
    // record deleted, the other account registers the name.
    world.dc.as_ref().unwrap().dns_tool(
        &world.ns,
        &["delete", "::1", ZONE, "host7", "AAAA", "2001:db8:30::7"],
    );
    world
        .run_env("dyndns-send", &["-c", &clone], &doc, &[(k8, &v8)])
        .ok();
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:30::8"]);
}

#[test]
fn an_unsigned_update_is_refused_and_named() {
    let world = member();
    let conf = world.default_config(300);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(1)
        .stderr_has(&format!(
            "update of {HOST}. in zone {ZONE}. failed at every address of dc1.{ZONE}.: [2001:db8:30::1]:53: REFUSED: "
        ))
        .stderr_has("or GSS-TSIG: an Active Directory zone's \"secure only\" updates");
    assert!(world.aaaa(HOST).is_empty());
    assert!(!world.cache().exists());
}

/// The DC's answer is really verified: one octet of its MAC changed on the
/// way fails both layouts.
#[test]
fn an_answer_whose_mac_was_changed_on_the_way_is_refused() {
    let world = member();
    let proxy = flip_answer_macs(&world, 5399);
    let conf = config(&world, "");
    let (k, v) = keytab_of(&world, MEMBER);
    world
        .run_env(
            "dyndns-send",
            &["-c", &conf, "--zone", ZONE, "--server", "[::1]:5399"],
            &state(&format!("{HOST}."), &["2001:db8:30::7"]),
            &[(k, &v)],
        )
        .status(1)
        .stderr_has("the answer's GSS-TSIG MIC does not verify")
        .stderr_has("was changed on the way");
    drop(proxy);
    assert!(!world.cache().exists());
}

/// `--check` and `--live` read the records, since a Samba DC may not move
/// the serial.
#[test]
fn check_and_live_read_the_records_not_the_serial() {
    let world = member();
    let conf = config(&world, "");
    let (k, v) = keytab_of(&world, MEMBER);
    let env = [(k, v.as_str())];
    world
        .run_env("pydyndns", &["-c", &conf, "veth0"], "", &env)
        .ok();
    world
        .run_env("pydyndns", &["-c", &conf, "--check", "veth0"], "", &env)
        .ok()
        .stdout_is(&format!(
            "DYNDNS OK - {HOST}. has 1 of 1 addresses at dc1.{ZONE}. | addresses=1 missing=0 extra=0"
        ));
    // An administrator changes the record behind the tool's back.
    let dc = world.dc.as_ref().unwrap();
    dc.dns_tool(
        &world.ns,
        &["add", "::1", ZONE, "host7", "AAAA", "2001:db8:30::99"],
    );
    dc.dns_tool(
        &world.ns,
        &["delete", "::1", ZONE, "host7", "AAAA", "2001:db8:30::7"],
    );
    assert_eq!(world.aaaa(HOST), ["900 2001:db8:30::99"]);
    world
        .run_env("pydyndns", &["-c", &conf, "--check", "veth0"], "", &env)
        .status(2)
        .stdout_is(&format!(
            "DYNDNS CRITICAL - {HOST}. has 0 of 1 addresses at the primary dc1.{ZONE}. ([2001:db8:30::1]:53): \
             missing 2001:db8:30::7; extra 2001:db8:30::99; TTL 900, not 300 | addresses=1 missing=1 extra=1"
        ));
    world
        .run_env("pydyndns", &["-c", &conf, "--live", "veth0"], "", &env)
        .ok();
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:30::7"]);
    world
        .run_env("pydyndns", &["-c", &conf, "--check", "veth0"], "", &env)
        .ok();
}

/// What the README says of `nsupdate -g` against Samba: it lands the dry
/// run's records, then reports the DC's answer as a TSIG verify failure
/// and exits 2, because it knows only the standard layout.
#[test]
fn nsupdate_g_lands_the_dry_run_but_cannot_verify_sambas_answer() {
    let world = member();
    let conf = config(&world, "");
    let (k, v) = keytab_of(&world, MEMBER);
    let env = [(k, v.as_str())];
    let addrs = world.run_env("dyndns-addrs", &["-c", &conf, "veth0"], "", &env);
    addrs.ok();
    let script = world.run_env(
        "dyndns-send",
        &["-c", &conf, "--dry-run"],
        &addrs.stdout,
        &env,
    );
    script.ok().stdout_has_lines(&[
        &format!("server dc1.{ZONE}. 53\nzone {ZONE}.\n"),
        &format!("update add {HOST}. 300 IN AAAA 2001:db8:30::7\nsend\n"),
    ]);
    let dc = world.dc.as_ref().unwrap();
    let env = format!(
        "KRB5_CONFIG={} KRB5CCNAME=FILE:{}/nsupdate.ccache",
        dc.krb5_conf().display(),
        world.dir.path().display()
    );
    let nsupdate = world.run_shell(&format!(
        "env {env} kinit -k -t {} 'HOST7$' && env {env} nsupdate -g <<'EOF'\n{}\nEOF",
        dc.keytab(MEMBER).display(),
        script.stdout
    ));
    nsupdate.status(2).stderr_has("tsig verify failure");
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:30::7"]);
}
