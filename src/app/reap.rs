//! `dyndns-reap`: the zone listed, or the lines on stdin read, and each
//! expired name reaped (or its updates printed).

use std::io::{self, BufRead, Read};
use std::process::ExitCode;
use std::time::SystemTime;

use hickory_proto::rr::Name;

use crate::app::args::ReapArgs;
use crate::app::cli;
use crate::config::{Config, Secrets};
use crate::stage::reap::{self, Deleting, Expired, ReapError, ReapFlags, ReapOptions};
use crate::stage::{CommonError, exit};

/// The longest line `--delete` reads: a name with thousands of records.
const MAX_LINE_BYTES: u64 = 1 << 20;

/// `dyndns-reap` after its arguments.
pub fn reap(args: ReapArgs) -> ExitCode {
    let (reporter, config) = cli::start("dyndns-reap", &args.common, Secrets::Load);
    reporter.finish(
        config
            .map_err(ReapError::from)
            .and_then(|config| reap_run(args, &config)),
    )
}

fn reap_run(args: ReapArgs, config: &Config) -> Result<u8, ReapError> {
    let flags = ReapFlags {
        server: args.server,
        port: args.port,
        timeout_secs: args.timeout,
        key_file: args.key_file,
        grace_secs: args.grace,
        ptr_zones: args.ptr_zone,
        dry_run: args.dry_run,
    };
    let opts = ReapOptions::new(flags, config)?;
    if args.delete {
        return delete_stdin(&opts);
    }
    let zone = reap::zone_name(args.zone.as_deref().unwrap_or_default(), "ZONE")?;
    let server = match &opts.server {
        Some(server) => server.clone(),
        None => primary(&zone, &opts)?,
    };
    let ptr_servers = opts
        .ptr_zones
        .iter()
        .map(|z| Ok((z.clone(), primary(z, &opts)?)))
        .collect::<Result<Vec<_>, ReapError>>()?;
    let expired = reap::list(&zone, &server, &ptr_servers, &opts, SystemTime::now())?;
    let mut failed = false;
    for line in &expired {
        if args.list {
            cli::print_line(&line.to_json())?;
        } else {
            match Deleting::new(line) {
                Ok(checked) => failed |= handle(&checked, &opts)?,
                Err(problem) => {
                    log::error!("{}: {problem}; left alone", line.name);
                    failed = true;
                }
            }
        }
    }
    Ok(if failed { exit::FAILURE } else { exit::SUCCESS })
}

/// The primary of `zone`: its SOA's MNAME, through the system's resolver.
fn primary(zone: &Name, opts: &ReapOptions) -> Result<String, ReapError> {
    let name = zone.to_ascii();
    let found = cli::block_on(async {
        Ok::<_, ReapError>(crate::stage::soa_of_name(&name, opts.timeout).await?)
    })?;
    Ok(found.to_ascii())
}

/// `--delete`: each line of stdin reaped as it is read; a line that is not
/// one `--list` wrote ends the run (exit 2) before anything is sent for it.
fn delete_stdin(opts: &ReapOptions) -> Result<u8, ReapError> {
    let mut failed = false;
    let mut stdin = io::stdin().lock();
    for number in 1.. {
        let mut line = Vec::new();
        let read = (&mut stdin)
            .take(MAX_LINE_BYTES + 1)
            .read_until(b'\n', &mut line)
            .map_err(CommonError::Stdin)?;
        if read == 0 {
            break;
        }
        let bad = |problem: String| ReapError::BadLine {
            line: number,
            problem,
        };
        if line.len() as u64 > MAX_LINE_BYTES {
            return Err(bad(format!("longer than {MAX_LINE_BYTES} octets")));
        }
        let text = String::from_utf8(line).map_err(|_| bad("not UTF-8".into()))?;
        if text.trim().is_empty() {
            continue;
        }
        let listed: Expired = serde_json::from_str(&text).map_err(|e| {
            bad(format!(
                "{e}; each line must be one that dyndns-reap --list printed"
            ))
        })?;
        let checked = Deleting::new(&listed).map_err(bad)?;
        failed |= handle(&checked, opts)?;
    }
    Ok(if failed { exit::FAILURE } else { exit::SUCCESS })
}

/// Reaps one name, or prints its updates; whether it failed.
fn handle(line: &Deleting, opts: &ReapOptions) -> Result<bool, ReapError> {
    if opts.dry_run {
        let mut script = String::new();
        line.script(opts, &mut script);
        cli::print_line(&script)?;
        return Ok(false);
    }
    let reaped = reap::delete(line, opts, SystemTime::now());
    cli::print_line(&reaped.to_json())?;
    Ok(reaped.failed())
}
