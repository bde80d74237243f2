//! Fitting into the system: the Debian package (built by `make deb`, which
//! scripts/test runs first), installed into a scratch root with its
//! maintainer scripts; `make install` with PREFIX and DESTDIR; the systemd
//! units through `systemd-analyze verify`; the man pages through `man -l`;
//! the bash completion in bash.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{World, require, run_command};

fn top() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The package `make deb` built.
fn deb() -> PathBuf {
    let dir = top().join("target/debian");
    let found = fs::read_dir(&dir).ok().and_then(|d| {
        d.filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "deb"))
    });
    found.unwrap_or_else(|| {
        panic!(
            "no package in {}: run `make deb` (scripts/test does, after `cargo install cargo-deb`)",
            dir.display()
        )
    })
}

#[track_caller]
fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// A scratch root with an empty dpkg database.
fn scratch_root() -> tempfile::TempDir {
    let root = tempfile::Builder::new()
        .prefix("dyndns-root.")
        .tempdir()
        .unwrap();
    for d in ["var/lib/dpkg/info", "var/lib/dpkg/updates", "var/log"] {
        fs::create_dir_all(root.path().join(d)).unwrap();
    }
    for f in ["var/lib/dpkg/status", "var/lib/dpkg/available"] {
        fs::write(root.path().join(f), "").unwrap();
    }
    root
}

fn dpkg(root: &Path, args: &[&str]) -> String {
    // Maintainer scripts run on this host with DPKG_ROOT set, as dpkg does for an offline root.
    ok(Command::new("dpkg")
        .arg(format!("--root={}", root.display()))
        .args([
            "--force-script-chrootless",
            "--force-depends",
            "--log=/dev/null",
        ])
        .args(args))
}

const FILES: [&str; 29] = [
    "usr/bin/dyndns-addrs",
    "usr/bin/dyndns-reap",
    "usr/lib/systemd/system/dyndns-reap.service",
    "usr/lib/systemd/system/dyndns-reap.timer",
    "usr/bin/dyndns-watch",
    "usr/lib/systemd/system/pydyndns-watch.service",
    "usr/bin/dyndns-diff",
    "usr/bin/dyndns-soa",
    "usr/bin/dyndns-send",
    "usr/bin/pydyndns",
    "usr/share/man/man1/dyndns-addrs.1.gz",
    "usr/share/man/man1/dyndns-send.1.gz",
    "usr/share/man/man5/pydyndns.conf.5.gz",
    "usr/share/man/man8/pydyndns.8.gz",
    "usr/share/bash-completion/completions/pydyndns",
    "usr/share/bash-completion/completions/dyndns-send",
    "usr/share/zsh/vendor-completions/_pydyndns",
    "usr/share/fish/vendor_completions.d/pydyndns.fish",
    "usr/lib/systemd/system/pydyndns.service",
    "usr/lib/systemd/system/pydyndns.timer",
    "usr/lib/systemd/system/pydyndns-force.service",
    "usr/share/dyndns/hooks/dhcpcd",
    "usr/share/dyndns/hooks/networkmanager",
    "usr/share/dyndns/hooks/networkd-dispatcher",
    "usr/share/doc/dyndns/pydyndns.conf.example",
    "usr/share/doc/dyndns/changelog.Debian.gz",
    "usr/share/doc/dyndns/copyright",
    "usr/share/lintian/overrides/dyndns",
    "etc/pydyndns.conf",
];

