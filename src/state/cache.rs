//! The cache file: the hostname, TTL and addresses last registered
//! successfully, and when they were observed, as one JSON object. It is written only after the server
//! accepted an update, atomically (a temporary file beside it, fsync, rename,
//! fsync of the directory), so a crash leaves the old cache or the new one.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::state::observed::Observed;
use crate::state::{State, StateError};

/// What reading the cache found.
#[derive(Debug)]
pub(crate) enum Cached {
    /// No cache file (first run, forced, or after a reboot).
    Missing,
    /// The registration last made.
    Found(Box<Record>),
    /// The file is there but unusable; the run goes on as if it were missing.
    Unusable(CacheError),
}

/// A cache file that could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// Reading failed.
    #[error("cannot read cache file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The contents are not a state document.
    #[error("cache file {} is corrupt", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: StateError,
    },
    /// Writing failed.
    #[error("cannot write cache file {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The lock could not be taken.
    #[error("cannot lock {}", path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Another run held the lock for longer than a run may take.
    #[error("cannot lock {}: another run has held it for over {wait:?}; is one stuck?", path.display())]
    LockHeld {
        /// The lock file.
        path: PathBuf,
        /// How long this run waited.
        wait: Duration,
    },
    /// Removing failed.
    #[error("cannot remove cache file {}", path.display())]
    Remove {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// The cache's key for when the server last accepted the registration:
/// seconds since the epoch.
const CONFIRMED_KEY: &str = "confirmed";

/// A cache file's contents: the registration, when it was observed (its
/// `observed` stamp names the boot), and when it was last confirmed.
#[derive(Debug)]
pub(crate) struct Record {
    /// The registration.
    pub state: State,
    /// When the server last accepted it: the cache's `confirmed`, or, for a
    /// cache written before that key existed, the file's modification time.
    pub confirmed: Option<SystemTime>,
    /// Whether the cache says the TTL (PyDynDNS's does not).
    pub ttl_known: bool,
}

impl Record {
    /// [`Record::confirmed`] in whole seconds since the epoch.
    pub(crate) fn confirmed_secs(&self) -> Option<u64> {
        let since = self.confirmed?.duration_since(UNIX_EPOCH).ok()?;
        Some(since.as_secs())
    }
}

/// The largest cache file read; a real one is a few hundred octets.
const MAX_CACHE_BYTES: u64 = 1 << 20;

/// Reads the cache file.
pub(crate) fn read(path: &Path) -> Cached {
    let read_err = |source| {
        Cached::Unusable(CacheError::Read {
            path: path.to_owned(),
            source,
        })
    };
    // Not followed if a symlink, not waited on if a FIFO, not read past
    // MAX_CACHE_BYTES: a cache pointed at /dev/zero or a pipe is refused.
    let (text, meta) =
        match crate::util::fs::read_bounded_with_meta(path, MAX_CACHE_BYTES, Some("a cache")) {
            Ok(Some(found)) => found,
            Ok(None) => return Cached::Missing,
            Err(e) => return read_err(e),
        };
    match State::parse(&text, &format!("cache file {}", path.display())) {
        Ok(mut state) => {
            let confirmed = match state.extra.shift_remove(CONFIRMED_KEY) {
                Some(v) => v.as_u64().map(|s| UNIX_EPOCH + Duration::from_secs(s)),
                None => meta.modified().ok(),
            };
            Cached::Found(Box::new(Record {
                state,
                confirmed,
                ttl_known: true,
            }))
        }
        // PyDynDNS 1.2.1 keeps the addresses by family and no TTL:
        // {"hostname": …, "addresses": {"ipv4": […], "ipv6": […]}}.
        Err(source) => match pydyndns_cache(&text) {
            Some(state) => {
                log::debug!("cache file {} was written by PyDynDNS", path.display());
                Cached::Found(Box::new(Record {
                    state,
                    confirmed: meta.modified().ok(),
                    ttl_known: false,
                }))
            }
            None => Cached::Unusable(CacheError::Corrupt {
                path: path.to_owned(),
                source,
            }),
        },
    }
}

/// PyDynDNS 1.2.1's cache, `{"hostname": …, "addresses": {"ipv4": […],
/// "ipv6": […]}}` (a family it had off is absent), as a registration (its
/// TTL unknown, taken as 0).
fn pydyndns_cache(text: &str) -> Option<State> {
    #[derive(serde::Deserialize)]
    struct Families {
        #[serde(default)]
        ipv4: Option<Vec<std::net::Ipv4Addr>>,
        #[serde(default)]
        ipv6: Vec<std::net::Ipv6Addr>,
    }
    #[derive(serde::Deserialize)]
    struct PyDynDns {
        hostname: String,
        addresses: Families,
    }
    let cache: PyDynDns = serde_json::from_str(text).ok()?;
    let hostname = crate::state::parse_name(&cache.hostname).ok()?;
    let mut state = State::new(hostname, 0, cache.addresses.ipv6);
    state.ipv4 = cache.addresses.ipv4.map(|mut v| {
        v.sort_unstable();
        v.dedup();
        v
    });
    Some(state)
}

/// The name of the cache's temporary files, beside it.
const TEMP_PREFIX: &str = ".pydyndns-cache.";

/// How old a temporary file must be to be taken for one a killed run left.
const STALE_AFTER: Duration = Duration::from_secs(60);

/// Replaces the cache with `state`'s registration, atomically and durably.
/// The new text is written to an unnamed file (`O_TMPFILE`) that gets a
/// name only once complete, so a run killed while writing leaves nothing;
/// a temporary name is then renamed over the cache, and a name a killed
/// run left in that moment (or on a file system without `O_TMPFILE`, where
/// the file is named from the start) is removed by a later write.
///
/// `confirmed` is when the server last accepted the forward registration
/// (seconds since the epoch); `None`: now.
pub(crate) fn write(path: &Path, state: &State, confirmed: Option<u64>) -> Result<(), CacheError> {
    let werr = |source| CacheError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    crate::util::fs::ensure_runtime_dir(dir);
    remove_stale_temporaries(dir);
    let mut record = state.registered();
    // The boot it was written in, for a state that carries no stamp.
    if record.observed.is_none() {
        record.observed = Observed::now();
    }
    let now = confirmed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    record.extra.insert(CONFIRMED_KEY.into(), now.into());
    let mut text = record.to_json();
    text.push('\n');
    match write_unnamed(dir, text.as_bytes()) {
        Ok(file) => link_into_place(&file, dir, path).map_err(werr)?,
        Err(e)
            if e.raw_os_error().is_some_and(|n| {
                // No O_TMPFILE on this file system (or kernel), or no /proc.
                [libc::EOPNOTSUPP, libc::EISDIR, libc::EINVAL, libc::ENOENT].contains(&n)
            }) =>
        {
            let mut tmp = tempfile::Builder::new()
                .prefix(TEMP_PREFIX)
                .tempfile_in(dir)
                .map_err(werr)?;
            crate::util::fs::adopt_dir_owner(tmp.as_file(), dir).map_err(werr)?;
            tmp.write_all(text.as_bytes()).map_err(werr)?;
            tmp.as_file().sync_all().map_err(werr)?;
            tmp.persist(path).map_err(|e| werr(e.error))?;
        }
        Err(e) => return Err(werr(e)),
    }
    // The rename is durable only once the directory is synced.
    File::open(dir).and_then(|d| d.sync_all()).map_err(werr)?;
    Ok(())
}

/// Writes `bytes` to a new unnamed file in `dir`, mode 0600, synced.
fn write_unnamed(dir: &Path, bytes: &[u8]) -> io::Result<File> {
    use rustix::fs::{CWD, Mode, OFlags};
    let fd = rustix::fs::openat(
        CWD,
        dir,
        OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC,
        Mode::RUSR | Mode::WUSR,
    )?;
    let mut file = File::from(fd);
    crate::util::fs::adopt_dir_owner(&file, dir)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(file)
}

/// Gives the unnamed `file` a temporary name in `dir` (`linkat` through
/// `/proc/self/fd`), then renames it over `path`.
fn link_into_place(file: &File, dir: &Path, path: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
    let named = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .make_in(dir, |name| {
            rustix::fs::linkat(
                rustix::fs::CWD,
                proc_path.as_str(),
                rustix::fs::CWD,
                name,
                rustix::fs::AtFlags::SYMLINK_FOLLOW,
            )
            .map_err(io::Error::from)
        })?;
    named.persist(path).map(drop).map_err(|e| e.error)
}

/// Removes the cache's temporary files in `dir` that a killed run left:
/// regular files of ours, named [`TEMP_PREFIX`]…, older than a minute.
fn remove_stale_temporaries(dir: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let euid = rustix::process::geteuid().as_raw();
    for entry in entries.flatten() {
        if !entry
            .file_name()
            .as_encoded_bytes()
            .starts_with(TEMP_PREFIX.as_bytes())
        {
            continue;
        }
        // DirEntry::metadata does not follow a symbolic link.
        let Ok(meta) = entry.metadata() else { continue };
        let stale = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if meta.file_type().is_file() && meta.uid() == euid && stale {
            match fs::remove_file(entry.path()) {
                Ok(()) => log::debug!(
                    "removed {}, left by a run that was killed",
                    entry.path().display()
                ),
                Err(e) => log::debug!("cannot remove {}: {e}", entry.path().display()),
            }
        }
    }
}

/// Takes the cache's lock (an exclusive `flock` on `CACHE.lock` beside it),
/// waiting at most `wait`. Dropping the file releases it. `Ok(None)`: the
/// directory is on a read-only file system and holds no lock file, so no
/// run can take one there (nor write the cache); nothing was planted.
pub(crate) fn lock(path: &Path, wait: Duration) -> Result<Option<File>, CacheError> {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = PathBuf::from(lock_path);
    let dir = match lock_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    crate::util::fs::ensure_runtime_dir(dir);
    // Mode 0600, so that no other user can hold it and stall every run; a
    // symlink or anything but a regular file is refused. flock needs no
    // write access: a lock file on a file system that has since become
    // read-only still serves.
    // Only a lock this run made is given to the directory's owner: one
    // found there may be a hard link to anything.
    let file = crate::util::fs::open_private(&lock_path, false, false)
        .and_then(|opened| {
            if opened.created {
                crate::util::fs::adopt_dir_owner(&opened.file, dir)?;
            }
            Ok(opened.file)
        })
        .map(Some)
        .or_else(|e| match e.raw_os_error() {
            Some(libc::EROFS) => match crate::util::fs::open_existing(&lock_path) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                found => found.map(Some),
            },
            _ => Err(e),
        })
        .map_err(|source| CacheError::Lock {
            path: lock_path.clone(),
            source,
        })?;
    let Some(file) = file else {
        return Ok(None);
    };
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(file)),
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(CacheError::LockHeld {
                    path: lock_path,
                    wait,
                });
            }
            Err(fs::TryLockError::Error(source)) => {
                return Err(CacheError::Lock {
                    path: lock_path,
                    source,
                });
            }
        }
    }
}

