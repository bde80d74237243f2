//! PyDynDNS's command line (`pydyndns [-h] [-c FILE] [-f] [IFACE ...]`),
//! parsed as its argparse parser (Python 3.11) parses it, so that the
//! `pydyndns` wrapper accepts every spelling PyDynDNS 1.2.1 accepted and
//! refuses the others: clustered flags (`-fv`), attached values (`-cFILE`,
//! `-c=FILE`, `--config=FILE`), unambiguous prefixes of long options
//! (`--conf`, `--forc`), `--`, and the interfaces as one run of arguments
//! (argparse's `nargs="*"`: `eth0 -f eth1` is refused). `-v/--verbose`,
//! `-V/--version`, `--live`, `--check`, `--explain` and `--watch` are ours; the last four are taken
//! only spelt in full, so that every prefix PyDynDNS took (`--c` for
//! `--config`) still means what it meant.
//!
//! This module is the one definition of that command line: the parser, the
//! wrapper's `--help` ([`help`]) and, through [`command`], its man page and
//! completions all come from [`FLAGS`]. The wrapper reads only the one
//! spelling [`Parsed::to_shell`] writes (`-c FILE -f -v --live ... --
//! IFACE...`); any other it has `dyndns-addrs --pydyndns-argv` rewrite.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// The wrapper's usage line, as argparse would print it.
pub const USAGE: &str = "usage: pydyndns [-h] [-V] [-c FILE] [-f] [-v] [--live | --check | --explain | --watch] [--] [IFACE ...]";

/// What the wrapper does, for `--help` and the man page.
const DESCRIPTION: &str = "\
Register this host's IPv6 addresses (of the interfaces named, or of every
interface that is up) as AAAA records of its FQDN, on the primary server of
its zone, with an RFC 2136 dynamic update; nothing is sent when nothing
changed since the last successful update.";

/// The exit statuses, for `--help` and the man page.
const EPILOG: &str = "\
Exit status: 0 nothing changed or updated, 1 failed, 2 bad usage or config;
with --check, 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.";

/// One option of the wrapper.
#[derive(Debug)]
pub struct Flag {
    /// Its letter: the short option when `short`, else an internal name.
    pub letter: u8,
    /// Whether it is PyDynDNS's (or argparse's): a short form, and long
    /// prefixes taken; ours are taken only spelt in full.
    pub short: bool,
    /// The long name.
    pub long: &'static str,
    /// The value's name, for an option that takes one.
    pub value: Option<&'static str>,
    /// One line of help.
    pub help: &'static str,
}

/// Every option of the wrapper, in `--help`'s order.
pub const FLAGS: [Flag; 9] = [
    Flag {
        letter: b'c',
        short: true,
        long: "config",
        value: Some("FILE"),
        help: "the JSON config file (default /etc/pydyndns.conf)",
    },
    Flag {
        letter: b'f',
        short: true,
        long: "force",
        value: None,
        help: "update even if nothing changed",
    },
    Flag {
        letter: b'v',
        short: true,
        long: "verbose",
        value: None,
        help: "debug output on stderr, and the result on stdout",
    },
    Flag {
        letter: b'L',
        short: false,
        long: "live",
        value: None,
        help: "compare with the records the primary serves, not the cache",
    },
    Flag {
        letter: b'K',
        short: false,
        long: "check",
        value: None,
        help: "send nothing: a monitoring status line (Nagios, Icinga)",
    },
    Flag {
        letter: b'E',
        short: false,
        long: "explain",
        value: None,
        help: "send nothing: every address, and why it is registered or not",
    },
    Flag {
        letter: b'W',
        short: false,
        long: "watch",
        value: None,
        help: "run at start and again within a second of each address change",
    },
    Flag {
        letter: b'h',
        short: true,
        long: "help",
        value: None,
        help: "show this help and exit",
    },
    Flag {
        letter: b'V',
        short: true,
        long: "version",
        value: None,
        help: "show the version and exit",
    },
];