#[test]
fn package_installs_and_removes_cleanly() {
    require("dpkg", "dpkg");
    let deb = deb();
    let listing = ok(Command::new("dpkg-deb").arg("-c").arg(&deb));
    for f in FILES {
        assert!(
            listing.contains(&format!("./{f}\n")),
            "{f} missing from the package:\n{listing}"
        );
    }
    // What lands on PATH: the four stages, the watcher, the reaper and the wrapper.
    let mut on_path: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.split("./usr/bin/").nth(1))
        .filter(|name| !name.is_empty())
        .collect();
    on_path.sort_unstable();
    assert_eq!(
        on_path,
        [
            "dyndns-addrs",
            "dyndns-diff",
            "dyndns-reap",
            "dyndns-send",
            "dyndns-soa",
            "dyndns-watch",
            "pydyndns"
        ],
        "{listing}"
    );
    let info = ok(Command::new("dpkg-deb").arg("-I").arg(&deb));
    for script in ["postinst", "prerm", "postrm", "conffiles"] {
        assert!(info.contains(script), "no {script}:\n{info}");
    }

    let root = scratch_root();
    let r = root.path();
    dpkg(r, &["-i", &deb.display().to_string()]);
    for f in FILES {
        assert!(r.join(f).exists(), "{f} not installed");
    }
    let mode = |f: &str| fs::metadata(r.join(f)).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode("etc/pydyndns.conf"),
        0o600,
        "the config may hold a secret"
    );
    assert_eq!(mode("usr/bin/pydyndns"), 0o755);
    // dhcpcd-run-hooks sources its hooks; the others are run.
    assert_eq!(mode("usr/share/dyndns/hooks/dhcpcd"), 0o644);
    assert_eq!(mode("usr/share/dyndns/hooks/networkmanager"), 0o755);
    // DEP-5: the project's licence, each crate compiled in, each licence's text.
    let copyright = fs::read_to_string(r.join("usr/share/doc/dyndns/copyright")).unwrap();
    for needle in [
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n",
        "Files: *\nCopyright: 2025-2026 dyndns developers\nLicense: MIT\n",
        "Files: cargo-registry/rustls-0.",
        "Files: cargo-registry/hickory-proto-0.",
        "\nLicense: Unicode-3.0\n UNICODE LICENSE V3\n",
        "\nLicense: Apache-2.0\n On Debian systems",
    ] {
        assert!(
            copyright.contains(needle),
            "{needle:?} not in the copyright file"
        );
    }
    // The TLS library (rustls, linked statically) is in the programs that
    // talk TLS to the zone's servers, not in the every-minute dyndns-addrs;
    // the system's GSS-API in dyndns-send, as a shared library.
    let carries = |f: &str, what: &[u8]| {
        let bytes = fs::read(r.join(f)).unwrap();
        bytes.windows(what.len()).any(|w| w == what)
    };
    for f in ["usr/bin/dyndns-send", "usr/bin/dyndns-diff"] {
        assert!(carries(f, b"rustls"), "{f} lacks rustls");
    }
    for f in [
        "usr/bin/dyndns-addrs",
        "usr/bin/dyndns-soa",
        "usr/bin/dyndns-watch",
        "usr/bin/dyndns-reap",
    ] {
        assert!(!carries(f, b"rustls"), "{f} carries rustls");
    }
    assert!(carries("usr/bin/dyndns-send", b"libgssapi_krb5.so"));
    let status = ok(Command::new("dpkg")
        .arg(format!("--root={}", r.display()))
        .args(["-s", "dyndns"]));
    assert!(
        status.contains("Status: install ok installed")
            && status.contains("Conffiles:\n /etc/pydyndns.conf "),
        "{status}"
    );
    // The installed programs run, and the wrapper finds the stages beside it.
    let version = ok(Command::new(r.join("usr/bin/pydyndns"))
        .arg("--version")
        .env("PATH", "/usr/bin:/bin"));
    assert_eq!(version, format!("pydyndns {}\n", env!("CARGO_PKG_VERSION")));
    let units = fs::read_to_string(r.join("usr/lib/systemd/system/pydyndns.service")).unwrap();
    assert!(
        units.contains("ExecStart=/usr/bin/pydyndns -c ${CREDENTIALS_DIRECTORY}/pydyndns.conf"),
        "{units}"
    );

    // A run left a cache behind; removing keeps the edited config, purging removes both.
    fs::create_dir_all(r.join("run/pydyndns")).unwrap();
    fs::write(r.join("run/pydyndns/pydyndns.cache"), "{}").unwrap();
    // The administrator enabled the units (systemctl enable makes these links).
    let wants = [
        "etc/systemd/system/timers.target.wants/pydyndns.timer",
        "etc/systemd/system/multi-user.target.wants/pydyndns-force.service",
        "etc/systemd/system/timers.target.wants/dyndns-reap.timer",
    ];
    for link in wants {
        let link = r.join(link);
        fs::create_dir_all(link.parent().unwrap()).unwrap();
        let unit = Path::new("/usr/lib/systemd/system").join(link.file_name().unwrap());
        std::os::unix::fs::symlink(unit, &link).unwrap();
    }
    dpkg(r, &["-r", "dyndns"]);
    assert!(
        r.join("etc/pydyndns.conf").exists(),
        "remove keeps the conffile"
    );
    assert!(!r.join("usr/bin/pydyndns").exists());
    dpkg(r, &["-P", "dyndns"]);
    let left: Vec<PathBuf> = walk(r)
        .into_iter()
        .filter(|p| !p.starts_with(r.join("var")))
        .collect();
    assert!(left.is_empty(), "left after purge: {left:?}");
    for link in wants {
        assert!(
            fs::symlink_metadata(r.join(link)).is_err(),
            "{link} left after purge"
        );
    }
}

