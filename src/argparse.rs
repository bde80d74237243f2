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
//! The wrapper parses the common spellings itself, in a few lines of shell;
//! anything else it hands to `dyndns-addrs --pydyndns-argv ARGS...`, which
//! prints the result as shell assignments for it to evaluate
//! ([`Parsed::to_shell`]). The shell stays small, since every line of it is
//! read again each minute.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// The wrapper's usage line, as argparse would print it.
pub const USAGE: &str = "usage: pydyndns [-h] [-V] [-c FILE] [-f] [-v] [--live | --check | --explain | --watch] [--] [IFACE ...]";

/// The wrapper's `--help`, in argparse's layout. It lives here, printed by
/// `dyndns-addrs --pydyndns-help`, so that the shell script, read in full
/// every minute, does not carry it.
pub const HELP: &str = "\
usage: pydyndns [-h] [-V] [-c FILE] [-f] [-v] [--live | --check | --explain | --watch] [--] [IFACE ...]

Register this host's IPv6 addresses (of the interfaces named, or of every
interface that is up) as AAAA records of its FQDN, on the primary server of
its zone, with an RFC 2136 dynamic update; nothing is sent when nothing
changed since the last successful update.

options:
  -c, --config FILE  the JSON config file (default /etc/pydyndns.conf)
  -f, --force        update even if nothing changed
  -v, --verbose      debug output on stderr, and the result on stdout
      --live         compare with the records the primary serves, not the cache
      --check        send nothing: a monitoring status line (Nagios, Icinga)
      --explain      send nothing: every address, and why it is registered or not
      --watch        run at start and again within a second of each address change
  -h, --help         show this help and exit
  -V, --version      show the version and exit

Exit status: 0 nothing changed or updated, 1 failed, 2 bad usage or config;
with --check, 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
";

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

/// One option of the wrapper, by its letter.
const OPTIONS: [(u8, &str); 5] = [
    (b'h', "help"),
    (b'c', "config"),
    (b'f', "force"),
    (b'v', "verbose"),
    (b'V', "version"),
];

/// Our long-only options, exact spellings only, by a letter of their own.
const LONG_ONLY: [(u8, &str); 4] = [
    (b'L', "live"),
    (b'K', "check"),
    (b'E', "explain"),
    (b'W', "watch"),
];

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
        if let Some((letter, _)) = LONG_ONLY.iter().find(|(_, long)| long.as_bytes() == name) {
            return match attached {
                None => Ok(Kind::Option {
                    letter: *letter,
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
        let exact = OPTIONS.iter().find(|(_, long)| long.as_bytes() == name);
        let prefixed: Vec<_> = OPTIONS
            .iter()
            .filter(|(_, long)| long.as_bytes().starts_with(name))
            .collect();
        match (exact, prefixed.as_slice()) {
            (Some((letter, _)), _) | (None, [(letter, _)]) => {
                return Ok(Kind::Option {
                    letter: *letter,
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
    } else if let Some((letter, _)) = OPTIONS.iter().find(|(l, _)| *l == arg[1]) {
        // -X, -X=VALUE, or -XREST.
        let attached = match &arg[2..] {
            [] => None,
            [b'=', value @ ..] => Some(value.to_vec()),
            rest => Some(rest.to_vec()),
        };
        return Ok(Kind::Option {
            letter: *letter,
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
    let long = OPTIONS
        .iter()
        .find(|(l, _)| *l == letter)
        .map_or("", |o| o.1);
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
                Some(next) if short && OPTIONS.iter().any(|(l, _)| l == next) => {
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
    /// The outcome as assignments for the wrapper's shell to evaluate, on
    /// top of what it read itself: `config_set=1 config='FILE'`, `force=1`,
    /// `verbose=1`, `live=1`, `check=1` (each only when given), `help=1` or `version=1`, then
    /// `set -- 'IFACE' …`; every value in single quotes.
    pub fn to_shell(&self) -> Vec<u8> {
        fn quoted(out: &mut Vec<u8>, value: &[u8]) {
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
        let mut out = Vec::new();
        match self {
            Self::Help => out.extend_from_slice(b"help=1"),
            Self::Version => out.extend_from_slice(b"version=1"),
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
                    out.extend_from_slice(b"config_set=1 config=");
                    quoted(&mut out, config.as_bytes());
                    out.extend_from_slice(b"; ");
                }
                if *force {
                    out.extend_from_slice(b"force=1; ");
                }
                if *verbose {
                    out.extend_from_slice(b"verbose=1; ");
                }
                if *live {
                    out.extend_from_slice(b"live=1; ");
                }
                if *check {
                    out.extend_from_slice(b"check=1; ");
                }
                if *explain {
                    out.extend_from_slice(b"explain=1; ");
                }
                if *watch {
                    out.extend_from_slice(b"watch=1; ");
                }
                out.extend_from_slice(b"set --");
                for interface in interfaces {
                    out.push(b' ');
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

    fn run(args: &[&str]) -> Parsed {
        parse(&args.iter().map(OsString::from).collect::<Vec<_>>())
    }

    #[test]
    fn shell_assignments_quote_every_value() {
        let parsed = run(&["-c", "it's.conf", "-f", "--", "a b", "-x"]);
        assert_eq!(
            String::from_utf8(parsed.to_shell()).unwrap(),
            "config_set=1 config='it'\\''s.conf'; force=1; set -- 'a b' '-x'\n"
        );
        assert_eq!(run(&["eth0"]).to_shell(), b"set -- 'eth0'\n");
        assert_eq!(
            run(&["-hx"]),
            Parsed::Usage("argument -h/--help: ignored explicit argument 'x'".into())
        );
        assert_eq!(run(&["--vers"]), Parsed::Version);
    }
}
