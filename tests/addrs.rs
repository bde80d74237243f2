//! `dyndns-addrs`: the host's FQDN and its addresses, from real kernel
//! interfaces in a network namespace.

use crate::common::{World, run};

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
        crate::common::unstamped(&run.stdout).starts_with(
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
        crate::common::unstamped(&run.stdout).starts_with(
            r#"{"hostname":"host1.example.test.","ttl":300,"addresses":[],"left_out":{"veth0":"#
        ),
        "{run}"
    );
}
