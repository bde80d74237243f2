//! `dyndns-send`: sends the RFC 2136 update and rewrites the cache.

use std::process::ExitCode;

use clap::Parser;
use dyndns::args::SendArgs as Args;
use dyndns::cli;
use dyndns::config::Config;
use dyndns::exit;
use dyndns::stage::{self, CommonError, Prepared, SendError, SendFlags, SendOptions};
use dyndns::state::State;

fn main() -> ExitCode {
    let args = Args::parse();
    let (reporter, config) = cli::start("dyndns-send", &args.common, dyndns::config::Secrets::Load);
    reporter.finish(
        config
            .map_err(SendError::from)
            .and_then(|config| run(args, &config)),
    )
}

fn run(args: Args, config: &Config) -> Result<u8, SendError> {
    let flags = SendFlags {
        server: args.server,
        zone: args.zone,
        port: args.net.port,
        timeout_secs: args.net.timeout,
        cache: args.cache,
        key_file: args.key_file,
        dry_run: args.dry_run.then_some(args.format),
        verify: args.verify,
    };
    let opts = SendOptions::new(flags, config)?;
    let Some(input) = cli::read_stdin()? else {
        return Ok(exit::SUCCESS);
    };
    let state = State::parse(&input, "standard input").map_err(CommonError::from)?;
    // The lock is waited for before the runtime exists.
    let line = match stage::send_prepare(state, opts)? {
        Prepared::Done(line) => line,
        Prepared::Go(sending) => cli::block_on(sending.send())?,
    };
    cli::print_line(&line)?;
    Ok(exit::SUCCESS)
}