/// Every file (not directory) below `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p))
        } else {
            out.push(p)
        }
    }
    out
}

#[test]
fn make_install_honours_prefix_and_destdir() {
    require("make", "make");
    let dest = tempfile::Builder::new()
        .prefix("dyndns-destdir.")
        .tempdir()
        .unwrap();
    let d = dest.path();
    ok(clean_env(Command::new("make").current_dir(top()))
        .args(["install", "PREFIX=/opt/dyndns"])
        .arg(format!("DESTDIR={}", d.display())));
    for f in [
        "opt/dyndns/bin/pydyndns",
        "opt/dyndns/bin/dyndns-send",
        "opt/dyndns/share/man/man8/pydyndns.8",
        "opt/dyndns/share/man/man5/pydyndns.conf.5",
        "opt/dyndns/share/man/man1/dyndns-soa.1",
        "opt/dyndns/share/bash-completion/completions/pydyndns",
        "opt/dyndns/share/zsh/vendor-completions/_dyndns-diff",
        "opt/dyndns/share/fish/vendor_completions.d/dyndns-addrs.fish",
        "opt/dyndns/share/doc/dyndns/pydyndns.conf.example",
        "opt/dyndns/share/dyndns/hooks/dhcpcd",
        "opt/dyndns/lib/systemd/system/pydyndns.timer",
    ] {
        assert!(d.join(f).exists(), "{f} not installed");
    }
    // Paths inside the units and hooks follow PREFIX.
    let unit =
        fs::read_to_string(d.join("opt/dyndns/lib/systemd/system/pydyndns.service")).unwrap();
    assert!(
        unit.contains("ExecStart=/opt/dyndns/bin/pydyndns "),
        "{unit}"
    );
    let hook = fs::read_to_string(d.join("opt/dyndns/share/dyndns/hooks/networkmanager")).unwrap();
    assert!(
        hook.contains("/opt/dyndns/bin/pydyndns -- \"$@\"")
            && !hook.contains("@BINDIR@")
            && !hook.contains("@HOOKDIR@"),
        "{hook}"
    );
    // Leave the package's assets as `make deb` laid them out (for /usr).
    ok(clean_env(Command::new("make").current_dir(top())).args(["assets", "PREFIX=/usr"]));
}

/// A command without the variables `cargo test` sets, so that the cargo it
/// runs sees the same environment as the one that built the tests, and
/// rebuilds nothing.
fn clean_env(cmd: &mut Command) -> &mut Command {
    cmd.env_clear();
    for var in [
        "PATH",
        "HOME",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
    ] {
        if let Some(value) = std::env::var_os(var) {
            cmd.env(var, value);
        }
    }
    cmd
}

