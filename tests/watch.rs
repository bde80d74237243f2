//! `dyndns-watch` and `pydyndns --watch`: registering within a second of an
//! address change, against a real BIND, with real kernel events.

use std::fs;
use std::process::{Child, Command};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::common::World;

/// Waits up to `secs` for the AAAA set at host1.example.test to be `want`.
fn until_aaaa(world: &World, want: &[&str], secs: u64) {
    let mut want: Vec<String> = want.iter().map(|a| format!("300 {a}")).collect();
    want.sort();
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let got = world.aaaa("host1.example.test");
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "AAAA set {got:?}, not {want:?}");
        sleep(Duration::from_millis(50));
    }
}

/// A watcher started by a test: killed when dropped, so that a failing
/// test leaves no process behind.
struct Watcher(Option<Child>);

impl Drop for Watcher {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts `program` in the world, held by a [`Watcher`].
fn start(world: &World, program: &str, args: &[&str]) -> Watcher {
    Watcher(Some(world.spawn(program, args, "watch.log")))
}

/// Sends SIGTERM and waits: it must end within a second, successfully.
fn terminate(mut watcher: Watcher) {
    let mut child = watcher.0.take().unwrap();
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still running a second after SIGTERM"
        );
        sleep(Duration::from_millis(20));
    }
}

#[test]
fn pydyndns_watch_follows_the_kernel() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    let watcher = start(&world, "pydyndns", &["-c", &conf, "--watch", "veth0"]);
    // At start: registered.
    until_aaaa(&world, &["2001:db8:10::1"], 10);
    // Added, then removed: within a second or two each.
    world.add_address(&["2001:db8:10::2/64", "nodad"]);
    until_aaaa(&world, &["2001:db8:10::1", "2001:db8:10::2"], 5);
    world.del_address("2001:db8:10::1/64");
    until_aaaa(&world, &["2001:db8:10::2"], 5);
    // Tentative: only once DAD is over (three probes, about 3 s).
    world.exec(&["sysctl", "-qw", "net.ipv6.conf.veth0.dad_transmits=3"]);
    world.add_address(&["2001:db8:10::3/64"]);
    sleep(Duration::from_millis(1200));
    assert_eq!(
        world.aaaa("host1.example.test"),
        ["300 2001:db8:10::2"],
        "registered while tentative"
    );
    until_aaaa(&world, &["2001:db8:10::2", "2001:db8:10::3"], 10);
    // A burst of 50 changes: a few updates, and the final set.
    let before = world.updates_logged("example.test");
    let mut want = vec!["2001:db8:10::2".to_owned(), "2001:db8:10::3".to_owned()];
    for n in 0..50 {
        let addr = format!("2001:db8:10::1:{n:x}");
        world.add_address(&[&format!("{addr}/64"), "nodad"]);
        want.push(addr);
    }
    until_aaaa(
        &world,
        &want.iter().map(String::as_str).collect::<Vec<_>>(),
        10,
    );
    sleep(Duration::from_millis(1500));
    let updates = world.updates_logged("example.test") - before;
    assert!(
        (1..=4).contains(&updates),
        "{updates} updates for one burst"
    );
    // An address on an interface not watched: nothing at all.
    let before = world.updates_logged("example.test");
    world.ip(&["addr", "add", "2001:db8:20::9/64", "nodad", "dev", "veth1"]);
    sleep(Duration::from_millis(1500));
    assert_eq!(world.updates_logged("example.test"), before);
    // SIGTERM: it ends within a second; the cache says what DNS holds.
    terminate(watcher);
    let cache = fs::read_to_string(world.cache()).unwrap();
    for addr in &want {
        assert!(
            cache.contains(&format!("\"{addr}\"")),
            "{addr} not in {cache}"
        );
    }
}

