//! Faults, races and bad input: nothing lost, nothing stuck. Real `named`
//! where a server is involved; runs from cron and a DHCP hook at the same
//! moment; kills around the cache write; a primary that never answers;
//! read-only and full disks; the catalogue of bad input.

use std::fs;
use std::process::Command;
use std::time::{Duration, Instant};

use dyndns::state::State;

use crate::common::{SILENT_NET, World, bin, run};

const A: &str = r#"{"hostname":"host1.example.test.","ttl":300,"addresses":["2001:db8:10::1"]}"#;
const B: &str = r#"{"hostname":"host1.example.test.","ttl":300,"addresses":["2001:db8:10::2","2001:db8:10::3"]}"#;

#[test]
fn simultaneous_runs_send_one_update() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    let serial = world.serial("example.test");
    let runs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| s.spawn(|| world.run("pydyndns", &["-c", &conf, "-v", "veth0"], "")))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in &runs {
        r.ok();
    }
    let updated = runs
        .iter()
        .filter(|r| r.stdout.starts_with("updated "))
        .count();
    assert_eq!(
        updated,
        1,
        "exactly one run updates: {}",
        runs.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(
        world.updates_logged("example.test"),
        1,
        "named applied exactly one update"
    );
    assert_eq!(world.serial("example.test"), serial + 1);
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::1"]);
}

