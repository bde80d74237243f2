//! `dyndns-watch`: a line for each address that becomes registrable or
//! stops being, as the kernel announces it; with `--run PROGRAM`, the
//! pipeline run after each burst of changes, retried with backoff (the
//! events themselves: [`crate::host::watch`]).

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode};
use std::time::{Duration, Instant};

use crate::app::args::WatchArgs as Args;
use crate::app::cli;
use crate::config::{Config, Secrets};
use crate::host::watch::{self, Events, Wake};

mod pacing;
use crate::stage::{AddrsError, CommonError};
use pacing::{Bucket, Burst};

/// The longest wait between retries of a failed run.
const MAX_RETRY: Duration = Duration::from_secs(15 * 60);

/// `dyndns-watch` after its arguments.
pub fn watch(args: Args) -> ExitCode {
    // With --run, the program run (the wrapper, at once and after each
    // change) gives the config's warnings each time, as cron's runs do:
    // said here too, each came twice.
    let common = crate::app::args::Common {
        no_config_warnings: args.common.no_config_warnings || args.run.is_some(),
        ..args.common.clone()
    };
    let (reporter, config) = cli::start("dyndns-watch", &common, Secrets::Skip);
    reporter.finish(
        config
            .map_err(AddrsError::from)
            .and_then(|config| run(&args, &config)),
    )
}

/// What the program run after changes does, and when it is due again.
struct Runner<'a> {
    program: &'a Path,
    args: Vec<String>,
    retry_after: Duration,
    /// When to run again: after a failure (backoff), or for the refresh.
    due: Option<Instant>,
    backoff: Duration,
    refresh: Option<Duration>,
    /// At most so many runs a minute (the config's
    /// `watch.max_updates_per_minute`).
    bucket: Bucket,
    /// The config's `"metrics"`: written here for a run that wrote none
    /// (it could not start, or a signal killed it).
    metrics: Option<&'a Path>,
}

impl Runner<'_> {
    /// The run that is due, if the rate limit allows it now; else it is
    /// due again when the next token comes (and then registers whatever
    /// is current). `Err`: a signal came; end.
    fn run_if_allowed(&mut self, signals: &UnixStream, now: Instant) -> Result<(), ()> {
        match self.bucket.take(now) {
            Ok(()) => {
                self.due = None;
                self.run(signals)
            }
            Err(next) => {
                log::info!(
                    target: "dyndns",
                    "the rate limit (the config's \"watch\": {{\"max_updates_per_minute\": N}}) holds the next run for {:?}",
                    next.saturating_duration_since(now)
                );
                self.due = Some(next);
                Ok(())
            }
        }
    }

    /// Runs the program to its end, unless a signal comes (then it is
    /// stopped, and `Err` says to end). A failure schedules a retry.
    fn run(&mut self, signals: &UnixStream) -> Result<(), ()> {
        log::debug!("running {} {}", self.program.display(), self.args.join(" "));
        let mut child = match Command::new(self.program).args(&self.args).spawn() {
            Ok(child) => child,
            Err(e) => {
                log::error!(target: "dyndns", "cannot run {}: {e}", self.program.display());
                self.unrecorded_failure();
                self.failed();
                return Ok(());
            }
        };
        match wait_child(&mut child, signals) {
            Some(status) if status.success() => {
                self.backoff = self.retry_after;
                self.due = self.refresh.map(|r| Instant::now() + r);
                Ok(())
            }
            Some(status) => {
                let next = self.failed();
                log::warn!(target: "dyndns", "{} failed ({status}); retrying in {:.1}s", self.program.display(), next.as_secs_f64());
                // Killed by a signal: its stages wrote no metrics.
                if status.code().is_none() {
                    self.unrecorded_failure();
                }
                Ok(())
            }
            None => Err(()),
        }
    }

    /// Schedules the next try after a failure: 30 s, then twice as long
    /// each time, up to 15 minutes, each ±20 % at random, so that hosts
    /// that failed together (a primary down) do not retry together. The
    /// wait chosen.
    fn failed(&mut self) -> Duration {
        let wait = jittered(self.backoff);
        self.due = Some(Instant::now() + wait);
        self.backoff = (self.backoff * 2).min(MAX_RETRY);
        wait
    }

    /// A failed run that wrote no metrics, written here (status 1).
    fn unrecorded_failure(&self) {
        if let Some(path) = self.metrics {
            let end = crate::state::metrics::RunEnd {
                status: crate::stage::exit::FAILURE,
                ..Default::default()
            };
            if let Err(e) = crate::state::metrics::record(path, &end) {
                log::warn!(target: "dyndns", "{}; not written", crate::util::describe::chain(&e));
            }
        }
    }
}

