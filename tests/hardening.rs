//! Files that root opens where others may plant something: a symlinked or
//! FIFO cache, a symlinked lock, a huge standard input. Each is refused
//! without touching what it points at, and the run ends at once.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{World, run, state};

fn config(dir: &std::path::Path, cache: &std::path::Path) -> String {
    let conf = dir.join("c.conf");
    fs::write(
        &conf,
        format!(r#"{{"ttl": 300, "cache": "{}"}}"#, cache.display()),
    )
    .unwrap();
    conf.display().to_string()
}

#[test]
fn symlinked_fifo_and_device_caches_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let conf = config(dir.path(), &cache);
    let doc = state("h.example.test.", &["2001:db8::1"]);
    // A symlink to a file holding the very state: not followed, so not "same".
    let target = dir.path().join("elsewhere");
    fs::write(&target, format!("{doc}\n")).unwrap();
    symlink(&target, &cache).unwrap();
    run("dyndns-diff", &["-c", &conf], &doc)
        .status(1)
        .stderr_has("symbolic link, which is not followed; updating anyway");
    assert_eq!(fs::read_to_string(&target).unwrap(), format!("{doc}\n"));
    fs::remove_file(&cache).unwrap();

    // A symlink to /dev/zero: refused, not read until memory runs out.
    symlink("/dev/zero", &cache).unwrap();
    run("dyndns-diff", &["-c", &conf], &doc)
        .status(1)
        .stderr_has("symbolic link, which is not followed");
    fs::remove_file(&cache).unwrap();

    // A FIFO nobody writes to: the run does not wait for it.
    assert!(
        Command::new("mkfifo")
            .arg(&cache)
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    run("dyndns-diff", &["-c", &conf], &doc)
        .status(1)
        .stderr_has("it is a FIFO, not a regular file");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "waited on a FIFO"
    );
}

#[test]
fn two_mebibytes_on_stdin_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let conf = config(dir.path(), &dir.path().join("cache"));
    let huge = " ".repeat(2 << 20);
    for stage in ["dyndns-diff", "dyndns-soa", "dyndns-send"] {
        run(stage, &["-c", &conf], &huge)
            .status(2)
            .stderr_has("standard input holds more than 1048576 octets");
    }
}

#[test]
fn the_lock_is_private_and_a_planted_lock_fails_closed() {
    let world = World::new("host1.example.test");
    let conf = world.default_config(300);
    let lock = format!("{}.lock", world.cache().display());
    let send = |addr: &str| {
        world.run(
            "dyndns-send",
            &["-c", &conf, "--server", "::1", "--zone", "example.test"],
            &state("host1.example.test.", &[addr]),
        )
    };
    send("2001:db8:10::1").ok();
    let mode = fs::metadata(&lock).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{lock} is readable by others: mode {mode:o}");
    let serial = world.serial("example.test");

    // A symlink planted where the lock goes: root neither creates nor
    // touches its target, and sends nothing unlocked.
    fs::remove_file(&lock).unwrap();
    fs::remove_file(world.cache()).unwrap();
    let target = world.dir.path().join("planted");
    symlink(&target, &lock).unwrap();
    send("2001:db8:10::2").status(1).stderr_has(&format!(
        "dyndns-send: cannot lock {lock}: it is a symbolic link to a file that does not exist"
    ));
    assert!(!target.exists(), "the lock's symlink was followed");
    fs::remove_file(&lock).unwrap();

    // A FIFO: the open does not wait on it, and the run stops.
    assert!(
        Command::new("mkfifo")
            .arg(&lock)
            .status()
            .unwrap()
            .success()
    );
    send("2001:db8:10::2").status(1).stderr_has(&format!(
        "dyndns-send: cannot lock {lock}: it is a FIFO, not a regular file"
    ));
    fs::remove_file(&lock).unwrap();

    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::1"]);
    assert_eq!(world.serial("example.test"), serial, "nothing was sent");
    assert!(!world.cache().exists(), "no cache was written");
}

