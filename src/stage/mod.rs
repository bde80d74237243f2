//! The four stages and the reaper, each a function from validated options to its output,
//! returning an error of its own that knows its exit status
//! ([`ExitStatus`]). The binaries parse
//! their flags into these options, run the async parts on a runtime of their
//! own, print the result and exit; nothing here prints or exits.
//!
//! | stage | function |
//! | --- | --- |
//! | `dyndns-addrs` | [`addrs`] |
//! | `dyndns-diff` | [`diff`] |
//! | `dyndns-soa` | [`soa`], [`soa_of_name`] |
//! | `dyndns-send` | [`SendOptions::new`], [`send_prepare`], [`Sending::send`] |
//! | `dyndns-reap` | [`reap::list`], [`reap::delete`] |

mod addrs;
mod check;
mod deliver;
mod diff;
mod error;
pub mod exit;
mod failover;
mod guard;
mod owner;
mod ptr;
pub mod reap;
mod send;
mod send_options;
mod send_ptr;
mod soa;
mod verify;

pub use addrs::{AddrsOptions, LEFT_OUT_KEY, addrs, explain};
pub use check::{CHECK_CRITICAL, CHECK_OK, CHECK_UNKNOWN, CHECK_WARNING, Report, check};
pub use diff::{BECAUSE_KEY, COMPARE_KEY, DIFFERS_KEY, DiffOptions, DiffOutcome, diff, diff_state};
pub use error::{
    AddrsDiffError, AddrsError, ApexName, BadName, CacheNotWritten, CommonError, DiffError,
    ExitStatus, Guarded, Holder, LookupError, NotVerified, Owned, PtrUnsent, SendError,
    ServerTries, SoaError, Unsent,
};
pub use guard::GUARD_KEY;
pub use send::{Prepared, Sending, send_prepare};
pub use send_options::{SendFlags, SendOptions};
pub use soa::{soa, soa_of_name};

/// How long a stage's network work may take in all, in units of the
/// per-server timeout: the SOA lookup gets two, an update three (every
/// address of the primary shares them).
pub const LOOKUP_BOUND: u32 = crate::dns::live::LOOKUP_BOUND;
/// See [`LOOKUP_BOUND`].
pub const SEND_BOUND: u32 = 3;
