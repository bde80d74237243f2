//! `dyndns-soa`: the zone and primary, through the namespace's resolver (BIND).

use crate::common::World;

#[test]
fn by_hand_prints_the_primary() {
    let world = World::new("host1.example.test");
    world
        .run("dyndns-soa", &["host1.example.test"], "")
        .ok()
        .quiet()
        .stdout_is("ns1.example.test.");
    // The apex itself, and a name two labels below it (no zone cut at b).
    world
        .run("dyndns-soa", &["example.test."], "")
        .ok()
        .stdout_is("ns1.example.test.");
    world
        .run("dyndns-soa", &["a.b.example.test"], "")
        .ok()
        .stdout_is("ns1.example.test.");
    world
        .run("dyndns-soa", &["x.dead.test"], "")
        .ok()
        .stdout_is("ns.dead.test.");
}

#[test]
fn in_a_pipeline_adds_zone_and_server() {
    let world = World::new("host1.example.test");
    let state =
        r#"{"hostname":"a.b.example.test.","ttl":300,"addresses":["2001:db8:10::1"],"site":"lab"}"#;
    world.run("dyndns-soa", &[], state).ok().quiet().stdout_is(
        r#"{"hostname":"a.b.example.test.","ttl":300,"addresses":["2001:db8:10::1"],"zone":"example.test.","server":"ns1.example.test.","site":"lab"}"#,
    );
    world.run("dyndns-soa", &[], "").ok().stdout_is("").quiet();
}

#[test]
fn name_outside_every_zone_fails() {
    let world = World::new("host1.example.test");
    world
        .run(
            "dyndns-soa",
            &["--timeout", "2", "host1.elsewhere.invalid"],
            "",
        )
        .status(1)
        .stdout_is("")
        .stderr_has("dyndns-soa: no zone found for host1.elsewhere.invalid.");
    world
        .run("dyndns-soa", &[], "{")
        .status(2)
        .stderr_has("standard input is not valid JSON");
}
