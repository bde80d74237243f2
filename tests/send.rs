//! `dyndns-send`: real updates to a real `named`, signed and unsigned.

use std::fs;

use crate::common::{ALGORITHMS, DEAD_ADDRESS, World, state};

#[test]
fn updates_and_writes_the_cache() {
    let world = World::new("host1.example.test");
    let conf = world.default_config(300);
    let input = state("host1.example.test.", &["2001:db8:10::2", "2001:db8:10::1"]);
    world
        .run("dyndns-send", &["-c", &conf], &input)
        .ok()
        .quiet()
        .stdout_is("updated host1.example.test. in zone example.test. at ns1.example.test. ([::1]:53): 2001:db8:10::1 2001:db8:10::2");
    assert_eq!(
        world.aaaa("host1.example.test"),
        ["300 2001:db8:10::1", "300 2001:db8:10::2"]
    );
    assert_eq!(
        crate::common::registration(&fs::read_to_string(world.cache()).unwrap()),
        "{\"hostname\":\"host1.example.test.\",\"ttl\":300,\"addresses\":[\"2001:db8:10::1\",\"2001:db8:10::2\"],\"server\":\"ns1.example.test.\"}\n",
        "the cache names the server that accepted the update"
    );
}

#[test]
fn delete_all_then_add_replaces_every_record() {
    let world = World::new("host1.example.test");
    world.nsupdate("update add host1.example.test. 60 AAAA 2001:db8:99::1\nupdate add host1.example.test. 60 TXT \"old\"");
    let conf = world.default_config(300);
    world
        .run(
            "dyndns-send",
            &["-c", &conf],
            &state("host1.example.test.", &["2001:db8:10::5"]),
        )
        .ok();
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::5"]);
    assert!(world.dig("host1.example.test", "TXT").is_empty());
    // An empty set removes the name's records.
    world
        .run(
            "dyndns-send",
            &["-c", &conf],
            &state("host1.example.test.", &[]),
        )
        .ok();
    assert!(world.aaaa("host1.example.test").is_empty());
}

#[test]
fn dry_run_prints_and_sends_nothing() {
    let world = World::new("host1.example.test");
    let conf = world.tsig_config(
        "hmac-sha256.conf",
        "hmac-sha256",
        "key-hmac-sha256",
        &world.secret("hmac-sha256"),
    );
    let serial = world.serial("signed.test");
    let r = world.run(
        "dyndns-send",
        &["-c", &conf, "--dry-run"],
        &state("h.signed.test.", &["2001:db8::1"]),
    );
    r.ok().quiet().stdout_is(
        "server ns1.signed.test. 53\nzone signed.test.\n; signed with TSIG key key-hmac-sha256. (hmac-sha256): run nsupdate -k KEYFILE; the secret is not shown here\nupdate delete h.signed.test.\nupdate add h.signed.test. 300 IN AAAA 2001:db8::1\nsend",
    );
    assert!(!r.stdout.contains(&world.secret("hmac-sha256")));
    assert_eq!(world.serial("signed.test"), serial);
    assert!(!world.cache().exists());
}

#[test]
fn every_address_dead_names_each() {
    let world = World::new("host1.example.test");
    let conf = world.default_config(300);
    world
        .run(
            "dyndns-send",
            &["-c", &conf, "-p", "5353"],
            &state("h.dead.test.", &["2001:db8::1"]),
        )
        .status(1)
        .stderr_has(&format!("[{DEAD_ADDRESS}]:5353: Connection refused"))
        .stderr_has("127.0.0.1:5353: Connection refused");
    assert!(!world.cache().exists());
}

#[test]
fn name_outside_the_zone_is_refused_before_sending() {
    let world = World::new("host1.example.test");
    let conf = world.default_config(300);
    world
        .run(
            "dyndns-send",
            &["-c", &conf, "--zone", "noupdate.test", "--server", "::1"],
            &state("h.example.test.", &["2001:db8::1"]),
        )
        .status(2)
        .stderr_has("h.example.test. is not inside zone noupdate.test.");
}