#[test]
fn a_held_lock_is_waited_for_then_a_clear_error() {
    let world = World::new("host1.example.test");
    let conf = world.cached_config("t.conf", r#""timeout": 0.2"#);
    let lock = format!("{}.lock", world.cache().display());
    // flock(1) holds the lock for 5 s, as a stuck run would.
    let mut holder = Command::new("flock")
        .args([&lock, "sleep", "5"])
        .spawn()
        .expect("flock (util-linux)");
    // Wait until it holds the lock: a non-blocking flock of ours then fails.
    let deadline = Instant::now() + Duration::from_secs(5);
    while Command::new("flock")
        .args(["-n", &lock, "true"])
        .status()
        .unwrap()
        .success()
    {
        assert!(Instant::now() < deadline, "flock never took {lock}");
        std::thread::sleep(Duration::from_millis(5));
    }
    let input = format!("{},\"differs_from_cache\":true}}", A.trim_end_matches('}'));
    let started = Instant::now();
    let r = world.run(
        "dyndns-send",
        &["-c", &conf, "--server", "::1", "--zone", "example.test"],
        &input,
    );
    let waited = started.elapsed();
    let _ = holder.kill();
    let _ = holder.wait();
    r.status(1).stderr_has(&format!(
        "dyndns-send: cannot lock {lock}: another run has held it for over 1s; is one stuck?"
    ));
    assert!(
        waited < Duration::from_secs(4),
        "the wait is bounded ({waited:?})"
    );
    assert!(world.aaaa("host1.example.test").is_empty(), "nothing sent");
}

#[test]
fn sigkill_around_the_cache_write_leaves_old_or_new() {
    let world = World::new("host1.example.test");
    let conf = world.default_config(300);
    let states = [State::parse(A, "A").unwrap(), State::parse(B, "B").unwrap()];
    let spawn = |input: &str| {
        let mut child = Command::new("ip")
            .args(["netns", "exec", &world.ns])
            .arg(bin("dyndns-send"))
            .args(["-c", &conf, "--server", "::1", "--zone", "example.test"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
        child
    };
    // How long a whole run takes here, to spread the kills over it.
    let started = Instant::now();
    assert!(spawn(B).wait().unwrap().success());
    let run_time = started.elapsed();
    let (mut completed, mut killed) = (0, 0);
    for i in 0..80u32 {
        let input = [A, B][(i % 2) as usize];
        let mut child = spawn(input);
        std::thread::sleep(run_time * (i % 20) / 16);
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            completed += 1
        } else {
            killed += 1
        }
        if let Ok(text) = fs::read_to_string(world.cache()) {
            let cached = State::parse(&text, "cache").unwrap_or_else(|e| {
                panic!("iteration {i}: the cache is not a state ({e}): {text:?}")
            });
            assert!(
                states.iter().any(|s| s.same_registration(&cached)),
                "iteration {i}: the cache is neither old nor new: {text:?}"
            );
        }
    }
    // Both ends of the window were reached: some runs were killed, some finished.
    assert!(
        completed > 0 && killed > 0,
        "{completed} runs completed, {killed} were killed (a run takes {run_time:?})"
    );
}

#[test]
fn silent_primary_ends_within_the_bound() {
    let world = World::new("host1.silent.test");
    world.add_address(&[SILENT_NET, "nodad"]);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.cached_config("t.conf", r#""timeout": 1"#);
    let started = Instant::now();
    let r = world.run("pydyndns", &["-c", &conf, "veth0"], "");
    let took = started.elapsed();
    r.status(1).stderr_has(
        "failed at every address of ns.silent.test.: [2001:db8:99::5]:53: no answer within 1s",
    );
    // Five timeouts bound a run (two for the lookups, three for the update).
    assert!(took < Duration::from_secs(5), "the run took {took:?}");
    assert!(!world.cache().exists());
}

#[test]
fn silent_resolver_ends_within_the_bound() {
    let world = World::new("host1.example.test");
    world.add_address(&[SILENT_NET, "nodad"]);
    fs::write(
        format!("/etc/netns/{}/resolv.conf", world.ns),
        "nameserver 2001:db8:99::6\n",
    )
    .unwrap();
    let started = Instant::now();
    let r = world.run(
        "dyndns-soa",
        &["--timeout", "0.5", "host1.example.test"],
        "",
    );
    let took = started.elapsed();
    r.status(1)
        .stderr_has("dyndns-soa: no zone found for host1.example.test.");
    assert!(took < Duration::from_secs(3), "the lookup took {took:?}");
}

#[test]
fn read_only_cache_directory_after_an_update_fails_and_retries() {
    let world = World::new("host1.example.test");
    let ro = world.dir.path().join("ro");
    fs::create_dir(&ro).unwrap();
    let cache = ro.join("cache");
    let conf = world.config(
        "ro.conf",
        &format!(r#"{{"ttl": 300, "cache": "{}"}}"#, cache.display()),
    );
    let send = format!(
        "{} -c {conf} --server ::1 --zone example.test",
        bin("dyndns-send").display()
    );
    // A read-only file system over the cache's directory, in this run's own mount namespace.
    let r = world.run_shell(&format!(
        "mount -t tmpfs -o ro tmpfs {} && echo '{A}' | {send}",
        ro.display()
    ));
    r.status(1).stderr_has(&format!(
        "dyndns-send: host1.example.test. was updated at [::1]:53, but cannot write cache file {}: Read-only file system",
    cache.display()));
    r.stderr_has("the next run will update again")
        .stderr_has("dyndns-send: warning: cannot lock");
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::1"]);
    // The next run (the file system writable again) retries and writes the cache.
    world.run_shell(&format!("echo '{A}' | {send}")).ok();
    assert!(cache.exists());
}

#[test]
fn full_disk_after_an_update_fails_and_keeps_the_old_cache() {
    let world = World::new("host1.example.test");
    let full = world.dir.path().join("full");
    fs::create_dir(&full).unwrap();
    let cache = full.join("cache");
    let conf = world.config(
        "full.conf",
        &format!(r#"{{"ttl": 300, "cache": "{}"}}"#, cache.display()),
    );
    let send = format!(
        "{} -c {conf} --server ::1 --zone example.test",
        bin("dyndns-send").display()
    );
    let old = format!("{A}\n");
    let r = world.run_shell(&format!(
        "mount -t tmpfs -o size=8k tmpfs {d} && printf '%s\\n' '{A}' > {c} && (dd if=/dev/zero of={d}/fill bs=1k count=64 2>/dev/null; true) && echo '{B}' | {send}; status=$?; cat {c}; exit $status",
        d = full.display(),
        c = cache.display()
    ));
    r.status(1)
        .stderr_has("No space left on device")
        .stderr_has("the next run will update again");
    assert_eq!(r.stdout, old, "the old cache is intact");
    assert_eq!(
        world.aaaa("host1.example.test"),
        ["300 2001:db8:10::2", "300 2001:db8:10::3"]
    );
}

#[test]
fn bad_config_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    run("dyndns-addrs", &["-c", &d, "lo"], "")
        .status(2)
        .stderr_has(&format!(
            "dyndns-addrs: cannot read config file {d}: Is a directory"
        ));
    let latin1 = dir.path().join("latin1.conf");
    fs::write(&latin1, b"{\"ttl\": 300, \"x\": \"caf\xe9\"}").unwrap();
    let l = latin1.display().to_string();
    run("dyndns-diff", &["-c", &l], "")
        .status(2)
        .stderr_has(&format!(
            "cannot read config file {l}: stream did not contain valid UTF-8"
        ));
    let huge = dir.path().join("huge.conf");
    fs::write(&huge, r#"{"ttl": 1e400}"#).unwrap();
    let h = huge.display().to_string();
    run("dyndns-diff", &["-c", &h], "")
        .status(2)
        .stderr_has(&format!("config file {h}"));
}

#[test]
fn bad_caches_warn_update_and_stay_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("c.conf");
    let cache = dir.path().join("cache");
    fs::write(
        &conf,
        format!(r#"{{"ttl": 300, "cache": "{}"}}"#, cache.display()),
    )
    .unwrap();
    let c = conf.display().to_string();
    let p = cache.display().to_string();
    let cases: [(&dyn Fn(), &str); 3] = [
        (
            &|| fs::write(&cache, &A[..20]).unwrap(),
            "is corrupt: cache file",
        ),
        (
            &|| fs::write(&cache, vec![b' '; 2 << 20]).unwrap(),
            "far more than a cache holds",
        ),
        (
            &|| std::os::unix::fs::symlink("/nonexistent/cache", &cache).unwrap(),
            "a symbolic link to a file that does not exist",
        ),
    ];
    for (make, want) in cases {
        let _ = fs::remove_file(&cache);
        make();
        let before = fs::symlink_metadata(&cache).unwrap();
        run("dyndns-diff", &["-c", &c], A)
            .status(1)
            .stderr_has("dyndns-diff: warning: ")
            .stderr_has(&p)
            .stderr_has(want)
            .stderr_has("updating anyway");
        let after = fs::symlink_metadata(&cache).unwrap();
        assert_eq!(
            (before.len(), before.file_type()),
            (after.len(), after.file_type()),
            "untouched"
        );
    }
}

#[test]
fn bad_states_send_nothing() {
    let world = World::new("host1.example.test");
    let conf = world.default_config(300);
    let serial = world.serial("example.test");
    let long_label = format!(
        r#"{{"hostname":"{}.example.test.","ttl":1,"addresses":[]}}"#,
        "a".repeat(64)
    );
    let long_name = format!(
        r#"{{"hostname":"{}.example.test.","ttl":1,"addresses":[]}}"#,
        ["abcdefghijklmnopq"; 15].join(".")
    );
    let cases = [
        (
            "[1, 2]",
            "standard input: key \"(top level)\": must be a JSON object",
        ),
        (r#"{"ttl":1,"addresses":[]}"#, "key \"hostname\": missing"),
        (
            r#"{"hostname":"h.example.test.","addresses":[]}"#,
            "key \"ttl\": missing",
        ),
        (
            r#"{"hostname":"h.example.test.","ttl":1}"#,
            "key \"addresses\": missing",
        ),
        (
            r#"{"hostname":"h.example.test.","ttl":1,"addresses":["198.51.100.1"]}"#,
            "\"198.51.100.1\" is not an IPv6 address",
        ),
        (
            r#"{"hostname":"h..example.test.","ttl":1,"addresses":[]}"#,
            "has an empty label",
        ),
        (&long_label, "key \"hostname\""),
        (&long_name, "key \"hostname\""),
        (
            r#"{"hostname":"h.example.test.","ttl":1.5,"addresses":[]}"#,
            "key \"ttl\"",
        ),
    ];
    for stage in ["dyndns-soa", "dyndns-send"] {
        for (input, want) in &cases {
            world
                .run(stage, &["-c", &conf], input)
                .status(2)
                .stdout_is("")
                .stderr_has(&format!("{stage}: "))
                .stderr_has(want);
        }
    }
    assert_eq!(world.serial("example.test"), serial);
    assert!(!world.cache().exists());
}

#[test]
fn update_too_large_for_one_message_is_refused() {
    let addrs: Vec<String> = (0..3000).map(|i| format!("\"2001:db8::{i:x}\"")).collect();
    let state = format!(
        r#"{{"hostname":"host1.example.test.","ttl":300,"addresses":[{}]}}"#,
        addrs.join(",")
    );
    run(
        "dyndns-send",
        &["--server", "::1", "--zone", "example.test"],
        &state,
    )
    .status(2)
    .stderr_has("the update for host1.example.test. with 3000 addresses is")
    .stderr_has("more than one DNS message can carry (65535)");
}

/// glibc's lookups take no timeout: the host name's (when /etc/hosts does
/// not know it) and a syslog host's are bounded by the config's, as is the
/// TCP connection to syslog. The resolver here would otherwise be asked for
/// minutes (30 s per try, 5 tries).
#[test]
fn host_name_and_syslog_lookups_end_within_the_bound() {
    let world = World::new("host1.example.test");
    world.add_address(&[SILENT_NET, "nodad"]);
    let etc = format!("/etc/netns/{}", world.ns);
    fs::write(format!("{etc}/hosts"), "127.0.0.1 localhost\n").unwrap();
    fs::write(
        format!("{etc}/resolv.conf"),
        "nameserver 2001:db8:99::6\nsearch example.test\noptions timeout:30 attempts:5\n",
    )
    .unwrap();
    let conf = world.config("t.conf", r#"{"ttl": 300, "timeout": 1}"#);
    let started = Instant::now();
    let r = world.run("dyndns-addrs", &["-c", &conf, "veth0"], "");
    let took = started.elapsed();
    r.status(1).stdout_is("").stderr_has(
        "dyndns-addrs: the system's resolver did not give the full name of \"host1\" within 2s",
    );
    assert!(took < Duration::from_secs(5), "the lookup took {took:?}");

    for address in [
        r#"["2001:db8:99::5", 514], "socktype": "ext://socket.SOCK_STREAM""#,
        r#"["syslog.example.test", 514]"#,
    ] {
        let conf = world.config(
            "syslog.conf",
            &format!(
                r#"{{"ttl": 300, "timeout": 1, "logging": {{"version": 1, "handlers": {{"s": {{"class": "logging.handlers.SysLogHandler", "address": {address}}}}}, "root": {{"handlers": ["s"]}}}}}}"#
            ),
        );
        let started = Instant::now();
        let r = world.run("dyndns-diff", &["-c", &conf], "");
        let took = started.elapsed();
        r.ok().stderr_has("cannot reach syslog");
        assert!(took < Duration::from_secs(4), "{address}: took {took:?}");
    }
}