#[test]
fn systemd_units_verify() {
    require("systemd-analyze", "systemd");
    let root = scratch_root();
    let r = root.path();
    dpkg(r, &["--unpack", &deb().display().to_string()]);
    // No core dump, where the TSIG secret would land on disk.
    for service in ["pydyndns.service", "pydyndns-force.service"] {
        let text = fs::read_to_string(r.join("usr/lib/systemd/system").join(service)).unwrap();
        // The two share the runtime directory, so they run as one user;
        // and systemd must not kill a run before its own bounds end it
        // (36 timeouts of 5 s with "ptr": doc/GUIDE.md, "Security").
        for line in [
            "LimitCORE=0",
            "User=pydyndns",
            "DynamicUser=yes",
            "RuntimeDirectory=pydyndns",
            "TimeoutStartSec=240",
        ] {
            assert!(
                text.contains(&format!("\n{line}\n")),
                "{service} lacks {line}"
            );
        }
    }
    // The watcher: the same user and directory, netlink allowed, and a
    // stop within its SIGTERM second.
    let watch =
        fs::read_to_string(r.join("usr/lib/systemd/system/pydyndns-watch.service")).unwrap();
    for line in [
        "LimitCORE=0",
        "User=pydyndns",
        "DynamicUser=yes",
        "RuntimeDirectory=pydyndns",
        "Type=exec",
        "Restart=on-failure",
        "ExecStart=/usr/bin/pydyndns --watch -c ${CREDENTIALS_DIRECTORY}/pydyndns.conf",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
    ] {
        assert!(
            watch.contains(&format!("\n{line}\n")),
            "pydyndns-watch.service lacks {line}"
        );
    }
    // A fleet spreads over the minute: each host its own fixed offset, and
    // at boot a random wait before the forced run.
    let timer = fs::read_to_string(r.join("usr/lib/systemd/system/pydyndns.timer")).unwrap();
    for line in [
        "RandomizedDelaySec=50",
        "FixedRandomDelay=true",
        "AccuracySec=1s",
    ] {
        assert!(
            timer.contains(&format!("\n{line}\n")),
            "pydyndns.timer lacks {line}"
        );
    }
    let force =
        fs::read_to_string(r.join("usr/lib/systemd/system/pydyndns-force.service")).unwrap();
    assert!(
        force.contains(
            "\nExecStartPre=/bin/sh -c 'sleep $$(( $$(od -An -N2 -tu2 /dev/urandom) %% 31 ))'\n"
        ),
        "{force}"
    );
    // The units as installed, pointed at the unpacked programs, with their man pages on MANPATH.
    let units = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for name in [
        "pydyndns.service",
        "pydyndns.timer",
        "pydyndns-force.service",
        "pydyndns-watch.service",
        "dyndns-reap.service",
        "dyndns-reap.timer",
    ] {
        let text = fs::read_to_string(r.join("usr/lib/systemd/system").join(name)).unwrap();
        let path = units.path().join(name);
        fs::write(
            &path,
            text.replace("/usr/bin/", &format!("{}/usr/bin/", r.display())),
        )
        .unwrap();
        names.push(path);
    }
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .args(&names)
        .env("MANPATH", r.join("usr/share/man"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && said.trim().is_empty(),
        "systemd-analyze verify: {}\n{said}",
        out.status
    );
}

#[test]
fn man_pages_render() {
    require("man", "man-db");
    let root = scratch_root();
    dpkg(root.path(), &["--unpack", &deb().display().to_string()]);
    // Each page: its NAME line and the start of its SYNOPSIS, which shows
    // every option's argument.
    let pages = [
        (
            "man1/dyndns-addrs.1.gz",
            "dyndns-addrs - Print this host",
            "SYNOPSIS dyndns-addrs [-c FILE] [-v]",
        ),
        (
            "man1/dyndns-diff.1.gz",
            "dyndns-diff - Pass the state on",
            "SYNOPSIS dyndns-diff [-c FILE] [-v]",
        ),
        (
            "man1/dyndns-soa.1.gz",
            "dyndns-soa - Find the zone",
            "SYNOPSIS dyndns-soa [-c FILE] [-v]",
        ),
        (
            "man1/dyndns-send.1.gz",
            "dyndns-send - Send the RFC 2136 update",
            "SYNOPSIS dyndns-send [-c FILE] [-v]",
        ),
        (
            "man1/dyndns-watch.1.gz",
            "dyndns-watch - Write a line for each address",
            "SYNOPSIS dyndns-watch [-c FILE] [-v]",
        ),
        (
            "man1/dyndns-reap.1.gz",
            "dyndns-reap - Delete the records of hosts",
            "SYNOPSIS dyndns-reap [-c FILE] [-v]",
        ),
        (
            "man8/pydyndns.8.gz",
            "pydyndns - Register this host",
            "SYNOPSIS pydyndns [-c FILE] [-f] [-v] [--live] [--check] [--explain] [--watch] [-h] [-V] [IFACE...] DESCRIPTION",
        ),
        (
            "man5/pydyndns.conf.5.gz",
            "pydyndns.conf - configuration of pydyndns",
            "SYNOPSIS /etc/pydyndns.conf",
        ),
    ];
    for (page, name_line, synopsis) in pages {
        let path = root.path().join("usr/share/man").join(page);
        let out = Command::new("man")
            .arg("-l")
            .arg(&path)
            .env("MANWIDTH", "80")
            .env_remove("MAN_KEEP_FORMATTING")
            .output()
            .unwrap();
        // Justified text: compare with single spaces.
        let text = String::from_utf8_lossy(&out.stdout)
            .replace(['\u{2010}', '\u{2011}'], "-")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && warnings.is_empty(),
            "man -l {page}: {warnings}"
        );
        assert!(
            text.contains("NAME") && text.contains(name_line),
            "{page}:\n{text}"
        );
        assert!(
            text.contains(synopsis),
            "{page} lacks {synopsis:?}:\n{text}"
        );
        let mut sections = vec!["EXAMPLES", "SEE ALSO"];
        if !page.starts_with("man5") {
            sections.push("EXIT STATUS");
        }
        for section in sections {
            assert!(text.contains(section), "{page} lacks {section}:\n{text}");
        }
        // Not clap_mangen's catch-all section; and the wrapper, whose -h
        // and --help are the same, promises no longer help.
        assert!(!text.contains("EXTRA"), "{page}:\n{text}");
        if page.starts_with("man8") {
            assert!(!text.contains("see a summary"), "{page}:\n{text}");
        }
    }
}

