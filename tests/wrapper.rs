//! `scripts/pydyndns` end to end: real interfaces, real `named`.

use std::fs;

use crate::common::World;

// The address set, nothing sent when unchanged, TTL and address changes, -f
// and a name below the apex are in tests/servers.rs, against every server.

#[test]
fn failed_force_stays_forced() {
    let world = World::new("host1.example.signed.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    fs::write(world.cache(), "{\"hostname\":\"host1.example.signed.test.\",\"ttl\":300,\"addresses\":[\"2001:db8:10::1\"]}\n").unwrap();
    // Unsigned updates to signed.test are refused: the forced run fails...
    world
        .run("pydyndns", &["-c", &conf, "-f", "veth0"], "")
        .status(1)
        .stderr_has("REFUSED");
    // ...and the cache is gone, so the next plain run tries again.
    assert!(!world.cache().exists());
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(1)
        .stderr_has("REFUSED");
}

#[test]
fn refused_update_exits_1_and_keeps_cache_and_records() {
    let world = World::new("host1.noupdate.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    let serial = world.serial("noupdate.test");
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(1)
        .stdout_is("")
        .stderr_has("dyndns-send: update of host1.noupdate.test. in zone noupdate.test. failed at every address of ns1.noupdate.test.: [::1]:53: REFUSED");
    assert_eq!(world.serial("noupdate.test"), serial);
    assert!(!world.cache().exists());
}

#[test]
fn wrong_secret_fails_with_badsig() {
    let world = World::new("host1.signed.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.config(
        "bad.conf",
        &format!(
            r#"{{"ttl": 300, "cache": "{}", "tsig": {{"algorithm": "hmac-sha512", "keyname": "key-hmac-sha512", "key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}}}"#,
            world.cache().display()
        ),
    );
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(1)
        .stderr_has("NOTAUTH (TSIG error BADSIG");
    assert!(world.aaaa("host1.signed.test").is_empty());
    assert!(!world.cache().exists());
}

#[test]
fn signed_run_lands() {
    let world = World::new("host1.signed.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.config(
        "good.conf",
        &format!(
            r#"{{"ttl": 300, "cache": "{}", "tsig": {{"algorithm": "hmac-sha256", "keyname": "key-hmac-sha256", "key": "{}"}}}}"#,
            world.cache().display(),
            world.secret("hmac-sha256")
        ),
    );
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(world.aaaa("host1.signed.test"), ["300 2001:db8:10::1"]);
}

#[test]
fn bad_config_and_usage_exit_2() {
    let world = World::new("host1.example.test");
    let conf = world.config("bad.conf", "{\"ttl\": \"soon\"}");
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(2)
        .stderr_has("key \"ttl\"");
    world
        .run("pydyndns", &["-c"], "")
        .status(2)
        .stderr_has("pydyndns: error: argument -c/--config: expected one argument");
    world
        .run("pydyndns", &["--bogus"], "")
        .status(2)
        .stderr_has("pydyndns: error: unrecognized arguments: --bogus");
    let good = world.default_config(300);
    world
        .run("pydyndns", &["-c", &good, "no such if"], "")
        .status(2)
        .stderr_has("no interface named \"no such if\"");
    world
        .run("pydyndns", &["-c", &good, "--", "-rf"], "")
        .status(2)
        .stderr_has("no interface named \"-rf\"");
}

#[test]
fn verbose_shows_the_steps_and_result() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    world
        .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
        .ok()
        .stderr_has("dyndns-send: info: updating host1.example.test. to [2001:db8:10::1]")
        .stderr_has("dyndns-send: debug: TSIG off")
        .stdout_is("updated host1.example.test. in zone example.test. at ns1.example.test. ([::1]:53): 2001:db8:10::1");
}

#[test]
fn plain_pipeline_of_the_stages_works() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.default_config(300);
    let pipeline = format!(
        "dyndns-addrs -c {conf} veth0 | dyndns-diff -c {conf} | dyndns-soa -c {conf} | dyndns-send -c {conf}"
    );
    world.run_shell(&pipeline).ok().quiet().stdout_is(
        "updated host1.example.test. in zone example.test. at ns1.example.test. ([::1]:53): 2001:db8:10::1",
    );
    // Unchanged: dyndns-diff prints nothing and the later stages do nothing.
    let serial = world.serial("example.test");
    world.run_shell(&pipeline).ok().quiet().stdout_is("");
    assert_eq!(world.serial("example.test"), serial);
}