/// The owner of a directory root's runs share (a service's user) plants
/// a hard link to a file of root's where the lock goes: root neither gives
/// that file away nor writes it, and sends nothing.
#[test]
fn a_hard_link_at_the_lock_or_the_cache_is_refused_and_never_given_away() {
    use std::os::unix::fs::MetadataExt;
    let world = World::new("host1.example.test");
    let shared = world.dir.path().join("shared");
    fs::create_dir(&shared).unwrap();
    std::os::unix::fs::chown(&shared, Some(4242), Some(4242)).unwrap();
    let cache = shared.join("cache");
    let conf = world.config(
        "shared.conf",
        &format!(r#"{{"ttl": 300, "cache": "{}"}}"#, cache.display()),
    );
    let precious = world.dir.path().join("precious");
    fs::write(&precious, "root's own\n").unwrap();
    fs::set_permissions(&precious, fs::Permissions::from_mode(0o600)).unwrap();
    let lock = shared.join("cache.lock");
    fs::hard_link(&precious, &lock).unwrap();
    let doc = state("host1.example.test.", &["2001:db8:10::1"]);
    world
        .run(
            "dyndns-send",
            &["-c", &conf, "--server", "::1", "--zone", "example.test"],
            &doc,
        )
        .status(1)
        .stderr_has(&format!(
            "dyndns-send: cannot lock {}: it has 2 hard links, not 1",
            lock.display()
        ));
    let meta = fs::metadata(&precious).unwrap();
    assert_eq!((meta.uid(), meta.gid(), meta.mode() & 0o777), (0, 0, 0o600));
    assert_eq!(fs::read_to_string(&precious).unwrap(), "root's own\n");
    assert!(
        world.aaaa("host1.example.test").is_empty(),
        "nothing was sent"
    );
    fs::remove_file(&lock).unwrap();

    // A hard link at the cache: not read as this host's registration.
    fs::write(&precious, format!("{doc}\n")).unwrap();
    fs::hard_link(&precious, &cache).unwrap();
    run("dyndns-diff", &["-c", &conf], &doc)
        .status(1)
        .stderr_has("it has 2 hard links, not 1");
    // Without a cache, the runtime directory's lock holds the time stamp:
    // a hard link there is refused too, its target left as it was.
    let runtime = world.dir.path().join("run");
    fs::create_dir(&runtime).unwrap();
    fs::hard_link(&precious, runtime.join("pydyndns.lock")).unwrap();
    world
        .run_env(
            "dyndns-send",
            &["--server", "::1", "--zone", "example.test"],
            &doc,
            &[("RUNTIME_DIRECTORY", runtime.to_str().unwrap())],
        )
        .status(1)
        .stderr_has("pydyndns.lock: it has 3 hard links, not 1");
    assert_eq!(fs::read_to_string(&precious).unwrap(), format!("{doc}\n"));
    assert!(
        world.aaaa("host1.example.test").is_empty(),
        "nothing was sent"
    );
}

#[test]
fn log_files_are_private_and_a_planted_symlink_is_not_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("dyndns.log");
    let conf = dir.path().join("c.conf");
    let write = |mode: &str| {
        fs::write(
            &conf,
            format!(
                r#"{{"ttl": 300, "logging": {{"version": 1, "handlers": {{"f": {{"class": "logging.FileHandler", "filename": "{}", "mode": "{mode}"}}}}, "root": {{"level": "INFO", "handlers": ["f"]}}}}}}"#,
                log.display()
            ),
        )
        .unwrap();
    };
    let c = conf.display().to_string();
    let doc = state("h.example.test.", &["2001:db8::1"]);
    write("a");
    run("dyndns-diff", &["-c", &c], &doc).status(1);
    let mode = fs::metadata(&log).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the log is readable by others: mode {mode:o}");

    // "mode": "w" through a planted symlink would truncate its target.
    fs::remove_file(&log).unwrap();
    let target = dir.path().join("precious");
    fs::write(&target, "keep me").unwrap();
    symlink(&target, &log).unwrap();
    write("w");
    run("dyndns-diff", &["-c", &c], &doc)
        .status(1)
        .stderr_has("cannot open")
        .stderr_has("symbolic link, which is not followed");
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me");

    // A hard link: "mode": "w" would have cut its target before any check
    // (O_TRUNC acts at open); now the link count is seen first.
    fs::remove_file(&log).unwrap();
    fs::hard_link(&target, &log).unwrap();
    run("dyndns-diff", &["-c", &c], &doc)
        .status(1)
        .stderr_has("cannot open")
        .stderr_has("it has 2 hard links, not 1");
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me");
}

