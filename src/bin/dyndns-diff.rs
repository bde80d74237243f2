//! `dyndns-diff`: passes the state on only when it differs from the cache.
//! A live comparison or `--check` over DNS over TLS is handed to
//! `dyndns-helper`, so that this program never links the TLS library.

use std::process::ExitCode;

use dyndns::cli;
use dyndns::programs;

fn main() -> ExitCode {
    let args = dyndns::quickargs::diff_args();
    let (reporter, config) = cli::start("dyndns-diff", &args.common, dyndns::config::Secrets::Skip);
    if let Ok(c) = &config
        && programs::diff_needs_tls(&args, c)
    {
        return programs::diff_over_tls(&args, reporter);
    }
    programs::diff(args, reporter, config, None)
}
