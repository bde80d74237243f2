//! What the set-up leaves on the machine: `scripts/install-deps` installs
//! BIND 9, Knot DNS and PowerDNS, whose maintainer scripts enable them at
//! boot; it must disable what it enabled, so that no authoritative server
//! starts on this machine's real interfaces at the next boot.

use std::process::Command;

/// The units and SysV init scripts of the three servers.
const SERVERS: [(&str, &str); 3] = [
    ("named.service", "named"),
    ("knot.service", "knot"),
    ("pdns.service", "pdns"),
];

#[test]
fn no_dns_server_is_enabled_at_boot() {
    crate::common::require("systemctl", "systemd");
    let mut enabled = Vec::new();
    for (unit, script) in SERVERS {
        let out = Command::new("systemctl")
            .args(["is-enabled", unit])
            .output()
            .unwrap();
        let state = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if matches!(state.as_str(), "enabled" | "enabled-runtime" | "alias") {
            enabled.push(format!("{unit} is {state}"));
        }
        for level in ["0", "1", "2", "3", "4", "5", "6", "S"] {
            let Ok(dir) = std::fs::read_dir(format!("/etc/rc{level}.d")) else {
                continue;
            };
            for entry in dir.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('S')
                    && name.trim_start_matches(|c: char| c == 'S' || c.is_ascii_digit()) == script
                {
                    enabled.push(format!("/etc/rc{level}.d/{name} starts {script}"));
                }
            }
        }
    }
    assert!(
        enabled.is_empty(),
        "DNS servers enabled at boot: {}.\nscripts/install-deps disables the servers it installs; \
         if this machine's administrator enabled one, disable it before running the suite \
         (systemctl disable UNIT).",
        enabled.join("; ")
    );
}
