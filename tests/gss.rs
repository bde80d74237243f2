//! GSS-TSIG (RFC 3645) against BIND with `tkey-gssapi-keytab` and a real
//! MIT Kerberos KDC, both in the world's namespace: the host registers
//! with its keytab (or a ticket from kinit), BIND's `krb5-self` refuses
//! another host's identity, a clock ten minutes off and a forged answer
//! MIC are each a clear error, and the nsupdate -g script of a dry run
//! lands the same records. Built with `--features gss` only.

use crate::common::kerberos::{KRB_ZONE, REALM};
use crate::common::{World, require, state};

const HOST: &str = "host1.krb.test";

/// A world whose host is host1.krb.test, with keytabs for it and for an
/// intruder, and 2001:db8:10::1 on veth0.
fn world() -> World {
    let world = World::with_kerberos(HOST, &["host1", "intruder"]);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    world
}

/// A config signing with GSS-TSIG from `keytab`, as `principal` if given.
fn config(world: &World, keytab: &str, principal: Option<&str>) -> String {
    let realm = world.kerberos.as_ref().unwrap();
    let principal = principal.map_or(String::new(), |p| format!(r#", "principal": "{p}""#));
    world.cached_config(
        "gss.conf",
        &format!(
            r#""tsig": {{"algorithm": "gss-tsig", "keytab": "{}"{principal}}}"#,
            realm.keytab(keytab).display()
        ),
    )
}

/// named applied an update as host1's own principal (BIND's `krb5-self`).
fn applied_as_host1(world: &World) {
    let log = world.server_log();
    assert!(
        log.contains(&format!(
            "key host/{HOST}\\@{REALM}: updating zone '{KRB_ZONE}/IN'"
        )),
        "{log}"
    );
}

/// A ticket for host1 from its keytab (`kinit -k`) in a credential cache
/// of the realm's directory; its name.
fn kinit(world: &World) -> String {
    let realm = world.kerberos.as_ref().unwrap();
    let ccache = format!("FILE:{}/kinit.ccache", realm.dir.display());
    world.exec(&[
        "env",
        &format!("KRB5_CONFIG={}", realm.krb5_conf().display()),
        &format!("KRB5CCNAME={ccache}"),
        "kinit",
        "-k",
        "-t",
        &realm.keytab("host1").display().to_string(),
        &format!("host/{HOST}"),
    ]);
    ccache
}

#[test]
fn the_host_registers_with_its_keytab_and_named_sees_its_principal() {
    let world = world();
    let conf = config(&world, "host1", None);
    world
        .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
        .ok()
        .stdout_is(&format!(
            "updated {HOST}. in zone {KRB_ZONE}. at ns1.{KRB_ZONE}. ([::1]:53): 2001:db8:10::1\n"
        ));
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:10::1"]);
    applied_as_host1(&world);
    // No credential cache left on disk: the ticket lived in memory.
    assert!(!world.kerberos.as_ref().unwrap().dir.join("ccache").exists());
    // The cache says so, and the next run sends nothing.
    let updates = |w: &World| {
        w.server_log()
            .matches("updating zone 'krb.test/IN'")
            .count()
    };
    let before = updates(&world);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(updates(&world), before);
}

#[test]
fn a_ticket_from_kinit_serves_instead_of_a_keytab() {
    let world = world();
    let ccache = kinit(&world);
    let conf = world.cached_config(
        "gss.conf",
        &format!(r#""tsig": {{"algorithm": "gss-tsig", "ccache": "{ccache}"}}"#),
    );
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:10::1"]);
}

#[test]
fn another_hosts_identity_is_refused_by_the_policy() {
    let world = world();
    let conf = config(&world, "intruder", Some("host/intruder.krb.test"));
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(1)
        .stderr_has(&format!(
            "update of {HOST}. in zone {KRB_ZONE}. failed at every address of ns1.{KRB_ZONE}.: [::1]:53: REFUSED: the server does not let this key update the name"
        ));
    assert!(world.aaaa(HOST).is_empty());
    assert!(
        !world.cache().exists(),
        "nothing registered, nothing cached"
    );
}

#[test]
fn missing_keys_and_unknown_service_principals_are_named_with_the_fix() {
    let world = world();
    // A keytab without the host's key.
    let conf = config(&world, "intruder", None);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(1)
        .stderr_has(&format!(
            "cannot get Kerberos credentials for HOST1$ or host/{HOST}: "
        ))
        .stderr_has("check \"keytab\" and \"principal\" in the config's \"tsig\" object");
    // A zone whose primary has no DNS/ principal: example.test (ns1.example.test).
    let realm = world.kerberos.as_ref().unwrap();
    let elsewhere = world.config(
        "elsewhere.conf",
        &format!(
            r#"{{"ttl": 300, "tsig": {{"algorithm": "gss-tsig", "keytab": "{}", "principal": "host/{HOST}"}}}}"#,
            realm.keytab("host1").display()
        ),
    );
    world
        .run(
            "dyndns-send",
            &["-c", &elsewhere, "--zone", "example.test"],
            &state("host1.example.test.", &["2001:db8:10::1"]),
        )
        .status(1)
        .stderr_has(&format!(
            "DNS/ns1.example.test@{REALM} not found in Kerberos database"
        ))
        .stderr_has("create DNS/<the zone's SOA MNAME>@REALM");
}

/// A keytab is checked as a key file is: a FIFO is refused at once (MIT
/// would wait in open(2) for a writer), a missing one is a config error
/// naming it before anything is sent, and one others can read gets the
/// warning a key file gets.
#[test]
fn a_keytab_that_is_a_fifo_missing_or_readable_by_others_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let world = world();
    let doc = state(&format!("{HOST}."), &["2001:db8:10::1"]);
    let keytab = world.dir.path().join("planted.keytab");
    let with = |keytab: &std::path::Path| {
        world.cached_config(
            "gss.conf",
            &format!(
                r#""tsig": {{"algorithm": "gss-tsig", "keytab": "{}"}}"#,
                keytab.display()
            ),
        )
    };
    let conf = with(&keytab);
    let started = std::time::Instant::now();
    world.run("dyndns-send", &["-c", &conf], &doc).status(2).stderr_has(&format!(
        "key \"tsig.keytab\": cannot use keytab {}: no such file; give the path of the host's keytab (ktutil, or kadmin's ktadd, makes one)",
        keytab.display()
    ));
    // The pipeline's first stage says so too, before anything is compared.
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(2)
        .stderr_has(&format!(
            "cannot use keytab {}: no such file",
            keytab.display()
        ));
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&keytab)
            .status()
            .unwrap()
            .success()
    );
    world
        .run("dyndns-send", &["-c", &conf], &doc)
        .status(2)
        .stderr_has(&format!(
            "cannot use keytab {}: it is a FIFO, not a regular file",
            keytab.display()
        ));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "a FIFO keytab was waited on"
    );
    assert!(world.aaaa(HOST).is_empty(), "nothing was sent");

    let readable = world.dir.path().join("readable.keytab");
    std::fs::copy(world.kerberos.as_ref().unwrap().keytab("host1"), &readable).unwrap();
    std::fs::set_permissions(&readable, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::chown(&readable, Some(4242), None).unwrap();
    let shown = readable.display();
    let conf = with(&readable);
    let run = world.run("pydyndns", &["-c", &conf, "veth0"], "");
    run.ok()
        .stderr_has(&format!(
            "keytab {shown} is owned by uid 4242, not by root: that user decides the Kerberos keys; run: chown root {shown}"
        ))
        .stderr_has(&format!(
            "keytab {shown} holds Kerberos keys and can be read by group and others (mode 644); run: chmod 600 {shown}"
        ));
    assert_eq!(
        run.stderr.matches("holds Kerberos keys").count(),
        1,
        "said once"
    );
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:10::1"]);
}

