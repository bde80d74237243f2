//! `"sshfp"`: the host's SSH key fingerprints (RFC 4255, SHA-256 from RFC
//! 6594, Ed25519 from RFC 7479) registered in the same update as its
//! addresses, and kept in step when a key is regenerated; against BIND,
//! Knot and PowerDNS, with keys `ssh-keygen` makes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::common::{Server, World, require};

const NAME: &str = "host1.example.test";

/// Makes (or remakes) the host key of `kind` in `dir` as sshd's set-up
/// does; returns the public key's path.
fn keygen(dir: &Path, kind: &str) -> PathBuf {
    let private = dir.join(format!("ssh_host_{kind}_key"));
    let _ = fs::remove_file(&private);
    let _ = fs::remove_file(private.with_extension("pub"));
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", kind, "-N", "", "-C", "root@host1", "-f"])
        .arg(&private)
        .output()
        .unwrap();
    assert!(out.status.success(), "ssh-keygen -t {kind} failed");
    dir.join(format!("ssh_host_{kind}_key.pub"))
}

/// What `ssh-keygen -r FQDN -f KEY.pub` prints for the SHA-256 records
/// of each key: "ALGORITHM 2 HEX", sorted.
fn keygen_records(keys: &[PathBuf]) -> Vec<String> {
    let mut records: Vec<String> = keys
        .iter()
        .flat_map(|key| {
            let out = Command::new("ssh-keygen")
                .args(["-r", NAME, "-f"])
                .arg(key)
                .output()
                .unwrap();
            assert!(out.status.success());
            String::from_utf8(out.stdout)
                .unwrap()
                .lines()
                .filter_map(|l| l.strip_prefix(&format!("{NAME} IN SSHFP ")))
                .filter(|r| r.split(' ').nth(1) == Some("2"))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    records.sort();
    records
}

/// The SSHFP records served at `name` as "ALGORITHM HASH HEX": dig prints
/// the hex in upper case and may split it; `ssh-keygen` in lower case.
fn served(world: &World, name: &str) -> Vec<String> {
    let mut records: Vec<String> = world
        .records(name, "SSHFP")
        .iter()
        .map(|r| {
            let fields: Vec<&str> = r.split(' ').collect();
            format!(
                "{} {} {}",
                fields[1],
                fields[2],
                fields[3..].concat().to_lowercase()
            )
        })
        .collect();
    records.sort();
    records
}

fn key_dir(world: &World) -> PathBuf {
    let dir = world.dir.path().join("ssh");
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn sshfp_config(world: &World, dir: &Path, extra: &str) -> String {
    world.cached_config(
        "sshfp.conf",
        &format!(
            r#""sshfp": {{"keys": "{}/ssh_host_*_key.pub"}}{extra}"#,
            dir.display()
        ),
    )
}

#[test]
fn the_served_set_is_ssh_keygens_and_follows_a_rotated_key() {
    require("ssh-keygen", "openssh-client");
    for server in [Server::Bind, Server::Knot, Server::PowerDns] {
        let world = World::with(NAME, server);
        world.add_address(&["2001:db8:10::1/64", "nodad"]);
        let dir = key_dir(&world);
        let keys = vec![
            keygen(&dir, "ed25519"),
            keygen(&dir, "ecdsa"),
            keygen(&dir, "rsa"),
        ];
        let conf = sshfp_config(&world, &dir, "");
        world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
        let want = keygen_records(&keys);
        assert_eq!(want.len(), 3, "{want:?}");
        assert_eq!(served(&world, NAME), want, "{server:?}");
        assert_eq!(world.aaaa(NAME), ["300 2001:db8:10::1"], "{server:?}");
        let cache = fs::read_to_string(world.cache()).unwrap();
        for record in &want {
            assert!(
                cache.contains(&format!("\"{record}\"")),
                "{server:?}: {cache}"
            );
        }
        // The host's Ed25519 key is regenerated: one update replaces the set.
        let serial = world.serial("example.test");
        keygen(&dir, "ed25519");
        world
            .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
            .ok()
            .stderr_has("SSHFP changed: 1 record(s) added, 1 removed");
        let rotated = keygen_records(&keys);
        assert_ne!(rotated, want);
        assert_eq!(served(&world, NAME), rotated, "{server:?}");
        assert_eq!(
            world.serial("example.test"),
            serial + 1,
            "{server:?}: one update"
        );
        // The next run sends nothing.
        world
            .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
            .ok()
            .stderr_has("addresses unchanged since the last update");
        assert_eq!(world.serial("example.test"), serial + 1, "{server:?}");
        // Compared with what the primary serves: the same, then a rotated
        // key differs there too, and one update follows.
        world
            .run("pydyndns", &["-c", &conf, "--live", "-v", "veth0"], "")
            .ok()
            .stderr_has("serves these addresses");
        assert_eq!(world.serial("example.test"), serial + 1, "{server:?}");
        keygen(&dir, "rsa");
        world
            .run("pydyndns", &["-c", &conf, "--live", "-v", "veth0"], "")
            .ok()
            .stderr_has("SSHFP changed");
        let rotated = keygen_records(&keys);
        assert_eq!(served(&world, NAME), rotated, "{server:?}");
        assert_eq!(world.serial("example.test"), serial + 2, "{server:?}");
        // --explain lists each key and its record.
        let explain = world.run("dyndns-addrs", &["-c", &conf, "--explain", "veth0"], "");
        explain.ok();
        for record in &rotated {
            assert!(
                explain.stdout.contains(record.as_str()),
                "{}",
                explain.stdout
            );
        }
        for key in &keys {
            assert!(
                explain.stdout.contains(&key.display().to_string()),
                "{}",
                explain.stdout
            );
        }
    }
}

#[test]
fn with_replace_aaaa_others_sshfp_records_stay_through_a_rotation() {
    require("ssh-keygen", "openssh-client");
    let foreign = format!("1 2 {}", "0123456789abcdef".repeat(4));
    for server in [Server::Bind, Server::Knot, Server::PowerDns] {
        let world = World::with(NAME, server);
        world.add_address(&["2001:db8:10::1/64", "nodad"]);
        world.nsupdate(&format!("update add {NAME}. 300 SSHFP {foreign}"));
        let dir = key_dir(&world);
        let keys = vec![keygen(&dir, "ed25519")];
        let conf = sshfp_config(&world, &dir, r#", "replace": "aaaa""#);
        world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
        let mut want = keygen_records(&keys);
        want.push(foreign.clone());
        want.sort();
        assert_eq!(served(&world, NAME), want, "{server:?}");
        // The dry run after a rotation: the old record deleted by value.
        let old = keygen_records(&keys).remove(0);
        keygen(&dir, "ed25519");
        let new = keygen_records(&keys).remove(0);
        world
            .run_shell(&format!(
                "dyndns-addrs -c {conf} veth0 | dyndns-diff -c {conf} | dyndns-send -c {conf} --dry-run"
            ))
            .ok()
            .stdout_has_lines(&[
                &format!("update delete {NAME}. IN SSHFP {old}"),
                &format!("update add {NAME}. 300 IN SSHFP {new}"),
            ]);
        world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
        let mut want = vec![new, foreign.clone()];
        want.sort();
        assert_eq!(
            served(&world, NAME),
            want,
            "{server:?}: the foreign record stays"
        );
    }
}

#[test]
fn an_unreadable_key_and_a_private_key_are_left_out_and_never_shown() {
    require("ssh-keygen", "openssh-client");
    let world = World::with(NAME, Server::Bind);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let dir = key_dir(&world);
    let keys = vec![keygen(&dir, "ed25519")];
    // A directory where a key file should be, and a private key under a
    // public key's name.
    fs::create_dir(dir.join("ssh_host_broken_key.pub")).unwrap();
    let private = fs::read_to_string(dir.join("ssh_host_ed25519_key")).unwrap();
    fs::write(dir.join("ssh_host_leaked_key.pub"), &private).unwrap();
    let secret_line = private.lines().nth(1).unwrap().to_owned();
    let conf = sshfp_config(&world, &dir, "");
    let run = world.run("pydyndns", &["-c", &conf, "-v", "veth0"], "");
    run.ok()
        .stderr_has(&format!(
            "\"sshfp\": {}/ssh_host_broken_key.pub is left out: cannot read it",
            dir.display()
        ))
        .stderr_has(&format!(
            "\"sshfp\": {}/ssh_host_leaked_key.pub is left out: it holds a private key",
            dir.display()
        ));
    assert_eq!(
        served(&world, NAME),
        keygen_records(&keys),
        "the good key stays"
    );
    let explain = world.run(
        "dyndns-addrs",
        &["-c", &conf, "--explain", "--format", "json", "veth0"],
        "",
    );
    explain.ok();
    let dry = world.run_shell(&format!(
        "dyndns-addrs -c {conf} veth0 | dyndns-send -c {conf} --dry-run"
    ));
    dry.ok();
    let cache = fs::read_to_string(world.cache()).unwrap();
    for (what, text) in [
        ("run stdout", &run.stdout),
        ("run stderr", &run.stderr),
        ("explain", &explain.stdout),
        ("explain stderr", &explain.stderr),
        ("dry run", &dry.stdout),
        ("dry run stderr", &dry.stderr),
        ("cache", &cache),
    ] {
        assert!(
            !text.contains(&secret_line),
            "{what} shows the private key: {text}"
        );
    }
    assert!(
        explain
            .stdout
            .contains("\"left_out\":\"it holds a private key"),
        "{}",
        explain.stdout
    );
}

#[test]
fn in_a_zone_bind_signs_the_sshfp_records_are_signed() {
    require("ssh-keygen", "openssh-client");
    const SIGNED: &str = "host1.dnssec.test";
    let world = World::with(SIGNED, Server::Bind);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let dir = key_dir(&world);
    keygen(&dir, "ed25519");
    let conf = sshfp_config(&world, &dir, "");
    world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
    assert_eq!(served(&world, SIGNED).len(), 1);
    // named signs the update's records as it applies them; give it a moment.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = world.exec(&[
            "dig", "+dnssec", "+noall", "+answer", "+time=1", "+tries=1", "@::1", SIGNED, "SSHFP",
        ]);
        if answer
            .lines()
            .any(|l| l.contains("RRSIG") && l.contains("SSHFP"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no RRSIG over the SSHFP set: {answer}"
        );
        sleep(Duration::from_millis(100));
    }
}
