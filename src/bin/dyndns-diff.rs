//! `dyndns-diff`: passes the state on only when it differs from the cache.
//! A live comparison or `--check` over DNS over TLS, or one whose server
//! lookups must go through NSS modules this statically linked program does
//! not follow, is handed to `dyndns-helper`, so that this program never
//! links the TLS library or the system's NSS.

use std::process::ExitCode;

use dyndns::cli;
use dyndns::programs;

fn main() -> ExitCode {
    let Some(args) = dyndns::quickargs::diff_args() else {
        return programs::parse_in_helper("dyndns-diff");
    };
    let (reporter, config) = cli::start("dyndns-diff", &args.common, dyndns::config::Secrets::Skip);
    if let Ok(c) = &config
        && let Some(why) = programs::diff_needs_helper(&args, c)
    {
        return programs::diff_over_helper(&args, reporter, why);
    }
    programs::diff(args, reporter, config, None)
}
