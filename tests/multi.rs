//! `"servers"`: beyond one primary. A multi-master zone (two PowerDNS
//! primaries on one PostgreSQL database) takes the update through
//! whichever primary is up; a secondary that refuses is skipped and never
//! blamed; an answer about the update itself (BADKEY) is no outage and
//! goes nowhere else; silent servers end within the run's bound.

use std::fs;
use std::time::{Duration, Instant};

use crate::common::pgsql::{NS1, NS2};
use crate::common::{REVERSE_10, SECONDARY_ADDRESS, SILENT_NET, Server, World};
use crate::converge::Secondary;

const NAME: &str = "host1.multi.test";

/// The PTR record of 2001:db8:10::N as the server at `at` serves it.
fn ptr_at(world: &World, at: &str, n: u8) -> Vec<String> {
    let reverse = format!("{n:x}.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.{REVERSE_10}");
    world.pg.as_ref().unwrap().records_at(at, &reverse, "PTR")
}

#[test]
fn a_multi_master_zone_takes_the_update_through_whichever_primary_is_up() {
    crate::common::require("psql", "postgresql");
    let mut world = World::with(NAME, Server::PowerDnsPgsql);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let tsig = world.tsig_json("hmac-sha256");
    let conf = world.cached_config(
        "multi.conf",
        &format!(r#"{tsig}, "servers": "primary-then-ns", "ptr": true"#),
    );
    // Both up: the MNAME takes it, and both serve it (one database).
    world
        .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
        .ok()
        .stderr_has(&format!(
            "sending the update to ns1.multi.test. at [{NS1}]:53"
        ));
    let pg = world.pg.as_ref().unwrap();
    for at in [NS1, NS2] {
        assert_eq!(
            pg.records_at(at, NAME, "AAAA"),
            ["300 2001:db8:10::1"],
            "{at}"
        );
    }
    let cache = fs::read_to_string(world.cache()).unwrap();
    assert!(cache.contains(r#""server":"ns1.multi.test.""#), "{cache}");

    // The MNAME down: ns2 takes the forward and the PTR update, without a
    // word unless asked (-v names each try).
    world.pg.as_mut().unwrap().stop(0);
    world.add_address(&["2001:db8:10::2/64", "nodad"]);
    world
        .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
        .ok()
        .stderr_has(&format!(
            "ns1.multi.test. could not take the update ([{NS1}]:53: "
        ))
        .stderr_has(&format!(
            "sending the update to ns2.multi.test. at [{NS2}]:53"
        ));
    let pg = world.pg.as_ref().unwrap();
    assert_eq!(
        pg.records_at(NS2, NAME, "AAAA"),
        ["300 2001:db8:10::1", "300 2001:db8:10::2"]
    );
    assert_eq!(ptr_at(&world, NS2, 2), [format!("300 {NAME}.")]);
    let cache = fs::read_to_string(world.cache()).unwrap();
    assert!(cache.contains(r#""server":"ns2.multi.test.""#), "{cache}");
    world.add_address(&["2001:db8:10::3/64", "nodad"]);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();

    // --live and --check read the first server that answers, and say which.
    let plain = world.cached_config(
        "plain.conf",
        &format!(r#"{tsig}, "servers": "primary-then-ns""#),
    );
    world
        .run("pydyndns", &["-c", &plain, "--live", "-v", "veth0"], "")
        .ok()
        .stderr_has(&format!(
            "the server ns2.multi.test. ([{NS2}]:53) serves these addresses"
        ));
    let check = world.run("pydyndns", &["-c", &plain, "--check", "veth0"], "");
    assert!(
        check.stdout.starts_with(&format!(
            "DYNDNS WARNING - {NAME}. is right at ns2.multi.test., but ns1.multi.test. "
        )),
        "{}",
        check.stdout
    );

    // ns1 back: it serves what ns2 wrote.
    world.pg.as_mut().unwrap().start(0);
    let pg = world.pg.as_ref().unwrap();
    assert_eq!(pg.records_at(NS1, NAME, "AAAA").len(), 3);
    assert_eq!(ptr_at(&world, NS1, 3), [format!("300 {NAME}.")]);

    // Both down: exit 1, each server named with its failure; the cache
    // stays as it was.
    world.pg.as_mut().unwrap().stop(0);
    world.pg.as_mut().unwrap().stop(1);
    world.add_address(&["2001:db8:10::4/64", "nodad"]);
    let before = fs::read_to_string(world.cache()).unwrap();
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(1)
        .stderr_has(&format!(
            "update of {NAME}. in zone multi.test. failed at each of 2 servers: "
        ))
        .stderr_has(&format!("ns1.multi.test. [[{NS1}]:53: "))
        .stderr_has(&format!("ns2.multi.test. [[{NS2}]:53: "));
    assert_eq!(fs::read_to_string(world.cache()).unwrap(), before);
}

#[test]
fn a_secondary_that_refuses_is_skipped_and_never_the_cause() {
    let world = World::new("host1.two.test");
    let _secondary = Secondary::start(&world);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    // The secondary first, as a list may put it: BIND refuses an update
    // it may not forward.
    let conf = world.cached_config(
        "list.conf",
        r#""servers": ["ns2.two.test.", "ns1.two.test."]"#,
    );
    world
        .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
        .ok()
        .stderr_has(&format!(
            "ns2.two.test. could not take the update ([{SECONDARY_ADDRESS}]:53: REFUSED"
        ))
        .stderr_has("sending the update to ns1.two.test. at [::1]:53");
    assert_eq!(world.aaaa("host1.two.test"), ["300 2001:db8:10::1"]);
    let cache = fs::read_to_string(world.cache()).unwrap();
    assert!(cache.contains(r#""server":"ns1.two.test.""#), "{cache}");
    // Without -v, a run that landed says nothing of the refusal.
    world.add_address(&["2001:db8:10::2/64", "nodad"]);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(world.aaaa("host1.two.test").len(), 2);
}

#[test]
fn badkey_at_the_first_server_is_an_answer_not_an_outage() {
    let world = World::new("host1.signed.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    // A key the server does not know (BADKEY, RFC 8945 §5.2.1).
    let conf = world.cached_config(
        "badkey.conf",
        r#""tsig": {"algorithm": "hmac-sha256", "keyname": "no-such-key", "key": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}, "servers": ["::1", "127.0.0.1"]"#,
    );
    let run = world.run("pydyndns", &["-c", &conf, "-v", "veth0"], "");
    run.status(1)
        .stderr_has("failed at every address of ::1: [::1]:53: NOTAUTH (TSIG error BADKEY");
    assert!(
        !run.stderr.contains("127.0.0.1") && !run.stderr.contains("trying the next server"),
        "{}",
        run.stderr
    );
    assert!(world.aaaa("host1.signed.test").is_empty());
    assert!(!world.cache().exists());
}

#[test]
fn silent_servers_end_within_the_runs_bound() {
    let world = World::new("host1.example.test");
    world.add_address(&[SILENT_NET, "nodad"]);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.cached_config(
        "silent.conf",
        r#""timeout": 1, "servers": ["2001:db8:99::5", "2001:db8:99::6", "2001:db8:99::7"]"#,
    );
    let started = Instant::now();
    let run = world.run("pydyndns", &["-c", &conf, "veth0"], "");
    let took = started.elapsed();
    run.status(1)
        .stderr_has("failed at each of 3 servers: 2001:db8:99::5 [[2001:db8:99::5]:53: no answer within 1s]")
        .stderr_has("2001:db8:99::7 [");
    // Five timeouts bound a run (two for the lookups, three for the update).
    assert!(took < Duration::from_secs(5), "the run took {took:?}");
    assert!(!world.cache().exists());
}