/// Where runs without a cache take their lock: `$RUNTIME_DIRECTORY` (set by
/// systemd's `RuntimeDirectory=`), else `/run/pydyndns/` for root (made
/// mode 0700 if missing), else `$XDG_RUNTIME_DIR`; `None` when there is no
/// such place (a user without a session runs unlocked). Returns the base
/// path; the lock is `BASE.lock`, as beside a cache.
pub(crate) fn runtime_lock_base() -> Option<PathBuf> {
    let dir = match std::env::var_os("RUNTIME_DIRECTORY") {
        Some(dirs) if !dirs.is_empty() => {
            // systemd separates several directories with ':'.
            let first = dirs.to_string_lossy().split(':').next()?.to_owned();
            PathBuf::from(first)
        }
        _ if rustix::process::geteuid().is_root() => {
            let dir = PathBuf::from(crate::util::fs::RUNTIME_DIR);
            crate::util::fs::ensure_runtime_dir(&dir);
            dir
        }
        _ => PathBuf::from(std::env::var_os("XDG_RUNTIME_DIR")?),
    };
    Some(dir.join("pydyndns"))
}

/// The time stamp a lock file without a cache records: when the addresses
/// last registered were observed.
pub(crate) fn read_stamp(lock: &File) -> Option<Observed> {
    use std::io::Read;
    let mut text = String::new();
    lock.take(4096).read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

/// Records `stamp` in a lock file (see [`read_stamp`]); `None` clears it.
pub(crate) fn write_stamp(lock: &File, stamp: Option<&Observed>) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    lock.set_len(0)?;
    if let Some(stamp) = stamp {
        let text = serde_json::to_string(stamp).map_err(io::Error::other)? + "\n";
        lock.write_all_at(text.as_bytes(), 0)?;
    }
    Ok(())
}

