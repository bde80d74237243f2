//! Writes the man pages and shell completions of the four stages, the
//! watcher, the reaper and the `pydyndns` wrapper, from their clap definitions (`dyndns::app::args`):
//!
//! ```sh
//! cargo run --example gen-docs -- target/assets
//! ```
//!
//! gives `man/*.1`, `man/pydyndns.8`, `man/pydyndns.conf.5` (from
//! `doc/pydyndns.conf.5`), `completions/bash/NAME`, `completions/zsh/_NAME`
//! and `completions/fish/NAME.fish`.
//!
//! clap_mangen renders the name, description and options; the synopsis
//! (with each option's argument), EXIT STATUS, EXAMPLES and SEE ALSO are
//! written here, as man-pages(7) orders them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap_complete::Shell;

fn main() -> ExitCode {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: gen-docs OUTDIR");
        return ExitCode::from(2);
    };
    match generate(&out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-docs: {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}

fn generate(out: &Path) -> std::io::Result<()> {
    let man = out.join("man");
    fs::create_dir_all(&man)?;
    for mut cmd in dyndns::app::args::commands() {
        cmd.build();
        let name = cmd.get_name().to_owned();
        // The wrapper is an administrator's command (section 8); the stages are tools (section 1).
        let section = if name == "pydyndns" { "8" } else { "1" };
        fs::write(man.join(format!("{name}.{section}")), page(&cmd, section)?)?;
        for (shell, dir, file) in [
            (Shell::Bash, "bash", name.clone()),
            (Shell::Zsh, "zsh", format!("_{name}")),
            (Shell::Fish, "fish", format!("{name}.fish")),
        ] {
            let dir = out.join("completions").join(dir);
            fs::create_dir_all(&dir)?;
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut cmd, name.clone(), &mut text);
            fs::write(dir.join(file), text)?;
        }
    }
    let conf5 = Path::new(env!("CARGO_MANIFEST_DIR")).join("doc/pydyndns.conf.5");
    fs::copy(conf5, man.join("pydyndns.conf.5"))?;
    Ok(())
}

/// One man page: clap_mangen's sections, then ours.
fn page(cmd: &clap::Command, section: &str) -> std::io::Result<Vec<u8>> {
    let name = cmd.get_name();
    let cmd = cmd.clone().override_usage(synopsis(cmd));
    let man = clap_mangen::Man::new(cmd).section(section).manual("dyndns");
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    let extra = extra(name);
    let mut text = String::from(".SH \"EXIT STATUS\"\n");
    for (status, meaning) in extra.exit {
        text.push_str(&format!(".TP\n.B {status}\n{}\n", roff(meaning)));
    }
    text.push_str(".SH EXAMPLES\n");
    for (what, command) in extra.examples {
        text.push_str(&format!(
            ".PP\n{}\n.PP\n.RS 4\n.nf\n{}\n.fi\n.RE\n",
            roff(what),
            roff(command)
        ));
    }
    text.push_str(".SH \"SEE ALSO\"\n");
    let refs: Vec<String> = extra
        .see_also
        .iter()
        .map(|r| {
            let (page, sec) = r.split_once('(').unwrap_or((r, ""));
            format!(".BR {} ({}", roff(page), sec)
        })
        .collect();
    text.push_str(&refs.join(" ,\n"));
    text.push('\n');
    page.extend_from_slice(text.as_bytes());
    man.render_version_section(&mut page)?;
    Ok(page)
}

/// The synopsis line, with every option's argument: `name [-c FILE] [-v] [IFACE...]`.
fn synopsis(cmd: &clap::Command) -> String {
    let mut line = cmd.get_name().to_owned();
    // Options first, then the operands.
    let (operands, options): (Vec<_>, Vec<_>) = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set())
        .partition(|a| a.is_positional());
    for arg in options.into_iter().chain(operands) {
        let value = arg
            .get_value_names()
            .and_then(|v| v.first())
            .map(|v| v.to_string())
            .unwrap_or_else(|| arg.get_id().as_str().to_uppercase());
        let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
        let item = if arg.is_positional() {
            let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1);
            format!("{value}{}", if many { "..." } else { "" })
        } else {
            let flag = match (arg.get_short(), arg.get_long()) {
                (Some(s), _) => format!("-{s}"),
                (None, Some(l)) => format!("--{l}"),
                (None, None) => continue,
            };
            if takes_value {
                format!("{flag} {value}")
            } else {
                flag
            }
        };
        line.push_str(&format!(" [{item}]"));
    }
    line
}

