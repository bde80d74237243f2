//! DNS over TLS (RFC 7858) to a real BIND 9.18 in the world's namespace,
//! with certificates from a throwaway CA (tests/common/tls.rs): updates
//! land, TSIG-signed, over TLS; a wrong CA, a wrong name, an expired
//! certificate and one without subjectAltName each fail with a message
//! that says so, and nothing is sent; mutual TLS works with a client
//! certificate and fails cleanly without one; the live queries go over
//! TLS too.

use std::fs;

use crate::common::tls::{EXPIRED_PORT, MTLS_PORT, NO_SAN_PORT};
use crate::common::{World, state};

const HOST: &str = "h.signed.test.";

/// A config: TSIG (signed.test takes only signed updates, over TLS too),
/// a cache, and DNS over TLS with `tls` (the object's inside), the name
/// the certificate must hold pinned to the primary's, as an administrator
/// writes it, unless `tls` says its own.
fn config(world: &World, tls: &str) -> String {
    let pinned = r#""name": "ns1.signed.test""#;
    let tls = match tls {
        t if t.contains(r#""name""#) => t.to_owned(),
        "" => pinned.to_owned(),
        t => format!("{t}, {pinned}"),
    };
    raw_config(world, &tls)
}

/// [`config`], with `tls` as given.
fn raw_config(world: &World, tls: &str) -> String {
    world.config(
        "tls.conf",
        &format!(
            r#"{{"ttl": 300, "cache": "{}", {}, "transport": "tls", "tls": {{{tls}}}}}"#,
            world.cache().display(),
            world.tsig_json("hmac-sha256")
        ),
    )
}

/// The PKI's file.
fn pki(world: &World, file: &str) -> String {
    world.tls.as_ref().unwrap().path(file).display().to_string()
}

/// `"ca": CA file of the test's CA`.
fn our_ca(world: &World) -> String {
    format!(r#""ca": "{}""#, pki(world, "ca.crt"))
}

/// The state, its zone and primary found by dyndns-soa (the SOA's MNAME).
fn located(world: &World, conf: &str, addrs: &[&str]) -> String {
    let soa = world.run("dyndns-soa", &["-c", conf], &state(HOST, addrs));
    soa.ok();
    assert!(
        soa.stdout.contains("\"server\":\"ns1.signed.test.\""),
        "{soa}"
    );
    soa.stdout
}

/// Asserts that nothing reached the zone: no update applied, no serial
/// change, no cache.
fn nothing_sent(world: &World, serial: u32) {
    assert_eq!(world.updates_logged("signed.test"), 0);
    assert_eq!(world.serial("signed.test"), serial);
    assert!(world.aaaa(HOST).is_empty());
    assert!(!world.cache().exists());
}

/// With the `tls` settings `tls`, `dyndns-send` fails saying `message`,
/// and nothing reaches the zone.
fn refused(world: &World, tls: &str, message: &str) {
    let conf = config(world, tls);
    let serial = world.serial("signed.test");
    let input = located(world, &conf, &["2001:db8::1"]);
    world
        .run("dyndns-send", &["-c", &conf], &input)
        .status(1)
        .stderr_has(message);
    nothing_sent(world, serial);
}

#[test]
fn update_over_tls_lands_signed_and_live_queries_follow() {
    let world = World::with_tls("h.signed.test");
    let conf = config(&world, &our_ca(&world));
    let input = located(&world, &conf, &["2001:db8::1", "2001:db8::2"]);
    world
        .run("dyndns-send", &["-c", &conf, "--verify"], &input)
        .ok()
        .quiet()
        .stdout_is("updated h.signed.test. in zone signed.test. at ns1.signed.test. ([::1]:853): 2001:db8::1 2001:db8::2");
    assert_eq!(world.aaaa(HOST), ["300 2001:db8::1", "300 2001:db8::2"]);
    assert_eq!(world.updates_logged("signed.test"), 1);
    let log = world.server_log();
    assert!(
        log.contains("/key key-hmac-sha256: updating zone 'signed.test/IN'"),
        "the update was TSIG-signed: {log}"
    );
    assert!(world.cache().exists());
    // The live comparison asks over TLS: the same set is no difference.
    world
        .run("dyndns-diff", &["-c", &conf, "--live"], &input)
        .status(0)
        .quiet();
    // --check asks the primary over TLS too.
    world
        .run("dyndns-diff", &["-c", &conf, "--check"], &input)
        .status(0)
        .stdout_is("DYNDNS OK - h.signed.test. has 2 of 2 addresses at ns1.signed.test. | addresses=2 missing=0 extra=0");
    // ... and the TLS settings apply to it: another CA fails it.
    let other = world.config(
        "other.conf",
        &fs::read_to_string(&conf)
            .unwrap()
            .replace("/ca.crt", "/other-ca.crt"),
    );
    world
        .run("dyndns-diff", &["-c", &other, "--live"], &input)
        .status(2)
        .stderr_has("TLS: the certificate of [::1]:853 is not signed by a trusted CA");
}

/// The SOA's MNAME comes from an unauthenticated DNS answer: a forged one
/// naming a host with a valid certificate for its own name would pass.
/// So the name is the config's or the command line's, or the config
/// says "soa" to trust the resolver.
#[test]
fn the_certificate_name_is_never_learned_from_dns_unless_asked() {
    let world = World::with_tls("h.signed.test");
    let serial = world.serial("signed.test");
    let unnamed = raw_config(&world, &our_ca(&world));
    let input = located(&world, &unnamed, &["2001:db8::8"]);
    let why = "DNS over TLS needs the name the primary's certificate holds, from the config or the command line, not from an unauthenticated SOA record: give \"tls.name\" (ns1.example.com), --tls name=NAME or --server NAME; or \"tls.name\": \"soa\"";
    world
        .run("dyndns-send", &["-c", &unnamed], &input)
        .status(2)
        .stderr_has(&format!("dyndns-send: {why}"));
    world
        .run("dyndns-diff", &["-c", &unnamed, "--live"], &input)
        .status(2)
        .stderr_has(why);
    world
        .run("pydyndns", &["-c", &unnamed, "--live", "veth0"], "")
        .status(2)
        .stderr_has(why);
    nothing_sent(&world, serial);
    // Named on the command line: that server, that name.
    world
        .run(
            "dyndns-send",
            &["-c", &unnamed, "--server", "ns1.signed.test"],
            &input,
        )
        .ok()
        .quiet();
    assert_eq!(world.aaaa(HOST), ["300 2001:db8::8"]);
    // "soa": the SOA's MNAME, trusted on purpose.
    let soa = raw_config(&world, &format!(r#"{}, "name": "soa""#, our_ca(&world)));
    world
        .run("dyndns-send", &["-c", &soa], &input.replace("::8", "::9"))
        .ok()
        .quiet();
    assert_eq!(world.aaaa(HOST), ["300 2001:db8::9"]);
}

#[test]
fn wrong_ca_fails_naming_the_ca_file_and_sends_nothing() {
    let world = World::with_tls("h.signed.test");
    refused(
        &world,
        &format!(r#""ca": "{}""#, pki(&world, "other-ca.crt")),
        &format!(
            "[::1]:853: TLS: the certificate of [::1]:853 is not signed by a trusted CA (it does not chain to the CA); checked against the CA in {}",
            pki(&world, "other-ca.crt")
        ),
    );
}

#[test]
fn without_a_ca_file_the_system_trust_store_decides() {
    let world = World::with_tls("h.signed.test");
    // No "ca": the throwaway CA is in no system trust store.
    refused(
        &world,
        "",
        "TLS: the certificate of [::1]:853 is not signed by a trusted CA (it does not chain to the CA); checked against the system's trust store",
    );
}

#[test]
fn wrong_name_fails_naming_both_names() {
    let world = World::with_tls("h.signed.test");
    refused(
        &world,
        &format!(r#"{}, "name": "ns2.signed.test""#, our_ca(&world)),
        "TLS: the certificate of [::1]:853 is not valid for the name ns2.signed.test: it is for ns1.signed.test, ns1.example.test, ns1.krb.test, ::1, 127.0.0.1",
    );
}

#[test]
fn expired_certificate_fails_with_its_date() {
    let world = World::with_tls("h.signed.test");
    refused(
        &world,
        &format!(r#"{}, "port": {EXPIRED_PORT}"#, our_ca(&world)),
        &format!("TLS: the certificate of [::1]:{EXPIRED_PORT} expired at 2020-02-01T00:00:00Z"),
    );
}

#[test]
fn certificate_without_subject_alt_name_is_refused_with_the_reason() {
    let world = World::with_tls("h.signed.test");
    refused(
        &world,
        &format!(r#"{}, "port": {NO_SAN_PORT}"#, our_ca(&world)),
        "is not valid for the name ns1.signed.test: it is for no name at all (rustls reads only the subjectAltName extension, not the CN)",
    );
}

#[test]
fn mutual_tls_with_a_client_certificate_and_without() {
    let world = World::with_tls("h.signed.test");
    refused(
        &world,
        &format!(r#"{}, "port": {MTLS_PORT}"#, our_ca(&world)),
        &format!(
            "TLS: [::1]:{MTLS_PORT} closed the connection without answering: does it require a client certificate (\"tls.cert\" and \"tls.key\")"
        ),
    );
    let with = config(
        &world,
        &format!(
            r#"{}, "port": {MTLS_PORT}, "cert": "{}", "key": "{}""#,
            our_ca(&world),
            pki(&world, "client.crt"),
            pki(&world, "client.key")
        ),
    );
    let input = located(&world, &with, &["2001:db8::7"]);
    world
        .run("dyndns-send", &["-c", &with], &input)
        .ok()
        .quiet()
        .stdout_is(&format!("updated h.signed.test. in zone signed.test. at ns1.signed.test. ([::1]:{MTLS_PORT}): 2001:db8::7"));
    assert_eq!(world.aaaa(HOST), ["300 2001:db8::7"]);
}

/// A client key others can read is warned about once a run, as the TLS
/// private key it is (it was called "a TSIG secret", twice).
#[test]
fn a_readable_client_key_is_warned_about_once_as_what_it_is() {
    use std::os::unix::fs::PermissionsExt;
    let world = World::with_tls("h.signed.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let key = world.dir.path().join("client.key");
    fs::copy(pki(&world, "client.key"), &key).unwrap();
    fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
    let conf = config(
        &world,
        &format!(
            r#"{}, "port": {MTLS_PORT}, "cert": "{}", "key": "{}""#,
            our_ca(&world),
            pki(&world, "client.crt"),
            key.display()
        ),
    );
    let k = key.display();
    let want = format!(
        "warning: TLS client key {k} holds a TLS private key and can be read by group and others (mode 644); run: chmod 600 {k}"
    );
    for args in [
        &["-c", &conf, "veth0"][..],
        &["-c", &conf, "--live", "veth0"],
    ] {
        let run = world.run("pydyndns", args, "");
        run.ok().stderr_has(&want);
        assert_eq!(run.stderr.matches("client key").count(), 1, "{run}");
        fs::remove_file(world.cache()).ok();
    }
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:10::1"]);
}

#[test]
fn the_flags_override_the_config_and_insecure_is_loud() {
    let world = World::with_tls("h.signed.test");
    // The config says TCP; the flags ask for TLS with the test's CA.
    let conf = world.config(
        "tcp.conf",
        &format!(r#"{{"ttl": 300, {}}}"#, world.tsig_json("hmac-sha256")),
    );
    let input = located(&world, &conf, &["2001:db8::3"]);
    let ca = pki(&world, "ca.crt");
    world
        .run(
            "dyndns-send",
            &[
                "-c",
                &conf,
                "--tls",
                &format!("ca={ca}"),
                "--tls",
                "name=ns1.signed.test",
            ],
            &input,
        )
        .ok()
        .quiet()
        .stdout_is("updated h.signed.test. in zone signed.test. at ns1.signed.test. ([::1]:853): 2001:db8::3");
    // Without verification, any certificate, and a warning every run.
    let other = pki(&world, "other-ca.crt");
    world
        .run(
            "dyndns-send",
            &[
                "-c",
                &conf,
                "--tls",
                &format!("ca={other}"),
                "--tls",
                "insecure",
            ],
            &input.replace("2001:db8::3", "2001:db8::4"),
        )
        .ok()
        .stderr_has("the primary's TLS certificate is NOT verified");
    assert_eq!(world.aaaa(HOST), ["300 2001:db8::4"]);
    // --tls off: TCP to port 53, whatever a config says.
    let tls_conf = config(&world, &our_ca(&world));
    world
        .run(
            "dyndns-send",
            &["-c", &tls_conf, "--tls", "off"],
            &input.replace("2001:db8::3", "2001:db8::5"),
        )
        .ok()
        .stdout_is("updated h.signed.test. in zone signed.test. at ns1.signed.test. ([::1]:53): 2001:db8::5");
}

#[test]
fn dry_run_prints_nsupdate_s_and_reads_no_tls_file() {
    let world = World::with_tls("h.signed.test");
    let conf = config(
        &world,
        r#""ca": "dot-ca.pem", "cert": "client.pem", "key": "client-key.pem""#,
    );
    let dir = world.dir.path().display().to_string();
    let input = located(&world, &conf, &["2001:db8::1"]);
    world
        .run("dyndns-send", &["-c", &conf, "--dry-run"], &input)
        .ok()
        .stdout_is(&format!(
            "server ns1.signed.test. 853\nzone signed.test.\n; signed with TSIG key key-hmac-sha256. (hmac-sha256): run nsupdate -k KEYFILE; the secret is not shown here\n; over DNS over TLS: run nsupdate -S -A {dir}/dot-ca.pem -H ns1.signed.test -E {dir}/client.pem -K {dir}/client-key.pem (BIND 9.20 or later)\nupdate delete h.signed.test.\nupdate add h.signed.test. 300 IN AAAA 2001:db8::1\nsend"
        ));
    let json = world.run(
        "dyndns-send",
        &["-c", &conf, "--dry-run", "--format", "json"],
        &input,
    );
    json.ok();
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["port"], 853);
    assert_eq!(doc["tls"]["name"], "ns1.signed.test");
    assert_eq!(doc["tls"]["ca"], format!("{dir}/dot-ca.pem"));
}

#[test]
fn unusable_tls_files_are_config_errors() {
    let world = World::with_tls("h.signed.test");
    let input = state(HOST, &["2001:db8::1"]);
    let missing = config(&world, r#""ca": "no-such-ca.pem""#);
    world
        .run("dyndns-send", &["-c", &missing, "--server", "::1"], &input)
        .status(2)
        .stderr_has(&format!(
            "cannot read the TLS CA file {}/no-such-ca.pem",
            world.dir.path().display()
        ));
    // With nothing to send (an empty stdin, as a pipeline's quiet minute),
    // no TLS file is read at all: nothing to do, exit 0.
    world
        .run("dyndns-send", &["-c", &missing, "--server", "::1"], "")
        .ok()
        .quiet();
    world
        .run("dyndns-diff", &["-c", &missing, "--live"], "")
        .ok()
        .quiet();
    // A key given where the CA should be: no certificate in it.
    let not_ca = config(&world, &format!(r#""ca": "{}""#, pki(&world, "client.key")));
    world
        .run("dyndns-send", &["-c", &not_ca, "--server", "::1"], &input)
        .status(2)
        .stderr_has("holds no certificate (-----BEGIN CERTIFICATE-----)");
    // A certificate without its key.
    let half = config(
        &world,
        &format!(r#""cert": "{}""#, pki(&world, "client.crt")),
    );
    world
        .run("dyndns-send", &["-c", &half, "--server", "::1"], &input)
        .status(2)
        .stderr_has(
            "key \"tls.key\": missing: a client certificate (\"tls.cert\") needs its private key",
        );
    // The same from the flags, which may give half the pair.
    let tcp = world.config("tcp.conf", r#"{"ttl": 300}"#);
    world
        .run(
            "dyndns-send",
            &[
                "-c",
                &tcp,
                "--server",
                "::1",
                "--tls",
                &format!("cert={}", pki(&world, "client.crt")),
            ],
            &input,
        )
        .status(2)
        .stderr_has("a TLS client cert is given without its key: give both");
    assert!(world.aaaa(HOST).is_empty());
}