#[test]
fn a_server_down_during_an_event_is_retried() {
    let mut world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    // Lookups time out within a second, so a run fails while BIND is down.
    let conf = world.cached_config("fast.conf", r#""timeout": 0.3"#);
    let pydyndns = crate::common::bin("pydyndns").display().to_string();
    let watcher = start(
        &world,
        "dyndns-watch",
        &[
            "-c",
            &conf,
            "--run",
            &pydyndns,
            "--retry-after",
            "1",
            "veth0",
        ],
    );
    until_aaaa(&world, &["2001:db8:10::1"], 10);
    world.stop_server();
    world.add_address(&["2001:db8:10::2/64", "nodad"]);
    sleep(Duration::from_millis(4000));
    world.restart_server();
    // Retried with backoff (1 s, 2 s, 4 s here): the records are right.
    // (A run bounds its lookups by the timeout; a longer outage needs more retries.)
    until_aaaa(&world, &["2001:db8:10::1", "2001:db8:10::2"], 15);
    let log = fs::read_to_string(world.dir.path().join("watch.log")).unwrap();
    // The first retry after 1 s ±20 %.
    let first: f64 = log
        .split_once("failed (exit status: 1); retrying in ")
        .and_then(|(_, rest)| rest.split_once("s\n"))
        .map(|(secs, _)| secs.parse().unwrap())
        .unwrap_or_else(|| panic!("{log}"));
    assert!((0.8..=1.2).contains(&first), "{log}");
    assert!(
        log.contains(r#"{"event":"address-added","interface":"veth0","address":"2001:db8:10::2"}"#),
        "{log}"
    );
    terminate(watcher);
}

#[test]
fn an_overrun_reads_everything_again_and_loses_no_change() {
    let world = World::new("host1.example.test");
    let conf = world.default_config(300);
    // A receive buffer of the kernel's minimum, and 200 addresses at once.
    let watcher = start(
        &world,
        "dyndns-watch",
        &[
            "-c",
            &conf,
            "--receive-buffer",
            "1",
            "--quiet",
            "300",
            "veth0",
        ],
    );
    sleep(Duration::from_millis(300));
    let mut batch = String::new();
    for n in 0..200 {
        batch.push_str(&format!(
            "addr add 2001:db8:10::2:{n:x}/64 nodad dev veth0\n"
        ));
    }
    let script = world.dir.path().join("batch");
    fs::write(&script, batch).unwrap();
    world.ip(&["-batch", &script.display().to_string()]);
    sleep(Duration::from_millis(1500));
    terminate(watcher);
    let log = fs::read_to_string(world.dir.path().join("watch.log")).unwrap();
    assert!(
        log.contains(r#"{"event":"resync"}"#),
        "no overrun provoked:\n{log}"
    );
    let added = log.lines().filter(|l| l.contains("address-added")).count();
    assert_eq!(added, 200, "{log}");
}

/// SIGTERM while a run is under way: it ends within a second, and the cache
/// never claims what DNS does not hold (a run stopped before its cache
/// write leaves the old cache, and the next run sends again).
#[test]
fn sigterm_during_a_run_leaves_cache_and_records_consistent() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    let watcher = start(
        &world,
        "dyndns-watch",
        &[
            "-c",
            &conf,
            "--quiet",
            "0",
            "--run",
            &crate::common::bin("pydyndns").display().to_string(),
            "veth0",
        ],
    );
    until_aaaa(&world, &["2001:db8:10::1"], 10);
    world.add_address(&["2001:db8:10::2/64", "nodad"]);
    // The run starts at once (no quiet time): stop it in its middle.
    sleep(Duration::from_millis(5));
    terminate(watcher);
    let cache = fs::read_to_string(world.cache()).unwrap();
    let records = world.aaaa("host1.example.test");
    if cache.contains("2001:db8:10::2") {
        assert_eq!(
            records,
            ["300 2001:db8:10::1", "300 2001:db8:10::2"],
            "{cache}"
        );
    } else {
        assert!(cache.contains("\"2001:db8:10::1\""), "{cache}");
    }
    // Whatever was cut, the next run puts it right.
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    until_aaaa(&world, &["2001:db8:10::1", "2001:db8:10::2"], 5);
}

/// Toggles `addr` on `dev` every `every` until `stop` is set: a stream of
/// kernel events.
fn flood(
    world: &World,
    dev: &str,
    addr: &str,
    every: Duration,
    stop: &std::sync::atomic::AtomicBool,
) {
    let mut on = false;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let verb = if on { "del" } else { "add" };
        let mut args = vec!["addr", verb, addr, "dev", dev];
        if !on {
            args.push("nodad");
        }
        world.ip(&args);
        on = !on;
        sleep(every);
    }
    if on {
        world.ip(&["addr", "del", addr, "dev", dev]);
    }
}

/// Starts the wrapper's watcher with the config's `watch` object, once the
/// first run registered 2001:db8:10::1.
fn watching(world: &World, watch: &str) -> Watcher {
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.cached_config("watch.conf", &format!(r#""watch": {watch}"#));
    let watcher = start(world, "pydyndns", &["-c", &conf, "--watch", "veth0"]);
    until_aaaa(world, &["2001:db8:10::1"], 10);
    watcher
}

/// With `addr` toggled on `dev` every 0.3 s, adds 2001:db8:10::2 on veth0
/// and returns how long until the primary serves it (at most `secs`). The
/// flood stops however the wait ends, so a failing test does not hang.
fn registered_during_flood(world: &World, dev: &str, addr: &str, secs: u64) -> Duration {
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| flood(world, dev, addr, Duration::from_millis(300), &stop));
        sleep(Duration::from_millis(600));
        world.add_address(&["2001:db8:10::2/64", "nodad"]);
        let started = Instant::now();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            until_aaaa(world, &["2001:db8:10::1", "2001:db8:10::2"], secs)
        }));
        let took = started.elapsed();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Err(panic) = result {
            std::panic::resume_unwind(panic);
        }
        took
    })
}

