//! `"replace": "aaaa"` (touch only the AAAA set) and `"guard": true`
//! (compare-and-swap with RFC 2136 prerequisites), against every server.

use std::fs;

use crate::common::{Server, World, state};

/// Records of other types at the host's name, put there by somebody else.
fn others(world: &World) {
    world.nsupdate(
        "update add host1.example.test. 300 A 192.0.2.7\n\
         update add host1.example.test. 300 TXT \"kept\"\n\
         update add host1.example.test. 300 SSHFP 1 1 0123456789abcdef0123456789abcdef01234567",
    );
}

#[test]
fn replace_aaaa_keeps_the_other_types_and_all_removes_them() {
    for server in [Server::Bind, Server::Knot, Server::PowerDns] {
        let world = World::with("host1.example.test", server);
        world.add_address(&["2001:db8:10::1/64", "nodad"]);
        others(&world);
        let aaaa = world.config("aaaa.conf", r#"{"ttl": 300, "replace": "aaaa"}"#);
        world
            .run(
                "dyndns-send",
                &["-c", &aaaa, "--dry-run"],
                &state("host1.example.test.", &["2001:db8:10::1"]),
            )
            .ok()
            .stdout_has_lines(&["update delete host1.example.test. IN AAAA\n"]);
        world
            .run("pydyndns", &["-c", &aaaa, "veth0"], "")
            .ok()
            .quiet();
        assert_eq!(
            world.aaaa("host1.example.test"),
            ["300 2001:db8:10::1"],
            "{server:?}"
        );
        assert_eq!(
            world.records("host1.example.test", "A"),
            ["300 192.0.2.7"],
            "{server:?}"
        );
        assert_eq!(
            world.records("host1.example.test", "TXT"),
            ["300 \"kept\""],
            "{server:?}"
        );
        assert_eq!(
            world.records("host1.example.test", "SSHFP").len(),
            1,
            "{server:?}"
        );
        let all = world.config("all.conf", r#"{"ttl": 300, "replace": "all"}"#);
        world
            .run("pydyndns", &["-c", &all, "-f", "veth0"], "")
            .ok()
            .quiet();
        assert_eq!(
            world.aaaa("host1.example.test"),
            ["300 2001:db8:10::1"],
            "{server:?}"
        );
        for rtype in ["A", "TXT", "SSHFP"] {
            assert!(
                world.records("host1.example.test", rtype).is_empty(),
                "{server:?} {rtype}"
            );
        }
    }
}

#[test]
fn the_guard_never_overwrites_another_hosts_records() {
    for server in [Server::Bind, Server::Knot, Server::PowerDns] {
        let world = World::with("host1.example.test", server);
        world.add_address(&["2001:db8:10::1/64", "nodad"]);
        let guarded = world.cached_config("guarded.conf", r#""guard": true"#);
        // A first registration on an empty name: the name must hold no AAAA set.
        world
            .run("pydyndns", &["-c", &guarded, "veth0"], "")
            .ok()
            .quiet();
        assert_eq!(
            world.aaaa("host1.example.test"),
            ["300 2001:db8:10::1"],
            "{server:?}"
        );
        // A second host with the same name registers its own addresses.
        world
            .run(
                "dyndns-send",
                &["--zone", "example.test", "--server", "::1"],
                &state("host1.example.test.", &["2001:db8:99::99"]),
            )
            .ok();
        // Ours changes, and is refused: the name is not what we registered.
        let cache = fs::read_to_string(world.cache()).unwrap();
        world.add_address(&["2001:db8:10::2/64", "nodad"]);
        world
            .run("pydyndns", &["-c", &guarded, "veth0"], "")
            .status(1)
            .stderr_has("host1.example.test. was changed by somebody else")
            .stderr_has("the name holds [2001:db8:99::99], not what this host last registered");
        assert_eq!(
            world.aaaa("host1.example.test"),
            ["300 2001:db8:99::99"],
            "{server:?}"
        );
        assert_eq!(
            fs::read_to_string(world.cache()).unwrap(),
            cache,
            "{server:?}"
        );
        // -f takes it back, saying so.
        world
            .run("pydyndns", &["-c", &guarded, "-f", "veth0"], "")
            .ok()
            .stderr_has("-f: the guard is overridden once");
        assert_eq!(
            world.aaaa("host1.example.test"),
            ["300 2001:db8:10::1", "300 2001:db8:10::2"],
            "{server:?}"
        );
        // Over an unchanged name, a guarded update lands.
        world.add_address(&["2001:db8:10::3/64", "nodad"]);
        world
            .run("pydyndns", &["-c", &guarded, "veth0"], "")
            .ok()
            .quiet();
        assert_eq!(world.aaaa("host1.example.test").len(), 3, "{server:?}");
    }
    // The prerequisites, as nsupdate takes them.
    let world = World::new("host1.example.test");
    let mut doc = state("host1.example.test.", &["2001:db8:10::2"]);
    doc = doc.replace('}', r#","guard":{"aaaa":["2001:db8:10::1"]}}"#);
    world
        .run("dyndns-send", &["--dry-run"], &doc)
        .ok()
        .stdout_has_lines(&["prereq yxrrset host1.example.test. IN AAAA 2001:db8:10::1\nupdate delete host1.example.test.\n"]);
}

/// With `"replace": "all"`, a first registration deletes every RRset at
/// the name: the guard then asks that the name be unused (RFC 2136
/// §2.4.5), so another party's A and TXT records fail the update instead
/// of being deleted.
#[test]
fn the_guard_covers_what_replace_all_deletes() {
    for server in [Server::Bind, Server::Knot, Server::PowerDns] {
        let world = World::with("host1.example.test", server);
        world.add_address(&["2001:db8:10::1/64", "nodad"]);
        world.nsupdate(
            "update add host1.example.test. 300 A 192.0.2.9\nupdate add host1.example.test. 300 TXT \"theirs\"",
        );
        let guarded = world.cached_config("guarded.conf", r#""guard": true, "replace": "all""#);
        world
            .run("pydyndns", &["-c", &guarded, "veth0"], "")
            .status(1)
            .stderr_has("host1.example.test. was changed by somebody else")
            .stderr_has("(YXDOMAIN): the name holds records of somebody else's, which \"replace\": \"all\" would have deleted");
        assert_eq!(
            world.records("host1.example.test", "A"),
            ["300 192.0.2.9"],
            "{server:?}"
        );
        assert_eq!(
            world.records("host1.example.test", "TXT"),
            ["300 \"theirs\""],
            "{server:?}"
        );
        assert!(world.aaaa("host1.example.test").is_empty(), "{server:?}");
        assert!(!world.cache().exists(), "{server:?}");
    }
    // The prerequisite, as nsupdate takes it.
    let world = World::new("host1.example.test");
    let doc =
        state("host1.example.test.", &["2001:db8:10::2"]).replace('}', r#","guard":{"aaaa":[]}}"#);
    world
        .run("dyndns-send", &["--dry-run"], &doc)
        .ok()
        .stdout_has_lines(&[
            "prereq nxdomain host1.example.test.\nupdate delete host1.example.test.\n",
        ]);
}

#[test]
fn a_grant_of_aaaa_only_takes_replace_aaaa_and_refuses_all_saying_why() {
    let world = World::new("host1.grant.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = |replace: &str| {
        world.config(
            &format!("{replace}.conf"),
            &format!(
                r#"{{"ttl": 300, "replace": "{replace}", {}}}"#,
                world.tsig_json("hmac-sha256")
            ),
        )
    };
    world
        .run("pydyndns", &["-c", &conf("aaaa"), "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(world.aaaa("host1.grant.test"), ["300 2001:db8:10::1"]);
    world
        .run("pydyndns", &["-c", &conf("all"), "-f", "veth0"], "")
        .status(1)
        .stderr_has("REFUSED")
        .stderr_has("set \"replace\": \"aaaa\" or widen the grant");
}

/// The prerequisites are signed with the rest of a TSIG update.
#[test]
fn the_guard_works_signed() {
    let world = World::new("host1.signed.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.cached_config(
        "signed.conf",
        &format!(
            r#""guard": true, "replace": "aaaa", {}"#,
            world.tsig_json("hmac-sha256")
        ),
    );
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    let key = world.key_file("hmac-sha256").display().to_string();
    world
        .run(
            "dyndns-send",
            &["-k", &key, "--zone", "signed.test", "--server", "::1"],
            &state("host1.signed.test.", &["2001:db8:99::99"]),
        )
        .ok();
    world.add_address(&["2001:db8:10::2/64", "nodad"]);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(1)
        .stderr_has("(NXRRSET)")
        .stderr_has("the name holds [2001:db8:99::99]");
    world
        .run("pydyndns", &["-c", &conf, "-f", "veth0"], "")
        .ok();
    assert_eq!(
        world.aaaa("host1.signed.test"),
        ["300 2001:db8:10::1", "300 2001:db8:10::2"]
    );
}
