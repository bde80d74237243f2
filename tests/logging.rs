//! Logging as the config file's `logging` object says, through the wrapper:
//! PyDynDNS's own syslog example (to a Unix datagram socket the test binds in
//! place of /dev/log), a file handler, a stderr handler with a custom format.

use std::fs;
use std::os::unix::net::UnixDatagram;

use crate::common::World;

/// The PyDynDNS README's logger object, with the socket and level given.
fn readme_syslog(socket: &str, level: &str) -> String {
    format!(
        r#"{{"version": 1,
            "formatters": {{"syslog": {{"format": "%(name)s: %(message)s"}}}},
            "handlers": {{"syslog": {{"class": "logging.handlers.SysLogHandler", "address": "{socket}", "facility": "local0", "formatter": "syslog"}}}},
            "root": {{"level": "{level}", "handlers": ["syslog"]}}}}"#
    )
}

fn config(world: &World, name: &str, logging: &str) -> String {
    world.config(
        name,
        &format!(
            r#"{{"cache": "{}", "ttl": 300, "logging": {logging}}}"#,
            world.cache().display()
        ),
    )
}

/// Every datagram waiting on the socket.
fn packets(socket: &UnixDatagram) -> Vec<String> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = socket.recv(&mut buf) {
        out.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    out
}

#[test]
fn pydyndns_readme_syslog_example() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let path = world.dir.path().join("log.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    socket.set_nonblocking(true).unwrap();
    let p = path.display().to_string();

    // At INFO: the update and the elided update, as facility local0 (16),
    // severity info (6): <134>. Debug messages are filtered out.
    let info = config(&world, "info.conf", &readme_syslog(&p, "INFO"));
    world
        .run("pydyndns", &["-c", &info, "veth0"], "")
        .ok()
        .quiet();
    world
        .run("pydyndns", &["-c", &info, "veth0"], "")
        .ok()
        .quiet();
    let cache = world.cache().display().to_string();
    assert_eq!(
        packets(&socket),
        [
            "<134>pydyndns: updating host1.example.test. to [2001:db8:10::1]\0".to_owned(),
            format!(
                "<134>pydyndns: not updating host1.example.test.: addresses unchanged since the last update (cache file {cache})\0"
            ),
        ]
    );

    // At WARNING (the README's level): a quiet success sends nothing...
    let warning = config(&world, "warning.conf", &readme_syslog(&p, "WARNING"));
    world
        .run("pydyndns", &["-c", &warning, "-f", "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(packets(&socket), Vec::<String>::new());

    // ...and a failure arrives as severity err (3): <131>, and on stderr too.
    world.add_address(&["2001:db8:10::2/64", "nodad"]);
    let send_fails = world.config(
        "fail.conf",
        &format!(
            r#"{{"cache": "{cache}", "ttl": 300, "logging": {},
                "tsig": {{"algorithm": "hmac-sha256", "keyname": "nokey", "key": "c2VjcmV0"}}}}"#,
            readme_syslog(&p, "WARNING")
        ),
    );
    let r = world.run("pydyndns", &["-c", &send_fails, "veth0"], "");
    r.status(1)
        .stderr_has("dyndns-send: update of host1.example.test.");
    let got = packets(&socket);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].starts_with("<131>pydyndns: update of host1.example.test. in zone example.test. failed at every address of ns1.example.test.: [::1]:53: NOTAUTH (TSIG error BADKEY"), "{got:?}");
    assert!(got[0].ends_with('\0'));
}

#[test]
fn file_handler_with_python_format() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let log = world.dir.path().join("pydyndns.log");
    let logging = format!(
        r#"{{"version": 1, "disable_existing_loggers": false,
            "formatters": {{"plain": {{"format": "%(levelname)s:%(name)s:%(processName)s:%(message)s"}}}},
            "handlers": {{"file": {{"class": "logging.FileHandler", "filename": "{}", "mode": "a", "encoding": "utf-8", "formatter": "plain", "level": "DEBUG"}}}},
            "loggers": {{"pydyndns": {{"level": "INFO", "handlers": ["file"], "propagate": false}}}}}}"#,
        log.display()
    );
    let conf = config(&world, "file.conf", &logging);
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .ok()
        .quiet();
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        format!(
            "INFO:pydyndns:dyndns-send:updating host1.example.test. to [2001:db8:10::1]\n\
             INFO:pydyndns:dyndns-addrs:not updating host1.example.test.: addresses unchanged since the last update (cache file {})\n",
            world.cache().display()
        )
    );
}

