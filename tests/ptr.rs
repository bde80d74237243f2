//! `"ptr"`: the reverse side, one update per reverse zone, against every
//! server. The world's reverse zones (see `common`): 2001:db8:10::/48 and
//! 2001:db8:20::/48 open to loopback, 2001:db8:30::/48 open only to the
//! hmac-sha256 key, and 198.51.100.0/24.

use std::fs;
use std::net::IpAddr;

use crate::common::{REVERSE_10, REVERSE_20, REVERSE_30, REVERSE_V4, Server, World};

/// The reverse name of an address (RFC 3596 §2.5, RFC 1035 §3.5).
fn reverse(addr: &str) -> String {
    match addr.parse::<IpAddr>().unwrap() {
        IpAddr::V6(a) => {
            let hex: String = a.octets().iter().map(|o| format!("{o:02x}")).collect();
            let nibbles: Vec<String> = hex.chars().rev().map(String::from).collect();
            format!("{}.ip6.arpa.", nibbles.join("."))
        }
        IpAddr::V4(a) => {
            let o = a.octets();
            format!("{}.{}.{}.{}.in-addr.arpa.", o[3], o[2], o[1], o[0])
        }
    }
}

/// The PTR records at an address's reverse name, as "TTL TARGET".
fn ptr(world: &World, addr: &str) -> Vec<String> {
    world.records(&reverse(addr), "PTR")
}

const HOST: &str = "300 host1.example.test.";

