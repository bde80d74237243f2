//! The every-minute command lines, read without clap. Building clap's
//! parser costs a stage about 100,000 instructions, a quarter of a static
//! stage's run (BENCHMARKS.md, issue 22), while the wrapper passes the same
//! few flags every minute. Those are read here; any other argument, a
//! repeated flag or an odd value sends the whole command line to clap,
//! which then parses it (and says what is wrong, or prints the help).
//! Unit tests check that both readings agree.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::args::{AddrsArgs, DiffArgs, NetArgs};
use crate::cli::Common;

/// What the simple reading found.
#[derive(Default)]
struct Simple {
    config: Option<PathBuf>,
    /// `--pydyndns-fast SCRIPT` (`dyndns-addrs`).
    fast: Option<PathBuf>,
    /// The switches given, each once.
    switches: Vec<&'static str>,
    /// The positional arguments (after `--`, or not starting with `-`).
    positional: Vec<String>,
}

impl Simple {
    fn has(&self, switch: &str) -> bool {
        self.switches.contains(&switch)
    }

    fn common(&self) -> Common {
        Common {
            config: self.config.clone(),
            verbose: self.has("-v"),
            no_config_warnings: self.has("--no-config-warnings"),
        }
    }
}

/// Reads `args` (without the program name): `-c FILE` or `--config FILE`,
/// the switches of `known` (long spellings, and `-v` and `-f` for their
/// long forms), and positional arguments when `positional`. `None`: leave
/// it to clap.
fn simple(
    args: impl IntoIterator<Item = OsString>,
    known: &[&'static str],
    positional: bool,
) -> Option<Simple> {
    let mut out = Simple::default();
    let mut args = args.into_iter();
    let mut rest = false;
    while let Some(arg) = args.next() {
        let arg = arg.into_string().ok()?;
        if rest || (positional && !arg.starts_with('-')) {
            if !positional || arg.is_empty() {
                return None;
            }
            out.positional.push(arg);
            continue;
        }
        let switch = match arg.as_str() {
            "-c" | "--config" => {
                out.config = Some(value(out.config.is_some(), args.next())?);
                continue;
            }
            "--pydyndns-fast" if positional => {
                out.fast = Some(value(out.fast.is_some(), args.next())?);
                continue;
            }
            "--" if positional => {
                rest = true;
                continue;
            }
            "-v" | "--verbose" => "-v",
            "-f" | "--force" => "-f",
            other => *known.iter().find(|k| **k == other)?,
        };
        if !known.contains(&switch) || out.has(switch) {
            return None;
        }
        out.switches.push(switch);
    }
    Some(out)
}

/// An option's value, as clap takes it: there, not empty, not an option,
/// and the option not given before.
fn value(given: bool, next: Option<OsString>) -> Option<PathBuf> {
    let value = next?.into_string().ok()?;
    if given || value.is_empty() || value.starts_with('-') {
        return None;
    }
    Some(value.into())
}

/// `dyndns-diff`'s arguments: `-c FILE`, `-v`, `--no-config-warnings`,
/// `-f`, `--live` or `--check`; else clap's reading, or `None` in a
/// statically linked build, which leaves clap out.
pub fn diff_args() -> Option<DiffArgs> {
    diff_fast(std::env::args_os().skip(1)).or_else(clap_reading)
}

fn diff_fast(args: impl IntoIterator<Item = OsString>) -> Option<DiffArgs> {
    let known = ["-v", "-f", "--no-config-warnings", "--live", "--check"];
    let s = simple(args, &known, false)?;
    // clap refuses these together: let it say so.
    if s.has("--check") && (s.has("--live") || s.has("-f")) {
        return None;
    }
    Some(DiffArgs {
        common: s.common(),
        cache: None,
        force: s.has("-f"),
        live: s.has("--live"),
        check: s.has("--check"),
        net: NetArgs::default(),
    })
}

/// `dyndns-addrs`'s arguments: `-c FILE`, `-v`, `--no-config-warnings`,
/// `--diff`, `--pydyndns-fast SCRIPT` and the interfaces (after `--`, or any
/// not starting with `-`); else
/// clap's reading, or `None` in a statically linked build, which leaves
/// clap out.
pub fn addrs_args() -> Option<AddrsArgs> {
    addrs_fast(std::env::args_os().skip(1)).or_else(clap_reading)
}

/// clap's reading of the command line (which prints the help, or what is
/// wrong, and exits). `None` in a statically linked build, which leaves
/// clap out (about 130 KiB of code, much of it paged in with the code it
/// sits beside: BENCHMARKS.md) and hands such a command line to
/// [`crate::programs::HELPER`] ([`crate::programs::parse_in_helper`]).
#[cfg(not(target_feature = "crt-static"))]
fn clap_reading<T: clap::Parser>() -> Option<T> {
    Some(T::parse())
}

/// See the dynamically linked build's.
#[cfg(target_feature = "crt-static")]
fn clap_reading<T>() -> Option<T> {
    None
}

fn addrs_fast(args: impl IntoIterator<Item = OsString>) -> Option<AddrsArgs> {
    let s = simple(args, &["-v", "--no-config-warnings", "--diff"], true)?;
    Some(AddrsArgs {
        common: s.common(),
        hostname: None,
        ttl: None,
        explain: false,
        format: crate::addrs::Format::default(),
        diff: s.has("--diff"),
        pydyndns_fast: s.fast.clone(),
        interfaces: s.positional.clone(),
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn argv(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    /// The fast reading equals clap's wherever it reads a line, and leaves
    /// to clap the lines it does not.
    #[test]
    fn diff_reads_as_clap_does() {
        for line in [
            "",
            "-c /etc/pydyndns.conf --no-config-warnings",
            "--config x.conf -v -f",
            "-c x.conf --no-config-warnings -v --live",
            "--verbose --force --no-config-warnings",
            "-c x.conf --check",
        ] {
            let fast = diff_fast(argv(line)).unwrap_or_else(|| panic!("{line}: not read"));
            let clap =
                DiffArgs::try_parse_from(std::iter::once("dyndns-diff".into()).chain(argv(line)))
                    .unwrap();
            assert_eq!(format!("{fast:?}"), format!("{clap:?}"), "{line}");
        }
        for line in [
            "-c",
            "-c -v",
            "-v -v",
            "--live --check",
            "-f --check",
            "--cache x",
            "-p 53",
            "--tls on",
            "-fv",
            "--config=x.conf",
            "x",
            "--help",
            "--",
        ] {
            assert!(diff_fast(argv(line)).is_none(), "{line}: read");
        }
    }

    #[test]
    fn addrs_reads_as_clap_does() {
        for line in [
            "",
            "eth0",
            "-c /etc/pydyndns.conf -- eth0 wlan0",
            "-c x.conf -v --no-config-warnings eth0",
            "-- -weird",
            "eth0 -- eth1",
            "-c x.conf --diff -- eth0",
            "--diff",
            "--pydyndns-fast /usr/bin/pydyndns -c x.conf -- eth0",
        ] {
            let fast = addrs_fast(argv(line)).unwrap_or_else(|| panic!("{line}: not read"));
            let clap =
                AddrsArgs::try_parse_from(std::iter::once("dyndns-addrs".into()).chain(argv(line)))
                    .unwrap();
            assert_eq!(format!("{fast:?}"), format!("{clap:?}"), "{line}");
        }
        for line in [
            "-c",
            "--explain",
            "--ttl 5",
            "--hostname h",
            "-f",
            "-v -v",
            "--live",
            "--diff --diff",
            "--pydyndns-fast",
            "--pydyndns-fast a --pydyndns-fast b",
        ] {
            assert!(addrs_fast(argv(line)).is_none(), "{line}: read");
        }
    }
}