#[test]
fn stderr_handler_with_custom_format_and_asctime() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let logging = r#"{"version": 1,
        "formatters": {"f": {"format": "%(asctime)s [%(levelname)-7s] %(name)s %(message)s", "datefmt": "%Y"}},
        "handlers": {"err": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "f"},
                     "ev": {"class": "logging.handlers.NTEventLogHandler", "appname": "PyDynDNS"}},
        "root": {"level": "INFO", "handlers": ["err", "ev"]}}"#;
    let conf = config(&world, "stderr.conf", logging);
    let r = world.run("pydyndns", &["-c", &conf, "veth0"], "");
    r.ok().stdout_is("");
    let year = String::from_utf8(
        std::process::Command::new("date")
            .arg("+%Y")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let year = year.trim();
    let warning = "logging handler \"ev\": class logging.handlers.NTEventLogHandler is not supported here; handler ignored";
    // Each process warns about the unsupported handler once (dyndns-addrs
    // --diff, dyndns-soa, dyndns-send), then the rest works.
    let want: Vec<String> = (0..3)
        .map(|_| format!("{year} [WARNING] pydyndns {warning}"))
        .chain([format!(
            "{year} [INFO   ] pydyndns updating host1.example.test. to [2001:db8:10::1]"
        )])
        .collect();
    let got: Vec<String> = r.stderr.lines().map(str::to_owned).collect();
    assert_eq!(got, want, "{r}");
}

#[test]
fn verbose_and_rust_log_override_the_levels() {
    let world = World::new("host1.example.test");
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let log = world.dir.path().join("l.log");
    let logging = format!(
        r#"{{"version": 1, "handlers": {{"file": {{"class": "logging.FileHandler", "filename": "{}"}}}}, "root": {{"level": "ERROR", "handlers": ["file"]}}}}"#,
        log.display()
    );
    let conf = config(&world, "l.conf", &logging);
    // -v: debug output on stderr; the file keeps its own level (nothing at ERROR here).
    world
        .run("pydyndns", &["-c", &conf, "-v", "veth0"], "")
        .ok()
        .stderr_has("dyndns-send: debug: TSIG off");
    assert_eq!(fs::read_to_string(&log).unwrap(), "");
    // RUST_LOG: every level is what it says, the file's too.
    world
        .run_env(
            "pydyndns",
            &["-c", &conf, "-f", "veth0"],
            "",
            &[("RUST_LOG", "debug")],
        )
        .ok();
    let text = fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("updating host1.example.test. to [2001:db8:10::1]\n"),
        "{text}"
    );
    assert!(text.contains("TSIG off\n"), "{text}");
    world
        .run_env("dyndns-diff", &["-c", &conf], "{", &[("RUST_LOG", "off")])
        .status(2)
        .stderr_has("standard input is not valid JSON");
}

#[test]
fn malformed_logging_is_a_config_error() {
    let world = World::new("host1.example.test");
    let conf = config(
        &world,
        "bad.conf",
        r#"{"version": 1, "handlers": {"s": {"class": "logging.handlers.SysLogHandler", "facility": "local9"}}}"#,
    );
    world
        .run("pydyndns", &["-c", &conf, "veth0"], "")
        .status(2)
        .stderr_has(&format!("dyndns-addrs: config file {conf}: key \"logging.handlers.s.facility\": a string is not a syslog facility"));
}

#[test]
fn syslog_over_udp_to_an_ipv6_address() {
    let socket = std::net::UdpSocket::bind("[::1]:0").unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let port = socket.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("u.conf");
    fs::write(
        &conf,
        format!(
            r#"{{"ttl": 1, "logging": {{"version": 1,
                "handlers": {{"u": {{"class": "logging.handlers.SysLogHandler", "address": ["::1", {port}], "facility": "daemon"}}}},
                "root": {{"level": "WARNING", "handlers": ["u"]}}}}}}"#
        ),
    )
    .unwrap();
    let c = conf.display().to_string();
    crate::common::run("dyndns-diff", &["-c", &c], "{")
        .status(2)
        .stderr_has("dyndns-diff: standard input is not valid JSON");
    let mut buf = [0u8; 1024];
    let n = socket.recv(&mut buf).unwrap();
    // daemon (3) << 3 | err (3) = 27; no formatter: the message alone.
    assert_eq!(
        &buf[..n],
        b"<27>standard input is not valid JSON: EOF while parsing an object at line 1 column 1\0"
    );
}