/// The wrapper's `--help`, in argparse's layout.
pub fn help() -> String {
    let mut text = format!("{USAGE}\n\n{DESCRIPTION}\n\noptions:\n");
    for flag in &FLAGS {
        let name = match (flag.short, flag.value) {
            (true, Some(value)) => format!("-{}, --{} {value}", flag.letter as char, flag.long),
            (true, None) => format!("-{}, --{}", flag.letter as char, flag.long),
            (false, _) => format!("    --{}", flag.long),
        };
        text.push_str(&format!("  {name:<17}  {}\n", flag.help));
    }
    text.push('\n');
    text.push_str(EPILOG);
    text
}

/// The command line as a clap command, for the man page and completions
/// (the wrapper itself is a shell script, which reads [`Parsed::to_shell`]).
pub fn command() -> clap::Command {
    use clap::{Arg, ArgAction};
    let mut cmd = clap::Command::new("pydyndns")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Register this host's IPv6 addresses in DNS with dynamic updates")
        .long_about(DESCRIPTION.replace('\n', " "))
        .after_help(EPILOG.replace('\n', " "))
        .disable_help_flag(true)
        .disable_version_flag(true);
    for flag in &FLAGS {
        let mut arg = Arg::new(flag.long).long(flag.long).help(flag.help);
        if flag.short {
            arg = arg.short(flag.letter as char);
        }
        arg = match flag.value {
            Some(value) => arg.value_name(value).action(ArgAction::Set),
            None => arg.action(ArgAction::SetTrue),
        };
        cmd = cmd.arg(arg);
    }
    cmd.arg(
        Arg::new("IFACE")
            .num_args(0..)
            .help("interfaces whose addresses to register (default: every interface that is up, but loopbacks)"),
    )
}

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// Run the pipeline.
    Run {
        /// `-c FILE`; an empty FILE reads as `.`, as Python's `Path("")` does.
        config: Option<OsString>,
        /// `-f`.
        force: bool,
        /// `-v`.
        verbose: bool,
        /// `--live`.
        live: bool,
        /// `--check`.
        check: bool,
        /// `--explain`.
        explain: bool,
        /// `--watch`.
        watch: bool,
        /// The interfaces.
        interfaces: Vec<OsString>,
    },
    /// `-h`: print the help and exit 0.
    Help,
    /// `-V`: print the version and exit 0.
    Version,
    /// Refused, with argparse's message; exit 2.
    Usage(String),
}

/// PyDynDNS's options (`-X`, `--long` and its prefixes), by letter and name.
fn options() -> impl Iterator<Item = (u8, &'static str)> {
    FLAGS.iter().filter(|f| f.short).map(|f| (f.letter, f.long))
}

/// Our long-only options, exact spellings only.
fn long_only() -> impl Iterator<Item = (u8, &'static str)> {
    FLAGS
        .iter()
        .filter(|f| !f.short)
        .map(|f| (f.letter, f.long))
}

/// How argparse reads one argument.
enum Kind {
    /// A value: not an option (no dash, `-` alone, a negative number, or
    /// something with a space that names no option).
    Value,
    /// An option: its letter, whether it was spelt with one dash, and what
    /// was attached to it (`=VALUE`, or after a short option the rest).
    Option {
        letter: u8,
        short: bool,
        attached: Option<Vec<u8>>,
    },
    /// Looks like an option but names none.
    Unknown,
}