/// Runs dyndns-addrs in the world's namespace, in a mount namespace of its
/// own where `prepare` has changed /proc first.
fn addrs_with_proc(world: &World, prepare: &str) -> crate::common::Run {
    let mut cmd = Command::new("ip");
    cmd.args([
        "netns", "exec", &world.ns, "unshare", "-m", "-p", "-f", "sh", "-c",
    ])
    .arg(format!(
        "{prepare} && exec \"$0\" --hostname h.example.test --ttl 60 veth0"
    ))
    .arg(crate::common::bin("dyndns-addrs"));
    crate::common::run_command(cmd, "", format!("dyndns-addrs after {prepare}"))
}

/// The addresses come from the kernel over rtnetlink, not from /proc: they
/// are the same under systemd's ProcSubset=pid and with no /proc at all.
/// (Without /proc there is no boot ID, so the state carries no time stamp.)
#[test]
fn the_addresses_come_over_netlink_whatever_proc_holds() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    for prepare in [
        "mount -t proc -o subset=pid proc /proc",
        "mount -t tmpfs none /proc",
    ] {
        addrs_with_proc(&world, prepare)
            .ok()
            .stdout_is(r#"{"hostname":"h.example.test.","ttl":60,"addresses":["2001:db8:10::1"]}"#);
    }
}

