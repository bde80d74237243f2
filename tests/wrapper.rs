//! `scripts/pydyndns` end to end: real interfaces, real `named`.

use std::fs;

use crate::common::World;

// The address set, nothing sent when unchanged, TTL and address changes, -f
// and a name below the apex are in tests/servers.rs, against every server.

#[test]
fn failed_force_stays_forced() {
    let world = World::new("host1.example.signed.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    fs::write(world.cache(), "{\"hostname\":\"host1.example.signed.test.\",\"ttl\":300,\"addresses\":[\"2001:db8:10::1\"]}\n").unwrap();
    // Unsigned updates to signed.test are refused: the forced run fails...
    world
        .run("pydyndns", &["-c", &conf, "-f", "veth0"], "")
        .status(1)
        .stderr_has("REFUSED");
    // ...and the cache is gone, so the next plain run tries again.
    assert!(!world.cache().exists());
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(1)
        .stderr_has("REFUSED");
}

#[test]
fn refused_update_exits_1_and_keeps_cache_and_records() {
    let world = World::new("host1.noupdate.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    let serial = world.serial("noupdate.test");
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(1)
        .stdout_is("")
        .stderr_has("dyndns-send: update of host1.noupdate.test. in zone noupdate.test. failed at every address of ns1.noupdate.test.: [::1]:53: REFUSED");
    assert_eq!(world.serial("noupdate.test"), serial);
    assert!(!world.cache().exists());
}

#[test]
fn wrong_secret_fails_with_badsig() {
    let world = World::new("host1.signed.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.config(
        "bad.conf",
        &format!(
            r#"{{"ttl": 300, "cache": "{}", "tsig": {{"algorithm": "hmac-sha512", "keyname": "key-hmac-sha512", "key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}}}"#,
            world.cache().display()
        ),
    );
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(1)
        .stderr_has("NOTAUTH (TSIG error BADSIG");
    assert!(world.aaaa("host1.signed.test").is_empty());
    assert!(!world.cache().exists());
}

#[test]
fn signed_run_lands() {
    let world = World::new("host1.signed.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.config(
        "good.conf",
        &format!(
            r#"{{"ttl": 300, "cache": "{}", "tsig": {{"algorithm": "hmac-sha256", "keyname": "key-hmac-sha256", "key": "{}"}}}}"#,
            world.cache().display(),
            world.secret("hmac-sha256")
        ),
    );
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(world.aaaa("host1.signed.test"), ["300 2001:db8:10::1"]);
}

#[test]
fn bad_config_and_usage_exit_2() {
    let world = World::new("host1.example.test");
    let conf = world.config("bad.conf", "{\"ttl\": \"soon\"}");
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(2)
        .stderr_has("key \"ttl\"");
    world
        .run("pydyndns", &["-c"], "")
        .status(2)
        .stderr_has("pydyndns: option -c needs a FILE");
    world
        .run("pydyndns", &["--bogus"], "")
        .status(2)
        .stderr_has("unknown option --bogus");
    let good = world.default_config(300);
    world
        .run("pydyndns", &["-c", &good, "no such if"], "")
        .status(2)
        .stderr_has("no interface named \"no such if\"");
    world
        .run("pydyndns", &["-c", &good, "--", "-rf"], "")
        .status(2)
        .stderr_has("no interface named \"-rf\"");
}

#[test]
fn verbose_shows_the_steps_and_result() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    world
        .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
        .ok()
        .stderr_has("dyndns-send: info: updating host1.example.test. to [2001:db8:10::1]")
        .stderr_has("dyndns-send: debug: TSIG off")
        .stdout_is("updated host1.example.test. in zone example.test. at ns1.example.test. ([::1]:53): 2001:db8:10::1");
}

#[test]
fn plain_pipeline_of_the_stages_works() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    let pipeline = format!(
        "dyndns-addrs -c {conf} veth0 | dyndns-diff -c {conf} | dyndns-soa -c {conf} | dyndns-send -c {conf}"
    );
    world.run_shell(&pipeline).ok().quiet().stdout_is(
        "updated host1.example.test. in zone example.test. at ns1.example.test. ([::1]:53): 2001:db8:10::1",
    );
    // Unchanged: dyndns-diff prints nothing and the later stages do nothing.
    let serial = world.serial("example.test");
    world.run_shell(&pipeline).ok().quiet().stdout_is("");
    assert_eq!(world.serial("example.test"), serial);
}

#[test]
fn readme_custom_pipeline_with_jq() {
    crate::common::require("jq", "jq");
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    world.add_address(&["2001:db8:20::1/64", "nodad"]);
    let conf = world.default_config(300);
    let cache = world.dir.path().join("web.cache").display().to_string();
    // The README's example, with the test's names.
    let pipeline = format!(
        "dyndns-addrs -c {conf} veth0 \
         | jq -c '.addresses |= map(select(startswith(\"2001:db8:10:\"))) | .hostname = \"web.example.test.\"' \
         | dyndns-diff --cache {cache} \
         | dyndns-send --server ns1.example.test --cache {cache}"
    );
    world.run_shell(&pipeline).ok().quiet();
    assert_eq!(world.aaaa("web.example.test"), ["300 2001:db8:10::1"]);
    assert_eq!(
        fs::read_to_string(&cache).unwrap(),
        "{\"hostname\":\"web.example.test.\",\"ttl\":300,\"addresses\":[\"2001:db8:10::1\"]}\n"
    );
}
