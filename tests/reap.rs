//! `dyndns-reap`: a host that stopped renewing its lease loses its
//! records (and, with `--ptr-zone`, its PTRs); a host that renews, a
//! static name and a malformed marker are never touched; a host that
//! renews between the list and the deletion is kept. Against BIND 9.18,
//! Knot 3.2 and PowerDNS 4.7, with signed.test and the key-only reverse
//! zone, both transferred and updated with key-hmac-sha256.

use std::thread::sleep;
use std::time::Duration;

use crate::common::{REVERSE_30, Server, World};

const HOST: &str = "host1.signed.test";
const LIVE: &str = "host2.signed.test";
const STATIC: &str = "static.signed.test";
const REVERSE: &str = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0";

/// An update of signed.test (or the reverse zone) signed with the
/// world's hmac-sha256 key, through nsupdate.
fn signed_nsupdate(world: &World, script: &str) {
    world.nsupdate(&format!(
        "key hmac-sha256:key-hmac-sha256 {}\n{script}",
        world.secret("hmac-sha256")
    ));
}

/// The lease markers at `name`.
fn markers(world: &World, name: &str) -> Vec<String> {
    world
        .records(name, "TXT")
        .into_iter()
        .filter(|r| r.contains("dyndns-lease"))
        .collect()
}