#[test]
fn a_server_that_could_inject_nsupdate_commands_is_refused() {
    let evil = "ns1.example.test.\nsend\nupdate add evil.example.test. 60 A 192.0.2.66";
    let doc = format!(
        r#"{{"hostname":"h.example.test.","ttl":60,"addresses":["2001:db8::1"],"zone":"example.test.","server":{}}}"#,
        serde_json::to_string(evil).unwrap()
    );
    let r = run("dyndns-send", &["--dry-run"], &doc);
    r.status(2)
        .stdout_is("")
        .stderr_has("key \"server\": is not a server");
    assert!(!r.stderr.contains("evil"), "the value is echoed\n{r}");
    let r = run(
        "dyndns-send",
        &["--dry-run", "--server", evil],
        &state("h.example.test.", &["2001:db8::1"]),
    );
    r.status(2)
        .stdout_is("")
        .stderr_has("--server is not a server");
    // A newline in the host name or the zone is refused too, and the
    // message stays one line.
    for key in ["hostname", "zone"] {
        // Each key once: a state with a key twice is refused before its value is read.
        let evil = serde_json::to_string(
            "h.example.test.\nsend\nupdate add evil.example.test. 60 A 192.0.2.66",
        )
        .unwrap();
        let doc = r#"{"hostname":"h.example.test.","ttl":60,"addresses":[],"zone":"example.test.","server":"::1"}"#
            .replace(&format!(r#""{key}":"{}""#, if key == "zone" { "example.test." } else { "h.example.test." }), &format!(r#""{key}":{evil}"#));
        assert!(doc.contains("evil"), "{doc}");
        let r = run("dyndns-send", &["--dry-run"], &doc);
        r.status(2).stdout_is("").stderr_has(&format!(
            "key \"{key}\": \"h.example.test.\\nsend\\nupdate add"
        ));
        assert_eq!(r.stderr.lines().count(), 1, "{r}");
    }
    // Names and addresses still pass.
    for good in ["ns1.example.test", "[::1]:5353", "192.0.2.1:53", "::1"] {
        run(
            "dyndns-send",
            &["--dry-run", "--zone", "example.test", "--server", good],
            &state("h.example.test.", &["2001:db8::1"]),
        )
        .ok();
    }
}

/// Secrets that must never be printed, in every wrong place a user might
/// put them: each bad config and key file fails, and no output says them.
#[test]
fn no_secret_reaches_any_message() {
    const SECRETS: [&str; 2] = ["c2VjcmV0IHRoYXQgbXVzdCBub3QgbGVhaw==", "bGVha3k="];
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<(String, String)> = Vec::new(); // (config, key file)
    for secret in SECRETS {
        let config = |tsig: String| format!(r#"{{"ttl": 300, "tsig": {tsig}}}"#);
        let configs = [
            format!(r#"{{"algorithm": "{secret}", "keyname": "k", "key": "{secret}"}}"#),
            format!(
                r#"{{"algorithm": "hmac-sha256", "keyname": "{secret} x", "key": "{secret}"}}"#
            ),
            format!(r#"{{"algorithm": "hmac-sha256", "keyname": "k", "key": "!{secret}!"}}"#),
            format!(
                r#"{{"algorithm": "hmac-sha256", "keyname": "k", "key": {{"value": "{secret}"}}}}"#
            ),
            format!(r#""{secret}""#),
            format!(r#"{{"file": "k.key", "algorithm": "{secret}"}}"#),
        ];
        for tsig in configs {
            cases.push((config(tsig), String::new()));
        }
        cases.push((
            format!(
                r#"{{"ttl": 300, "logging": {{"version": 1, "root": {{"level": "{secret}"}}}}}}"#
            ),
            String::new(),
        ));
        cases.push((format!(r#"{{"ttl": "{secret}"}}"#), String::new()));
        let key_files = [
            format!("key \"k\" {{ algorithm hmac-sha256; secret \"{secret}\" }};\n"),
            format!("key \"k\" {{ algorithm \"{secret}\"; secret \"{secret}\"; }};\n"),
            format!("key \"k\" {{ algorithm hmac-sha256; secret \"{secret}\n"),
            format!(
                "key \"k\" {{ algorithm hmac-sha256; secret {secret} ; extra {secret} {secret}; }};\n"
            ),
        ];
        for key in key_files {
            cases.push((r#"{"ttl": 300, "tsig": {"file": "k.key"}}"#.to_owned(), key));
        }
    }
    let conf = dir.path().join("c.conf");
    let key = dir.path().join("k.key");
    let c = conf.display().to_string();
    let k = key.display().to_string();
    let doc = state("h.example.test.", &["2001:db8::1"]);
    for (config, key_file) in &cases {
        fs::write(&conf, config).unwrap();
        fs::write(&key, key_file).unwrap();
        fs::set_permissions(&conf, fs::Permissions::from_mode(0o644)).unwrap();
        let runs = [
            run("dyndns-send", &["-c", &c, "--dry-run"], &doc),
            run("dyndns-diff", &["-c", &c], &doc),
            run("dyndns-send", &["--dry-run", "-k", &k], &doc),
            run("pydyndns", &["-c", &c, "-v", "lo"], ""),
        ];
        for r in runs {
            for secret in SECRETS {
                assert!(
                    !r.stdout.contains(secret) && !r.stderr.contains(secret),
                    "a secret is in the output of\n{config}\n{key_file}\n{r}"
                );
            }
        }
    }
}

#[test]
fn a_config_linked_to_a_device_or_a_fifo_ends_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("c.conf");
    let c = conf.display().to_string();
    symlink("/dev/zero", &conf).unwrap();
    run("dyndns-diff", &["-c", &c], "")
        .status(2)
        .stderr_has(&format!(
            "cannot read config file {c}: it is more than 1048576 octets"
        ));
    fs::remove_file(&conf).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(&conf)
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    run("dyndns-addrs", &["-c", &c], "")
        .status(2)
        .stderr_has("the file is empty");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "waited on a FIFO"
    );
}

#[test]
fn an_empty_address_set_deletes_loudly_once_or_keeps_the_records() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::1"]);
    // The address goes, only a tentative one and the link-local are left:
    // the update deletes the records, and says why without -v.
    world.del_address("2001:db8:10::1/64");
    world.exec(&["sysctl", "-qw", "net.ipv6.conf.veth0.dad_transmits=100"]);
    world.add_address(&["2001:db8:10::7/64"]);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .stderr_has(
            "dyndns-send: warning: the update deletes the AAAA records of host1.example.test.: \
             no address to register (veth0: ",
        )
        .stderr_has("2001:db8:10::7 (tentative)")
        .stderr_has(" (link-local)")
        .stderr_has("set \"empty\": \"keep\"");
    assert!(world.aaaa("host1.example.test").is_empty());
    // The cache keeps it from repeating every minute.
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();

    // "empty": "keep": nothing is sent, the records and the cache stay.
    let keep = world.config(
        "keep.conf",
        &format!(
            r#"{{"cache": "{}", "ttl": 300, "empty": "keep"}}"#,
            world.cache().display()
        ),
    );
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    world
        .run("pydyndns", &["-c", &keep, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::1"]);
    let cache = fs::read_to_string(world.cache()).unwrap();
    let serial = world.serial("example.test");
    world.del_address("2001:db8:10::1/64");
    world
        .run("pydyndns", &["-c", &keep, "veth0"], "")
        .ok()
        .quiet();
    world
        .run("dyndns-addrs", &["-c", &keep, "-v", "veth0"], "")
        .ok()
        .stdout_is("")
        .stderr_has("no address to register (veth0: ")
        .stderr_has("the records stay as they are (\"empty\": \"keep\")");
    // A state made by hand is kept too.
    world
        .run(
            "dyndns-send",
            &["-c", &keep],
            &state("host1.example.test.", &[]),
        )
        .ok()
        .stdout_is("unchanged host1.example.test.: no address to register (\"empty\": \"keep\")");
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::1"]);
    assert_eq!(world.serial("example.test"), serial);
    assert_eq!(fs::read_to_string(world.cache()).unwrap(), cache);
    world
        .run("dyndns-addrs", &["-c", &world.config("bad.conf", r#"{"ttl": 1, "empty": "nothing"}"#)], "")
        .status(2)
        .stderr_has("key \"empty\": must be \"delete\" (an empty address set deletes the records) or \"keep\" (it sends nothing), found a string");
}

/// Runs A and B overlap: each reads the addresses and compares them with
/// the cache before either sends; then they send, in either order.
#[test]
fn an_older_state_never_overwrites_a_newer_one_whatever_the_order_of_the_locks() {
    let world = World::new("host1.example.test");
    let lock = world.dir.path().join("pydyndns.lock");
    for conf in [
        world.default_config(300),
        world.config("nocache.conf", r#"{"ttl": 300}"#),
    ] {
        let mut n = 0;
        let mut observe = |world: &World| {
            n += 1;
            let addr = format!("2001:db8:10::{n}/64");
            world.add_address(&[&addr, "nodad"]);
            let state = world
                .run("dyndns-addrs", &["-c", &conf, "veth0"], "")
                .ok()
                .stdout
                .clone();
            world.del_address(&addr);
            let diff = world.run("dyndns-diff", &["-c", &conf], &state);
            diff.status(1);
            diff.stdout.clone()
        };
        let send = |state: &str| world.run("dyndns-send", &["-c", &conf], state);

        // The newer takes the lock first: the older is dropped.
        let (older, newer) = (observe(&world), observe(&world));
        send(&newer).ok().quiet();
        send(&older)
            .ok()
            .quiet()
            .stdout_is("unchanged host1.example.test.: older than the addresses another run registered meanwhile");
        assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::2"]);
        // The older takes it first: both land, the newer last.
        let (older, newer) = (observe(&world), observe(&world));
        send(&older).ok().quiet();
        assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::3"]);
        send(&newer).ok().quiet();
        assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::4"]);
        // What is recorded is the newer's time stamp.
        let stamp = newer.split("\"observed\":").nth(1).unwrap();
        let stamp = &stamp[..=stamp.find('}').unwrap()];
        let recorded = if conf.ends_with("nocache.conf") {
            fs::read_to_string(&lock).unwrap()
        } else {
            fs::read_to_string(world.cache()).unwrap()
        };
        assert!(recorded.contains(stamp), "{recorded} lacks {stamp}");
        assert_eq!(
            fs::metadata(&lock)
                .map(|m| m.permissions().mode() & 0o777)
                .ok(),
            conf.ends_with("nocache.conf").then_some(0o600)
        );
    }
}

/// Only dyndns-send reads the secret: the other stages check that a key is
/// configured, but a secret they would have to decode, or a key file they
/// would have to parse, does not stop them.
#[test]
fn only_dyndns_send_reads_the_secret() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let bad_key = world.dir.path().join("bad.key");
    fs::write(
        &bad_key,
        "key \"k\" { algorithm hmac-sha256; secret \"!!!\"; };\n",
    )
    .unwrap();
    fs::set_permissions(&bad_key, fs::Permissions::from_mode(0o600)).unwrap();
    for tsig in [
        r#"{"algorithm": "hmac-sha256", "keyname": "k", "key": "!!!"}"#.to_owned(),
        format!(r#"{{"file": "{}"}}"#, bad_key.display()),
    ] {
        let conf = world.config("k.conf", &format!(r#"{{"ttl": 300, "tsig": {tsig}}}"#));
        fs::set_permissions(&conf, fs::Permissions::from_mode(0o600)).unwrap();
        let state = world
            .run("dyndns-addrs", &["-c", &conf, "veth0"], "")
            .ok()
            .quiet()
            .stdout
            .clone();
        world
            .run("dyndns-diff", &["-c", &conf], &state)
            .status(1)
            .quiet();
        world.run("dyndns-soa", &["-c", &conf], &state).ok().quiet();
        world
            .run("dyndns-send", &["-c", &conf], &state)
            .status(2)
            .stderr_has("not valid base64");
    }
    // What they do check: the key's name and algorithm, and that the key file is there.
    let conf = world.config(
        "alg.conf",
        r#"{"ttl": 300, "tsig": {"algorithm": "hmac-sha3", "keyname": "k", "key": "c2VjcmV0"}}"#,
    );
    world
        .run("dyndns-addrs", &["-c", &conf], "")
        .status(2)
        .stderr_has("key \"tsig\": \"tsig.algorithm\": is not a TSIG algorithm");
    let conf = world.config("gone.conf", r#"{"ttl": 300, "tsig": {"file": "gone.key"}}"#);
    world
        .run("dyndns-diff", &["-c", &conf], "")
        .status(2)
        .stderr_has("gone.key");
}

/// A config or key file another user owns or can change is warned about,
/// naming the bits (read or write) and the fix.
#[test]
fn files_others_own_or_can_change_are_warned_about() {
    let world = World::new("host1.example.test");
    let key = world.key_file("hmac-sha256");
    fs::set_permissions(&key, fs::Permissions::from_mode(0o620)).unwrap();
    let conf = world.config(
        "shared.conf",
        &format!(r#"{{"ttl": 300, "tsig": {{"file": "{}"}}}}"#, key.display()),
    );
    fs::set_permissions(&conf, fs::Permissions::from_mode(0o666)).unwrap();
    std::os::unix::fs::chown(&conf, Some(4242), None).unwrap();
    let k = key.display();
    world
        .run("dyndns-addrs", &["-c", &conf, "veth0"], "")
        .ok()
        .stderr_has(&format!(
            "warning: config file {conf} is owned by uid 4242, not by root: that user decides which files root writes; run: chown root {conf}"
        ))
        .stderr_has(&format!(
            "warning: config file {conf} decides which files root writes and can be written by group and others (mode 666); run: chmod go-w {conf}"
        ))
        .stderr_has(&format!(
            "warning: key file {k} holds a TSIG secret and can be written by group (mode 620); run: chmod 600 {k}"
        ));
    // Readable by all is fine for a config without a secret.
    fs::set_permissions(&conf, fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::chown(&conf, Some(0), None).unwrap();
    fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).unwrap();
    world
        .run("dyndns-addrs", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
}

/// A stage killed with SIGABRT from cron (where `ulimit -c` may be
/// unlimited and the core goes to the current directory) leaves no core
/// with the secret it read: each program turns its core dumps off first.
#[test]
fn a_killed_stage_leaves_no_core_dump() {
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("c.conf");
    fs::write(
        &conf,
        r#"{"ttl": 300, "tsig": {"algorithm": "hmac-sha256", "keyname": "k", "key": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}}"#,
    )
    .unwrap();
    for stage in ["dyndns-send", "dyndns-diff"] {
        let cwd = tempfile::tempdir().unwrap();
        // Stdin is a pipe left open: the stage waits on it, config read.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg("ulimit -c unlimited && cd \"$1\" && exec \"$2\" -c \"$3\"")
            .args(["sh", cwd.path().to_str().unwrap()])
            .arg(crate::common::bin(stage))
            .arg(&conf)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let proc = format!("/proc/{}", child.id());
        let limit = || {
            let limits = fs::read_to_string(format!("{proc}/limits")).unwrap_or_default();
            let line = limits
                .lines()
                .find(|l| l.starts_with("Max core file size"))
                .unwrap_or_default()
                .to_owned();
            line.split_whitespace()
                .nth(4)
                .unwrap_or_default()
                .to_owned()
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while !(fs::read_to_string(format!("{proc}/comm"))
            .is_ok_and(|c| stage.starts_with(c.trim()))
            && limit() == "0")
        {
            if Instant::now() > deadline {
                let found = limit();
                let _ = child.kill();
                let _ = child.wait();
                panic!("{stage} kept core dumps on: its core limit is {found:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // Read the config and waiting on stdin: abort it.
        std::thread::sleep(Duration::from_millis(100));
        assert!(child.try_wait().unwrap().is_none(), "{stage} ended early");
        let _ = Command::new("kill")
            .args(["-ABRT", &child.id().to_string()])
            .status();
        use std::os::unix::process::ExitStatusExt;
        // SIGABRT is 6 on Linux.
        assert_eq!(child.wait().unwrap().signal(), Some(6), "{stage}");
        let cores: Vec<_> = fs::read_dir(cwd.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(cores.is_empty(), "{stage} left {cores:?}");
    }
}

/// A host name that is the zone's apex: an update there would delete the
/// zone's own records (BIND keeps only SOA and NS). A wildcard label is
/// no host's name. Both are refused, exit 2, before anything is sent.
#[test]
fn the_zone_apex_and_wildcards_are_never_updated() {
    let world = World::new("host1.example.test");
    world.nsupdate(
        "update add example.test. 300 TXT \"v=spf1 -all\"\nupdate add example.test. 300 MX 10 mail.example.net.",
    );
    let serial = world.serial("example.test");
    let apex = state("example.test.", &["2001:db8:10::1"]);
    let why = "example.test. is the apex of zone example.test.: an update there would replace the zone's own records";
    // The zone found by dyndns-soa, by dyndns-send itself, or given.
    world
        .run("dyndns-soa", &[], &apex)
        .status(2)
        .stderr_has(&format!("dyndns-soa: {why}"));
    world
        .run("dyndns-send", &["--server", "::1"], &apex)
        .status(2)
        .stderr_has(&format!("dyndns-send: {why}"));
    world
        .run(
            "dyndns-send",
            &["--server", "::1", "--zone", "example.test"],
            &apex,
        )
        .status(2)
        .stderr_has(why);
    world
        .run(
            "dyndns-send",
            &["--dry-run", "--server", "::1", "--zone", "EXAMPLE.test"],
            &apex,
        )
        .status(2)
        .stderr_has("is the apex of zone");
    world
        .run(
            "pydyndns",
            &[
                "-c",
                &world.default_config(300),
                "--hostname",
                "example.test",
                "veth0",
            ],
            "",
        )
        .status(2);
    // A wildcard, however it comes.
    world
        .run(
            "dyndns-addrs",
            &["--hostname", "*.example.test", "--ttl", "300", "veth0"],
            "",
        )
        .status(2)
        .stderr_has("\"*.example.test\" has a '*' label: a wildcard (RFC 4592)");
    world
        .run(
            "dyndns-send",
            &["--server", "::1", "--zone", "example.test"],
            &state("*.example.test.", &["2001:db8:10::1"]),
        )
        .status(2)
        .stderr_has("has a '*' label");
    assert_eq!(
        world.records("example.test", "TXT"),
        ["300 \"v=spf1 -all\""]
    );
    assert_eq!(
        world.records("example.test", "MX"),
        ["300 10 mail.example.net."]
    );
    assert!(world.aaaa("example.test").is_empty());
    assert!(world.aaaa("*.example.test").is_empty());
    assert_eq!(world.serial("example.test"), serial, "nothing was sent");
}

/// A state document is read as strictly as the config: a key given twice
/// is refused (the last one silently won: a second "hostname" changed the
/// name updated), exit 2.
#[test]
fn a_state_with_a_key_twice_is_refused() {
    let twice = r#"{"hostname":"a.example.test.","ttl":300,"addresses":["2001:db8::1"],"hostname":"b.example.test."}"#;
    for (stage, args) in [
        ("dyndns-diff", &[][..]),
        ("dyndns-soa", &[]),
        (
            "dyndns-send",
            &["--dry-run", "--server", "::1", "--zone", "example.test"],
        ),
    ] {
        run(stage, args, twice)
            .status(2)
            .stderr_has("standard input")
            .stderr_has("key \"hostname\" is given twice; a state document has each key once");
    }
    let extra_twice =
        r#"{"hostname":"a.example.test.","ttl":300,"addresses":[],"site":1,"site":2}"#;
    run("dyndns-diff", &[], extra_twice)
        .status(2)
        .stderr_has("key \"site\" is given twice");
}

/// A cache path that names a directory is a config error before anything
/// is sent (the update went out, then every run failed to write it), and
/// a path with a control character says so.
#[test]
fn a_cache_that_is_a_directory_is_a_config_error_before_sending() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let dir = world.dir.path().display().to_string();
    for (cache, shown) in [
        ("/".to_owned(), "/".to_owned()),
        (format!("{dir}/"), format!("{dir}/")),
        (dir.clone(), dir.clone()),
    ] {
        let conf = world.config(
            "dir.conf",
            &format!(r#"{{"ttl": 300, "cache": "{cache}"}}"#),
        );
        world
            .run("pydyndns", &["-c", &conf, "veth0"], "")
            .status(2)
            .stderr_has(&format!(
                "key \"cache\": {shown} is a directory; give a file in it, for example"
            ));
    }
    world
        .run(
            "dyndns-send",
            &["--cache", &dir, "--server", "::1", "--zone", "example.test"],
            &state("host1.example.test.", &["2001:db8:10::1"]),
        )
        .status(2)
        .stderr_has(&format!("{dir} is a directory; give a file in it"));
    assert!(
        world.aaaa("host1.example.test").is_empty(),
        "nothing was sent"
    );
    let conf = world.config("nl.conf", r#"{"ttl": 300, "cache": "/run/a\nb"}"#);
    world
        .run("dyndns-addrs", &["-c", &conf, "veth0"], "")
        .status(2)
        .stderr_has("key \"cache\": must hold no control character (a newline, a tab), found one at character 7");
}