/// Key files with -k, as nsupdate takes them (tests/servers.rs covers the
/// config's "file" and inline keys on every server).
#[test]
fn every_algorithm_from_key_files_with_k() {
    let world = World::new("host1.example.test");
    for (i, algorithm) in ALGORITHMS.iter().enumerate() {
        let key_file = world.key_file(algorithm).display().to_string();
        let addr = format!("2001:db8:40::{}", i + 1);
        let name = format!("k-{algorithm}.signed.test.");
        world
            .run("dyndns-send", &["-k", &key_file], &state(&name, &[&addr]))
            .ok()
            .quiet();
        assert_eq!(world.aaaa(&name), [format!("300 {addr}")], "{algorithm}");
    }
}

#[test]
fn key_chosen_by_name_from_a_file_of_several() {
    let world = World::new("host1.example.test");
    let keys = world.dir.path().join("keys.conf").display().to_string();
    let conf = world.config(
        "c.conf",
        &format!(r#"{{"ttl": 300, "tsig": {{"file": "{keys}", "keyname": "key-hmac-sha384"}}}}"#),
    );
    world
        .run(
            "dyndns-send",
            &["-c", &conf, "-v"],
            &state("h.signed.test.", &["2001:db8::1"]),
        )
        .ok()
        .stderr_has("TSIG on, key key-hmac-sha384. (hmac-sha384)");
    let conf = world.config(
        "d.conf",
        &format!(r#"{{"ttl": 300, "tsig": {{"file": "{keys}"}}}}"#),
    );
    world
        .run(
            "dyndns-send",
            &["-c", &conf],
            &state("h.signed.test.", &["2001:db8::1"]),
        )
        .status(2)
        .stderr_has("holds several keys");
}

#[test]
fn readable_secrets_are_warned_about() {
    let world = World::new("host1.example.test");
    let key_file = world.key_file("hmac-sha256");
    fs::set_permissions(
        &key_file,
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    let k = key_file.display().to_string();
    world
        .run("dyndns-send", &["-k", &k], &state("h.signed.test.", &["2001:db8::1"]))
        .ok()
        .stderr_has(&format!("dyndns-send: warning: key file {k} holds a TSIG secret and can be read by group and others (mode 644); run: chmod 600 {k}"));
    let conf = world.tsig_config(
        "hmac-sha256.conf",
        "hmac-sha256",
        "key-hmac-sha256",
        &world.secret("hmac-sha256"),
    );
    fs::set_permissions(&conf, std::os::unix::fs::PermissionsExt::from_mode(0o640)).unwrap();
    world
        .run(
            "dyndns-send",
            &["-c", &conf],
            &state("h.signed.test.", &["2001:db8::2"]),
        )
        .ok()
        .stderr_has(&format!(
            "warning: config file {conf} holds a TSIG secret and can be read by group (mode 640)"
        ))
        .stderr_has(&format!("chmod 600 {conf}"));
}

#[test]
fn bad_key_files_send_nothing() {
    let world = World::new("host1.example.test");
    let serial = world.serial("signed.test");
    let bad = world.dir.path().join("bad.key");
    fs::write(
        &bad,
        "key \"k\" { algorithm hmac-sha256; secret \"c2VjcmV0\" };\n",
    )
    .unwrap();
    let b = bad.display().to_string();
    // The message names the field and the line, never the secret (issue 13).
    let r = world.run(
        "dyndns-send",
        &["-k", &b],
        &state("h.signed.test.", &["2001:db8::1"]),
    );
    r.status(2).stderr_has(&format!(
        "dyndns-send: key file {b} is malformed: line 1: expected ; after the value of secret"
    ));
    assert!(
        !r.stderr.contains("c2VjcmV0"),
        "the secret is in the message\n{r}"
    );
    world
        .run(
            "dyndns-send",
            &["-k", "/nonexistent.key"],
            &state("h.signed.test.", &["2001:db8::1"]),
        )
        .status(2)
        .stderr_has("cannot read key file /nonexistent.key: No such file or directory");
    fs::write(
        &bad,
        "key \"k\" { algorithm hmac-sha3; secret \"c2VjcmV0\"; };\n",
    )
    .unwrap();
    world
        .run(
            "dyndns-send",
            &["-k", &b],
            &state("h.signed.test.", &["2001:db8::1"]),
        )
        .status(2)
        .stderr_has("\"algorithm\": is not a TSIG algorithm");
    assert_eq!(world.serial("signed.test"), serial);
}

#[test]
fn clock_off_by_more_than_the_fudge_is_badtime() {
    crate::common::require("faketime", "faketime");
    let world = World::new("host1.example.test");
    let conf = world.tsig_config(
        "skewed.conf",
        "hmac-sha256",
        "key-hmac-sha256",
        &world.secret("hmac-sha256"),
    );
    // faketime works through LD_PRELOAD, which the dynamically linked
    // dyndns-send honours.
    let send = crate::common::bin("dyndns-send");
    let send = send.display();
    world.signed_update_fails(
        |input| world.run_shell(&format!("echo '{input}' | faketime -f -1h {send} -c {conf}")),
        "NOTAUTH (TSIG error BADTIME: this host's clock differs from the server's by more than the fudge",
    );
}

/// Runs `script` through BIND's nsupdate inside the namespace.
fn run_nsupdate(world: &World, script: &str, args: &[&str]) -> crate::common::Run {
    let mut cmd = std::process::Command::new("ip");
    cmd.args(["netns", "exec", &world.ns, "nsupdate"])
        .args(args);
    crate::common::run_command(cmd, script, format!("nsupdate {}", args.join(" ")))
}

#[test]
fn dry_run_script_lands_the_same_records_through_nsupdate() {
    let world = World::new("host1.example.test");
    let conf = world.default_config(300);
    let addrs = ["2001:db8:50::1", "2001:db8:50::2"];
    // Ours, sent directly...
    world
        .run(
            "dyndns-send",
            &["-c", &conf],
            &state("ours.example.test.", &addrs),
        )
        .ok();
    // ...and the same update handed to nsupdate as our dry run prints it.
    world.nsupdate("update add theirs.example.test. 60 TXT \"stale\"");
    let script = world.run(
        "dyndns-send",
        &["-c", &conf, "--dry-run", "--format", "nsupdate"],
        &state("theirs.example.test.", &addrs),
    );
    script.ok().quiet();
    run_nsupdate(&world, &script.stdout, &[]).ok();
    assert_eq!(
        world.aaaa("theirs.example.test"),
        world.aaaa("ours.example.test")
    );
    assert_eq!(
        world.aaaa("theirs.example.test"),
        ["300 2001:db8:50::1", "300 2001:db8:50::2"]
    );
    assert!(
        world.dig("theirs.example.test", "TXT").is_empty(),
        "every RRset at the name was deleted"
    );

    // A signed zone: nsupdate signs with -k and the same key file.
    let key_file = world.key_file("hmac-sha512").display().to_string();
    let script = world.run(
        "dyndns-send",
        &["-k", &key_file, "--dry-run", "--format", "nsupdate"],
        &state("h.signed.test.", &addrs),
    );
    script.ok().stdout_is(&format!(
        "server ns1.signed.test. 53\nzone signed.test.\n; signed with TSIG key key-hmac-sha512. (hmac-sha512): run nsupdate -k KEYFILE; the secret is not shown here\nupdate delete h.signed.test.\nupdate add h.signed.test. 300 IN AAAA {}\nupdate add h.signed.test. 300 IN AAAA {}\nsend",
        addrs[0], addrs[1]
    ));
    run_nsupdate(&world, &script.stdout, &["-k", &key_file]).ok();
    assert_eq!(
        world.aaaa("h.signed.test"),
        ["300 2001:db8:50::1", "300 2001:db8:50::2"]
    );
}

#[test]
fn dry_run_as_json() {
    let world = World::new("host1.example.test");
    world
        .run("dyndns-send", &["--dry-run", "--format", "json", "--server", "[::1]:5353"], &state("h.example.test.", &["2001:db8::1"]))
        .ok()
        .stdout_is(r#"{"server":"::1","port":5353,"zone":"example.test.","prerequisite":null,"delete":"h.example.test.","delete_types":["ANY"],"add":[{"name":"h.example.test.","ttl":300,"class":"IN","type":"AAAA","data":"2001:db8::1"}],"tsig":null}"#);
}