/// A text line for roff: hyphens as `\-` (so they stay ASCII minus signs,
/// searchable and copyable), backslashes doubled, no control character at
/// the start of a line.
fn roff(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    text.lines()
        .map(|l| {
            if l.starts_with('.') || l.starts_with('\'') {
                format!("\\&{l}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a page says beyond its options.
struct Extra {
    exit: &'static [(&'static str, &'static str)],
    examples: &'static [(&'static str, &'static str)],
    see_also: &'static [&'static str],
}

fn extra(name: &str) -> Extra {
    match name {
        "dyndns-addrs" => Extra {
            exit: &[
                (
                    "0",
                    "The state document was printed; with --diff, the state equals the cache, nothing printed.",
                ),
                (
                    "1",
                    "A failure at run time: the kernel's address table could not be read, the resolver did not answer in time. With --diff, the state differs from the cache (or there is none, or \"compare\" is \"live\"), printed.",
                ),
                (
                    "2",
                    "Bad usage or input: an unknown option, a bad config file, an interface that does not exist, a host name without a domain.",
                ),
                ("3", "With --diff, a failure at run time (1 without it)."),
            ],
            examples: &[
                (
                    "Every address, with its flags and lifetimes, and why it counts or not:",
                    "dyndns-addrs --explain",
                ),
                (
                    "The state of the addresses of eth0:",
                    "dyndns-addrs eth0\n{\"hostname\":\"host1.example.com.\",\"ttl\":300,\"addresses\":[\"2001:db8::1\"]}",
                ),
                (
                    "Another name and TTL, for a custom pipeline:",
                    "dyndns-addrs --hostname web.example.com --ttl 60 eth0",
                ),
                (
                    "dyndns-addrs eth0 | dyndns-diff in one process (what the pydyndns wrapper runs every minute; when the state changed, it passes it on to dyndns-soa and dyndns-send):",
                    "dyndns-addrs --diff eth0 && echo unchanged",
                ),
            ],
            see_also: &[
                "dyndns-diff(1)",
                "dyndns-soa(1)",
                "dyndns-send(1)",
                "pydyndns(8)",
                "pydyndns.conf(5)",
            ],
        },
        "dyndns-diff" => Extra {
            exit: &[
                (
                    "0",
                    "The state equals the cache (nothing printed), or standard input was empty.",
                ),
                (
                    "1",
                    "The state differs from the cache, or there is no usable cache; the state is printed.",
                ),
                (
                    "2",
                    "Trouble: bad usage, a bad config file or bad input; with --live, the primary could not be asked.",
                ),
                (
                    "0-3 with --check",
                    "The monitoring-plugins statuses: 0 OK, 1 WARNING (another server of the zone lags), 2 CRITICAL (the primary's records differ), 3 UNKNOWN.",
                ),
            ],
            examples: &[
                (
                    "Say whether the addresses changed since the last update:",
                    "dyndns-addrs eth0 | dyndns-diff >/dev/null && echo unchanged",
                ),
                (
                    "Compare with what the primary serves, and restore it:",
                    "dyndns-addrs eth0 | dyndns-soa | dyndns-diff --live | dyndns-send",
                ),
                (
                    "A monitoring check:",
                    "dyndns-addrs eth0 | dyndns-soa | dyndns-diff --check",
                ),
                (
                    "Force the next update (removes the cache):",
                    "dyndns-addrs eth0 | dyndns-diff -f",
                ),
            ],
            see_also: &[
                "dyndns-addrs(1)",
                "dyndns-soa(1)",
                "dyndns-send(1)",
                "pydyndns(8)",
                "pydyndns.conf(5)",
                "diff(1)",
            ],
        },
        "dyndns-soa" => Extra {
            exit: &[
                (
                    "0",
                    "The zone and its primary were found, or standard input was empty.",
                ),
                (
                    "1",
                    "A failure at run time: no SOA record covers the name, or no resolver answered in time.",
                ),
                (
                    "2",
                    "Bad usage or input: a bad config file, a state document or name that is not valid.",
                ),
            ],
            examples: &[
                (
                    "The primary server of a name's zone:",
                    "dyndns-soa host1.example.com\nns1.example.com.",
                ),
                (
                    "Add the zone and server to the state:",
                    "dyndns-addrs eth0 | dyndns-soa",
                ),
            ],
            see_also: &[
                "dyndns-addrs(1)",
                "dyndns-diff(1)",
                "dyndns-send(1)",
                "pydyndns(8)",
                "pydyndns.conf(5)",
                "resolv.conf(5)",
            ],
        },
        "dyndns-watch" => Extra {
            exit: &[
                ("0", "Ended by SIGTERM or SIGINT."),
                (
                    "1",
                    "The kernel's tables could not be read over rtnetlink, or stdout was closed.",
                ),
                ("2", "Bad usage: a bad config file or interface name."),
            ],
            examples: &[
                (
                    "The changes of eth0's registrable addresses, as they happen:",
                    "dyndns-watch eth0",
                ),
                (
                    "Register within a second of each change (what pydyndns --watch runs):",
                    "dyndns-watch -c /etc/pydyndns.conf --run /usr/bin/pydyndns eth0",
                ),
            ],
            see_also: &[
                "pydyndns(8)",
                "dyndns-addrs(1)",
                "pydyndns.conf(5)",
                "rtnetlink(7)",
            ],
        },
        "dyndns-reap" => Extra {
            exit: &[
                (
                    "0",
                    "Every expired name was handled: deleted, or kept because its host renewed in between; with --list, the zone was read; with --dry-run, the updates were printed.",
                ),
                (
                    "1",
                    "A failure at run time: the zone could not be transferred (refused, not signed as it should be, no answer), or a server refused or did not answer an update (that name's line says \"failed\" with the rcode; the other names were still handled).",
                ),
                (
                    "2",
                    "Bad usage or input: an unknown option, a bad config or key file, a zone that is not a name, a line on standard input that --list did not write. Nothing is sent for that line or after it.",
                ),
            ],
            examples: &[
                (
                    "The expired names of a zone, read by AXFR signed with a key file, and the PTRs to them:",
                    "dyndns-reap --list -k /etc/bind/reaper.key --ptr-zone 8.b.d.0.1.0.0.2.ip6.arpa example.com\n{\"name\":\"host9.example.com.\",\"zone\":\"example.com.\",\"server\":\"ns1.example.com.\",\"marker\":\"dyndns-lease expires=2026-12-05T13:00:00Z\",\"expired\":\"2026-12-05T13:00:00Z\",\"records\":{\"AAAA\":[\"2001:db8::9\"],\"TXT\":[\"\\\"dyndns-lease expires=2026-12-05T13:00:00Z\\\"\"]},\"ptr\":[...]}",
                ),
                (
                    "Review the list, then delete (a host that renewed meanwhile is kept):",
                    "dyndns-reap --list -k reaper.key example.com > expired\ndyndns-reap --delete -k reaper.key < expired\n{\"name\":\"host9.example.com.\",\"result\":\"deleted\"}",
                ),
                (
                    "What would be deleted, as nsupdate scripts:",
                    "dyndns-reap --dry-run -k reaper.key example.com",
                ),
            ],
            see_also: &[
                "pydyndns.conf(5)",
                "dyndns-send(1)",
                "nsupdate(1)",
                "tsig-keygen(8)",
                "systemd.timer(5)",
            ],
        },
        "dyndns-send" => Extra {
            exit: &[
                (
                    "0",
                    "The update was accepted and the cache rewritten; or another run registered the same addresses meanwhile; or --dry-run; or standard input was empty.",
                ),
                (
                    "1",
                    "A failure at run time, with nothing lost: no address of the primary answered in time, the server refused the update (the rcode and any TSIG error are named), the answer was bad or not signed, the lock was held too long, or the update landed but the cache could not be written.",
                ),
                (
                    "2",
                    "Bad usage or input, with nothing sent: a bad config or key file, a state document that is not valid, a name outside the zone, an update too large for one DNS message.",
                ),
            ],
            examples: &[
                (
                    "Show the update as a script for nsupdate, and send nothing:",
                    "dyndns-addrs eth0 | dyndns-soa | dyndns-send --dry-run",
                ),
                (
                    "Send it, signed with a BIND key file:",
                    "dyndns-addrs eth0 | dyndns-soa | dyndns-send -k /etc/pydyndns/host1-key.conf",
                ),
            ],
            see_also: &[
                "dyndns-addrs(1)",
                "dyndns-diff(1)",
                "dyndns-soa(1)",
                "pydyndns(8)",
                "pydyndns.conf(5)",
                "nsupdate(1)",
                "tsig-keygen(8)",
            ],
        },
        _ => Extra {
            exit: &[
                (
                    "0",
                    "Nothing changed since the last update, or the update succeeded.",
                ),
                (
                    "1",
                    "A failure at run time: no zone found, the server unreachable or refusing, a bad answer, the cache not written.",
                ),
                (
                    "2",
                    "Bad usage, a bad config file or bad input; nothing was sent.",
                ),
                (
                    "0-3 with --check",
                    "The monitoring-plugins statuses: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
                ),
            ],
            examples: &[
                (
                    "Every minute from root's crontab, for eth0:",
                    "* * * * * pydyndns -c /etc/pydyndns.conf eth0",
                ),
                (
                    "Once by hand, forced, showing each step:",
                    "pydyndns -fv eth0",
                ),
                (
                    "Which addresses count, and why the others do not:",
                    "pydyndns --explain",
                ),
                (
                    "A monitoring check (Nagios, Icinga):",
                    "pydyndns -c /etc/pydyndns.conf --check eth0",
                ),
            ],
            see_also: &[
                "dyndns-addrs(1)",
                "dyndns-diff(1)",
                "dyndns-soa(1)",
                "dyndns-send(1)",
                "pydyndns.conf(5)",
                "nsupdate(1)",
                "crontab(5)",
                "systemd.timer(5)",
            ],
        },
    }
}