#[test]
fn guide_custom_pipeline_with_jq() {
    crate::common::require("jq", "jq");
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    world.add_address(&["2001:db8:20::1/64", "nodad"]);
    let conf = world.default_config(300);
    let cache = world.dir.path().join("web.cache").display().to_string();
    // The guide's example (doc/GUIDE.md, "A custom pipeline"), with the test's names.
    let pipeline = format!(
        "dyndns-addrs -c {conf} veth0 \
         | jq -c '.addresses |= map(select(startswith(\"2001:db8:10:\"))) | .hostname = \"web.example.test.\"' \
         | dyndns-diff --cache {cache} \
         | dyndns-send --server ns1.example.test --cache {cache}"
    );
    world.run_shell(&pipeline).ok().quiet();
    assert_eq!(world.aaaa("web.example.test"), ["300 2001:db8:10::1"]);
    assert_eq!(
        crate::common::registration(&fs::read_to_string(&cache).unwrap()),
        "{\"hostname\":\"web.example.test.\",\"ttl\":300,\"addresses\":[\"2001:db8:10::1\"],\"server\":\"ns1.example.test\"}\n"
    );
}

/// What the wrapper made of a command line, as the stand-in stages beside a
/// copy of it recorded: the config, -f, -v and the interfaces; or its exit.
#[derive(Debug, PartialEq)]
enum Parsed {
    /// Ran the pipeline with these (config "" when none was given).
    Ran {
        config: &'static str,
        force: bool,
        verbose: bool,
        interfaces: &'static [&'static str],
    },
    /// Printed the help, exit 0.
    Help,
    /// Refused with exit 2 and this message.
    Usage(&'static str),
}