#[test]
fn every_address_gets_its_ptr_in_its_own_zone_and_only_its_own_is_deleted() {
    for server in [Server::Bind, Server::Knot, Server::PowerDns] {
        let world = World::with("host1.example.test", server);
        for a in [
            "2001:db8:10::1/64",
            "2001:db8:10::2/64",
            "2001:db8:20::1/64",
        ] {
            world.add_address(&[a, "nodad"]);
        }
        let conf = world.cached_config("ptr.conf", r#""ptr": true"#);
        let serials = |w: &World| (w.serial(REVERSE_10), w.serial(REVERSE_20));
        let before = serials(&world);
        world
            .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
            .ok()
            .stdout_has_lines(&[
                &format!("updated PTR in zone {REVERSE_10}. at ns1.example.test. ([::1]:53): 2001:db8:10::1 2001:db8:10::2 → host1.example.test.\n"),
                &format!("updated PTR in zone {REVERSE_20}. at ns1.example.test. ([::1]:53): 2001:db8:20::1 → host1.example.test.\n"),
            ]);
        for a in ["2001:db8:10::1", "2001:db8:10::2", "2001:db8:20::1"] {
            assert_eq!(ptr(&world, a), [HOST], "{server:?} {a}");
        }
        // One update per zone: each zone's serial moved once.
        let after = serials(&world);
        assert_eq!(
            (
                after.0.wrapping_sub(before.0),
                after.1.wrapping_sub(before.1)
            ),
            (1, 1),
            "{server:?}"
        );
        let cache = fs::read_to_string(world.cache()).unwrap();
        assert!(
            cache.contains(&format!(
                r#"{{"address":"2001:db8:20::1","name":"{}","zone":"{REVERSE_20}.","server":"ns1.example.test."}}"#,
                reverse("2001:db8:20::1")
            )),
            "{server:?}: {cache}"
        );
        // Nothing changed: nothing sent.
        world
            .run("pydyndns", &["-c", &conf, "veth0"], "")
            .ok()
            .quiet();
        assert_eq!(serials(&world), after, "{server:?}");

        // Two addresses go; one of them has meanwhile been given to another host.
        world.del_address("2001:db8:10::2/64");
        world.del_address("2001:db8:20::1/64");
        world.nsupdate(&format!(
            "update delete {n} PTR\nupdate add {n} 300 PTR other.example.test.",
            n = reverse("2001:db8:20::1")
        ));
        world
            .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
            .ok()
            .stdout_has_lines(&[&format!(
                "updated PTR in zone {REVERSE_20}. at ns1.example.test. ([::1]:53): deleted 2001:db8:20::1\n"
            )]);
        assert_eq!(ptr(&world, "2001:db8:10::1"), [HOST], "{server:?}");
        assert!(ptr(&world, "2001:db8:10::2").is_empty(), "{server:?}");
        assert_eq!(
            ptr(&world, "2001:db8:20::1"),
            ["300 other.example.test."],
            "{server:?}: another host's PTR stays"
        );
        assert_eq!(
            world.aaaa("host1.example.test"),
            ["300 2001:db8:10::1"],
            "{server:?}"
        );
        let cache = fs::read_to_string(world.cache()).unwrap();
        assert!(
            !cache.contains("2001:db8:20::1") && !cache.contains("2001:db8:10::2"),
            "{server:?}: {cache}"
        );
    }
}

#[test]
fn a_refusing_reverse_zone_fails_alone_and_the_next_run_completes_it() {
    for server in [Server::Bind, Server::Knot, Server::PowerDns] {
        let world = World::with("host1.example.test", server);
        world.add_address(&["2001:db8:10::1/64", "nodad"]);
        world.add_address(&["2001:db8:30::1/64", "nodad"]);
        let conf = world.cached_config("ptr.conf", r#""ptr": true"#);
        let refused = world.run("pydyndns", &["-c", &conf, "veth0"], "");
        refused.status(1).stderr_has(&format!(
            "update of the PTR records in zone {REVERSE_30}. failed at every address of ns1.example.test.: [::1]:53: "
        ));
        let rcode = match server {
            Server::Knot => "NOTAUTH",
            _ => "REFUSED",
        };
        refused
            .stderr_has(rcode)
            .stderr_has("the next run sends only what failed");
        // The forward records and the other zone landed.
        assert_eq!(
            world.aaaa("host1.example.test"),
            ["300 2001:db8:10::1", "300 2001:db8:30::1"],
            "{server:?}"
        );
        assert_eq!(ptr(&world, "2001:db8:10::1"), [HOST], "{server:?}");
        assert!(ptr(&world, "2001:db8:30::1").is_empty(), "{server:?}");
        let forward = world.serial("example.test");
        let other = world.serial(REVERSE_10);

        // The zone's key given: the next run sends only that zone's update.
        let key = world.key_file("hmac-sha256");
        let signed = world.cached_config(
            "signed.conf",
            &format!(r#""ptr": {{"tsig": {{"file": "{}"}}}}"#, key.display()),
        );
        world
            .run("pydyndns", &["-c", &signed, "-v", "veth0"], "")
            .ok()
            .stdout_is(&format!(
                "updated PTR in zone {REVERSE_30}. at ns1.example.test. ([::1]:53): 2001:db8:30::1 → host1.example.test.\n"
            ));
        assert_eq!(ptr(&world, "2001:db8:30::1"), [HOST], "{server:?}");
        assert_eq!(
            world.serial("example.test"),
            forward,
            "{server:?}: forward resent"
        );
        assert_eq!(
            world.serial(REVERSE_10),
            other,
            "{server:?}: other zone resent"
        );
        world
            .run("pydyndns", &["-c", &signed, "veth0"], "")
            .ok()
            .quiet();
    }
}

#[test]
fn an_address_without_a_reverse_zone_fails_alone_run_after_run() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    world.add_address(&["2001:db8:40::1/64", "nodad"]);
    let conf = world.cached_config("ptr.conf", r#""ptr": true"#);
    let nowhere = reverse("2001:db8:40::1");
    for then in [
        "the rest landed (updated host1.example.test. in zone example.test.",
        "; the next run tries again",
    ] {
        world
            .run("pydyndns", &["-c", &conf, "veth0"], "")
            .status(1)
            .stderr_has(&format!(
                "no zone found for {nowhere}: no SOA record answers for it or its parents: "
            ))
            .stderr_has("Refused for . SOA")
            .stderr_has(then);
        assert_eq!(
            world.aaaa("host1.example.test"),
            ["300 2001:db8:10::1", "300 2001:db8:40::1"]
        );
        assert_eq!(ptr(&world, "2001:db8:10::1"), [HOST]);
    }
    // The forward update and the other zone's went once, not again.
    assert_eq!(world.updates_logged("example.test"), 1);
    assert_eq!(world.serial(REVERSE_10), 2);
}

#[test]
fn ipv4_addresses_get_in_addr_arpa_ptr_records() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:20::1/64", "nodad"]);
    world.add_address(&["198.51.100.7/24"]);
    let conf = world.cached_config("ptr.conf", r#""ipv4": true, "ptr": {"ttl": 600}"#);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(ptr(&world, "198.51.100.7"), ["600 host1.example.test."]);
    assert_eq!(ptr(&world, "2001:db8:20::1"), ["600 host1.example.test."]);
    assert_eq!(world.serial(REVERSE_V4), 2);
}

#[test]
fn the_dry_run_is_one_block_per_zone_and_nsupdate_lands_the_same_records() {
    let ours = World::new("host1.example.test");
    let theirs = World::new("host1.example.test");
    for world in [&ours, &theirs] {
        for a in [
            "2001:db8:10::1/64",
            "2001:db8:10::2/64",
            "2001:db8:20::1/64",
        ] {
            world.add_address(&[a, "nodad"]);
        }
    }
    let conf = ours.config("ptr.conf", r#"{"ttl": 300, "ptr": true}"#);
    let state = ours.run("dyndns-addrs", &["-c", &conf, "veth0"], "");
    state.ok();
    let script = ours.run("dyndns-send", &["-c", &conf, "--dry-run"], &state.stdout);
    script.ok().stdout_has_lines(&[
        &format!("send\nserver ns1.example.test. 53\nzone {REVERSE_10}.\n"),
        &format!(
            "update delete {n} IN PTR\nupdate add {n} 300 IN PTR host1.example.test.\n",
            n = reverse("2001:db8:10::2")
        ),
        &format!("server ns1.example.test. 53\nzone {REVERSE_20}.\n"),
    ]);
    assert_eq!(
        script.stdout.matches("\nsend").count(),
        3,
        "{}",
        script.stdout
    );
    ours.run("dyndns-send", &["-c", &conf], &state.stdout).ok();
    theirs
        .run_shell(&format!("nsupdate <<'EOF'\n{}\nEOF", script.stdout))
        .ok();
    for name in [
        "host1.example.test".to_owned(),
        reverse("2001:db8:10::1"),
        reverse("2001:db8:10::2"),
        reverse("2001:db8:20::1"),
    ] {
        let rtype = if name.ends_with("arpa.") {
            "PTR"
        } else {
            "AAAA"
        };
        let (a, b) = (ours.records(&name, rtype), theirs.records(&name, rtype));
        assert!(!a.is_empty(), "{name}");
        assert_eq!(a, b, "{name}");
    }
    // JSON: one object per update, one per line.
    let json = ours.run(
        "dyndns-send",
        &["-c", &conf, "--dry-run", "--format", "json"],
        &state.stdout,
    );
    json.ok();
    let docs: Vec<serde_json::Value> = json
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[1]["zone"], format!("{REVERSE_10}."));
    assert_eq!(docs[1]["replace_ptr"].as_array().unwrap().len(), 2);
}

#[test]
fn live_mode_and_check_cover_the_ptr_side() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.cached_config("ptr.conf", r#""ptr": true, "compare": "live""#);
    world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
    world
        .run("pydyndns", &["-c", &conf, "--check", "veth0"], "")
        .ok()
        .stdout_has_lines(&["PTR right for all 1 |"]);
    // Changed behind our back: live mode puts it right, sending only the PTR.
    world.nsupdate(&format!(
        "update delete {n} PTR\nupdate add {n} 300 PTR wrong.example.test.",
        n = reverse("2001:db8:10::1")
    ));
    world
        .run("pydyndns", &["-c", &conf, "--check", "veth0"], "")
        .status(2)
        .stdout_has_lines(&["DYNDNS CRITICAL - 1 of 1 PTR records wrong: 2001:db8:10::1 has PTR wrong.example.test., not host1.example.test."]);
    let forward = world.serial("example.test");
    world
        .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
        .ok()
        .stdout_is(&format!(
            "updated PTR in zone {REVERSE_10}. at ns1.example.test. ([::1]:53): 2001:db8:10::1 → host1.example.test.\n"
        ));
    assert_eq!(ptr(&world, "2001:db8:10::1"), [HOST]);
    assert_eq!(world.serial("example.test"), forward);
}

#[test]
fn a_hand_made_ptr_side_is_checked_before_anything_is_sent() {
    let doc = |record: &str| {
        format!(
            r#"{{"hostname":"h.example.test.","ttl":300,"addresses":["2001:db8::1"],"ptr":{{"ttl":300,"records":[{record}]}}}}"#
        )
    };
    let name = reverse("2001:db8::1");
    let bad = [
        (
            r#"{"address":"2001:db8::1","name":"1.0.0.127.in-addr.arpa."}"#.to_owned(),
            format!(
                "key \"ptr.records[0]\": key \"name\": 1.0.0.127.in-addr.arpa. is not the reverse name of 2001:db8::1; it is {name}"
            ),
        ),
        (
            format!(r#"{{"address":"2001:db8::1","name":"{name}","server":"ns1\nsend"}}"#),
            "key \"server\": not a server".to_owned(),
        ),
        (
            format!(r#"{{"address":"2001:db8::1","name":"{name}","zone":"example.test."}}"#),
            format!("key \"zone\": example.test. does not hold {name}"),
        ),
        (
            format!(r#"{{"address":"2001:db8::1","name":"{name}","srv":"x"}}"#),
            "key \"ptr.records[0].srv\": unknown field `srv`".to_owned(),
        ),
    ];
    for (record, want) in bad {
        crate::common::run("dyndns-send", &["--dry-run"], &doc(&record))
            .status(2)
            .stderr_has(&want)
            .stdout_is("");
    }
}
