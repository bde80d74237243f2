//! `dyndns-diff`: diff(1)-like comparison of the state with the cache.

use std::fs;

use crate::common::run;

const STATE: &str = r#"{"hostname":"host1.example.test.","ttl":300,"addresses":["2001:db8:10::2","2001:db8:10::1"]}"#;
const SORTED: &str = r#"{"hostname":"host1.example.test.","ttl":300,"addresses":["2001:db8:10::1","2001:db8:10::2"]}"#;

/// A state as dyndns-diff passes it on: marked for dyndns-send's re-check
/// under its lock (with the confirmation time of the cache it compared
/// with, or true when there was none), and saying why it differs.
fn marked(state: &str, because: &[&str]) -> String {
    marked_seen(state, "true", because)
}

fn marked_seen(state: &str, seen: &str, because: &[&str]) -> String {
    format!(
        "{},\"differs_from_cache\":{seen},\"differs_because\":{}}}",
        state.trim_end_matches('}'),
        serde_json::to_string(because).unwrap()
    )
}

/// A cache file's modification time, seconds: the confirmation time of a
/// cache without one.
fn mtime(path: &str) -> String {
    fs::metadata(path)
        .unwrap()
        .modified()
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string()
}

fn setup() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache").display().to_string();
    let conf = dir.path().join("c.conf");
    fs::write(&conf, format!(r#"{{"ttl": 300, "cache": "{cache}"}}"#)).unwrap();
    (dir, conf.display().to_string(), cache)
}

#[test]
fn no_cache_differs_and_passes_the_state_on() {
    let (_d, conf, cache) = setup();
    run("dyndns-diff", &["-c", &conf], STATE)
        .status(1)
        .stdout_is(&marked(SORTED, &[&format!("no cache file {cache}")]))
        .quiet();
}

#[test]
fn same_as_cache_exits_0_silently() {
    let (_d, conf, cache) = setup();
    fs::write(&cache, format!("{SORTED}\n")).unwrap();
    run("dyndns-diff", &["-c", &conf], STATE)
        .status(0)
        .stdout_is("")
        .quiet();
    // Names compare case-insensitively; extra keys do not count.
    let upper = r#"{"hostname":"HOST1.example.TEST.","ttl":300,"addresses":["2001:db8:10::1","2001:db8:10::2"],"zone":"example.test."}"#;
    run("dyndns-diff", &["-c", &conf], upper)
        .status(0)
        .stdout_is("");
}

#[test]
fn ttl_or_address_change_differs() {
    let (_d, conf, cache) = setup();
    fs::write(&cache, format!("{SORTED}\n")).unwrap();
    let ttl = SORTED.replace("300", "60");
    run("dyndns-diff", &["-c", &conf], &ttl)
        .status(1)
        .stdout_is(&marked_seen(&ttl, &mtime(&cache), &["TTL 300 → 60"]));
    let addr = SORTED.replace("10::2", "10::3");
    run("dyndns-diff", &["-c", &conf, "-v"], &addr)
        .status(1)
        .stdout_is(&marked_seen(
            &addr,
            &mtime(&cache),
            &["added 2001:db8:10::3", "removed 2001:db8:10::2"],
        ))
        .stderr_has("host1.example.test. differs: added 2001:db8:10::3; removed 2001:db8:10::2");
}

#[test]
fn corrupt_or_unreadable_cache_warns_and_differs() {
    let (dir, conf, cache) = setup();
    fs::write(&cache, "{\"hostname\": \"trunc").unwrap();
    let r = run("dyndns-diff", &["-c", &conf], STATE);
    r.status(1)
        .stdout_is(&marked(
            SORTED,
            &[&format!("the cache is unusable: cache file {cache} is corrupt: cache file {cache} is not valid JSON: EOF while parsing a string at line 1 column 19")],
        ))
        .stderr_has(&format!(
            "dyndns-diff: warning: cache file {cache} is corrupt"
        ));
    assert_eq!(
        fs::read_to_string(&cache).unwrap(),
        "{\"hostname\": \"trunc",
        "the cache is left as it was"
    );
    let as_dir = dir.path().join("dir").display().to_string();
    fs::create_dir(&as_dir).unwrap();
    // A directory given as the cache is a usage error (issue 30): the
    // update would go out, then every run fail to write the cache.
    run("dyndns-diff", &["-c", &conf, "--cache", &as_dir], STATE)
        .status(2)
        .stderr_has(&format!(
            "{as_dir} is a directory; give a file in it, for example {as_dir}/pydyndns.cache"
        ));
}

#[test]
fn force_removes_the_cache() {
    let (_d, conf, cache) = setup();
    fs::write(&cache, format!("{SORTED}\n")).unwrap();
    run("dyndns-diff", &["-c", &conf, "-f"], STATE)
        .status(1)
        .stdout_is(&marked(SORTED, &["forced (-f)"]));
    assert!(!std::path::Path::new(&cache).exists());
}

#[test]
fn bad_stdin_is_trouble_and_empty_is_nothing() {
    let (_d, conf, _cache) = setup();
    run("dyndns-diff", &["-c", &conf], "{not json")
        .status(2)
        .stderr_has("dyndns-diff: standard input is not valid JSON");
    run(
        "dyndns-diff",
        &["-c", &conf],
        r#"{"hostname":"h.example.","ttl":1,"addresses":["192.0.2.1"]}"#,
    )
    .status(2)
    .stderr_has("key \"addresses\": \"192.0.2.1\" is not an IPv6 address");
    run("dyndns-diff", &["-c", &conf], "")
        .status(0)
        .stdout_is("")
        .quiet();
}
