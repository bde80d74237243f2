//! No core dumps. Every program may hold a secret in memory: the config's
//! inline TSIG key (every stage reads the config's text), a key file's,
//! a TLS client key, or what MIT Kerberos read from the keytab; a core
//! dump written into the current directory (cron's is root's home) would
//! keep it on disk. The systemd units say `LimitCORE=0`; cron and the
//! network hooks do not, so each program says it for itself, first.

/// Turns off this process's core dumps, before anything secret is read:
/// `RLIMIT_CORE` 0 (a file core dump, and what systemd-coredump keeps, are
/// bounded by it) and `PR_SET_DUMPABLE` 0 (no dump through a piped
/// `core_pattern` either, unless `fs.suid_dumpable` says 2, and no
/// `ptrace` by another user). A failure is logged, not fatal: it changes
/// nothing about what is sent.
pub(crate) fn off() {
    use rustix::process::{DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit};
    let none = Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    if let Err(e) = setrlimit(Resource::Core, none) {
        eprintln!("warning: cannot turn core dumps off (RLIMIT_CORE): {e}");
    }
    if let Err(e) = set_dumpable_behavior(DumpableBehavior::NotDumpable) {
        eprintln!("warning: cannot turn core dumps off (PR_SET_DUMPABLE): {e}");
    }
}
