//! What every stage shares: `--help`, `--version`, bad configs.

use crate::common::run;

const STAGES: [&str; 5] = [
    "dyndns-addrs",
    "dyndns-diff",
    "dyndns-soa",
    "dyndns-send",
    "pydyndns",
];

#[test]
fn every_stage_has_help_and_version() {
    for stage in STAGES {
        let help = run(stage, &["--help"], "");
        help.ok().quiet();
        assert!(help.stdout.contains("-c, --config"), "{help}");
        assert!(help.stdout.contains("-h, --help"), "{help}");
        let version = run(stage, &["--version"], "");
        version.ok().quiet();
        let want = format!("{} {}\n", stage, env!("CARGO_PKG_VERSION"));
        assert_eq!(version.stdout, want, "{version}");
    }
}

#[test]
fn unknown_option_is_usage_error() {
    for stage in STAGES {
        run(stage, &["--no-such-option"], "").status(2);
    }
}

#[test]
fn missing_config_file_names_it() {
    for stage in ["dyndns-addrs", "dyndns-diff", "dyndns-soa", "dyndns-send"] {
        run(stage, &["-c", "/nonexistent/pydyndns.conf"], "")
            .status(2)
            .stderr_has(&format!("{stage}: cannot read config file /nonexistent/pydyndns.conf: No such file or directory"));
    }
}

#[test]
fn bad_config_names_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "{\"ttl\": 300,}",
            "is not valid JSON: trailing comma at line 1 column 13",
        ),
        ("{\"cache\": \"/tmp/x\"}", "key \"ttl\": missing"),
        ("{\"ttl\": -3}", "key \"ttl\": -3 is negative"),
        ("{\"ttl\": 2.5}", "key \"ttl\": 2.5 is not a whole number"),
        (
            "{\"ttl\": 4294967296}",
            "key \"ttl\": 4294967296 is too large",
        ),
        (
            "{\"ttl\": 300, \"ipv4\": \"yes\"}",
            "key \"ipv4\": must be true or false, found a string",
        ),
        (
            "{\"ttl\": 300, \"ipv6\": {\"enable\": false}}",
            "key \"ipv6.enable\": false, with \"ipv4\" off too, would register nothing",
        ),
        (
            "{\"ttl\": 300, \"tsig\": {\"algorithm\": \"hmac-sha3\", \"keyname\": \"k\", \"key\": \"c2VjcmV0\"}}",
            "\"tsig.algorithm\": is not a TSIG algorithm",
        ),
        (
            "{\"ttl\": 300, \"tsig\": {\"algorithm\": \"hmac-sha256\", \"keyname\": \"k\", \"key\": \"%%%%\"}}",
            "\"tsig.key\": the secret is not valid base64",
        ),
        ("", "the file is empty"),
    ];
    for (text, want) in cases {
        let path = dir.path().join("bad.conf");
        std::fs::write(&path, text).unwrap();
        let p = path.display().to_string();
        let r = run("dyndns-send", &["-c", &p, "--dry-run"], "");
        r.status(2)
            .stderr_has(&format!("dyndns-send: config file {p}"))
            .stderr_has(want);
        assert!(!r.stderr.contains("%%%%"), "the secret leaked\n{r}");
        assert_eq!(r.stderr.lines().count(), 1, "one line\n{r}");
    }
}

#[test]
fn unknown_config_key_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.conf");
    std::fs::write(&path, "{\"ttl\": 300, \"tll\": 5}").unwrap();
    let p = path.display().to_string();
    run("dyndns-diff", &["-c", &p], "")
        .status(0)
        .stderr_has("dyndns-diff: warning: config file")
        .stderr_has("unknown key \"tll\"");
}

/// Each program copied alone into an empty directory, with nothing beside
/// it and a bare environment: its --help and --version still work, since
/// no program hands its command line to another.
#[test]
fn each_program_alone_has_help_and_version() {
    for program in [
        "dyndns-addrs",
        "dyndns-diff",
        "dyndns-soa",
        "dyndns-send",
        "dyndns-watch",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let alone = dir.path().join(program);
        std::fs::copy(crate::common::bin(program), &alone).unwrap();
        let usage = format!("Usage: {program} ");
        for (flag, want) in [("--help", usage.as_str()), ("--version", program)] {
            let out = exec_fresh(
                std::process::Command::new(&alone)
                    .arg(flag)
                    .current_dir(dir.path())
                    .env_clear()
                    .env("PATH", "/usr/bin:/bin"),
            );
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && stdout.contains(want),
                "{program} {flag} alone: {:?}\n{stdout}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// Runs a program just copied: another test's fork may still hold the
/// copy open for writing for a moment (ETXTBSY), so that is tried again.
fn exec_fresh(cmd: &mut std::process::Command) -> std::process::Output {
    for _ in 0..50 {
        match cmd.output() {
            Err(e) if e.raw_os_error() == Some(26) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other.unwrap(),
        }
    }
    panic!("{cmd:?}: text file busy for a second");
}
