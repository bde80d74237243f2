//! Exit statuses, defined once for every stage and the wrapper.
//!
//! | status | stages (`dyndns-addrs`, `-soa`, `-send`) | `dyndns-diff` | `dyndns-addrs --diff` |
//! | --- | --- | --- | --- |
//! | 0 | success (or nothing to do) | the state equals the cache | the state equals the cache |
//! | 1 | failure at run time (network, server refused) | the state differs, or there is no usable cache | as `dyndns-diff` (the state printed) |
//! | 2 | bad usage or bad input (config, stdin, arguments) | trouble: bad input or config | bad usage or input, or `dyndns-diff`'s trouble |
//! | 3 | | | failure at run time (`dyndns-addrs`'s 1) |

use std::process::ExitCode;

/// Success, or nothing to do; for `dyndns-diff`, "same".
pub const SUCCESS: u8 = 0;
/// A failure at run time: the network, a server's answer, a disk.
pub const FAILURE: u8 = 1;
/// Bad usage or bad input: arguments, the config file, stdin.
pub const USAGE: u8 = 2;

/// `dyndns-diff`: the state equals the cached one.
pub const DIFF_SAME: u8 = 0;
/// `dyndns-diff`: the state differs from the cache, or there is no usable cache.
pub const DIFF_DIFFERS: u8 = 1;
/// `dyndns-diff`: trouble (bad input or config).
pub const DIFF_TROUBLE: u8 = 2;

/// `dyndns-addrs --diff`: a failure at run time, which is 1 for
/// `dyndns-addrs` alone, where `--diff`'s 1 is `dyndns-diff`'s "differs".
pub const ADDRS_DIFF_FAILURE: u8 = 3;

/// Turns a status into the process's exit code.
pub fn code(status: u8) -> ExitCode {
    ExitCode::from(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_distinct_and_stable() {
        assert_eq!((SUCCESS, FAILURE, USAGE), (0, 1, 2));
        assert_eq!((DIFF_SAME, DIFF_DIFFERS, DIFF_TROUBLE), (0, 1, 2));
        assert_eq!(ADDRS_DIFF_FAILURE, 3);
    }
}
