//! The pipeline's and TSIG's acceptance tests against each of BIND 9, Knot
//! DNS and PowerDNS Authoritative. Where a server legitimately answers
//! differently, `expect` says so per server; what is checked stays the same.

use crate::common::{ALGORITHMS, DEAD_ADDRESS, Server, World, state};

/// What each server answers to a failed update (doc/SERVERS.md), as our message says it.
struct Expected {
    /// An unsigned update to a zone that only keys may update.
    unsigned_to_tsig_zone: &'static str,
    /// An update to a zone that takes none.
    no_updates: &'static str,
    /// A signed update with the wrong secret.
    wrong_secret: &'static str,
    /// A signed update with a key the server does not know.
    unknown_key: &'static str,
}

const HOST_REFUSED: &str = "REFUSED: the server does not let this host update the name";
const HOST_NOTAUTH: &str = "NOTAUTH: the server does not let this host update the name";
/// PowerDNS answers a bad key with a bare, unsigned REFUSED: no TSIG error to
/// name, so the message lists the likely causes instead.
const KEY_REFUSED: &str = "REFUSED: the server does not let this key update the name, or the key name, algorithm or secret differ from the server's";

fn expect(server: Server) -> Expected {
    match server {
        Server::Bind => Expected {
            unsigned_to_tsig_zone: HOST_REFUSED,
            no_updates: HOST_REFUSED,
            wrong_secret: "NOTAUTH (TSIG error BADSIG: the server rejected our MAC; the secret (or algorithm) differs from the server's)",
            unknown_key: "NOTAUTH (TSIG error BADKEY: the server does not know this key name and algorithm)",
        },
        Server::Knot => Expected {
            unsigned_to_tsig_zone: HOST_NOTAUTH,
            no_updates: HOST_NOTAUTH,
            wrong_secret: "NOTAUTH (TSIG error BADSIG: the server rejected our MAC; the secret (or algorithm) differs from the server's)",
            unknown_key: "NOTAUTH (TSIG error BADKEY: the server does not know this key name and algorithm)",
        },
        Server::PowerDns => Expected {
            unsigned_to_tsig_zone: HOST_REFUSED,
            no_updates: HOST_REFUSED,
            wrong_secret: KEY_REFUSED,
            unknown_key: KEY_REFUSED,
        },
        Server::Samba | Server::PowerDnsPgsql => {
            unreachable!("the Samba and PostgreSQL worlds have tests of their own")
        }
    }
}

fn address_set(server: Server) {
    let world = World::with("host1.example.test", server);
    crate::addrs::mixed_addresses(&world);
    let conf = world.default_config(300);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(
        world.aaaa("host1.example.test"),
        ["300 2001:db8:10::1", "300 2001:db8:20::1"]
    );
}

fn sends_only_on_change(server: Server) {
    let world = World::with("host1.example.test", server);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
    let first = world.serial("example.test");
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(
        world.serial("example.test"),
        first,
        "unchanged: nothing sent"
    );
    world.add_address(&["2001:db8:10::2/64", "nodad"]);
    world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
    assert_eq!(world.serial("example.test"), first + 1);
    let conf = world.default_config(120);
    world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
    assert_eq!(
        world.aaaa("host1.example.test"),
        ["120 2001:db8:10::1", "120 2001:db8:10::2"]
    );
    // Changed behind our back: only -f puts it right.
    world.nsupdate("update delete host1.example.test. AAAA\nupdate add host1.example.test. 120 AAAA 2001:db8:77::1");
    world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
    assert_eq!(world.aaaa("host1.example.test"), ["120 2001:db8:77::1"]);
    world
        .run("pydyndns", &["-c", &conf, "-f", "veth0"], "")
        .ok();
    assert_eq!(
        world.aaaa("host1.example.test"),
        ["120 2001:db8:10::1", "120 2001:db8:10::2"]
    );
    world.del_address("2001:db8:10::1/64");
    world.del_address("2001:db8:10::2/64");
    world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
    assert!(world.aaaa("host1.example.test").is_empty());
}

fn below_the_apex(server: Server) {
    let world = World::with("a.b.example.test", server);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(world.aaaa("a.b.example.test"), ["300 2001:db8:10::1"]);
}

