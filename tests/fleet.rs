//! Running a fleet: the metrics file for node_exporter's textfile
//! collector, read back with Prometheus's own parser (the Python
//! `prometheus_client`), after no-change runs, updates and failures; a
//! run killed while writing it; a metrics path that is a symlink or a FIFO.

use std::collections::BTreeMap;
use std::fs;
use std::process::Command;
use std::thread::sleep;
use std::time::Duration;

use crate::common::{World, require};

const NAME: &str = "host1.example.test";

/// Prometheus's text-format parser on `text`: each sample as
/// `metric{family}` → value; a file it refuses fails the test.
const PARSE: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = {}
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    assert family.documentation, family.name + " lacks # HELP"
    for s in family.samples:
        key = s.name + ("{" + s.labels["family"] + "}" if "family" in s.labels else "")
        assert s.labels["name"] == sys.argv[2], s
        out[key] = s.value
print(json.dumps(out))
"#;

#[track_caller]
fn parsed(path: &std::path::Path) -> BTreeMap<String, f64> {
    let out = Command::new("/usr/bin/python3")
        .args(["-c", PARSE])
        .arg(path)
        .arg(format!("{NAME}."))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the parser refused {}: {}\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr),
        fs::read_to_string(path).unwrap_or_default()
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn python_parser() {
    require("python3", "python3");
    let ok = Command::new("/usr/bin/python3")
        .args(["-c", "import prometheus_client"])
        .status()
        .unwrap();
    assert!(
        ok.success(),
        "prometheus_client: apt-get install python3-prometheus-client"
    );
}

