//! `dyndns-diff`: passes the state on only when it differs from the cache.

use std::path::Path;

use crate::cache::{self, Cached};
use crate::exit;
use crate::state::State;

use super::{CommonError, DiffError, chain};

/// The key `dyndns-diff` adds to a state it found different from the cache.
/// `dyndns-send` then re-reads the cache under its lock, and sends nothing if
/// a concurrent run registered the same state meanwhile.
pub const DIFFERS_KEY: &str = "differs_from_cache";

/// The outcome of `dyndns-diff`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffOutcome {
    /// Nothing on stdin: nothing to do.
    Empty,
    /// The state equals the cache.
    Same,
    /// The state differs (or there is no usable cache): pass it on.
    Differs(Box<State>),
}

impl DiffOutcome {
    /// The exit status, `diff(1)`-like.
    pub fn status(&self) -> u8 {
        match self {
            Self::Empty | Self::Same => exit::DIFF_SAME,
            Self::Differs(_) => exit::DIFF_DIFFERS,
        }
    }
}

/// `dyndns-diff`: compares the state on stdin with the cache. `force`
/// removes the cache first, so a forced update that fails stays forced.
pub fn diff(
    input: Option<&str>,
    cache_path: Option<&Path>,
    force: bool,
) -> Result<DiffOutcome, DiffError> {
    let Some(input) = input else {
        return Ok(DiffOutcome::Empty);
    };
    let mut state = State::parse(input, "standard input").map_err(CommonError::from)?;
    let Some(path) = cache_path else {
        log::debug!("no cache configured: every run updates");
        return Ok(DiffOutcome::Differs(Box::new(state)));
    };
    state.extra.insert(DIFFERS_KEY.into(), true.into());
    if force {
        log::debug!("--force: removing cache file {}", path.display());
        cache::remove(path).map_err(DiffError::CacheRemove)?;
        return Ok(DiffOutcome::Differs(Box::new(state)));
    }
    match cache::read(path) {
        Cached::Found(cached) if cached.same_registration(&state) => {
            log::info!(
                "not updating {}: addresses unchanged since the last update (cache file {})",
                state.hostname,
                path.display()
            );
            return Ok(DiffOutcome::Same);
        }
        Cached::Found(_) => log::debug!(
            "{} changed since cache file {} was written",
            state.hostname,
            path.display()
        ),
        Cached::Missing => log::debug!("no cache file {}: updating", path.display()),
        Cached::Unusable(e) => log::warn!("{}; updating anyway", chain(&e)),
    }
    Ok(DiffOutcome::Differs(Box::new(state)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stage::ExitStatus;

    #[test]
    fn diff_without_cache_differs_and_empty_is_nothing() {
        assert_eq!(diff(None, None, false).unwrap(), DiffOutcome::Empty);
        let doc = r#"{"hostname":"h.example.","ttl":1,"addresses":[]}"#;
        assert!(matches!(
            diff(Some(doc), None, false).unwrap(),
            DiffOutcome::Differs(_)
        ));
        assert_eq!(
            diff(Some("{"), None, false).unwrap_err().exit_status(),
            exit::DIFF_TROUBLE
        );
    }

    #[test]
    fn diff_compares_with_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache");
        let doc =
            r#"{"hostname":"h.example.","ttl":1,"addresses":["2001:db8::1"],"zone":"example."}"#;
        let state = State::parse(doc, "t").unwrap();
        cache::write(&path, &state).unwrap();
        assert_eq!(
            diff(Some(doc), Some(&path), false).unwrap(),
            DiffOutcome::Same
        );
        let upper = r#"{"hostname":"H.EXAMPLE.","ttl":1,"addresses":["2001:db8::1"]}"#;
        assert_eq!(
            diff(Some(upper), Some(&path), false).unwrap(),
            DiffOutcome::Same
        );
        let ttl = r#"{"hostname":"h.example.","ttl":2,"addresses":["2001:db8::1"]}"#;
        assert!(matches!(
            diff(Some(ttl), Some(&path), false).unwrap(),
            DiffOutcome::Differs(_)
        ));
        assert!(matches!(
            diff(Some(doc), Some(&path), true).unwrap(),
            DiffOutcome::Differs(_)
        ));
        assert!(!path.exists(), "--force removes the cache");
    }
}