/// Reads one argument as argparse does (`_parse_optional`); an ambiguous
/// prefix of long options is an error.
fn classify(arg: &[u8]) -> Result<Kind, String> {
    if arg.is_empty() || arg == b"-" || arg[0] != b'-' {
        return Ok(Kind::Value);
    }
    if let Some(rest) = arg.strip_prefix(b"--") {
        let (name, attached) = match rest.iter().position(|&b| b == b'=') {
            Some(at) => (&rest[..at], Some(rest[at + 1..].to_vec())),
            None => (rest, None),
        };
        if let Some((letter, _)) = long_only().find(|(_, long)| long.as_bytes() == name) {
            return match attached {
                None => Ok(Kind::Option {
                    letter,
                    short: false,
                    attached: None,
                }),
                Some(value) => Err(format!(
                    "argument --{}: ignored explicit argument '{}'",
                    String::from_utf8_lossy(name),
                    String::from_utf8_lossy(&value)
                )),
            };
        }
        let exact = options().find(|(_, long)| long.as_bytes() == name);
        let prefixed: Vec<_> = options()
            .filter(|(_, long)| long.as_bytes().starts_with(name))
            .collect();
        match (exact, prefixed.as_slice()) {
            (Some((letter, _)), _) | (None, &[(letter, _)]) => {
                return Ok(Kind::Option {
                    letter,
                    short: false,
                    attached,
                });
            }
            (None, []) => {}
            (None, many) => {
                let names: Vec<String> = many.iter().map(|(_, l)| format!("--{l}")).collect();
                return Err(format!(
                    "ambiguous option: {} could match {}",
                    String::from_utf8_lossy(arg),
                    names.join(", ")
                ));
            }
        }
    } else if let Some((letter, _)) = options().find(|(l, _)| *l == arg[1]) {
        // -X, -X=VALUE, or -XREST.
        let attached = match &arg[2..] {
            [] => None,
            [b'=', value @ ..] => Some(value.to_vec()),
            rest => Some(rest.to_vec()),
        };
        return Ok(Kind::Option {
            letter,
            short: true,
            attached,
        });
    }
    let digits = &arg[1..];
    let negative_number = !digits.is_empty()
        && digits.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        && digits.iter().filter(|b| **b == b'.').count() <= 1
        && digits.last() != Some(&b'.');
    if negative_number || arg.contains(&b' ') {
        return Ok(Kind::Value);
    }
    Ok(Kind::Unknown)
}

/// The long and short spellings of an option, as argparse names it.
fn spelling(letter: u8) -> String {
    let long = options().find(|(l, _)| *l == letter).map_or("", |o| o.1);
    format!("-{}/--{long}", letter as char)
}

/// Parses the wrapper's arguments (without the program name).
pub fn parse(args: &[OsString]) -> Parsed {
    match parse_inner(args) {
        Ok(parsed) => parsed,
        Err(message) => Parsed::Usage(message),
    }
}

fn parse_inner(args: &[OsString]) -> Result<Parsed, String> {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    // argparse finds an ambiguous option before it acts on any.
    for arg in args.iter().take_while(|a| **a != b"--") {
        classify(arg)?;
    }
    let (mut config, mut force, mut verbose) = (None, false, false);
    let (mut live, mut check, mut explain, mut watch) = (false, false, false, false);
    let mut interfaces: Vec<Vec<u8>> = Vec::new();
    let mut extras: Vec<Vec<u8>> = Vec::new();
    // 0: before the interfaces; 1: among them; 2: an option ended them.
    let mut run = 0;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i];
        i += 1;
        if arg == b"--" {
            // The rest are interfaces; after an ended run, extras.
            if run == 2 {
                extras.push(b"--".to_vec());
                extras.extend(args[i..].iter().map(|a| a.to_vec()));
            } else {
                interfaces.extend(args[i..].iter().map(|a| a.to_vec()));
            }
            break;
        }
        let (mut letter, short, mut attached) = match classify(arg)? {
            Kind::Value if run == 2 => {
                extras.push(arg.to_vec());
                continue;
            }
            Kind::Value => {
                interfaces.push(arg.to_vec());
                run = 1;
                continue;
            }
            Kind::Unknown => {
                extras.push(arg.to_vec());
                run = if run == 1 { 2 } else { run };
                continue;
            }
            Kind::Option {
                letter,
                short,
                attached,
            } => (letter, short, attached),
        };
        run = if run == 1 { 2 } else { run };
        // -h or -V: argparse acts on the first of them once the cluster is read.
        let mut exit_with = None;
        // One option, or a cluster of short flags (-fv, -fcFILE).
        loop {
            match letter {
                b'c' => {
                    let value = match attached.take() {
                        Some(value) => value,
                        None => {
                            let next = args
                                .get(i)
                                .filter(|a| **a != b"--" && matches!(classify(a), Ok(Kind::Value)));
                            let Some(next) = next else {
                                return Err(format!(
                                    "argument {}: expected one argument",
                                    spelling(b'c')
                                ));
                            };
                            i += 1;
                            next.to_vec()
                        }
                    };
                    // Python's Path("") is ".", which is no config file.
                    config = Some(if value.is_empty() {
                        b".".to_vec()
                    } else {
                        value
                    });
                    break;
                }
                b'h' => _ = exit_with.get_or_insert(Parsed::Help),
                b'V' => _ = exit_with.get_or_insert(Parsed::Version),
                b'f' => force = true,
                b'L' => live = true,
                b'K' => check = true,
                b'E' => explain = true,
                b'W' => watch = true,
                _ => verbose = true,
            }
            let Some(rest) = attached.take() else { break };
            // A flag with something attached: the next flag of a cluster.
            match rest.first() {
                Some(next) if short && options().any(|(l, _)| l == *next) => {
                    letter = *next;
                    attached = (rest.len() > 1).then(|| rest[1..].to_vec());
                }
                _ => {
                    return Err(format!(
                        "argument {}: ignored explicit argument '{}'",
                        spelling(letter),
                        String::from_utf8_lossy(&rest)
                    ));
                }
            }
        }
        if let Some(exit) = exit_with {
            return Ok(exit);
        }
    }
    if !extras.is_empty() {
        let extras: Vec<_> = extras.iter().map(|e| String::from_utf8_lossy(e)).collect();
        return Err(format!("unrecognized arguments: {}", extras.join(" ")));
    }
    Ok(Parsed::Run {
        config: config.map(OsString::from_vec),
        force,
        verbose,
        live,
        check,
        explain,
        watch,
        interfaces: interfaces.into_iter().map(OsString::from_vec).collect(),
    })
}