#[test]
fn the_metrics_follow_no_change_runs_updates_and_failures() {
    python_parser();
    let mut world = World::new(NAME);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let prom = world.dir.path().join("dyndns.prom");
    let conf = world.cached_config("m.conf", &format!(r#""metrics": "{}""#, prom.display()));
    let run = |world: &World| world.run("pydyndns", &["-c", &conf, "veth0"], "");
    run(&world).ok();
    let first = parsed(&prom);
    assert_eq!(first["dyndns_updates_total"], 1.0, "{first:?}");
    assert_eq!(first["dyndns_failures_total"], 0.0);
    assert_eq!(first["dyndns_last_run_exit_status"], 0.0);
    assert_eq!(first["dyndns_consecutive_failures"], 0.0);
    assert_eq!(first["dyndns_addresses_registered{ipv6}"], 1.0);
    assert_eq!(first["dyndns_addresses_registered{ipv4}"], 0.0);
    let ran = first["dyndns_last_run_timestamp_seconds"];
    assert_eq!(first["dyndns_last_success_timestamp_seconds"], ran);
    assert_eq!(first["dyndns_last_update_timestamp_seconds"], ran);
    let took = first["dyndns_update_duration_seconds"];
    assert!(took > 0.0 && took < 5.0, "{took}");
    let mode = fs::metadata(&prom).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
        0o644,
        "node_exporter reads it as its own user"
    );

    // Nothing changed: a run, a success, no update.
    sleep(Duration::from_millis(1100));
    run(&world).ok();
    let same = parsed(&prom);
    assert!(same["dyndns_last_run_timestamp_seconds"] > ran, "{same:?}");
    assert_eq!(
        same["dyndns_last_success_timestamp_seconds"],
        same["dyndns_last_run_timestamp_seconds"]
    );
    assert_eq!(same["dyndns_last_update_timestamp_seconds"], ran);
    assert_eq!(same["dyndns_updates_total"], 1.0);
    assert_eq!(same["dyndns_update_duration_seconds"], took);

    // The primary unreachable, twice: failures counted, the rest kept.
    world.stop_server();
    world.add_address(&["2001:db8:10::2/64", "nodad"]);
    run(&world).status(1);
    run(&world).status(1);
    let failed = parsed(&prom);
    assert_eq!(failed["dyndns_last_run_exit_status"], 1.0, "{failed:?}");
    assert_eq!(failed["dyndns_consecutive_failures"], 2.0);
    assert_eq!(failed["dyndns_failures_total"], 2.0);
    assert_eq!(failed["dyndns_updates_total"], 1.0);
    assert_eq!(
        failed["dyndns_last_success_timestamp_seconds"],
        same["dyndns_last_success_timestamp_seconds"]
    );
    assert_eq!(failed["dyndns_addresses_registered{ipv6}"], 1.0);

    // Back: the update lands, the counters carried over.
    world.restart_server();
    run(&world).ok();
    let back = parsed(&prom);
    assert_eq!(back["dyndns_updates_total"], 2.0, "{back:?}");
    assert_eq!(back["dyndns_failures_total"], 2.0);
    assert_eq!(back["dyndns_consecutive_failures"], 0.0);
    assert_eq!(back["dyndns_addresses_registered{ipv6}"], 2.0);
    // A dry run and a check are not runs.
    let before = fs::read_to_string(&prom).unwrap();
    world
        .run("pydyndns", &["-c", &conf, "--check", "veth0"], "")
        .ok();
    world
        .run_shell(&format!(
            "dyndns-addrs -c {conf} veth0 | dyndns-soa -c {conf} | dyndns-send -c {conf} --dry-run"
        ))
        .ok();
    assert_eq!(fs::read_to_string(&prom).unwrap(), before);
}

#[test]
fn a_run_killed_while_writing_leaves_the_previous_file_whole() {
    python_parser();
    let world = World::new(NAME);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let prom = world.dir.path().join("dyndns.prom");
    let conf = world.cached_config("m.conf", &format!(r#""metrics": "{}""#, prom.display()));
    world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
    let state = world.dir.path().join("state.json");
    fs::write(
        &state,
        format!(
            r#"{{"hostname":"{NAME}.","ttl":300,"addresses":["2001:db8:10::1"],"zone":"example.test.","server":"::1"}}"#
        ),
    )
    .unwrap();
    // dyndns-send, the stage that writes the file, killed (SIGKILL) at
    // moments from 0 to 9 ms into its run, then the file copied aside.
    let copies = world.dir.path().join("copies");
    fs::create_dir(&copies).unwrap();
    world
        .run_shell(&format!(
            "for i in $(seq 0 59); do dyndns-send -c {conf} < {state} >/dev/null 2>&1 & p=$!; \
             sleep 0.00$((i % 10)); kill -9 $p 2>/dev/null; wait $p; cp {prom} {copies}/$i; done",
            state = state.display(),
            prom = prom.display(),
            copies = copies.display()
        ))
        .ok();
    for i in 0..60 {
        let copy = copies.join(i.to_string());
        let samples = parsed(&copy);
        assert_eq!(samples.len(), 10, "{i}: {samples:?}");
    }
    // No temporary file is ever named *.prom, which the collector would read.
    for entry in fs::read_dir(world.dir.path()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(!name.ends_with(".prom") || name == "dyndns.prom", "{name}");
    }
}

#[test]
fn a_metrics_path_that_is_a_symlink_or_a_fifo_is_refused_with_a_warning() {
    let world = World::new(NAME);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let target = world.dir.path().join("elsewhere");
    fs::write(&target, "kept\n").unwrap();
    let link = world.dir.path().join("link.prom");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let conf = world.cached_config("l.conf", &format!(r#""metrics": "{}""#, link.display()));
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .stderr_has(&format!(
            "metrics file {}: it is a symbolic link, which is not followed; not written",
            link.display()
        ));
    assert_eq!(fs::read_to_string(&target).unwrap(), "kept\n");
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    let fifo = world.dir.path().join("fifo.prom");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let conf = world.cached_config("f.conf", &format!(r#""metrics": "{}""#, fifo.display()));
    fs::remove_file(world.cache()).unwrap();
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .stderr_has(&format!("metrics file {}: ", fifo.display()))
        .stderr_has("a FIFO");
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    // A name that does not end in .prom is a config error.
    let bad = world.cached_config("b.conf", r#""metrics": "/tmp/dyndns.txt""#);
    world
        .run("pydyndns", &["-c", &bad, "veth0"], "")
        .status(2)
        .stderr_has("key \"metrics\": \"/tmp/dyndns.txt\" does not end in .prom");
}
