//! Files that root opens, opened on purpose: the last component of a path
//! is never followed when it is a symbolic link (another user or service
//! may be able to plant one where the cache or the log lives), a FIFO never
//! blocks the open, anything but a regular file is refused after `fstat`,
//! so is a file with more than one link (a hard link another user made to
//! a file of root's would have root write, or give away, that file), reads
//! are bounded, and what is created is mode 0600.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Flags every open here adds: no symlink at the last component, no
/// blocking on a FIFO or a device, and no inheritance by children.
const FLAGS: i32 = libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;

/// Why a file was not opened as a regular file.
fn not_regular(kind: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {kind}, not a regular file"),
    )
}

/// Checks with `fstat` that `file` is a regular file.
fn regular(file: File) -> io::Result<File> {
    regular_with_meta(file).map(|(file, _)| file)
}

/// [`regular`], keeping what `fstat` said. A regular file must have
/// exactly one link: with `fs.protected_hardlinks` off (or for a file the
/// other user may write), a hard link planted at the cache's or the lock's
/// path names a file of root's, which root would then truncate, write or
/// give to the directory's owner. `O_NOFOLLOW` cannot see a hard link; the
/// link count can.
fn regular_with_meta(file: File) -> io::Result<(File, std::fs::Metadata)> {
    use std::os::unix::fs::MetadataExt;
    let meta = file.metadata()?;
    let kind = meta.file_type();
    if kind.is_file() && meta.nlink() == 1 {
        return Ok((file, meta));
    }
    if kind.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "it has {} hard links, not 1: another name shares this file, which may not be ours to write (remove this name; a new file is made in its place)",
                meta.nlink()
            ),
        ));
    }
    Err(not_regular_kind(kind))
}

/// Why a file of this type is not a regular file.
fn not_regular_kind(kind: std::fs::FileType) -> io::Error {
    use std::os::unix::fs::FileTypeExt;
    not_regular(if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "something else"
    })
}

/// The error of an open refused because the path is a symbolic link:
/// `ELOOP` under `O_NOFOLLOW`, said in words.
fn symlink_refused(path: &Path, e: io::Error) -> io::Error {
    if e.raw_os_error() != Some(libc::ELOOP) {
        return e;
    }
    let message = if path.exists() {
        "it is a symbolic link, which is not followed"
    } else {
        "it is a symbolic link to a file that does not exist"
    };
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// Reads a regular file of at most `max` octets; `Ok(None)` when there is
/// no file. A larger one is an error that says so.
pub(crate) fn read_bounded(path: &Path, max: u64) -> io::Result<Option<String>> {
    Ok(read_bounded_with_meta(path, max, None)?.map(|(text, _)| text))
}

/// [`read_bounded`], with the file's metadata (`fstat`'s); `what` names
/// the kind of file in the error for one too large (`a cache`).
pub(crate) fn read_bounded_with_meta(
    path: &Path,
    max: u64,
    what: Option<&str>,
) -> io::Result<Option<(String, std::fs::Metadata)>> {
    let (file, meta) = match OpenOptions::new().read(true).custom_flags(FLAGS).open(path) {
        Ok(file) => regular_with_meta(file)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(symlink_refused(path, e)),
    };
    Ok(Some((read_at_most(file, max, what)?, meta)))
}

/// Reads `file` to its end, refusing it if it holds more than `max`
/// octets (far more than `what` holds, when given).
fn read_at_most(file: File, max: u64, what: Option<&str>) -> io::Result<String> {
    let mut text = String::new();
    file.take(max + 1).read_to_string(&mut text)?;
    if text.len() as u64 > max {
        let far = what.map_or(String::new(), |w| format!(", far more than {w} holds"));
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it is more than {max} octets{far}"),
        ));
    }
    Ok(text)
}

/// Reads a file the administrator names (the config, a key file), at most
/// `max` octets: a symbolic link is followed, since pointing
/// `/etc/pydyndns.conf` elsewhere is a legitimate set-up, but the open does
/// not wait on a FIFO and the read stops past `max` (a config linked to
/// `/dev/zero` is refused, not read until memory runs out).
pub(crate) fn read_named(path: &Path, max: u64) -> io::Result<String> {
    read_at_most(open_named(path)?, max, None)
}

/// Opens a file the administrator names: a symbolic link followed, a FIFO
/// not waited on.
fn open_named(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
}

/// Checks that a file the administrator names for another library to
/// read (a keytab, which MIT Kerberos opens itself) is a regular file:
/// opened without waiting on a FIFO, a symbolic link followed as in
/// [`read_named`], nothing read.
pub(crate) fn check_named(path: &Path) -> io::Result<()> {
    let kind = open_named(path)?.metadata()?.file_type();
    if kind.is_file() {
        Ok(())
    } else {
        Err(not_regular_kind(kind))
    }
}

/// Opens an existing regular file read-only.
pub(crate) fn open_existing(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(FLAGS)
        .open(path)
        .map_err(|e| symlink_refused(path, e))?;
    regular(file)
}