/// A KDC that does not answer is named as that, not as a keytab problem.
#[test]
fn an_unreachable_kdc_is_named() {
    let mut world = world();
    world.kerberos.as_mut().unwrap().stop_kdc();
    let conf = config(&world, "host1", None);
    let run = world.run("pydyndns", &["-c", &conf, "veth0"], "");
    run.status(1)
        .stderr_has("Cannot contact any KDC")
        .stderr_has("no KDC answers for the realm");
    assert!(!run.stderr.contains("keytab holds no key"), "{run}");
    assert!(world.aaaa(HOST).is_empty());
}

#[test]
fn a_clock_ten_minutes_off_says_so() {
    require("faketime", "faketime");
    let world = world();
    // A ticket got under the right clock, used under one ten minutes ahead:
    // Kerberos itself refuses.
    let ccache = kinit(&world);
    let conf = world.cached_config(
        "gss.conf",
        &format!(r#""tsig": {{"algorithm": "gss-tsig", "ccache": "{ccache}"}}"#),
    );
    let doc = state(&format!("{HOST}."), &["2001:db8:10::1"]);
    let send = crate::common::bin("dyndns-send");
    let skewed = world.run_shell(&format!(
        "echo '{doc}' | faketime -f +10m {} -c {conf}",
        send.display()
    ));
    skewed
        .status(1)
        .stderr_has("Clock skew too great")
        .stderr_has("this host's clock differs from the KDC's by more than Kerberos allows (5 minutes); fix it with NTP");
    assert!(world.aaaa(HOST).is_empty());
}

#[test]
fn a_forged_answer_mic_is_rejected_and_nothing_is_cached() {
    let world = world();
    let proxy = crate::common::flip_answer_macs(&world, 5399);
    let conf = config(&world, "host1", None);
    let doc = state(&format!("{HOST}."), &["2001:db8:10::1"]);
    world
        .run(
            "dyndns-send",
            &["-c", &conf, "--zone", KRB_ZONE, "--server", "[::1]:5399"],
            &doc,
        )
        .status(1)
        .stderr_has("the answer's GSS-TSIG MIC does not verify")
        .stderr_has("was changed on the way");
    drop(proxy);
    // named applied it (the answer was forged, not the update), but this
    // host cannot know: no cache, so the next run sends it again.
    assert!(!world.cache().exists());
}

#[test]
fn the_dry_run_is_a_script_for_nsupdate_g_that_lands_the_same_records() {
    let world = world();
    let conf = config(&world, "host1", None);
    let addrs = world.run("dyndns-addrs", &["-c", &conf, "veth0"], "");
    addrs.ok();
    let script = world.run("dyndns-send", &["-c", &conf, "--dry-run"], &addrs.stdout);
    script.ok().stdout_has_lines(&[
        &format!("server ns1.{KRB_ZONE}. 53\nzone {KRB_ZONE}.\n"),
        &format!(
            "; signed with GSS-TSIG as the first of HOST1$, host/{HOST} that the keytab holds: run nsupdate -g"
        ),
        &format!("update add {HOST}. 300 IN AAAA 2001:db8:10::1\nsend\n"),
    ]);
    let realm = world.kerberos.as_ref().unwrap();
    let ccache = format!("FILE:{}/nsupdate.ccache", realm.dir.display());
    let env = format!(
        "KRB5_CONFIG={} KRB5CCNAME={ccache}",
        realm.krb5_conf().display()
    );
    world
        .run_shell(&format!(
            "env {env} kinit -k -t {} host/{HOST} && env {env} nsupdate -g <<'EOF'\n{}\nEOF",
            realm.keytab("host1").display(),
            script.stdout
        ))
        .ok();
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:10::1"]);
}

/// Not a test: the figures of BENCHMARKS.md's GSS-TSIG section (release
/// build, as root): `cargo test --release --test main
/// gss::measure -- --ignored --nocapture`. Asserts nothing about time.
#[test]
#[ignore = "a measurement for BENCHMARKS.md, not a test"]
fn measure_the_gss_update_run() {
    let world = world();
    let realm = world.kerberos.as_ref().unwrap();
    let conf = world.config(
        "nocache.conf",
        &format!(
            r#"{{"ttl": 300, "tsig": {{"algorithm": "gss-tsig", "keytab": "{}"}}}}"#,
            realm.keytab("host1").display()
        ),
    );
    let doc = state(&format!("{HOST}."), &["2001:db8:10::1"]);
    let hmac = world.config(
        "hmac.conf",
        &format!(r#"{{"ttl": 300, {}}}"#, world.tsig_json("hmac-sha256")),
    );
    let signed = state("host1.signed.test.", &["2001:db8:10::1"]);
    let runs: [(&str, &str, &str); 2] = [
        ("GSS-TSIG (dyndns-send, TKEY + UPDATE)", &conf, &doc),
        ("TSIG hmac-sha256 (dyndns-send, UPDATE)", &hmac, &signed),
    ];
    for (what, conf, doc) in runs {
        let mut times = Vec::new();
        for _ in 0..31 {
            let start = std::time::Instant::now();
            world.run("dyndns-send", &["-c", conf], doc).ok();
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{what}, KDC and BIND on ::1, 31 runs through ip netns exec: median {:.2} ms, min {:.2}, max {:.2}",
            times[15], times[0], times[30]
        );
    }
}

/// GSS-TSIG over DNS over TLS: dyndns-send carries both; the TKEY exchange
/// and the update share one TLS connection.
#[test]
fn gss_tsig_over_tls() {
    let world = World::with_kerberos_and_tls(HOST, &["host1"]);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let realm = world.kerberos.as_ref().unwrap();
    let ca = world.tls.as_ref().unwrap().path("ca.crt");
    let conf = world.cached_config(
        "gss-tls.conf",
        &format!(
            r#""tsig": {{"algorithm": "gss-tsig", "keytab": "{}"}}, "transport": "tls", "tls": {{"ca": "{}", "name": "ns1.krb.test"}}"#,
            realm.keytab("host1").display(),
            ca.display()
        ),
    );
    world
        .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
        .ok()
        .stdout_is(&format!(
            "updated {HOST}. in zone {KRB_ZONE}. at ns1.{KRB_ZONE}. ([::1]:853): 2001:db8:10::1\n"
        ));
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:10::1"]);
    applied_as_host1(&world);
    // dyndns-send run by hand sets the Kerberos environment up itself.
    world
        .run(
            "dyndns-send",
            &["-c", &conf],
            &state(&format!("{HOST}."), &["2001:db8:10::2"]),
        )
        .ok()
        .stdout_is(&format!(
            "updated {HOST}. in zone {KRB_ZONE}. at ns1.{KRB_ZONE}. ([::1]:853): 2001:db8:10::2"
        ));
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:10::2"]);
}
