//! A time bound for calls that take none: glibc's name lookups
//! (`getaddrinfo`, `getnameinfo`) cannot be given a timeout or cancelled,
//! and a resolver that does not answer holds them for as long as
//! `resolv.conf` says, times every server, times every search domain.

use std::sync::mpsc;
use std::time::Duration;

/// Runs `f` on a thread of its own and waits at most `bound` for its
/// result; `None` when it took longer. The thread is then left to finish
/// or to end with the process, which is about to exit with an error.
pub(crate) fn within<T: Send + 'static>(
    bound: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("lookup".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .ok()?;
    rx.recv_timeout(bound).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gives_up_after_the_bound() {
        assert_eq!(within(Duration::from_secs(5), || 7), Some(7));
        let start = std::time::Instant::now();
        let slow = within(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(5));
        });
        assert_eq!(slow, None);
        assert!(start.elapsed() < Duration::from_secs(2));
    }
}