fn ran(config: &'static str, force: bool, interfaces: &'static [&'static str]) -> Parsed {
    Parsed::Ran {
        config,
        force,
        verbose: false,
        interfaces,
    }
}

/// Runs a copy of the wrapper whose stages record their arguments (one
/// line each, fields separated by a tab) and do nothing else.
fn parse_with_wrapper(args: &[&str]) -> (crate::common::Run, Vec<Vec<String>>) {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("calls");
    fs::copy(crate::common::bin("pydyndns"), dir.path().join("pydyndns")).unwrap();
    for stage in ["dyndns-addrs", "dyndns-diff", "dyndns-soa", "dyndns-send"] {
        // dyndns-addrs prints a state; dyndns-diff says "unchanged" (exit 0).
        // The wrapper's parser for unusual spellings is the real one.
        let script = format!(
            "#!/bin/sh\ncase ${{1-}} in --pydyndns-argv | --pydyndns-help) exec '{}' \"$@\" ;; esac\nprintf '%s\\t' \"${{0##*/}}\" \"$@\" >>'{}'\necho >>'{}'\necho '{{}}'\n",
            crate::common::bin("dyndns-addrs").display(),
            record.display(),
            record.display()
        );
        let path = dir.path().join(stage);
        fs::write(&path, script).unwrap();
        fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let mut cmd = std::process::Command::new("sh");
    cmd.arg(dir.path().join("pydyndns")).args(args);
    let run = crate::common::run_command(cmd, "", format!("pydyndns {args:?}"));
    let calls = fs::read_to_string(&record).unwrap_or_default();
    let calls = calls
        .lines()
        .map(|l| {
            l.trim_end_matches('\t')
                .split('\t')
                .map(str::to_owned)
                .collect()
        })
        .collect();
    (run, calls)
}

fn parsed(args: &[&str]) -> Parsed {
    let (run, calls) = parse_with_wrapper(args);
    match run.status {
        0 if calls.is_empty() => {
            assert!(run.stdout.starts_with("usage: pydyndns"), "{run}");
            Parsed::Help
        }
        0 => {
            let addrs = &calls[0];
            assert_eq!(addrs[0], "dyndns-addrs", "{run}\n{calls:?}");
            let mut rest = &addrs[1..];
            let mut config = "";
            if rest.first().map(String::as_str) == Some("-c") {
                config = rest[1].clone().leak();
                rest = &rest[2..];
            }
            let verbose = rest.first().map(String::as_str) == Some("-v");
            if verbose {
                rest = &rest[1..];
            }
            // The every-minute run: dyndns-addrs --diff, which says "the
            // same" here; with -f, dyndns-addrs then dyndns-diff -f.
            let every_minute = rest.first().map(String::as_str) == Some("--diff");
            if every_minute {
                rest = &rest[1..];
                assert_eq!(calls.len(), 1, "{calls:?}");
            }
            assert_eq!(rest[0], "--", "{calls:?}");
            let interfaces: Vec<&'static str> =
                rest[1..].iter().map(|s| &*s.clone().leak()).collect();
            let force = !every_minute && {
                let diff = &calls[1];
                assert_eq!(diff[0], "dyndns-diff", "{calls:?}");
                diff.iter().any(|a| a == "-f")
            };
            Parsed::Ran {
                config,
                force,
                verbose,
                interfaces: interfaces.leak(),
            }
        }
        2 => {
            assert!(calls.is_empty(), "a stage ran after bad usage\n{run}");
            let line = run.stderr.lines().last().unwrap_or_default();
            assert!(
                run.stderr.starts_with("usage: pydyndns"),
                "no usage line\n{run}"
            );
            Parsed::Usage(
                line.trim_start_matches("pydyndns: error: ")
                    .trim_end_matches(" (try --help)")
                    .to_owned()
                    .leak(),
            )
        }
        _ => panic!("unexpected exit\n{run}"),
    }
}

/// Every spelling of PyDynDNS 1.2.1's command line, with what its argparse
/// parser (Python 3.11) made of it; -v and -V are ours.
#[test]
fn command_line_is_parsed_as_argparse_parses_it() {
    use Parsed::{Help, Usage};
    let cases: &[(&[&str], Parsed)] = &[
        (&["-c", "F"], ran("F", false, &[])),
        (&["-cF"], ran("F", false, &[])),
        (&["-c=F"], ran("F", false, &[])),
        (&["--config", "F"], ran("F", false, &[])),
        (&["--config=F"], ran("F", false, &[])),
        (&["--conf", "F"], ran("F", false, &[])),
        (&["--conf=F"], ran("F", false, &[])),
        (&["--c", "F"], ran("F", false, &[])),
        (&["--config=a=b"], ran("a=b", false, &[])),
        (&["-ca=b"], ran("a=b", false, &[])),
        (&["-c", "-"], ran("-", false, &[])),
        (&["-c", "-1"], ran("-1", false, &[])),
        (&["-c", "a b"], ran("a b", false, &[])),
        (&["-c", ""], ran(".", false, &[])),
        (&["--config="], ran(".", false, &[])),
        (&["-c", "F", "-c", "G"], ran("G", false, &[])),
        (&["-fc", "F"], ran("F", true, &[])),
        (&["-fcF"], ran("F", true, &[])),
        (&["-fc=F"], ran("=F", true, &[])),
        (&["-cf", "F"], ran("f", false, &["F"])),
        (&["-f"], ran("", true, &[])),
        (&["--force"], ran("", true, &[])),
        (&["--forc"], ran("", true, &[])),
        (&["--f"], ran("", true, &[])),
        (&["-ff"], ran("", true, &[])),
        (&["-f", "eth0"], ran("", true, &["eth0"])),
        (&["eth0", "-f"], ran("", true, &["eth0"])),
        (&["eth0", "eth1", "-f"], ran("", true, &["eth0", "eth1"])),
        (&["-c", "F", "-f", "eth0"], ran("F", true, &["eth0"])),
        (&["-f", "eth0", "-c", "F"], ran("F", true, &["eth0"])),
        (&["-f", "--c", "F", "eth0"], ran("F", true, &["eth0"])),
        (&["--", "-f"], ran("", false, &["-f"])),
        (&["eth0", "--", "-f"], ran("", false, &["eth0", "-f"])),
        (
            &["--", "eth0", "--", "x"],
            ran("", false, &["eth0", "--", "x"]),
        ),
        (
            &["eth0", "--", "x", "--", "y"],
            ran("", false, &["eth0", "x", "--", "y"]),
        ),
        (&["-f", "--", "eth0"], ran("", true, &["eth0"])),
        (&["-c", "F", "--", "-c"], ran("F", false, &["-c"])),
        (&["--"], ran("", false, &[])),
        (&["-"], ran("", false, &["-"])),
        (&["-1"], ran("", false, &["-1"])),
        (&["a b"], ran("", false, &["a b"])),
        (&["-a b"], ran("", false, &["-a b"])),
        (&["-h"], Help),
        (&["--he"], Help),
        (&["eth0", "-h"], Help),
        (&["-hf"], Help),
        (&["-fh"], Help),
        (&["-x", "-h"], Help),
        (
            &["-f=1"],
            Usage("argument -f/--force: ignored explicit argument '1'"),
        ),
        (
            &["-f="],
            Usage("argument -f/--force: ignored explicit argument ''"),
        ),
        (
            &["--force=1"],
            Usage("argument -f/--force: ignored explicit argument '1'"),
        ),
        (
            &["-f-"],
            Usage("argument -f/--force: ignored explicit argument '-'"),
        ),
        (
            &["--help=1"],
            Usage("argument -h/--help: ignored explicit argument '1'"),
        ),
        (
            &["-hx"],
            Usage("argument -h/--help: ignored explicit argument 'x'"),
        ),
        (
            &["eth0", "-f", "eth1"],
            Usage("unrecognized arguments: eth1"),
        ),
        (
            &["-f", "eth0", "-c", "F", "eth1"],
            Usage("unrecognized arguments: eth1"),
        ),
        (
            &["eth0", "-f", "--", "x"],
            Usage("unrecognized arguments: -- x"),
        ),
        (
            &["eth0", "-x", "eth1"],
            Usage("unrecognized arguments: -x eth1"),
        ),
        (&["-x", "eth0"], Usage("unrecognized arguments: -x")),
        (&["---x"], Usage("unrecognized arguments: ---x")),
        (
            &["-c"],
            Usage("argument -c/--config: expected one argument"),
        ),
        (
            &["-c", "-f"],
            Usage("argument -c/--config: expected one argument"),
        ),
        (
            &["-c", "--", "F"],
            Usage("argument -c/--config: expected one argument"),
        ),
        (
            &["--config", "--", "F"],
            Usage("argument -c/--config: expected one argument"),
        ),
        (
            &["-c", "--conf"],
            Usage("argument -c/--config: expected one argument"),
        ),
        (
            &["--ver"],
            Usage("ambiguous option: --ver could match --verbose, --version"),
        ),
        (
            &["-h", "--ver"],
            Usage("ambiguous option: --ver could match --verbose, --version"),
        ),
        // Ours.
        (
            &["-fv", "eth0"],
            Parsed::Ran {
                config: "",
                force: true,
                verbose: true,
                interfaces: &["eth0"],
            },
        ),
        (
            &["--verb"],
            Parsed::Ran {
                config: "",
                force: false,
                verbose: true,
                interfaces: &[],
            },
        ),
    ];
    let mut wrong = Vec::new();
    for (args, want) in cases {
        let got = parsed(args);
        if &got != want {
            wrong.push(format!("pydyndns {args:?}: want {want:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn each_config_warning_comes_once_per_run() {
    let world = World::new("host1.signed.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.config(
        "readable.conf",
        &format!(
            r#"{{"ttl": 300, "tll": 1, "cache": "{}", "tsig": {{"algorithm": "hmac-sha256", "keyname": "key-hmac-sha256", "key": "{}"}}}}"#,
            world.cache().display(),
            world.secret("hmac-sha256")
        ),
    );
    fs::set_permissions(&conf, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    // All four stages run (the update lands), yet each warning is given once.
    let run = world.run("pydyndns", &["-c", &conf, "veth0"], "");
    run.ok();
    assert_eq!(world.aaaa("host1.signed.test"), ["300 2001:db8:10::1"]);
    for warning in [
        format!("config file {conf} holds a TSIG secret and can be read by group and others"),
        "unknown key \"tll\"".to_owned(),
    ] {
        assert_eq!(run.stderr.matches(&warning).count(), 1, "{warning}\n{run}");
    }
    // A stage run alone still warns.
    world
        .run("dyndns-diff", &["-c", &conf], "")
        .ok()
        .stderr_has("unknown key \"tll\"");
}

/// Runs `sh ARGS` in `dir` with only the system's directories on PATH.
fn sh_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> crate::common::Run {
    let out = std::process::Command::new("/bin/sh")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    crate::common::Run {
        command: format!("(in {}) sh {}", dir.display(), args.join(" ")),
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn source_tree_without_stages_says_how_to_build_them() {
    let top = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    sh_in(top, &["scripts/pydyndns", "--version"], &[])
        .status(1)
        .stderr_has("pydyndns: cannot find dyndns-addrs beside scripts/pydyndns or on PATH; install dyndns (see its README), or in a source tree build the stages (cargo build --release) and put target/release on PATH");
}

#[test]
fn stages_in_the_current_directory_are_never_run() {
    // "sh pydyndns" run where somebody planted a dyndns-addrs: the wrapper
    // looks on PATH, not in ".".
    let dir = tempfile::tempdir().unwrap();
    let planted = dir.path().join("planted-ran");
    for stage in ["dyndns-addrs", "dyndns-diff", "dyndns-soa", "dyndns-send"] {
        let path = dir.path().join(stage);
        fs::write(
            &path,
            format!("#!/bin/sh\n/usr/bin/touch '{}'\n", planted.display()),
        )
        .unwrap();
        fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    fs::copy(crate::common::bin("pydyndns"), dir.path().join("pydyndns")).unwrap();
    sh_in(dir.path(), &["pydyndns", "--version"], &[])
        .status(1)
        .stderr_has("cannot find dyndns-addrs beside pydyndns or on PATH");
    sh_in(dir.path(), &["pydyndns", "-f", "eth0"], &[]).status(1);
    // The every-minute spelling.
    sh_in(dir.path(), &["pydyndns", "eth0"], &[])
        .status(1)
        .stderr_has("cannot find dyndns-addrs beside pydyndns or on PATH");
    assert!(!planted.exists(), "a stage in the current directory ran");
    // An empty or relative PATH entry names the current directory (or one
    // under it): skipped, however it is spelled.
    fs::create_dir(dir.path().join("sub")).unwrap();
    for stage in ["dyndns-addrs", "dyndns-diff", "dyndns-soa", "dyndns-send"] {
        fs::copy(dir.path().join(stage), dir.path().join("sub").join(stage)).unwrap();
    }
    for path in [
        "/usr/sbin:/usr/bin:/sbin:/bin:",
        ":/usr/bin:/bin",
        "/usr/bin::/bin",
        ".:/usr/bin:/bin",
        "sub:/usr/bin:/bin",
    ] {
        for args in [&["pydyndns", "eth0"][..], &["pydyndns", "-f", "eth0"]] {
            sh_in(dir.path(), args, &[("PATH", path)])
                .status(1)
                .stderr_has("cannot find dyndns-addrs beside pydyndns or on PATH");
            assert!(
                !planted.exists(),
                "PATH={path}: a stage under the current directory ran"
            );
        }
    }
    // Nothing absolute at all (an empty PATH means "." to the shell): the
    // system's directories instead.
    for path in ["", ".", "sub:."] {
        sh_in(dir.path(), &["pydyndns", "eth0"], &[("PATH", path)]);
        assert!(
            !planted.exists(),
            "PATH={path:?}: a stage under the current directory ran"
        );
    }
}

#[test]
fn the_environment_does_not_steer_the_wrapper() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.conf");
    let missing = missing.to_str().unwrap();
    // version=1 (or force, config…) in the environment changes nothing.
    let mut cmd = std::process::Command::new(crate::common::bin("pydyndns"));
    cmd.args(["-c", missing])
        .env("version", "1")
        .env("help", "1")
        .env("config_set", "");
    crate::common::run_command(cmd, "", format!("version=1 pydyndns -c {missing}"))
        .status(2)
        .stdout_is("")
        .stderr_has("cannot read config file");
}

/// `--live` and `--check` (ours, spelt in full only) put dyndns-soa before
/// dyndns-diff; every prefix PyDynDNS took still means what it meant.
#[test]
fn live_and_check_run_dyndns_soa_first() {
    let stages = |calls: &[Vec<String>]| -> Vec<String> {
        calls
            .iter()
            .map(|c| {
                let mut s = c[0].clone();
                for flag in ["--live", "--check"] {
                    if c.iter().any(|a| a == flag) {
                        s.push(' ');
                        s.push_str(flag);
                    }
                }
                s
            })
            .collect()
    };
    for args in [&["--live", "eth0"][..], &["eth0", "--live"]] {
        let (run, calls) = parse_with_wrapper(args);
        run.ok();
        assert_eq!(
            stages(&calls),
            ["dyndns-addrs", "dyndns-soa", "dyndns-diff --live"],
            "{args:?}"
        );
    }
    for args in [&["--check", "eth0"][..], &["eth0", "--check"]] {
        let (run, calls) = parse_with_wrapper(args);
        run.ok();
        assert_eq!(
            stages(&calls),
            ["dyndns-addrs", "dyndns-soa", "dyndns-diff --check"],
            "{args:?}"
        );
    }
    assert_eq!(
        parsed(&["--c", "x.conf", "eth0"]),
        ran("x.conf", false, &["eth0"])
    );
    assert_eq!(
        parsed(&["--liv", "eth0"]),
        Parsed::Usage("unrecognized arguments: --liv")
    );
    assert_eq!(
        parsed(&["--check=1"]),
        Parsed::Usage("argument --check: ignored explicit argument '1'")
    );
}

/// The state passes from stage to stage through the wrapper's pipes only:
/// a `DYNDNS_CHANGED_STATE` (how an earlier version passed it), with any
/// value, changes nothing. What lands is the host's own.
#[test]
fn the_every_minute_run_takes_no_state_from_the_environment() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.cached_config("c.conf", r#""ipv6": {"enable": true}"#);
    let evil = r#"{"hostname":"evil.example.test.","ttl":300,"addresses":["2001:db8:10::bad"]}"#;
    for planted in [
        format!("1 {evil}"),
        evil.to_owned(),
        format!("$$ {evil}"),
        "1 ".to_owned(),
        String::new(),
    ] {
        let env = [("DYNDNS_CHANGED_STATE", planted.as_str())];
        world
            .run_env("pydyndns", &["-c", &conf, "veth0"], "", &env)
            .ok()
            .quiet();
        assert!(world.aaaa("evil.example.test").is_empty(), "{planted}");
    }
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::1"]);
    let env = [("DYNDNS_CHANGED_STATE", "1 ")];
    // Registered: the next run is a no-change run, whatever the variable says.
    let cache = fs::read(world.cache()).unwrap();
    world
        .run_env("pydyndns", &["-c", &conf, "-v", "veth0"], "", &env)
        .ok()
        .stderr_has("addresses unchanged since the last update");
    assert_eq!(fs::read(world.cache()).unwrap(), cache);
}

/// A state of 4200 addresses (over 128 KiB) passes through the wrapper's
/// pipes whole, and dyndns-send refuses an update that no DNS message can
/// carry.
#[test]
fn a_state_of_thousands_of_addresses_reaches_dyndns_send_whole() {
    let world = World::new("host1.example.test");
    let batch: String = (0..4200)
        .map(|n| format!("addr add 2001:db8:10:0:1111:{n:x}:2222:3333/64 nodad dev veth0\n"))
        .collect();
    let script = world.dir.path().join("batch");
    fs::write(&script, batch).unwrap();
    world.ip(&["-batch", &script.display().to_string()]);
    let conf = world.cached_config("c.conf", r#""ipv6": {"enable": true}"#);
    let state = world.run("dyndns-addrs", &["-c", &conf, "veth0"], "");
    assert!(state.stdout.len() > 128 * 1024, "{}", state.stdout.len());
    let wrapper = crate::common::bin("pydyndns");
    world
        .run_shell(&format!("timeout 60 {} -c {conf} veth0", wrapper.display()))
        .status(2)
        .stdout_is("")
        .stderr_has("dyndns-send: the update for host1.example.test. with 4200 addresses is")
        .stderr_has("more than one DNS message can carry (65535)");
    assert!(world.aaaa("host1.example.test").is_empty());
    assert!(!world.cache().exists());
}

/// The wrapper is the pipeline a user can type: `sh -x` shows each stage
/// it starts, with its arguments (and nothing after dyndns-addrs --diff on
/// a run where nothing changed).
#[test]
fn sh_x_shows_each_stage_it_starts() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.cached_config("c.conf", r#""ipv6": {"enable": true}"#);
    let wrapper = crate::common::bin("pydyndns");
    let traced = |run: &crate::common::Run| -> Vec<String> {
        run.stderr
            .lines()
            .filter_map(|l| l.strip_prefix("+ "))
            .filter_map(|l| l.split_whitespace().next())
            .map(|w| w.rsplit('/').next().unwrap_or(w))
            .filter(|w| w.starts_with("dyndns-"))
            .map(str::to_owned)
            .collect()
    };
    let update = world.run_shell(&format!("sh -x {} -c {conf} veth0", wrapper.display()));
    update.ok();
    assert_eq!(
        traced(&update),
        ["dyndns-addrs", "dyndns-soa", "dyndns-send"],
        "{update}"
    );
    assert!(
        update.stderr.lines().any(|l| l.starts_with("+ ")
            && l.ends_with(&format!("dyndns-addrs -c {conf} --diff -- veth0"))),
        "{update}"
    );
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::1"]);
    let same = world.run_shell(&format!("sh -x {} -c {conf} veth0", wrapper.display()));
    same.ok();
    assert_eq!(traced(&same), ["dyndns-addrs"], "{same}");
}

/// On an update run, the only programs executed are the wrapper (a shell
/// script) and the stages it names: no program runs another, and none
/// runs the wrapper again (execve traced with strace).
#[test]
fn an_update_executes_the_wrapper_and_the_stages_only() {
    crate::common::require("strace", "strace");
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let conf = world.cached_config("c.conf", r#""ipv6": {"enable": true}"#);
    let trace = world.dir.path().join("execve.trace");
    let wrapper = crate::common::bin("pydyndns");
    world
        .run_shell(&format!(
            "strace -f -qq -e trace=execve -e signal=none -o {} {} -c {conf} veth0",
            trace.display(),
            wrapper.display()
        ))
        .ok();
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::1"]);
    let trace = fs::read_to_string(&trace).unwrap();
    // Each execve that succeeded: the program's file name.
    let executed: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("execve(\"") && l.trim_end().ends_with("= 0"))
        .filter_map(|l| l.split('"').nth(1))
        .map(|path| path.rsplit('/').next().unwrap_or(path))
        .collect();
    assert_eq!(
        executed,
        ["pydyndns", "dyndns-addrs", "dyndns-soa", "dyndns-send"],
        "{trace}"
    );
}
