//! `"ipv4": true`: A records beside the AAAA set, as PyDynDNS 1.2.1
//! registers them, against every server.

use std::fs;

use crate::common::{Server, World};

/// IPv4 addresses of every kind on the world's interfaces: global,
/// private, shared (RFC 6598), link-local, and lo's loopback.
fn ipv4_of_every_kind(world: &World) {
    for addr in [
        "198.51.100.7/24",
        "10.1.2.3/8",
        "100.64.1.1/10",
        "169.254.9.9/16",
    ] {
        world.ip(&["addr", "add", addr, "dev", "veth0"]);
    }
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
}

#[test]
fn ipv4_registers_the_qualifying_a_records_in_the_same_update() {
    for server in [Server::Bind, Server::Knot, Server::PowerDns] {
        let world = World::with("host1.example.test", server);
        ipv4_of_every_kind(&world);
        let both = world.cached_config("both.conf", r#""ipv4": true"#);
        let serial = world.serial("example.test");
        world
            .run("pydyndns", &["-c", &both, "-v"], "")
            .ok()
            .stdout_is(
                "updated host1.example.test. in zone example.test. at ns1.example.test. ([::1]:53): \
                 10.1.2.3 198.51.100.7 2001:db8:10::1",
            );
        assert_eq!(
            world.records("host1.example.test", "A"),
            ["300 10.1.2.3", "300 198.51.100.7"],
            "{server:?}"
        );
        assert_eq!(
            world.aaaa("host1.example.test"),
            ["300 2001:db8:10::1"],
            "{server:?}"
        );
        // One update: the serial moved once (Knot and PowerDNS count each).
        assert_eq!(world.serial("example.test"), serial + 1, "{server:?}");
        // The cache keeps both families; nothing changes, nothing is sent.
        let cache = fs::read_to_string(world.cache()).unwrap();
        assert!(
            cache.contains(r#""ipv4":["10.1.2.3","198.51.100.7"]"#),
            "{cache}"
        );
        world.run("pydyndns", &["-c", &both], "").ok().quiet();
        assert_eq!(world.serial("example.test"), serial + 1, "{server:?}");

        // IPv4 only: A records, and the AAAA set goes with the name's records.
        let v4 = world.config(
            "v4.conf",
            r#"{"ttl": 300, "ipv4": true, "ipv6": {"enable": false}}"#,
        );
        world.run("pydyndns", &["-c", &v4], "").ok().quiet();
        assert_eq!(
            world.records("host1.example.test", "A"),
            ["300 10.1.2.3", "300 198.51.100.7"],
            "{server:?}"
        );
        assert!(world.aaaa("host1.example.test").is_empty(), "{server:?}");
    }
}

#[test]
fn dry_run_shows_the_a_records_and_both_off_is_refused() {
    let world = World::new("host1.example.test");
    ipv4_of_every_kind(&world);
    let both = world.config("both.conf", r#"{"ttl": 300, "ipv4": true}"#);
    let state = world.run("dyndns-addrs", &["-c", &both, "veth0"], "");
    state.ok();
    assert!(
        state
            .stdout
            .contains(r#""addresses":["2001:db8:10::1"],"ipv4":["10.1.2.3","198.51.100.7"]"#),
        "{state}"
    );
    world
        .run("dyndns-send", &["-c", &both, "--dry-run"], &state.stdout)
        .ok()
        .stdout_is(
            "server ns1.example.test. 53\nzone example.test.\nupdate delete host1.example.test.\n\
             update add host1.example.test. 300 IN A 10.1.2.3\n\
             update add host1.example.test. 300 IN A 198.51.100.7\n\
             update add host1.example.test. 300 IN AAAA 2001:db8:10::1\nsend",
        );
    // --explain gives the IPv4 verdicts too.
    world
        .run("dyndns-addrs", &["-c", &both, "--explain", "veth0"], "")
        .ok()
        .stdout_has_lines(&[
            "100.64.1.1/10",
            "left out: shared",
            "169.254.9.9/16",
            "left out: link-local",
        ]);
    let off = world.config(
        "off.conf",
        r#"{"ttl": 300, "ipv4": false, "ipv6": {"enable": false}}"#,
    );
    world
        .run("pydyndns", &["-c", &off], "")
        .status(2)
        .stderr_has("key \"ipv6.enable\": false, with \"ipv4\" off too, would register nothing");
}

/// PyDynDNS 1.2.1 itself and this tool, in turn, with one config: the same
/// A set in DNS, and its cache read as it is.
#[test]
fn after_pydyndns_1_2_1_the_same_set_sends_nothing_and_a_change_both_families() {
    let world = World::new("host1.example.test");
    ipv4_of_every_kind(&world);
    let conf = world.cached_config(
        "shared.conf",
        r#""ipv4": true, "ipv6": {"enable": true, "teredo": false}, "logging": {"version": 1}"#,
    );
    world
        .run_path(&crate::common::pydyndns_121(), &["-c", &conf, "veth0"])
        .ok();
    let theirs = world.records("host1.example.test", "A");
    assert_eq!(theirs, ["300 10.1.2.3", "300 198.51.100.7"]);
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::1"]);
    let cache = fs::read_to_string(world.cache()).unwrap();
    assert!(
        cache.contains(r#""ipv4": ["10.1.2.3", "198.51.100.7"]"#),
        "{cache}"
    );
    // Ours, with the same config and interface: nothing to send.
    let sent = world.updates_logged("example.test");
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(world.updates_logged("example.test"), sent);
    assert_eq!(fs::read_to_string(world.cache()).unwrap(), cache);
    // An IPv4 address changes: one update, both families.
    world.ip(&["addr", "add", "198.51.100.8/24", "dev", "veth0"]);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(world.updates_logged("example.test"), sent + 1);
    assert_eq!(
        world.records("host1.example.test", "A"),
        ["300 10.1.2.3", "300 198.51.100.7", "300 198.51.100.8"]
    );
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::1"]);
    // And PyDynDNS again, forced: the very same A set.
    let ours = world.records("host1.example.test", "A");
    world
        .run_path(
            &crate::common::pydyndns_121(),
            &["-c", &conf, "-f", "veth0"],
        )
        .ok();
    assert_eq!(world.records("host1.example.test", "A"), ours);
}

/// The live comparison and the check after sending cover the A set too.
#[test]
fn live_mode_and_verify_cover_the_a_records() {
    let world = World::new("host1.example.test");
    ipv4_of_every_kind(&world);
    let conf = world.config(
        "live.conf",
        r#"{"ttl": 300, "ipv4": true, "compare": "live", "verify": true}"#,
    );
    world.run("pydyndns", &["-c", &conf, "-v"], "").ok();
    assert_eq!(
        world.records("host1.example.test", "A"),
        ["300 10.1.2.3", "300 198.51.100.7"]
    );
    // An A record changed behind our back: the live run restores it.
    world.nsupdate("update delete host1.example.test. A 10.1.2.3\nupdate add host1.example.test. 300 A 192.0.2.99");
    world
        .run("pydyndns", &["-c", &conf, "-v"], "")
        .ok()
        .stderr_has("added 10.1.2.3")
        .stderr_has("removed 192.0.2.99")
        .stderr_has("verified: [::1]:53 serves what was sent");
    assert_eq!(
        world.records("host1.example.test", "A"),
        ["300 10.1.2.3", "300 198.51.100.7"]
    );
    // The dry run's JSON shows them too.
    let state = world.run("dyndns-addrs", &["-c", &conf], "");
    world
        .run("dyndns-send", &["-c", &conf, "--dry-run", "--format", "json"], &state.stdout)
        .ok()
        .stdout_has_lines(&[
            r#"{"name":"host1.example.test.","ttl":300,"class":"IN","type":"A","data":"10.1.2.3"}"#,
            r#"{"name":"host1.example.test.","ttl":300,"class":"IN","type":"AAAA","data":"2001:db8:10::1"}"#,
        ]);
}