/// A file [`open_private`] opened, and whether this open created it.
#[derive(Debug)]
pub(crate) struct Opened {
    /// The file: regular, with one link.
    pub file: File,
    /// Whether it was made by this open (`O_EXCL`): only such a file may
    /// be given to another owner.
    pub created: bool,
}

/// Opens a file to lock or append to, creating it (mode 0600) when there
/// is none. "Truncate" happens only after the checks: `O_TRUNC` would cut
/// a planted hard link's target before `fstat` could see the link count.
pub(crate) fn open_private(path: &Path, append: bool, truncate: bool) -> io::Result<Opened> {
    let open = |create: bool| {
        let mut options = OpenOptions::new();
        options
            .read(!append)
            .write(true)
            .append(append)
            .mode(0o600)
            .custom_flags(FLAGS);
        if create {
            // O_EXCL: fails on any name already there, a symlink included.
            options.create_new(true);
        }
        options.open(path).map_err(|e| symlink_refused(path, e))
    };
    // Made here, or found: a file removed between the two opens is made
    // on the next turn; two turns can lose only to a run that keeps
    // removing it, which then gets the error.
    for _ in 0..2 {
        match open(true) {
            Ok(file) => {
                let file = regular(file)?;
                return Ok(Opened {
                    file,
                    created: true,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        match open(false) {
            Ok(file) => {
                let file = regular(file)?;
                if truncate {
                    file.set_len(0)?;
                }
                return Ok(Opened {
                    file,
                    created: false,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        "it kept appearing and disappearing while it was opened",
    ))
}

/// The runtime directory the services and root's runs share.
pub(crate) const RUNTIME_DIR: &str = "/run/pydyndns";

/// Makes [`RUNTIME_DIR`] (mode 0700) when `dir` is it and it is missing:
/// root's runs from cron or a hook may come before any service made it.
pub(crate) fn ensure_runtime_dir(dir: &Path) {
    if dir != Path::new(RUNTIME_DIR) {
        return;
    }
    use std::os::unix::fs::DirBuilderExt;
    if let Err(e) = std::fs::DirBuilder::new().mode(0o700).create(dir)
        && e.kind() != io::ErrorKind::AlreadyExists
    {
        log::debug!("cannot make {}: {e}", dir.display());
    }
}

/// Gives a file root just created in `dir` (never one it found) to
/// `dir`'s owner, when that is not root: the services run as their own user and share the runtime
/// directory with root's runs (hooks, cron), and a root-owned 0600 cache or
/// lock there would shut them out. The owner of the directory could replace
/// the file anyway, so this gives nothing away.
pub(crate) fn adopt_dir_owner(file: &File, dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    if !rustix::process::geteuid().is_root() {
        return Ok(());
    }
    let owner = std::fs::metadata(dir)?;
    if owner.uid() == 0 || file.metadata()?.uid() == owner.uid() {
        return Ok(());
    }
    rustix::fs::fchown(
        file,
        Some(rustix::fs::Uid::from_raw(owner.uid())),
        Some(rustix::fs::Gid::from_raw(owner.gid())),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symlinks_fifos_and_large_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "secret").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = read_bounded(&link, 10).unwrap_err().to_string();
        assert!(e.contains("symbolic link, which is not followed"), "{e}");
        let e = open_private(&link, true, false).unwrap_err().to_string();
        assert!(e.contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "secret");

        let fifo = dir.path().join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let e = read_bounded(&fifo, 10).unwrap_err().to_string();
        assert!(e.contains("a FIFO, not a regular file"), "{e}");

        assert!(
            read_bounded(&target, 3)
                .unwrap_err()
                .to_string()
                .contains("more than 3 octets")
        );
        assert_eq!(read_bounded(&target, 6).unwrap().as_deref(), Some("secret"));
        assert_eq!(read_bounded(&dir.path().join("none"), 6).unwrap(), None);

        let created = dir.path().join("new.lock");
        assert!(open_private(&created, false, false).unwrap().created);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&created).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(!open_private(&created, false, false).unwrap().created);
    }

    /// A hard link planted at a path root writes names a file that may be
    /// anyone's: refused before it is truncated, written or read.
    #[test]
    fn hard_links_are_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let precious = dir.path().join("precious");
        std::fs::write(&precious, "keep me").unwrap();
        let link = dir.path().join("cache.lock");
        std::fs::hard_link(&precious, &link).unwrap();
        for (append, truncate) in [(false, false), (true, false), (false, true)] {
            let e = open_private(&link, append, truncate)
                .unwrap_err()
                .to_string();
            assert!(e.contains("it has 2 hard links, not 1"), "{e}");
        }
        let e = read_bounded(&link, 100).unwrap_err().to_string();
        assert!(e.contains("2 hard links"), "{e}");
        assert!(open_existing(&link).is_err());
        assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me");
    }
}