fn dead_first_address(server: Server) {
    let world = World::with("host1.example.test", server);
    let conf = world.default_config(300);
    let r = world.run(
        "dyndns-send",
        &["-c", &conf, "-v"],
        &state("h.dead.test.", &["2001:db8::1"]),
    );
    r.ok()
        .stderr_has(&format!("[{DEAD_ADDRESS}]:53: Connection refused"));
    assert_eq!(world.aaaa("h.dead.test"), ["300 2001:db8::1"]);
}

fn every_tsig_algorithm(server: Server) {
    let world = World::with("host1.example.test", server);
    for (i, algorithm) in ALGORITHMS.iter().enumerate() {
        let conf = world.tsig_config(
            &format!("{algorithm}.conf"),
            algorithm,
            &format!("key-{algorithm}"),
            &world.secret(algorithm),
        );
        let name = format!("i-{algorithm}.signed.test.");
        let addr = format!("2001:db8:30::{}", i + 1);
        world
            .run("dyndns-send", &["-c", &conf], &state(&name, &[&addr]))
            .ok()
            .quiet();
        assert_eq!(
            world.aaaa(&name),
            [format!("300 {addr}")],
            "{algorithm} inline"
        );
        let file = world.key_file(algorithm).display().to_string();
        let conf = world.config(
            &format!("{algorithm}-file.conf"),
            &format!(r#"{{"ttl": 300, "tsig": {{"file": "{file}"}}}}"#),
        );
        let name = format!("f-{algorithm}.signed.test.");
        world
            .run("dyndns-send", &["-c", &conf], &state(&name, &[&addr]))
            .ok()
            .quiet();
        assert_eq!(
            world.aaaa(&name),
            [format!("300 {addr}")],
            "{algorithm} from a key file"
        );
    }
}

/// A signed update with `conf` that fails with `want` (see [`World::signed_update_fails`]).
fn fails_and_keeps(world: &World, conf: &str, want: &str) {
    world.signed_update_fails(|input| world.run("dyndns-send", &["-c", conf], input), want);
}

fn wrong_secret(server: Server) {
    let world = World::with("host1.example.test", server);
    let bad = world.tsig_config(
        "bad.conf",
        "hmac-sha256",
        "key-hmac-sha256",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    );
    fails_and_keeps(&world, &bad, expect(server).wrong_secret);
}

fn unknown_key(server: Server) {
    let world = World::with("host1.example.test", server);
    let bad = world.tsig_config(
        "bad.conf",
        "hmac-sha256",
        "no-such-key",
        &world.secret("hmac-sha256"),
    );
    fails_and_keeps(&world, &bad, expect(server).unknown_key);
}

fn refusals(server: Server) {
    let world = World::with("host1.example.test", server);
    let conf = world.default_config(300);
    let serial = world.serial("signed.test");
    world
        .run(
            "dyndns-send",
            &["-c", &conf],
            &state("h.signed.test.", &["2001:db8::1"]),
        )
        .status(1)
        .stderr_has(&format!(
            "[::1]:53: {}",
            expect(server).unsigned_to_tsig_zone
        ));
    assert_eq!(world.serial("signed.test"), serial);
    world
        .run(
            "dyndns-send",
            &["-c", &conf],
            &state("h.noupdate.test.", &["2001:db8::1"]),
        )
        .status(1)
        .stderr_has(&format!("[::1]:53: {}", expect(server).no_updates));
    assert!(world.aaaa("h.noupdate.test").is_empty());
    assert!(!world.cache().exists());
}

macro_rules! per_server {
    ($($scenario:ident),* $(,)?) => {
        mod bind {
            $(#[test] fn $scenario() { super::$scenario(crate::common::Server::Bind) })*
        }
        mod knot {
            $(#[test] fn $scenario() { super::$scenario(crate::common::Server::Knot) })*
        }
        mod powerdns {
            $(#[test] fn $scenario() { super::$scenario(crate::common::Server::PowerDns) })*
        }
    };
}

per_server!(
    address_set,
    sends_only_on_change,
    below_the_apex,
    dead_first_address,
    every_tsig_algorithm,
    wrong_secret,
    unknown_key,
    refusals,
);
