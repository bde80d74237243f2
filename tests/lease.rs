//! `"lease"`: every update asks for an Update Lease (RFC 9664); where the
//! server ignores it (BIND 9.18, Knot 3.2, PowerDNS 4.7 all do), the lease
//! marker TXT record says when the records expire, renewed at 80–85 % of
//! the lease; where a server grants one, its lease is used and no marker
//! is written.

use std::fs;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::{Killed, Server, World, require, state};

const NAME: &str = "host1.example.test";

/// The lease markers at the name, their text.
fn markers(world: &World) -> Vec<String> {
    world
        .records(NAME, "TXT")
        .into_iter()
        .filter_map(|r| {
            let text = r.split_once(' ')?.1.trim_matches('"').to_owned();
            text.starts_with("dyndns-lease").then_some(text)
        })
        .collect()
}

/// When a marker says its lease ends, seconds since the epoch.
fn expiry(marker: &str) -> u64 {
    let when = marker.strip_prefix("dyndns-lease expires=").unwrap();
    let out = Command::new("date")
        .args(["-u", "-d", when, "+%s"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn a_server_that_ignores_leases_gets_a_marker_renewed_in_time_and_other_txt_stays() {
    for server in [Server::Bind, Server::Knot, Server::PowerDns] {
        let world = World::with(NAME, server);
        world.add_address(&["2001:db8:10::1/64", "nodad"]);
        world.nsupdate(&format!("update add {NAME}. 300 TXT \"kept\""));
        let conf = world.cached_config(
            "lease.conf",
            r#""replace": "aaaa", "lease": 4, "ptr": true"#,
        );
        let before = now();
        world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
        assert_eq!(world.aaaa(NAME), ["300 2001:db8:10::1"], "{server:?}");
        // The PTR update carries the option too, and lands.
        let reverse = format!(
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.{}",
            crate::common::REVERSE_10
        );
        assert_eq!(
            world.records(&reverse, "PTR"),
            [format!("300 {NAME}.")],
            "{server:?}"
        );
        let first = markers(&world);
        assert_eq!(first.len(), 1, "{server:?}: {first:?}");
        let ends = expiry(&first[0]);
        assert!(
            (before + 4..=now() + 4).contains(&ends),
            "{server:?}: {}",
            first[0]
        );
        let cache = fs::read_to_string(world.cache()).unwrap();
        assert!(
            cache.contains(&format!(r#""lease":{{"secs":4,"marker":"{}"}}"#, first[0])),
            "{cache}"
        );
        // Renewed only once 80 % of the lease (and up to 5 % more) is past.
        world
            .run("pydyndns", &["-c", &conf, "veth0"], "")
            .ok()
            .quiet();
        sleep(Duration::from_millis(3500));
        world
            .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
            .ok()
            .stderr_has("differs: lease renewal due: last confirmed ")
            .stderr_has("s ago (lease 4s)");
        let second = markers(&world);
        assert_eq!(
            second.len(),
            1,
            "{server:?}: the old marker deleted by value"
        );
        assert!(expiry(&second[0]) > ends, "{server:?}");
        assert!(
            world
                .records(NAME, "TXT")
                .contains(&"300 \"kept\"".to_owned()),
            "{server:?}"
        );
        // The lease off: the marker goes at the next run, "kept" stays.
        let off = world.cached_config("lease.conf", r#""replace": "aaaa", "ptr": true"#);
        world
            .run("pydyndns", &["-c", &off, "-v", "veth0"], "")
            .ok()
            .stderr_has("the lease marker to delete (\"lease\" is off)");
        assert!(markers(&world).is_empty(), "{server:?}");
        assert_eq!(world.records(NAME, "TXT"), ["300 \"kept\""], "{server:?}");
    }
}

/// A responder on [::1]:5354 that answers every UPDATE with NOERROR and
/// the Update Lease option granting 2 s, and writes, per update, the
/// option it was sent and the TXT records the update adds.
const GRANTING: &str = r#"
import socket, sys
log = open(sys.argv[1], "a", buffering=1)
def name(b, i):
    while True:
        n = b[i]
        if n == 0: return i + 1
        if n & 0xc0: return i + 2
        i += n + 1
l = socket.socket(socket.AF_INET6); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("::1", 5354)); l.listen(4)
print("ready", flush=True)
while True:
    c, _ = l.accept()
    n = int.from_bytes(c.recv(2), "big"); b = b""
    while len(b) < n: b += c.recv(n - len(b))
    counts = [int.from_bytes(b[4 + 2*k:6 + 2*k], "big") for k in range(4)]
    i = 12
    for _ in range(counts[0]): i = name(b, i) + 4
    option, txt = "none", 0
    for section in (1, 2, 3):
        for _ in range(counts[section]):
            i = name(b, i)
            t, k = int.from_bytes(b[i:i+2], "big"), int.from_bytes(b[i+2:i+4], "big")
            size = int.from_bytes(b[i+8:i+10], "big"); data = b[i+10:i+10+size]; i += 10 + size
            if t == 41: option = data.hex()
            if section == 2 and t == 16 and k == 1: txt += 1
    log.write(f"option {option} txt {txt}\n")
    opt = b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x08\x00\x02\x00\x04\x00\x00\x00\x02"
    a = b[:2] + bytes([0xa8, 0]) + b"\x00\x00\x00\x00\x00\x00\x00\x01" + opt
    c.sendall(len(a).to_bytes(2, "big") + a); c.close()
"#;

#[test]
fn the_option_goes_on_the_wire_and_a_granted_lease_is_used_without_a_marker() {
    require("python3", "python3");
    let world = World::new(NAME);
    let log = world.dir.path().join("responder.log");
    let mut responder = Killed(
        Command::new("ip")
            .args(["netns", "exec", &world.ns, "python3", "-c", GRANTING])
            .arg(&log)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(responder.0.stdout.take().unwrap()),
        &mut ready,
    )
    .unwrap();
    assert_eq!(ready, "ready\n");
    let conf = world.cached_config("lease.conf", r#""lease": 3600, "key_lease": 7200"#);
    let doc = state(&format!("{NAME}."), &["2001:db8:10::1"]);
    let send = [
        "-c",
        &conf,
        "--zone",
        "example.test",
        "--server",
        "[::1]:5354",
    ];
    world.run("dyndns-send", &send, &doc).ok();
    let cache = fs::read_to_string(world.cache()).unwrap();
    // RFC 9664 §4: code 2, length 8, LEASE 3600, KEY-LEASE 7200. The
    // first update, to a server not known yet, writes a marker.
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        "option 0002000800000e1000001c20 txt 1\n"
    );
    assert!(
        cache.contains(r#""lease":{"secs":2,"granted":true,"marker":"dyndns-lease"#),
        "{cache}"
    );
    // The granted 2 s rule the renewal, and the next update writes no marker.
    let check = world.config(
        "diff.conf",
        &format!(
            r#"{{"ttl": 300, "cache": "{}", "lease": 3600}}"#,
            world.cache().display()
        ),
    );
    sleep(Duration::from_millis(1800));
    world
        .run("dyndns-diff", &["-c", &check, "-v"], &doc)
        .status(1)
        .stderr_has("lease renewal due");
    world.run("dyndns-send", &send, &doc).ok();
    let lines = fs::read_to_string(&log).unwrap();
    assert_eq!(
        lines.lines().nth(1),
        Some("option 0002000800000e1000001c20 txt 0"),
        "{lines}"
    );
    let cache = fs::read_to_string(world.cache()).unwrap();
    assert!(
        cache.contains(r#""lease":{"secs":2,"granted":true}"#),
        "{cache}"
    );
}

/// With `"compare": "live"` the servers serve the records all along, but
/// the lease still runs out: the cache says when it was renewed.
#[test]
fn a_live_comparison_renews_the_lease_too() {
    let world = World::new(NAME);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.cached_config("live.conf", r#""compare": "live", "lease": 3"#);
    world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
    let first = markers(&world);
    assert_eq!(first.len(), 1);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    sleep(Duration::from_millis(2700));
    world
        .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
        .ok()
        .stderr_has("differs: lease renewal due");
    let second = markers(&world);
    assert_eq!(second.len(), 1);
    assert_ne!(second, first);
}

/// Without a cache the old marker's value is unknown, so every update
/// would leave one more: refused before anything is sent.
#[test]
fn a_lease_without_a_cache_is_a_config_error() {
    let world = World::new(NAME);
    let conf = world.config("nocache.conf", r#"{"ttl": 300, "lease": 60}"#);
    world
        .run(
            "dyndns-send",
            &["-c", &conf],
            &state(&format!("{NAME}."), &["2001:db8:10::1"]),
        )
        .status(2)
        .stderr_has("\"lease\" needs a cache");
    assert!(world.aaaa(NAME).is_empty());
}