impl Parsed {
    /// The outcome in the one spelling the wrapper reads, as a command for
    /// its shell to evaluate: `set -- [-c 'FILE'] [-f] [-v] [--live]
    /// [--check] [--explain] [--watch] -- 'IFACE' …`, or `set -- -h`,
    /// `set -- -V`; every value in single quotes.
    pub fn to_shell(&self) -> Vec<u8> {
        fn quoted(out: &mut Vec<u8>, value: &[u8]) {
            out.push(b' ');
            out.push(b'\'');
            for &b in value {
                if b == b'\'' {
                    out.extend_from_slice(b"'\\''");
                } else {
                    out.push(b);
                }
            }
            out.push(b'\'');
        }
        let mut out = b"set --".to_vec();
        match self {
            Self::Help => out.extend_from_slice(b" -h"),
            Self::Version => out.extend_from_slice(b" -V"),
            Self::Usage(_) => {}
            Self::Run {
                config,
                force,
                verbose,
                live,
                check,
                explain,
                watch,
                interfaces,
            } => {
                if let Some(config) = config {
                    out.extend_from_slice(b" -c");
                    quoted(&mut out, config.as_bytes());
                }
                for (on, flag) in [
                    (force, " -f"),
                    (verbose, " -v"),
                    (live, " --live"),
                    (check, " --check"),
                    (explain, " --explain"),
                    (watch, " --watch"),
                ] {
                    if *on {
                        out.extend_from_slice(flag.as_bytes());
                    }
                }
                out.extend_from_slice(b" --");
                for interface in interfaces {
                    quoted(&mut out, interface.as_bytes());
                }
            }
        }
        out.push(b'\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The usage line is written out (argparse's order and groups), so it
    /// is held against the one table: every option is in it.
    #[test]
    fn the_usage_line_names_every_option() {
        for flag in &FLAGS {
            let spelling = if flag.short {
                format!("[-{}", flag.letter as char)
            } else {
                format!("--{}", flag.long)
            };
            assert!(USAGE.contains(&spelling), "{spelling} not in {USAGE}");
        }
    }

    fn run(args: &[&str]) -> Parsed {
        parse(&args.iter().map(OsString::from).collect::<Vec<_>>())
    }

    #[test]
    fn shell_assignments_quote_every_value() {
        let parsed = run(&["-c", "it's.conf", "-f", "--", "a b", "-x"]);
        assert_eq!(
            String::from_utf8(parsed.to_shell()).unwrap(),
            "set -- -c 'it'\\''s.conf' -f -- 'a b' '-x'\n"
        );
        assert_eq!(run(&["eth0"]).to_shell(), b"set -- -- 'eth0'\n");
        assert_eq!(run(&["--hel"]).to_shell(), b"set -- -h\n");
        assert_eq!(
            run(&["-hx"]),
            Parsed::Usage("argument -h/--help: ignored explicit argument 'x'".into())
        );
        assert_eq!(run(&["--vers"]), Parsed::Version);
    }
}