/// Events on an interface that is not watched do not put off a change on
/// one that is: the quiet window counts the watched interface's events only.
#[test]
fn events_elsewhere_do_not_starve_a_watched_change() {
    let world = World::new("host1.example.test");
    let _watcher = watching(&world, r#"{"quiet_ms": 500, "max_delay_ms": 60000}"#);
    let took = registered_during_flood(&world, "veth1", "2001:db8:20::9/64", 10);
    assert!(
        took < Duration::from_secs(3),
        "registered after {took:?}, during a flood elsewhere"
    );
}

/// A flood on the watched interface itself (a unique local address: events
/// on veth0, nothing to register): the change is acted on within
/// "max_delay_ms" of its first event, however many keep coming.
#[test]
fn a_change_is_registered_within_max_delay_while_events_keep_coming() {
    let world = World::new("host1.example.test");
    let _watcher = watching(&world, r#"{"quiet_ms": 500, "max_delay_ms": 2000}"#);
    let took = registered_during_flood(&world, "veth0", "fd00:99::9/64", 12);
    assert!(
        took < Duration::from_secs(5),
        "registered after {took:?}; max_delay_ms is 2000"
    );
}

/// An address that flaps every 0.6 s: at most "max_updates_per_minute"
/// (6 by default) updates a minute, and the last state is registered once
/// the limit allows.
#[test]
fn updates_are_rate_limited_and_the_last_state_lands() {
    let world = World::new("host1.example.test");
    let _watcher = watching(&world, r#"{"quiet_ms": 100}"#);
    let before = world.updates_logged("example.test");
    let started = Instant::now();
    for n in 0..12 {
        let addr = "2001:db8:10::2/64";
        if n % 2 == 0 {
            world.add_address(&[addr, "nodad"]);
        } else {
            world.del_address(addr);
        }
        sleep(Duration::from_millis(600));
    }
    // The flap ends with the address present.
    world.add_address(&["2001:db8:10::3/64", "nodad"]);
    let flapping = started.elapsed();
    let during = world.updates_logged("example.test") - before;
    // The first run took a token: 5 left for the flap, then one per 10 s.
    let allowed = 5 + (flapping.as_secs() / 10) as usize;
    assert!(
        during <= allowed,
        "{during} updates in {flapping:?}; at most {allowed} allowed"
    );
    assert!(
        during >= 2,
        "the flap was not followed at all ({during} updates)"
    );
    until_aaaa(&world, &["2001:db8:10::1", "2001:db8:10::3"], 15);
}

/// The config's warnings come once a run: the watcher leaves them to the
/// wrapper it runs (each came twice, the watcher's and the first run's).
#[test]
fn the_config_warnings_come_once_a_run() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.cached_config("typo.conf", r#""refresh_secs": 60"#);
    let watcher = start(&world, "pydyndns", &["-c", &conf, "--watch", "veth0"]);
    until_aaaa(&world, &["2001:db8:10::1"], 10);
    terminate(watcher);
    let log = fs::read_to_string(world.dir.path().join("watch.log")).unwrap();
    assert_eq!(
        log.matches("unknown key \"refresh_secs\"").count(),
        1,
        "{log}"
    );
}
