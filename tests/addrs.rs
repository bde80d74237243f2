//! `dyndns-addrs`: the host's FQDN and its addresses, from real kernel
//! interfaces in a network namespace.

use crate::common::{World, run, unstamped};

/// veth0 carries two stable global addresses (one of them the base of RFC
/// 4941 temporaries), a ULA, a link-local, a kernel-made temporary address,
/// a deprecated address and a Teredo address.
pub fn mixed_addresses(world: &World) {
    world.add_address(&["2001:db8:10::1/64"]);
    world.add_address(&["2001:db8:20::1/64", "mngtmpaddr"]);
    world.add_address(&["fd00:10::1/64"]);
    world.add_address(&["2001:db8:10::dead/64", "preferred_lft", "0"]);
    world.add_address(&["2001:0:4136:e378::1/64"]);
    world.settle(true);
}

#[test]
fn registers_only_stable_global_addresses() {
    let world = World::new("host1.example.test");
    mixed_addresses(&world);
    let table = world.exec(&["ip", "-6", "addr", "show", "dev", "veth0"]);
    assert!(
        table.contains("temporary") && table.contains("deprecated") && table.contains("scope link"),
        "{table}"
    );
    let conf = world.default_config(300);
    world
        .run("dyndns-addrs", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet()
        .state_is(r#"{"hostname":"host1.example.test.","ttl":300,"addresses":["2001:db8:10::1","2001:db8:20::1"]}"#);
    // Without interface names: every interface that is up, but not lo (which carries a global DEAD_ADDRESS).
    world
        .run("dyndns-addrs", &["-c", &conf], "")
        .ok()
        .state_is(r#"{"hostname":"host1.example.test.","ttl":300,"addresses":["2001:db8:10::1","2001:db8:20::1"]}"#);
    // lo counts when named.
    world
        .run("dyndns-addrs", &["-c", &conf, "lo"], "")
        .ok()
        .state_is(r#"{"hostname":"host1.example.test.","ttl":300,"addresses":["2001:db8:53::1"]}"#);
}

#[test]
fn teredo_when_configured() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:0:4136:e378::1/64", "nodad"]);
    let conf = world.config(
        "t.conf",
        r#"{"ttl": 60, "ipv6": {"enable": true, "teredo": true}}"#,
    );
    world
        .run("dyndns-addrs", &["-c", &conf, "veth0"], "")
        .ok()
        .state_is(
            r#"{"hostname":"host1.example.test.","ttl":60,"addresses":["2001:0:4136:e378::1"]}"#,
        );
}

#[test]
fn tentative_addresses_wait() {
    let world = World::new("host1.example.test");
    // Many DAD probes keep the address tentative for the length of the test.
    world.exec(&["sysctl", "-qw", "net.ipv6.conf.veth0.dad_transmits=100"]);
    world.add_address(&["2001:db8:10::7/64"]);
    let conf = world.default_config(300);
    let run = world.run("dyndns-addrs", &["-c", &conf, "veth0"], "");
    run.ok().quiet();
    // An empty set says, per interface, what was left out and why.
    assert!(
        unstamped(&run.stdout).starts_with(
            r#"{"hostname":"host1.example.test.","ttl":300,"addresses":[],"left_out":{"veth0":["#
        ) && run
            .stdout
            .contains(r#"{"address":"2001:db8:10::7","reason":"tentative"}"#),
        "{}",
        run.stdout
    );
}

#[test]
fn unknown_interface_is_a_usage_error() {
    let world = World::new("host1.example.test");
    let conf = world.default_config(300);
    world
        .run("dyndns-addrs", &["-c", &conf, "veth0", "nosuch0"], "")
        .status(2)
        .stdout_is("")
        .stderr_has("dyndns-addrs: no interface named \"nosuch0\"");
    world
        .run("dyndns-addrs", &["-c", &conf, "--", "-x"], "")
        .status(2)
        .stderr_has("\"-x\"");
}

#[test]
fn hostname_without_domain_says_how_to_fix_it() {
    let world = World::new("lonely");
    let conf = world.default_config(300);
    world
        .run("dyndns-addrs", &["-c", &conf], "")
        .status(2)
        .stderr_has("dyndns-addrs: the host name \"lonely\" has no domain")
        .stderr_has("/etc/hosts");
}

#[test]
fn hostname_and_ttl_flags_override() {
    // No resolution happens with --hostname, so this runs on the host.
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("c.conf");
    std::fs::write(&conf, r#"{"ttl": 300}"#).unwrap();
    let c = conf.display().to_string();
    let r = run(
        "dyndns-addrs",
        &[
            "-c",
            &c,
            "--hostname",
            "Other.Example.Test",
            "--ttl",
            "42",
            "lo",
        ],
        "",
    );
    r.ok();
    assert!(
        r.stdout
            .starts_with(r#"{"hostname":"Other.Example.Test.","ttl":42,"addresses":["#),
        "{r}"
    );
    run("dyndns-addrs", &["-c", &c, "--hostname", "a..b", "lo"], "")
        .status(2)
        .stderr_has("empty label");
    // A name without a domain is refused at once, not sent under the root.
    run("dyndns-addrs", &["-c", &c, "--hostname", "host1", "lo"], "")
        .status(2)
        .stdout_is("")
        .stderr_has("dyndns-addrs: the host name \"host1\" given with --hostname has no domain; give the fully qualified name, for example --hostname host1.your.domain");
    run(
        "dyndns-addrs",
        &["-c", &c, "--hostname", "host1.", "lo"],
        "",
    )
    .status(2)
    .stderr_has("has no domain");
    run("dyndns-addrs", &["--hostname", "h.example", "lo"], "")
        .status(2)
        .stderr_has("no TTL: give --ttl SECONDS");
}

#[test]
fn hostname_qualified_through_dns_when_hosts_does_not_know_it() {
    let world = World::new("host1.example.test");
    // No line for host1 in the namespace's /etc/hosts: glibc's resolver finds
    // it through the search domain, in the test's own BIND.
    let etc = format!("/etc/netns/{}", world.ns);
    std::fs::write(format!("{etc}/hosts"), "127.0.0.1 localhost\n").unwrap();
    std::fs::write(
        format!("{etc}/resolv.conf"),
        "nameserver ::1\nsearch example.test\n",
    )
    .unwrap();
    world.nsupdate("update add host1.example.test. 300 AAAA 2001:db8:10::1");
    let conf = world.default_config(300);
    let run = world.run("dyndns-addrs", &["-c", &conf, "-v", "veth0"], "");
    run.ok()
        .stderr_has("host name host1: canonical name host1.example.test\n");
    assert!(
        unstamped(&run.stdout).starts_with(
            r#"{"hostname":"host1.example.test.","ttl":300,"addresses":[],"left_out":{"veth0":"#
        ),
        "{run}"
    );
}

/// Sends one router advertisement out of veth1 for `prefix`/64, autonomous:
/// veth0 makes its SLAAC addresses from it (RFC 4862), RFC 7217 ones when
/// its addr_gen_mode says so, and RFC 4941 temporaries (use_tempaddr=2).
fn advertise(world: &World, prefix: &str) {
    crate::common::require("python3", "python3");
    let script = format!(
        r#"
import socket, struct
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
idx = socket.if_nametoindex("veth1")
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
pio = struct.pack("!BBBBIII", 3, 4, 64, 0xc0, 3600, 3600, 0) + socket.inet_pton(socket.AF_INET6, "{prefix}")
s.sendto(struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 0, 0, 0) + pio, ("ff02::1", 0, 0, idx))
"#
    );
    world.exec(&["python3", "-c", &script]);
}

/// A row, and its scope, flags, whether it has lifetimes, and its verdict.
type Expected<'a> = (Row, &'a str, Vec<&'a str>, bool, Option<&'a str>);

/// One row of `dyndns-addrs --explain --format json`.
#[derive(serde::Deserialize, Debug, Clone)]
struct Row {
    interface: String,
    address: String,
    prefix_len: u8,
    scope: String,
    flags: Vec<String>,
    preferred: Option<u32>,
    valid: Option<u32>,
    registered: bool,
    reason: Option<String>,
}

/// Waits until `ip -6 addr show DEV` satisfies `done`.
fn wait_for(world: &World, dev: &str, done: impl Fn(&str) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let table = world.exec(&["ip", "-6", "addr", "show", "dev", dev]);
        if done(&table) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{table}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The world's veth0 with one address of every kind, and a link that is down.
fn every_kind(world: &World) {
    // SLAAC first: an RFC 7217 address and a temporary, once the router's
    // (veth1's) link-local address may send.
    world.exec(&["sysctl", "-qw", "net.ipv6.conf.veth0.addr_gen_mode=3"]);
    wait_for(world, "veth1", |t| {
        t.contains("scope link") && !t.contains("tentative")
    });
    advertise(world, "2001:db8:77::");
    wait_for(world, "veth0", |t| {
        t.contains("stable-privacy") && t.contains("temporary") && !t.contains("tentative")
    });
    // A stable address, and one whose preferred lifetime ends in a second.
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    world.add_address(&[
        "2001:db8:10::de/64",
        "nodad",
        "preferred_lft",
        "1",
        "valid_lft",
        "600",
    ]);
    // DAD fails for an address another host (veth1) already has.
    world.ip(&["addr", "add", "2001:db8:10::dd/64", "nodad", "dev", "veth1"]);
    world.add_address(&["2001:db8:10::dd/64"]);
    wait_for(world, "veth0", |t| t.contains("dadfailed"));
    // Optimistic DAD: usable, not yet proven unique (many probes keep it so).
    world.exec(&["sysctl", "-qw", "net.ipv6.conf.veth0.optimistic_dad=1"]);
    world.exec(&["sysctl", "-qw", "net.ipv6.conf.veth0.dad_transmits=100"]);
    world.add_address(&["2001:db8:88::1/64", "optimistic"]);
    // A unique-local one.
    world.add_address(&["fd00:10::1/64", "nodad"]);
    // A link that is down.
    world.ip(&[
        "link", "add", "dummy0", "type", "veth", "peer", "name", "dummy1",
    ]);
    world.ip(&["addr", "add", "2001:db8:66::1/64", "nodad", "dev", "dummy0"]);
    wait_for(world, "veth0", |t| {
        t.contains("2001:db8:10::de/64 scope global nodad deprecated")
    });
}

fn explained(world: &World, conf: &str, args: &[&str]) -> Vec<Row> {
    let mut all = vec!["-c", conf, "--explain", "--format", "json"];
    all.extend_from_slice(args);
    let run = world.run("dyndns-addrs", &all, "");
    run.ok().quiet();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run}"))
}

#[test]
fn every_kind_of_address_is_explained_and_only_the_stable_global_ones_registered() {
    let world = World::new("host1.example.test");
    every_kind(&world);
    let conf = world.default_config(300);
    let rows = explained(&world, &conf, &[]);
    let on = |interface: &str, address: &str| -> Row {
        rows.iter()
            .find(|r| r.interface == interface && r.address == address)
            .unwrap_or_else(|| panic!("{address} on {interface}: {rows:#?}"))
            .clone()
    };
    let slaac = |flag: &str| -> Row {
        rows.iter()
            .find(|r| {
                r.interface == "veth0"
                    && r.address.starts_with("2001:db8:77:")
                    && r.flags.iter().any(|f| f == flag)
            })
            .unwrap_or_else(|| panic!("no {flag} SLAAC address: {rows:#?}"))
            .clone()
    };
    // Every row, field by field: (row, scope, flags, lifetimes set, verdict).
    let stable = slaac("stable-privacy");
    let temporary = slaac("temporary");
    // veth0's link-local addresses: the EUI-64 one it came up with, and
    // the RFC 7217 one addr_gen_mode made.
    let link_local: Vec<&Row> = rows
        .iter()
        .filter(|r| r.interface == "veth0" && r.scope == "link")
        .collect();
    assert!(
        link_local
            .iter()
            .all(|r| r.reason.as_deref() == Some("link-local") && !r.registered),
        "{link_local:#?}"
    );
    assert!(
        link_local
            .iter()
            .any(|r| r.flags == ["permanent", "stable-privacy"]),
        "{link_local:#?}"
    );
    let expect: Vec<Expected<'_>> = vec![
        (
            on("veth0", "2001:db8:10::1"),
            "global",
            vec!["nodad", "permanent"],
            false,
            None,
        ),
        (
            on("veth0", "2001:db8:10::de"),
            "global",
            vec!["nodad", "deprecated"],
            true,
            Some("deprecated"),
        ),
        (
            on("veth0", "2001:db8:10::dd"),
            "global",
            vec!["dadfailed", "tentative", "permanent"],
            false,
            Some("dad-failed"),
        ),
        (
            on("veth0", "2001:db8:88::1"),
            "global",
            vec!["optimistic", "tentative", "permanent"],
            false,
            Some("optimistic"),
        ),
        (
            on("veth0", "fd00:10::1"),
            "global",
            vec!["nodad", "permanent"],
            false,
            Some("unique-local"),
        ),
        (
            stable,
            "global",
            vec!["mngtmpaddr", "stable-privacy"],
            true,
            None,
        ),
        (
            temporary,
            "global",
            vec!["temporary"],
            true,
            Some("temporary"),
        ),
        (
            on("veth1", "2001:db8:10::dd"),
            "global",
            vec!["nodad", "permanent"],
            false,
            None,
        ),
        (
            on("dummy0", "2001:db8:66::1"),
            "global",
            vec!["nodad", "permanent"],
            false,
            Some("interface-down"),
        ),
        (
            on("lo", "::1"),
            "host",
            vec!["permanent"],
            false,
            Some("loopback"),
        ),
        (
            on("lo", crate::common::DEAD_ADDRESS),
            "global",
            vec!["permanent"],
            false,
            Some("loopback"),
        ),
    ];
    for (row, scope, flags, lifetimes, reason) in &expect {
        let what = format!("{row:?}");
        assert_eq!(row.scope, *scope, "{what}");
        assert_eq!(row.flags, *flags, "{what}");
        assert_eq!(
            row.prefix_len,
            if row.interface == "lo" { 128 } else { 64 },
            "{what}"
        );
        assert_eq!(row.preferred.is_some(), *lifetimes, "{what}");
        assert_eq!(row.valid.is_some(), *lifetimes, "{what}");
        assert!(
            row.preferred.unwrap_or(0) <= 3600 && row.valid.unwrap_or(0) <= 3600,
            "{what}"
        );
        assert_eq!(row.reason.as_deref(), *reason, "{what}");
        assert_eq!(row.registered, reason.is_none(), "{what}");
    }
    // Nothing else but veth1's own link-local and SLAAC addresses.
    let others: Vec<&Row> = rows
        .iter()
        .filter(|r| !(r.interface == "veth0" && r.scope == "link"))
        .filter(|r| {
            !expect
                .iter()
                .any(|(e, ..)| e.interface == r.interface && e.address == r.address)
        })
        .filter(|r| {
            !(r.interface == "veth1"
                && (r.scope == "link" || r.address.starts_with("2001:db8:77:")))
        })
        .collect();
    assert!(others.is_empty(), "{others:#?}");

    // Named, veth0 only: the rest is "not named"; the table says the same.
    let named = explained(&world, &conf, &["veth0"]);
    assert!(
        named
            .iter()
            .filter(|r| r.interface != "veth0")
            .all(|r| r.reason.as_deref() == Some("not-named"))
    );
    let table = world.run("dyndns-addrs", &["-c", &conf, "--explain", "veth*"], "");
    table.ok();
    let header = table.stdout.lines().next().unwrap();
    assert!(
        header.starts_with("INTERFACE")
            && header.contains("PREFERRED")
            && header.ends_with("VERDICT"),
        "{table}"
    );
    // The table says what the JSON says, row for row.
    let json = explained(&world, &conf, &["veth*"]);
    assert_eq!(table.stdout.lines().count(), json.len() + 1, "{table}");
    for row in &json {
        let flags = if row.flags.is_empty() {
            "-".to_owned()
        } else {
            row.flags.join(",")
        };
        let verdict = row
            .reason
            .as_ref()
            .map_or("registered".to_owned(), |r| format!("left out: {r}"));
        let line = table
            .stdout
            .lines()
            .find(|l| {
                l.starts_with(&format!("{} ", row.interface))
                    && l.contains(&format!(" {}/{} ", row.address, row.prefix_len))
            })
            .unwrap_or_else(|| panic!("{row:?} not in\n{table}"));
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[0], row.interface, "{line}");
        assert_eq!(cells[2], row.scope, "{line}");
        assert_eq!(cells[3], flags, "{line}");
        assert!(line.ends_with(&verdict), "{line}");
    }
    // Registered in BIND: the stable global ones of veth0.
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    let mut want = vec![
        "300 2001:db8:10::1".to_owned(),
        format!(
            "300 {}",
            rows.iter()
                .find(|r| r.flags.contains(&"stable-privacy".to_owned())
                    && r.scope == "global"
                    && r.interface == "veth0")
                .unwrap()
                .address
        ),
    ];
    want.sort();
    let mut got = world.aaaa("host1.example.test");
    got.sort();
    assert_eq!(got, want);
    // pydyndns --explain runs it with the config's policy.
    let by_wrapper = world.run("pydyndns", &["-c", &conf, "--explain", "veth0"], "");
    by_wrapper.ok().quiet();
    let by_stage = world.run("dyndns-addrs", &["-c", &conf, "--explain", "veth0"], "");
    assert_eq!(
        without_lifetimes(&by_wrapper.stdout),
        without_lifetimes(&by_stage.stdout)
    );
}

/// A table with its lifetimes (`3598s`), which tick between two runs, blanked.
fn without_lifetimes(table: &str) -> String {
    table
        .lines()
        .map(|l| {
            l.split_whitespace()
                .map(|cell| {
                    let secs = cell
                        .strip_suffix('s')
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
                    if secs { "Ns" } else { cell }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn each_policy_switch_and_prefix_list_changes_what_is_registered() {
    let world = World::new("host1.example.test");
    every_kind(&world);
    let rows = explained(&world, &world.default_config(300), &["veth0"]);
    let find = |flag: &str| {
        rows.iter()
            .find(|r| r.address.starts_with("2001:db8:77:") && r.flags.iter().any(|f| f == flag))
            .unwrap()
            .address
            .clone()
    };
    let (stable, temporary) = (find("stable-privacy"), find("temporary"));
    let registered = |ipv6: &str| {
        let conf = world.config(
            "policy.conf",
            &format!(r#"{{"ttl": 300, "ipv6": {{"enable": true, {ipv6}}}}}"#),
        );
        world
            .run("pydyndns", &["-c", &conf, "veth0"], "")
            .ok()
            .quiet();
        let mut got: Vec<String> = world
            .aaaa("host1.example.test")
            .into_iter()
            .map(|r| r.trim_start_matches("300 ").to_owned())
            .collect();
        got.sort();
        got
    };
    let sorted = |mut v: Vec<&str>| {
        v.sort();
        v.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    assert_eq!(
        registered(r#""teredo": false"#),
        sorted(vec!["2001:db8:10::1", &stable])
    );
    assert_eq!(
        registered(r#""temporary": true"#),
        sorted(vec!["2001:db8:10::1", &stable, &temporary])
    );
    assert_eq!(
        registered(r#""ula": true"#),
        sorted(vec!["2001:db8:10::1", &stable, "fd00:10::1"])
    );
    assert_eq!(
        registered(r#""include": ["2001:db8:10::/48"]"#),
        sorted(vec!["2001:db8:10::1"])
    );
    assert_eq!(
        registered(
            r#""ula": true, "include": ["2001:db8::/32", "fd00::/8"], "exclude": ["2001:db8:77::/64"]"#
        ),
        sorted(vec!["2001:db8:10::1", "fd00:10::1"])
    );
    let bad = world.config(
        "bad.conf",
        r#"{"ttl": 300, "ipv6": {"enable": true, "exclude": ["2001:db8:77::1/64"]}}"#,
    );
    world
        .run("pydyndns", &["-c", &bad, "veth0"], "")
        .status(2)
        .stderr_has("key \"ipv6.exclude\": \"2001:db8:77::1/64\" has bits set past its length; did you mean 2001:db8:77::/64?");
}

/// `--diff` is `dyndns-addrs | dyndns-diff` in one process (the wrapper's
/// every-minute run): the same output and status as the pipeline, nothing
/// printed and the cache untouched when nothing changed, the state passed
/// on uncompared under "compare": "live", and a bad config bad usage.
#[test]
fn diff_is_the_pipeline_in_one_process() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.cached_config("c.conf", r#""ipv6": {"enable": true}"#);
    let piped = || {
        let state = world.run("dyndns-addrs", &["-c", &conf, "veth0"], "");
        state.ok();
        world.run("dyndns-diff", &["-c", &conf], &state.stdout)
    };
    // No cache yet: differs, as the pipeline says it.
    let want = piped();
    want.status(1);
    assert!(want.stdout.contains("no cache file"), "{want}");
    let diffed = world.run("dyndns-addrs", &["-c", &conf, "--diff", "veth0"], "");
    diffed.status(1).quiet();
    assert_eq!(unstamped(&diffed.stdout), unstamped(&want.stdout));
    // Registered: the same, silently, and the cache as it was.
    world
        .run_shell(&format!(
            "dyndns-addrs -c {conf} veth0 | dyndns-soa -c {conf} | dyndns-send -c {conf}"
        ))
        .ok();
    let cache = std::fs::read(world.cache()).unwrap();
    piped().status(0).quiet();
    world
        .run("dyndns-addrs", &["-c", &conf, "--diff", "veth0"], "")
        .status(0)
        .quiet();
    assert_eq!(std::fs::read(world.cache()).unwrap(), cache);
    // A new address: differs again, as the pipeline says it.
    world.add_address(&["2001:db8:10::2/64", "nodad"]);
    let want = piped();
    want.status(1);
    let diffed = world.run("dyndns-addrs", &["-c", &conf, "--diff", "veth0"], "");
    diffed.status(1).quiet();
    assert_eq!(unstamped(&diffed.stdout), unstamped(&want.stdout));
    // With "ptr" too (the PTR records, compared with the cache's).
    let ptr = world.config(
        "ptr.conf",
        &format!(
            r#"{{"ttl": 300, "cache": "{}", "ptr": true}}"#,
            world.dir.path().join("ptr.cache").display()
        ),
    );
    let state = world.run("dyndns-addrs", &["-c", &ptr, "veth0"], "");
    let want = world.run("dyndns-diff", &["-c", &ptr], &state.stdout);
    want.status(1);
    assert!(want.stdout.contains("ip6.arpa."), "{want}");
    let diffed = world.run("dyndns-addrs", &["-c", &ptr, "--diff", "veth0"], "");
    diffed.status(1).quiet();
    assert_eq!(unstamped(&diffed.stdout), unstamped(&want.stdout));
    // "compare": "live" needs dyndns-soa first: the state, uncompared.
    let live = world.cached_config("live.conf", r#""compare": "live""#);
    let state = world.run("dyndns-addrs", &["-c", &live, "veth0"], "");
    assert!(state.stdout.contains(r#""compare":"live""#), "{state}");
    let diffed = world.run("dyndns-addrs", &["-c", &live, "--diff", "veth0"], "");
    diffed.status(1).quiet();
    assert_eq!(unstamped(&diffed.stdout), unstamped(&state.stdout));
    // Bad usage stays bad usage (2), as for either stage alone.
    let bad = world.config("bad.conf", r#"{"ttl": "soon"}"#);
    world
        .run("dyndns-addrs", &["-c", &bad, "--diff", "veth0"], "")
        .status(2)
        .stderr_has("\"ttl\"");
    world
        .run("dyndns-addrs", &["--diff", "--explain"], "")
        .status(2)
        .stderr_has("cannot be used with");
}