#[test]
fn bash_completion_completes_options() {
    require("bash", "bash");
    let root = scratch_root();
    dpkg(root.path(), &["--unpack", &deb().display().to_string()]);
    let dir = root.path().join("usr/share/bash-completion/completions");
    for (program, word, want) in [
        ("dyndns-send", "--dr", "--dry-run"),
        ("pydyndns", "--fo", "--force"),
        ("dyndns-diff", "--ca", "--cache"),
    ] {
        let script = format!(
            "source {file} && COMP_WORDS=({program} {word}) && COMP_CWORD=1 && COMP_LINE='{program} {word}' && COMP_POINT=${{#COMP_LINE}} && \
             $(complete -p {program} | sed 's/.* -F \\([^ ]*\\) .*/\\1/') {program} {word} {program} && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            file = dir.join(program).display()
        );
        let mut cmd = Command::new("bash");
        cmd.args(["--norc", "--noprofile", "-c", &script]);
        let r = run_command(cmd, "", format!("bash completion of {program} {word}"));
        r.ok();
        assert_eq!(r.stdout.trim(), want, "{r}");
    }
}

/// The wrapper's help, in every spelling argparse takes (`--hel` through
/// the rewrite), is the text its grammar makes, and the man page's options
/// (`pydyndns(8)`, from the same grammar) are each in it.
#[test]
fn wrapper_help_is_its_grammars() {
    let want = format!("{}\n", dyndns::app::argparse::help());
    let spellings: [&[&str]; 4] = [&["--help"], &["-h"], &["--hel"], &["-c", "x.conf", "-fh"]];
    for args in spellings {
        let help = crate::common::run("pydyndns", args, "");
        help.ok();
        assert_eq!(help.stdout, want, "{help}");
    }
    let cmd = dyndns::app::args::commands()
        .into_iter()
        .find(|c| c.get_name() == "pydyndns")
        .unwrap();
    for arg in cmd.get_arguments() {
        if let Some(long) = arg.get_long() {
            assert!(
                want.contains(&format!("--{long}")),
                "the wrapper's --help lacks --{long}\n{want}"
            );
        }
    }
}