/// `wait` made 20 % shorter or longer at random (uniformly).
fn jittered(wait: Duration) -> Duration {
    let unit = getrandom::u32().map_or(0.5, |r| f64::from(r) / f64::from(u32::MAX));
    wait.mul_f64(0.8 + 0.4 * unit)
}

/// Waits for `child`, checking for a signal every 50 ms; on one, stops the
/// child (SIGTERM: a run holds no state a kill could leave half written;
/// the cache is replaced atomically) and returns `None`.
fn wait_child(child: &mut Child, signals: &UnixStream) -> Option<std::process::ExitStatus> {
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        let mut fds = [rustix::event::PollFd::new(
            signals,
            rustix::event::PollFlags::IN,
        )];
        let tick = rustix::event::Timespec {
            tv_sec: 0,
            tv_nsec: 50_000_000,
        };
        if matches!(rustix::event::poll(&mut fds, Some(&tick)), Ok(n) if n > 0) {
            let pid = rustix::process::Pid::from_child(child);
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
            let _ = child.wait();
            return None;
        }
    }
}

fn run(args: &Args, config: &Config) -> Result<u8, AddrsError> {
    let selection = config.selection(args.interfaces.clone());
    let (signals, signal_writer) = UnixStream::pair().map_err(CommonError::Signals)?;
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::low_level::pipe::register(
            signal,
            signal_writer.try_clone().map_err(CommonError::Signals)?,
        )
        .map_err(CommonError::Signals)?;
    }
    // Subscribed before the first read, so nothing falls between them.
    let mut events = Events::open(&selection, args.receive_buffer)
        .map_err(|e| AddrsError::from(crate::host::addrs::AddrError::Netlink(e)))?;
    let (mut known, mut links) = watch::registrable(&selection)?;
    let pacing = config.watch;
    let mut runner = args.run.as_deref().map(|program| Runner {
        program,
        args: run_args(args),
        retry_after: Duration::from_secs(args.retry_after),
        due: Some(Instant::now()),
        backoff: Duration::from_secs(args.retry_after),
        refresh: config.rerun(),
        bucket: Bucket::new(pacing.per_minute, Instant::now()),
        metrics: config.metrics.as_deref(),
    });
    let quiet = args.quiet.map_or(pacing.quiet, Duration::from_millis);
    let mut burst = Burst::new(quiet, pacing.max_delay);
    let mut overran = false;
    loop {
        let now = Instant::now();
        if let Some(r) = runner.as_mut()
            && r.due.is_some_and(|d| d <= now)
            && r.run_if_allowed(&signals, now).is_err()
        {
            return Ok(crate::stage::exit::SUCCESS);
        }
        let deadline = [burst.deadline(), runner.as_ref().and_then(|r| r.due)]
            .into_iter()
            .flatten()
            .min();
        let timeout = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let counts = |link: &_| watch::watched(&selection, &links, link);
        match events.wait(std::os::fd::AsFd::as_fd(&signals), timeout, counts) {
            Ok(Wake::Other) => return Ok(crate::stage::exit::SUCCESS),
            Ok(Wake::Event) => burst.event(Instant::now()),
            Ok(Wake::Overrun) => {
                burst.event(Instant::now());
                overran = true;
            }
            Ok(Wake::Ignored | Wake::Timeout) => {}
            Err(e) => return Err(crate::host::addrs::AddrError::Netlink(e).into()),
        }
        if !burst.take_if_due(Instant::now()) {
            continue;
        }
        let (now_set, now_links) = watch::registrable(&selection)?;
        let changes = watch::changes(&known, &now_set);
        if overran {
            cli::print_line(r#"{"event":"resync"}"#)?;
        }
        for change in &changes {
            // Serialising strings and an address cannot fail.
            cli::print_line(&serde_json::to_string(change).unwrap_or_default())?;
        }
        if let Some(r) = runner.as_mut()
            && (overran || !changes.is_empty())
        {
            r.due = Some(Instant::now());
        }
        overran = false;
        (known, links) = (now_set, now_links);
    }
}

/// The arguments of the program run: `-c CONFIG`, `-v`, `--`, the interfaces.
fn run_args(args: &Args) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(config) = &args.common.config {
        out.push("-c".to_owned());
        out.push(PathBuf::from(config).display().to_string());
    }
    if args.common.verbose {
        out.push("-v".to_owned());
    }
    out.push("--".to_owned());
    out.extend(args.interfaces.iter().cloned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_are_spread_by_a_fifth_either_way() {
        let waits: Vec<Duration> = (0..200)
            .map(|_| jittered(Duration::from_secs(30)))
            .collect();
        assert!(
            waits
                .iter()
                .all(|w| (24.0..=36.0).contains(&w.as_secs_f64()))
        );
        // Not all the same: spread, on both sides of 30 s.
        assert!(waits.iter().any(|w| w.as_secs_f64() < 29.0));
        assert!(waits.iter().any(|w| w.as_secs_f64() > 31.0));
    }
}
