//! `dyndns-addrs`: prints the state document of this host: its FQDN, the TTL
//! and the IPv6 addresses to register. Linked statically in the package; a
//! host-name lookup that asks NSS modules beyond glibc's built-in files and
//! dns is handed to the dynamically linked `dyndns-helper`.

use std::process::ExitCode;

use dyndns::{cli, programs};

fn main() -> ExitCode {
    // The pydyndns wrapper's command line, for the spellings it does not
    // parse itself, and its help (see dyndns::argparse).
    let mut argv = std::env::args_os().skip(1);
    match argv.next().as_deref().and_then(|a| a.to_str()) {
        Some("--pydyndns-argv") => return cli::pydyndns_argv(&argv.collect::<Vec<_>>()),
        Some("--pydyndns-help") => {
            return match cli::print_line(dyndns::argparse::HELP) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::FAILURE,
            };
        }
        _ => {}
    }
    let Some(args) = dyndns::quickargs::addrs_args() else {
        return programs::parse_in_helper("dyndns-addrs");
    };
    let lookup = programs::addrs_hand_over_if_needed(&args);
    programs::addrs(args, lookup)
}