/// Runs a hook with `@BINDIR@` pointing at a stand-in `pydyndns` that
/// records its arguments; returns what it recorded (None: not run).
fn hook_calls(hook: &str, shell_line: &str, interfaces: Option<&str>) -> Option<String> {
    hook_run(hook, shell_line, interfaces).0
}

/// [`hook_calls`], and what `shell_line` printed.
fn hook_run(hook: &str, shell_line: &str, interfaces: Option<&str>) -> (Option<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("called");
    let fake = dir.path().join("pydyndns");
    fs::write(
        &fake,
        format!(
            "#!/bin/sh\nprintf '%s|' \"$@\" > {}.tmp && mv {0}.tmp {0}\n",
            record.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let text = fs::read_to_string(top().join("dist/hooks").join(hook)).unwrap();
    // The hooks read INTERFACES from /etc/default/pydyndns; point them at a test file.
    let defaults = dir.path().join("default");
    fs::write(
        &defaults,
        interfaces
            .map(|i| format!("INTERFACES=\"{i}\"\nSITE=lab\n"))
            .unwrap_or_default(),
    )
    .unwrap();
    let script = dir.path().join(hook);
    fs::write(
        &script,
        text.replace("@BINDIR@", &dir.path().display().to_string())
            .replace("@HOOKDIR@", "/nonexistent")
            .replace("/etc/default/pydyndns", &defaults.display().to_string()),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let printed = ok(Command::new("sh")
        .arg("-c")
        .arg(shell_line.replace("HOOK", &script.display().to_string())));
    // The hook runs pydyndns in the background: give it a moment.
    for _ in 0..100 {
        if let Ok(called) = fs::read_to_string(&record) {
            return (Some(called), printed);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    (None, printed)
}

#[test]
fn hooks_run_the_wrapper_for_the_configured_interfaces() {
    // NetworkManager: $1 the interface, $2 the action.
    assert_eq!(
        hook_calls("networkmanager", "HOOK eth0 up", None).as_deref(),
        Some("--|"),
        "every interface"
    );
    assert_eq!(
        hook_calls(
            "networkmanager",
            "HOOK eth0 dhcp6-change",
            Some("eth0 wlan0")
        )
        .as_deref(),
        Some("--|eth0|wlan0|")
    );
    assert_eq!(
        hook_calls("networkmanager", "HOOK eth1 up", Some("eth0")),
        None,
        "not a configured interface"
    );
    assert_eq!(
        hook_calls("networkmanager", "HOOK eth0 down", None),
        None,
        "not an event it reacts to"
    );
    // Connectivity concerns every interface; it names none.
    assert_eq!(
        hook_calls(
            "networkmanager",
            "HOOK '' connectivity-change",
            Some("eth0 wlan0")
        )
        .as_deref(),
        Some("--|eth0|wlan0|")
    );
    // dhcpcd sources its hooks: nothing of this one stays in its shell.
    let (called, printed) = hook_run(
        "dhcpcd",
        "set -- a b; reason=BOUND6 interface=eth0 . HOOK; echo \"$#|${INTERFACES-unset}|${SITE-unset}\"",
        Some("eth0"),
    );
    assert_eq!(called.as_deref(), Some("--|eth0|"));
    assert_eq!(printed, "2|unset|unset\n");
    // dhcpcd: sourced, with $reason and $interface.
    assert_eq!(
        hook_calls(
            "dhcpcd",
            "reason=BOUND6 interface=eth0 . HOOK",
            Some("eth0")
        )
        .as_deref(),
        Some("--|eth0|")
    );
    assert_eq!(
        hook_calls("dhcpcd", "reason=ROUTERADVERT interface=eth0 . HOOK", None).as_deref(),
        Some("--|")
    );
    assert_eq!(
        hook_calls("dhcpcd", "reason=EXPIRE6 interface=eth0 . HOOK", None),
        None
    );
    // networkd-dispatcher: $IFACE.
    assert_eq!(
        hook_calls("networkd-dispatcher", "IFACE=eth0 HOOK", Some("eth0")).as_deref(),
        Some("--|eth0|")
    );
    assert_eq!(
        hook_calls("networkd-dispatcher", "IFACE=eth9 HOOK", Some("eth0")),
        None
    );
}

/// The package's files, unpacked (`dpkg-deb -x`) into a scratch directory.
fn extracted() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    ok(Command::new("dpkg-deb")
        .arg("-x")
        .arg(deb())
        .arg(root.path()));
    root
}

/// The programs as the package ships them, each linked dynamically against
/// the system's glibc, register for real: an update over TCP, then one
/// over DNS over TLS.
#[test]
fn the_packaged_programs_register_over_tcp_and_tls() {
    let root = extracted();
    let bin = root.path().join("usr/bin");
    for s in [
        "dyndns-addrs",
        "dyndns-diff",
        "dyndns-soa",
        "dyndns-send",
        "dyndns-watch",
        "dyndns-reap",
    ] {
        let bytes = fs::read(bin.join(s)).unwrap();
        assert!(
            bytes.windows(10).any(|w| w == b"/lib64/ld-"),
            "{s} is not linked dynamically"
        );
    }
    let world = World::with_tls("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let wrapper = bin.join("pydyndns");
    let conf = world.cached_config("tcp.conf", r#""ipv6": {"enable": true}"#);
    world
        .run_path(&wrapper, &["-c", &conf, "-v", "veth0"])
        .ok()
        .stdout_is("updated host1.example.test. in zone example.test. at ns1.example.test. ([::1]:53): 2001:db8:10::1\n");
    world.del_address("2001:db8:10::1/64");
    world.add_address(&["2001:db8:10::2/64", "nodad"]);
    let ca = world.tls.as_ref().unwrap().path("ca.crt");
    let tls = world.cached_config(
        "tls.conf",
        &format!(
            r#""transport": "tls", "tls": {{"ca": "{}", "name": "ns1.example.test"}}"#,
            ca.display()
        ),
    );
    world
        .run_path(&wrapper, &["-c", &tls, "-v", "veth0"])
        .ok()
        .stdout_is("updated host1.example.test. in zone example.test. at ns1.example.test. ([::1]:853): 2001:db8:10::2\n");
    assert_eq!(world.aaaa("host1.example.test"), ["300 2001:db8:10::2"]);

    // dyndns-diff looks the primary's name up as /etc/nsswitch.conf says:
    // with "hosts: files", /etc/hosts's dead address for it (the state's
    // name, with its trailing dot); with "hosts: dns", DNS's ::1, /etc/hosts
    // unread.
    let state = world.run_path(&bin.join("dyndns-addrs"), &["-c", &conf, "veth0"]);
    let located = world.run_shell(&format!(
        "printf '%s\\n' '{}' | dyndns-soa -c {conf}",
        state.stdout.trim()
    ));
    let etc = PathBuf::from("/etc/netns").join(&world.ns);
    let hosts = fs::read_to_string(etc.join("hosts")).unwrap();
    fs::write(
        etc.join("hosts"),
        format!("{hosts}{} ns1.example.test.\n", crate::common::DEAD_ADDRESS),
    )
    .unwrap();
    let live = |diff: &Path, nsswitch: &str| {
        fs::write(etc.join("nsswitch.conf"), format!("hosts: {nsswitch}\n")).unwrap();
        let script = world.dir.path().join("live.sh");
        fs::write(
            &script,
            format!(
                "printf '%s\\n' '{}' | {} -c {conf} --live",
                located.stdout.trim(),
                diff.display()
            ),
        )
        .unwrap();
        world.run_shell(&format!("sh {}", script.display()))
    };
    let refused = format!("[{}]:53: Connection refused", crate::common::DEAD_ADDRESS);
    let diff = bin.join("dyndns-diff");
    live(&diff, "files").status(2).stderr_has(&refused);
    live(&diff, "files dns").status(2).stderr_has(&refused);
    live(&diff, "dns").status(0).quiet();
    fs::remove_file(etc.join("nsswitch.conf")).unwrap();
}

/// The packaged dyndns-addrs finds the host's FQDN through the system's
/// NSS, whatever the `hosts:` line of nsswitch.conf says (here DNS, with
/// the resolver's search domain, /etc/hosts not knowing the host), as
/// Python's socket.getfqdn() does.
#[test]
fn the_host_name_lookup_goes_through_nss() {
    let root = extracted();
    let addrs = root.path().join("usr/bin/dyndns-addrs");
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    world.nsupdate("update add host1.example.test. 300 AAAA 2001:db8:10::1");
    let etc = PathBuf::from("/etc/netns").join(&world.ns);
    // /etc/hosts does not know host1; DNS does, through the search domain.
    fs::write(etc.join("hosts"), "127.0.0.1 localhost\n::1 localhost\n").unwrap();
    fs::write(
        etc.join("resolv.conf"),
        "nameserver ::1\nsearch example.test\n",
    )
    .unwrap();
    let conf = world.config("c.conf", r#"{"ttl": 300}"#);
    let want = r#""hostname":"host1.example.test.""#;
    let lookup = |nsswitch: &str| {
        fs::write(etc.join("nsswitch.conf"), format!("hosts: {nsswitch}\n")).unwrap();
        world.run_path(&addrs, &["-c", &conf, "-v", "veth0"])
    };
    for nsswitch in ["files dns", "files dns myhostname", "dns files"] {
        let system = lookup(nsswitch);
        system.ok();
        assert!(system.stdout.contains(want), "{system}");
        // And so does the wrapper's every-minute dyndns-addrs --diff (no
        // cache configured: the state differs, printed).
        let diffed = world.run_path(&addrs, &["-c", &conf, "-v", "--diff", "veth0"]);
        diffed.status(1);
        assert!(diffed.stdout.contains(want), "{diffed}");
    }
    // The packaged wrapper's every-minute run lands the new address.
    world.add_address(&["2001:db8:10::2/64", "nodad"]);
    let wrapper = root.path().join("usr/bin/pydyndns");
    world
        .run_path(&wrapper, &["-c", &conf, "veth0"])
        .ok()
        .quiet();
    assert_eq!(
        world.aaaa("host1.example.test"),
        ["300 2001:db8:10::1", "300 2001:db8:10::2"]
    );
    // Without the search domain, neither finds a domain: the same error.
    fs::write(etc.join("resolv.conf"), "nameserver ::1\n").unwrap();
    for nsswitch in ["files dns", "files dns myhostname"] {
        lookup(nsswitch)
            .status(2)
            .stderr_has("the host name \"host1\" has no domain");
    }
    fs::remove_file(etc.join("nsswitch.conf")).unwrap();
}
