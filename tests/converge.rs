//! Converging on what DNS really holds: records changed behind the tool's
//! back, refresh and boot-safe caches, the live comparison, the monitoring
//! check (with a real secondary), and the check after sending.

use std::fs;
use std::process::{Child, Command};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::common::{SECONDARY_ADDRESS, Server, World};

/// The records at the name, changed with nsupdate, not by us.
fn change_behind_the_back(world: &World, name: &str) {
    world.nsupdate(&format!(
        "update delete {name}. AAAA\nupdate add {name}. 300 AAAA 2001:db8:10::99"
    ));
}

#[test]
fn records_changed_behind_the_back_are_restored_live_and_seen_by_check() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    change_behind_the_back(&world, "host1.example.test");
    let serial = world.serial("example.test");

    // The cache says "same": nothing is sent (doc/GUIDE.md: use --live or refresh).
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(world.serial("example.test"), serial);
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::99"]);

    world
        .run("pydyndns", &["-c", &conf, "--check", "veth0"], "")
        .status(2)
        .stdout_is(
            "DYNDNS CRITICAL - host1.example.test. has 0 of 1 addresses at the primary ns1.example.test. ([::1]:53): \
             missing 2001:db8:10::1; extra 2001:db8:10::99 | addresses=1 missing=1 extra=1",
        );
    assert_eq!(
        world.serial("example.test"),
        serial,
        "--check sends nothing"
    );

    // Live: the primary's records differ, so the run restores them, and says why.
    world
        .run("pydyndns", &["-c", &conf, "--live", "-v", "veth0"], "")
        .ok()
        .stderr_has("host1.example.test. differs: at the primary ns1.example.test. ([::1]:53): added 2001:db8:10::1; at the primary ns1.example.test. ([::1]:53): removed 2001:db8:10::99");
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::1"]);
    world
        .run("pydyndns", &["-c", &conf, "--check", "veth0"], "")
        .ok()
        .stdout_is("DYNDNS OK - host1.example.test. has 1 of 1 addresses at ns1.example.test. | addresses=1 missing=0 extra=0");

    // "compare": "live" in the config does the same.
    change_behind_the_back(&world, "host1.example.test");
    let live = world.cached_config("live.conf", r#""compare": "live""#);
    world
        .run("pydyndns", &["-c", &live, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::1"]);
}

/// Rewrites the cache's `confirmed` time or its boot ID.
fn edit_cache(world: &World, from: &str, to: &str) {
    let text = fs::read_to_string(world.cache()).unwrap();
    assert!(text.contains(from), "{text}");
    fs::write(world.cache(), text.replacen(from, to, 1)).unwrap();
}

#[test]
fn an_old_confirmation_or_another_boot_sends_again() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    let run = |conf: &str| world.run("pydyndns", &["-c", conf, "-v", "veth0"], "");
    run(&conf).ok();
    let two_days_ago = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 2 * 86_400
        - 60;
    let confirmed = |world: &World| {
        let text = fs::read_to_string(world.cache()).unwrap();
        let at = text.find("\"confirmed\":").unwrap() + 12;
        text[at..].trim_end_matches(['}', '\n']).to_owned()
    };

    // Confirmed over a day ago: sent again, and confirmed anew.
    edit_cache(
        &world,
        &format!("\"confirmed\":{}", confirmed(&world)),
        &format!("\"confirmed\":{two_days_ago}"),
    );
    let sent = world.updates_logged("example.test");
    run(&conf)
        .ok()
        .stderr_has("differs: refresh due: last confirmed 2d 0h ago (refresh 1d 0h)");
    assert_eq!(world.updates_logged("example.test"), sent + 1);
    assert_ne!(confirmed(&world), two_days_ago.to_string());
    // ...unless "refresh": 0.
    let never = world.cached_config("never.conf", r#""refresh": 0"#);
    edit_cache(
        &world,
        &format!("\"confirmed\":{}", confirmed(&world)),
        &format!("\"confirmed\":{two_days_ago}"),
    );
    let sent = world.updates_logged("example.test");
    run(&never).ok();
    assert_eq!(world.updates_logged("example.test"), sent);

    // Written during another boot (and confirmed just now): sent again,
    // unless "reboot": "trust-cache".
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    edit_cache(
        &world,
        &format!("\"confirmed\":{two_days_ago}"),
        &format!("\"confirmed\":{now}"),
    );
    let boot = fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
    let other = "00000000-0000-4000-8000-000000000000";
    edit_cache(&world, boot.trim(), other);
    let trusting = world.cached_config("trusting.conf", r#""reboot": "trust-cache""#);
    run(&trusting).ok();
    assert_eq!(world.updates_logged("example.test"), sent);
    run(&conf)
        .ok()
        .stderr_has("was written during another boot");
    assert_eq!(world.updates_logged("example.test"), sent + 1);

    // A cache from before these keys (fresh): the same registration, nothing sent.
    fs::write(
        world.cache(),
        "{\"hostname\":\"host1.example.test.\",\"ttl\":300,\"addresses\":[\"2001:db8:10::1\"]}\n",
    )
    .unwrap();
    let sent = world.updates_logged("example.test");
    run(&conf).ok();
    assert_eq!(world.updates_logged("example.test"), sent);
    // PyDynDNS 1.2.1's own cache (by family, no TTL) is read: the same
    // set sends nothing; a changed one replaces it with ours.
    let theirs =
        r#"{"hostname": "host1.example.test.", "addresses": {"ipv6": ["2001:db8:10::1"]}}"#;
    fs::write(world.cache(), theirs).unwrap();
    let sent = world.updates_logged("example.test");
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(world.updates_logged("example.test"), sent);
    assert_eq!(fs::read_to_string(world.cache()).unwrap(), theirs);
    world.add_address(&["2001:db8:10::2/64", "nodad"]);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(world.updates_logged("example.test"), sent + 1);
    assert!(
        fs::read_to_string(world.cache())
            .unwrap()
            .contains("\"confirmed\":")
    );
}

/// The queries for `name`'s AAAA records a server logged since `from`
/// (an offset in its log; Knot logs none), and whether it logged an update.
fn logged(world: &World, from: usize, name: &str) -> (Option<usize>, bool) {
    let log = world.server_log();
    let since = &log[from..];
    match world.server {
        // "query: host1.example.test IN AAAA -E(0) (::1)"; "updating zone 'example.test/IN': …"
        Server::Bind => (
            Some(since.matches(&format!("query: {name} IN AAAA ")).count()),
            since.contains("updating zone"),
        ),
        // "Remote ::1 wants 'host1.example.test|AAAA', …"; "UPDATE (56979) from ::1 for example.test: …"
        Server::PowerDns => (
            Some(since.matches(&format!("wants '{name}|AAAA'")).count()),
            since.contains("UPDATE ("),
        ),
        // "[example.test.] DDNS, processing 1 updates"
        Server::Knot => (None, since.contains("DDNS, processing")),
        Server::Samba | Server::PowerDnsPgsql => {
            unreachable!("the Samba and PostgreSQL worlds have tests of their own")
        }
    }
}

#[test]
fn the_live_no_change_run_asks_the_primary_once_and_sends_nothing() {
    for server in [Server::Bind, Server::Knot, Server::PowerDns] {
        let world = World::with("host1.example.test", server);
        world.add_address(&["2001:db8:10::1/64", "nodad"]);
        let conf = world.config("live.conf", r#"{"ttl": 300, "compare": "live"}"#);
        world
            .run("pydyndns", &["-c", &conf, "veth0"], "")
            .ok()
            .quiet();
        assert!(
            logged(&world, 0, "host1.example.test").1,
            "{server:?} logs updates"
        );
        assert_eq!(
            world.aaaa("host1.example.test"),
            ["300 2001:db8:10::1"],
            "{server:?}"
        );
        let serial = world.serial("example.test");
        let from = world.server_log().len();
        world
            .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
            .ok()
            .stderr_has(
                "not updating host1.example.test.: the primary ns1.example.test. ([::1]:53) serves these addresses",
            );
        assert_eq!(world.serial("example.test"), serial, "{server:?}");
        let (queries, updated) = logged(&world, from, "host1.example.test");
        assert!(!updated, "{server:?} was sent an update");
        if let Some(queries) = queries {
            assert_eq!(queries, 1, "{server:?}: {}", &world.server_log()[from..]);
        }
    }
}

/// A second named, serving two.test as a secondary of the world's BIND on
/// [`SECONDARY_ADDRESS`]; killed when dropped. It keeps no zone file, so
/// each start transfers the zone afresh.
pub(crate) struct Secondary<'a> {
    world: &'a World,
    child: Option<Child>,
}

impl<'a> Secondary<'a> {
    /// Starts it on [`SECONDARY_ADDRESS`], which it adds to `lo` (again,
    /// harmlessly, at a restart).
    pub(crate) fn start(world: &'a World) -> Self {
        world.ip(&[
            "addr",
            "replace",
            &format!("{SECONDARY_ADDRESS}/128"),
            "dev",
            "lo",
        ]);
        let dir = world.dir.path().join("secondary");
        fs::create_dir_all(&dir).unwrap();
        let conf = dir.join("named.conf");
        fs::write(
            &conf,
            format!(
                r#"options {{
  directory "{dir}";
  pid-file none;
  session-keyfile "{dir}/session.key";
  managed-keys-directory "{dir}";
  listen-on port 53 {{ none; }};
  listen-on-v6 port 53 {{ {SECONDARY_ADDRESS}; }};
  recursion no; dnssec-validation no; notify no; querylog yes;
}};
controls {{ }};
zone "two.test" {{ type secondary; primaries {{ ::1; }}; }};
"#,
                dir = dir.display()
            ),
        )
        .unwrap();
        let log = fs::File::create(dir.join("named.log")).unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", &world.ns, "named", "-g", "-n", "1", "-c"])
            .arg(&conf)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let secondary = Self {
            world,
            child: Some(child),
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while secondary.serial().is_none() {
            assert!(
                Instant::now() < deadline,
                "the secondary did not load two.test: {}",
                fs::read_to_string(dir.join("named.log")).unwrap_or_default()
            );
            sleep(Duration::from_millis(50));
        }
        secondary
    }

    /// Its serial of two.test; `None` until it serves the zone.
    fn serial(&self) -> Option<u32> {
        crate::common::serial_at(&self.world.ns, SECONDARY_ADDRESS, "two.test")
    }
}

impl Drop for Secondary<'_> {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn check_warns_while_a_secondary_lags_behind() {
    let world = World::new("host1.two.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let secondary = Secondary::start(&world);
    let conf = world.default_config(300);
    let check = || world.run("pydyndns", &["-c", &conf, "--check", "veth0"], "");
    // Nothing registered yet: CRITICAL.
    check().status(2).stdout_is(
        "DYNDNS CRITICAL - host1.two.test. has 0 of 1 addresses at the primary ns1.two.test. ([::1]:53): \
         missing 2001:db8:10::1 | addresses=1 missing=1 extra=0",
    );
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    // The primary has it; the secondary, told nothing (notify no), has not
    // transferred the zone since.
    let primary_serial = world.serial("two.test");
    let lag = secondary.serial().unwrap();
    assert!(lag < primary_serial);
    check().status(1).stdout_is(&format!(
        "DYNDNS WARNING - host1.two.test. is right at ns1.two.test., but ns2.two.test. serves [] \
         with serial {lag} (the primary's is {primary_serial}): it has not transferred the zone yet \
         | addresses=1 missing=0 extra=0"
    ));
    // Restarted, it transfers the zone: OK.
    drop(secondary);
    let secondary = Secondary::start(&world);
    assert_eq!(secondary.serial(), Some(primary_serial));
    check().ok().stdout_is(
        "DYNDNS OK - host1.two.test. has 1 of 1 addresses at ns1.two.test. and ns2.two.test. \
         | addresses=1 missing=0 extra=0",
    );
    // What cannot be checked is UNKNOWN, on stdout.
    let unknown = world.run("pydyndns", &["-c", &conf, "--check", "nosuch0"], "");
    unknown
        .status(3)
        .stdout_is("DYNDNS UNKNOWN - dyndns-addrs failed (exit 2; its message is on stderr)");
}

#[test]
fn verify_after_send_passes_when_the_primary_serves_the_update() {
    let world = World::new("host1.example.test");
    let conf = world.cached_config("verify.conf", r#""verify": true"#);
    world
        .run(
            "dyndns-send",
            &["-c", &conf, "-v"],
            &crate::common::state("host1.example.test.", &["2001:db8:10::1"]),
        )
        .ok()
        .stderr_has("verified: [::1]:53 serves what was sent");
    assert!(world.cache().exists());
}