/// Removes the cache, so the next run updates (`--force`). A missing file is fine.
pub(crate) fn remove(path: &Path) -> Result<(), CacheError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(CacheError::Remove {
            path: path.to_owned(),
            source: e,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State::parse(r#"{"hostname":"h.example.","ttl":60,"addresses":["2001:db8::1"],"zone":"example.","x":1}"#, "t").unwrap()
    }

    #[test]
    fn writes_only_the_registration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache");
        let before = SystemTime::now() - Duration::from_secs(1);
        write(&path, &state(), None).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let boot = Observed::now().unwrap().boot_id;
        assert!(
            text.starts_with(&format!(
                "{{\"hostname\":\"h.example.\",\"ttl\":60,\"addresses\":[\"2001:db8::1\"],\"observed\":{{\"boot_id\":\"{boot}\",\"monotonic_ns\":"
            )) && text.contains("},\"confirmed\":")
                && text.ends_with("}\n"),
            "{text}"
        );
        let Cached::Found(record) = read(&path) else {
            panic!("not read back")
        };
        assert!(record.state.same_registration(&state()));
        assert!(record.confirmed.is_some_and(|c| c >= before));
        assert!(!record.state.extra.contains_key("confirmed"));
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn temporaries_a_killed_run_left_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join(".pydyndns-cache.old");
        let fresh = dir.path().join(".pydyndns-cache.new");
        let other = dir.path().join("pydyndns-cache.other");
        for f in [&old, &fresh, &other] {
            fs::write(f, "x").unwrap();
        }
        let minutes_ago = SystemTime::now() - Duration::from_secs(120);
        for f in [&old, &other] {
            File::options()
                .write(true)
                .open(f)
                .unwrap()
                .set_modified(minutes_ago)
                .unwrap();
        }
        write(&dir.path().join("cache"), &state(), None).unwrap();
        assert!(!old.exists() && fresh.exists() && other.exists());
    }

    /// Root's runs give what they create in a directory the service's user
    /// owns to that user, so the service can still use the cache and lock.
    #[test]
    fn files_root_makes_in_a_service_directory_are_the_services() {
        use std::os::unix::fs::MetadataExt;
        if !rustix::process::geteuid().is_root() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::chown(dir.path(), Some(4242), Some(4243)).unwrap();
        let path = dir.path().join("cache");
        let lock = lock(&path, Duration::ZERO).unwrap();
        write(&path, &state(), None).unwrap();
        drop(lock);
        for f in [path.clone(), dir.path().join("cache.lock")] {
            let meta = fs::metadata(&f).unwrap();
            assert_eq!(
                (meta.uid(), meta.gid(), meta.mode() & 0o777),
                (4242, 4243, 0o600),
                "{}",
                f.display()
            );
        }
        // A lock root finds there (made by someone else, or by root before
        // the directory changed hands) is used, never given away.
        let other = tempfile::tempdir().unwrap();
        let found = other.path().join("cache.lock");
        fs::write(&found, "").unwrap();
        std::os::unix::fs::chown(other.path(), Some(4242), Some(4243)).unwrap();
        drop(super::lock(&other.path().join("cache"), Duration::ZERO).unwrap());
        assert_eq!(fs::metadata(&found).unwrap().uid(), 0);
        // In root's own directory, root's files stay root's.
        let mine = tempfile::tempdir().unwrap();
        write(&mine.path().join("cache"), &state(), None).unwrap();
        assert_eq!(fs::metadata(mine.path().join("cache")).unwrap().uid(), 0);
    }

    #[test]
    fn a_pydyndns_cache_is_read_without_its_ttl() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache");
        fs::write(
            &path,
            r#"{"hostname": "h.example.", "addresses": {"ipv4": ["192.0.2.2", "192.0.2.1"], "ipv6": ["2001:db8::1"]}}"#,
        )
        .unwrap();
        let Cached::Found(record) = read(&path) else {
            panic!("not read")
        };
        assert!(!record.ttl_known);
        assert_eq!(
            record.state.addresses,
            ["2001:db8::1".parse::<std::net::Ipv6Addr>().unwrap()]
        );
        assert_eq!(
            record.state.ipv4_or_none(),
            [
                "192.0.2.1".parse::<std::net::Ipv4Addr>().unwrap(),
                "192.0.2.2".parse().unwrap()
            ]
        );
    }

    #[test]
    fn unusable_caches_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(read(&dir.path().join("none")), Cached::Missing));
        assert!(matches!(
            read(dir.path()),
            Cached::Unusable(CacheError::Read { .. })
        ));
        let bad = dir.path().join("bad");
        fs::write(&bad, "{\"hostname\":").unwrap();
        assert!(matches!(
            read(&bad),
            Cached::Unusable(CacheError::Corrupt { .. })
        ));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path().join("gone"), &link).unwrap();
        assert!(matches!(
            read(&link),
            Cached::Unusable(CacheError::Read { .. })
        ));
    }
}