/// A world where host1 registered with a 3 s lease and PTRs, host2 with a
/// long one, and a static name (AAAA and TXT, no marker) sits among 2,000
/// other names, so that every server sends the zone in several messages.
fn registered(server: Server) -> (World, String) {
    let world = World::with(HOST, server);
    world.add_address(&["2001:db8:30::1/64", "nodad"]);
    signed_nsupdate(
        &world,
        &format!(
            "update add {STATIC}. 300 AAAA 2001:db8:30::99\nupdate add {STATIC}. 300 TXT \"v=spf1 -all\""
        ),
    );
    for batch in 0..4 {
        let lines: Vec<String> = (0..500)
            .map(|i| format!("update add n{batch}-{i}.signed.test. 300 AAAA 2001:db8:31::{i:x}"))
            .collect();
        signed_nsupdate(&world, &lines.join("\n"));
    }
    let tsig = world.tsig_json("hmac-sha256");
    let conf = world.cached_config(
        "host1.conf",
        &format!(r#"{tsig}, "replace": "aaaa", "lease": 3, "ptr": true"#),
    );
    world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
    let live = world.config(
        "host2.conf",
        &format!(
            r#"{{"ttl": 300, "cache": "{}", {tsig}, "replace": "aaaa", "lease": 600}}"#,
            world.dir.path().join("host2.cache").display()
        ),
    );
    world
        .run_shell(&format!(
            "dyndns-addrs -c {live} --hostname {LIVE} veth0 | dyndns-soa -c {live} | dyndns-send -c {live}"
        ))
        .ok();
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:30::1"], "{server:?}");
    assert_eq!(markers(&world, HOST).len(), 1, "{server:?}");
    assert_eq!(markers(&world, LIVE).len(), 1, "{server:?}");
    assert_eq!(
        world.records(&format!("{REVERSE}.{REVERSE_30}"), "PTR"),
        [format!("300 {HOST}.")],
        "{server:?}"
    );
    (world, conf)
}

/// The reaper's config, in the hosts' format: the key is what it uses.
fn reaper(world: &World) -> String {
    world.config(
        "reaper.conf",
        &format!(r#"{{"ttl": 300, {}}}"#, world.tsig_json("hmac-sha256")),
    )
}

#[test]
fn a_dead_hosts_records_and_ptrs_go_and_the_rest_stays() {
    for server in [Server::Bind, Server::Knot, Server::PowerDns] {
        let (world, _) = registered(server);
        let reaper = reaper(&world);
        let list = ["-c", &reaper, "--grace", "0", "--ptr-zone", REVERSE_30];
        // Not yet expired: nothing listed.
        let early = world.run(
            "dyndns-reap",
            &[&list[..], &["--list", "signed.test"]].concat(),
            "",
        );
        early.ok().stdout_is("");
        sleep(Duration::from_millis(4200));
        let listed = world.run(
            "dyndns-reap",
            &[&list[..], &["-v", "--list", "signed.test"]].concat(),
            "",
        );
        listed.ok();
        // The zone came in several messages, every one signed and verified
        // (RFC 8945 §5.3.1).
        let said = listed
            .stderr
            .lines()
            .find_map(|l| {
                l.split_once("signed.test.: 2009 records in ")?
                    .1
                    .split_once(" messages, ")
            })
            .unwrap_or_else(|| panic!("{server:?}: {}", listed.stderr));
        assert!(said.0.parse::<u32>().unwrap() > 1, "{server:?}: {said:?}");
        assert_eq!(said.1, format!("{} of them signed", said.0), "{server:?}");
        let lines: Vec<&str> = listed.stdout.lines().collect();
        assert_eq!(lines.len(), 1, "{server:?}: {}", listed.stdout);
        let line: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        let marker = markers(&world, HOST)[0]
            .split_once(' ')
            .unwrap()
            .1
            .trim_matches('"')
            .to_owned();
        assert_eq!(line["name"], format!("{HOST}."), "{server:?}");
        assert_eq!(line["zone"], "signed.test.");
        assert_eq!(line["server"], "ns1.signed.test.");
        assert_eq!(line["marker"], marker.as_str(), "{server:?}");
        assert_eq!(
            line["expired"],
            marker.trim_start_matches("dyndns-lease expires="),
            "{server:?}"
        );
        assert_eq!(
            line["records"]["AAAA"],
            serde_json::json!(["2001:db8:30::1"])
        );
        assert_eq!(
            line["records"]["TXT"],
            serde_json::json!([format!("\"{marker}\"")]),
            "{server:?}"
        );
        assert_eq!(
            line["ptr"],
            serde_json::json!([{
                "name": format!("{REVERSE}.{REVERSE_30}."),
                "zone": format!("{REVERSE_30}."),
                "server": "ns1.example.test.",
                "ptr": [format!("{HOST}.")],
            }]),
            "{server:?}"
        );
        let serial = world.serial("signed.test");
        world
            .run("dyndns-reap", &["-c", &reaper, "--delete"], &listed.stdout)
            .ok()
            .stdout_is(&format!(
                "{{\"name\":\"{HOST}.\",\"result\":\"deleted\",\"ptr\":[{{\"name\":\"{REVERSE}.{REVERSE_30}.\",\"result\":\"deleted\"}}]}}\n"
            ));
        assert!(world.aaaa(HOST).is_empty(), "{server:?}");
        assert!(world.records(HOST, "TXT").is_empty(), "{server:?}");
        assert!(
            world
                .records(&format!("{REVERSE}.{REVERSE_30}"), "PTR")
                .is_empty(),
            "{server:?}"
        );
        assert_eq!(
            world.serial("signed.test"),
            serial + 1,
            "{server:?}: one update"
        );
        // The live host, the static name and the others are untouched.
        assert_eq!(world.aaaa(LIVE), ["300 2001:db8:30::1"], "{server:?}");
        assert_eq!(markers(&world, LIVE).len(), 1, "{server:?}");
        assert_eq!(world.aaaa(STATIC), ["300 2001:db8:30::99"], "{server:?}");
        assert_eq!(world.records(STATIC, "TXT"), ["300 \"v=spf1 -all\""]);
        assert_eq!(world.aaaa("n3-499.signed.test"), ["300 2001:db8:31::1f3"]);
        // Nothing left to reap.
        world
            .run("dyndns-reap", &[&list[..], &["signed.test"]].concat(), "")
            .ok()
            .stdout_is("");
    }
}

#[test]
fn a_host_that_renews_between_the_list_and_the_deletion_is_kept() {
    for server in [Server::Bind, Server::Knot, Server::PowerDns] {
        let (world, conf) = registered(server);
        // The key from a key file this time, as the systemd unit gives it.
        let key = world.key_file("hmac-sha256").display().to_string();
        sleep(Duration::from_millis(4200));
        let listed = world.run(
            "dyndns-reap",
            &[
                "-k",
                &key,
                "--grace",
                "0",
                "--ptr-zone",
                REVERSE_30,
                "--list",
                "signed.test",
            ],
            "",
        );
        listed.ok();
        assert!(listed.stdout.contains(HOST), "{server:?}");
        // The host comes back and renews: a new marker.
        world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
        let renewed = markers(&world, HOST);
        assert_eq!(renewed.len(), 1, "{server:?}");
        let serial = world.serial("signed.test");
        world
            .run("dyndns-reap", &["-k", &key, "--delete"], &listed.stdout)
            .ok()
            .stdout_is(&format!(
                "{{\"name\":\"{HOST}.\",\"result\":\"renewed\",\"reason\":\"its TXT set changed since it was listed (the host renewed its lease): kept\"}}\n"
            ));
        assert_eq!(world.aaaa(HOST), ["300 2001:db8:30::1"], "{server:?}");
        assert_eq!(markers(&world, HOST), renewed, "{server:?}");
        assert_eq!(
            world.records(&format!("{REVERSE}.{REVERSE_30}"), "PTR"),
            [format!("300 {HOST}.")],
            "{server:?}"
        );
        assert_eq!(
            world.serial("signed.test"),
            serial,
            "{server:?}: nothing changed"
        );
    }
}

#[test]
fn a_malformed_marker_is_reported_and_never_deleted_and_the_dry_run_is_nsupdates() {
    for server in [Server::Bind, Server::Knot, Server::PowerDns] {
        let (world, _) = registered(server);
        signed_nsupdate(
            &world,
            "update add odd.signed.test. 300 AAAA 2001:db8:30::7\nupdate add odd.signed.test. 300 TXT \"dyndns-lease expires=tomorrow\"",
        );
        let reaper = reaper(&world);
        sleep(Duration::from_millis(4200));
        let serial = world.serial("signed.test");
        let dry = world.run(
            "dyndns-reap",
            &["-c", &reaper, "--grace", "0", "--dry-run", "signed.test"],
            "",
        );
        dry.ok().stderr_has(
            "odd.signed.test.: lease marker \"dyndns-lease expires=tomorrow\" does not say when it expires",
        );
        let marker = markers(&world, HOST)[0]
            .split_once(' ')
            .unwrap()
            .1
            .to_owned();
        assert_eq!(
            dry.stdout,
            format!(
                "; signed with TSIG key key-hmac-sha256. (hmac-sha256): run nsupdate -k KEYFILE; the secret is not shown here\n\
                 server ns1.signed.test. 53\nzone signed.test.\n\
                 prereq yxrrset {HOST}. IN TXT {marker}\n\
                 update delete {HOST}. IN AAAA\nupdate delete {HOST}. IN A\nupdate delete {HOST}. IN DHCID\n\
                 update delete {HOST}. IN TXT {marker}\nsend\n"
            ),
            "{server:?}"
        );
        assert_eq!(
            world.serial("signed.test"),
            serial,
            "{server:?}: a dry run sends nothing"
        );
        // The script is nsupdate's: it does what dyndns-reap would.
        let key = world.key_file("hmac-sha256");
        world
            .run_shell(&format!(
                "dyndns-reap -c {reaper} --grace 0 --dry-run signed.test 2>/dev/null | nsupdate -k {}",
                key.display()
            ))
            .ok();
        assert!(world.aaaa(HOST).is_empty(), "{server:?}");
        // Reaped for real now: the odd name stays, warned about each time.
        world
            .run(
                "dyndns-reap",
                &["-c", &reaper, "--grace", "0", "signed.test"],
                "",
            )
            .ok()
            .stdout_is("")
            .stderr_has("odd.signed.test.: lease marker");
        assert_eq!(
            world.aaaa("odd.signed.test"),
            ["300 2001:db8:30::7"],
            "{server:?}"
        );
        assert_eq!(
            world.records("odd.signed.test", "TXT"),
            ["300 \"dyndns-lease expires=tomorrow\""]
        );
    }
}

#[test]
fn failures_are_named_and_bad_lines_refused() {
    let (world, _) = registered(Server::Bind);
    sleep(Duration::from_millis(4200));
    // A key the server does not know: the transfer is refused, exit 1.
    let wrong = world.config(
        "wrong.conf",
        r#"{"ttl": 300, "tsig": {"algorithm": "hmac-sha256", "keyname": "key-unknown", "key": "c2VjcmV0c2VjcmV0"}}"#,
    );
    world
        .run("dyndns-reap", &["-c", &wrong, "--grace", "0", "--list", "signed.test"], "")
        .status(1)
        .stderr_has("dyndns-reap: cannot read zone signed.test. from ns1.signed.test.: [::1]:53: NOTAUTH (TSIG error BADKEY");
    let reaper = reaper(&world);
    let listed = world.run(
        "dyndns-reap",
        &["-c", &reaper, "--grace", "0", "--list", "signed.test"],
        "",
    );
    listed.ok();
    // Deleting unsigned: refused, reported per name, exit 1, nothing lost.
    let unsigned = world.config("unsigned.conf", r#"{"ttl": 300}"#);
    world
        .run(
            "dyndns-reap",
            &["-c", &unsigned, "--delete"],
            &listed.stdout,
        )
        .status(1)
        .stdout_has_lines(&[&format!(
            "{{\"name\":\"{HOST}.\",\"result\":\"failed\",\"rcode\":\"REFUSED\""
        )]);
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:30::1"]);
    // A line --list did not write: exit 2, nothing sent.
    let serial = world.serial("signed.test");
    world
        .run(
            "dyndns-reap",
            &["-c", &reaper, "--delete"],
            "{\"name\":\"x.signed.test.\"}\n",
        )
        .status(2)
        .stderr_has("dyndns-reap: standard input, line 1: missing field");
    let no_marker = listed.stdout.replace("dyndns-lease", "other");
    world
        .run("dyndns-reap", &["-c", &reaper, "--delete"], &no_marker)
        .status(2)
        .stderr_has("its TXT set holds no lease marker: only names with one are reaped");
    assert_eq!(world.serial("signed.test"), serial);
    // A lease that has not expired is never deleted, whatever the line says.
    let future = listed.stdout.replace("expires=20", "expires=29");
    world
        .run("dyndns-reap", &["-c", &reaper, "--delete"], &future)
        .status(1)
        .stdout_has_lines(&["\"result\":\"failed\",\"reason\":\"its lease runs until 29"]);
    assert_eq!(world.aaaa(HOST), ["300 2001:db8:30::1"]);
    // Usage: a zone is needed, --delete takes none.
    world.run("dyndns-reap", &["--list"], "").status(2);
    world
        .run("dyndns-reap", &["--delete", "signed.test"], "")
        .status(2);
}
