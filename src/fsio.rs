//! Files: reads with path-bearing errors, the sidecar lock, and atomic
//! replacement (temporary file in the same folder, fsync, rename, fsync of
//! the folder) so a crash leaves the old file or the new one.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};

use crate::error::io_message;
use crate::input;

/// The file a write to `path` should replace: the target of a symlink (so
/// the link keeps pointing at the current file, and every writer locks the
/// same lock file), else `path` itself.
pub fn resolve(path: &Path) -> PathBuf {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
        }
        _ => path.to_owned(),
    }
}

/// `keys.json` → `keys.json.lock`.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".lock");
    path.with_file_name(name)
}

/// An exclusive lock on the sidecar file, held until dropped. The sidecar
/// is never renamed or deleted, so every writer locks the same inode.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

pub fn lock(path: &Path, timeout: Duration) -> Result<Lock> {
    let lock_path = lock_path(path);
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
        // Never through a symlink: a link planted at keys.json.lock would
        // have jwkctl (maybe root) create or open any file it points at.
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(&lock_path).map_err(|e| {
        // The lock sits beside the store: a missing folder is the cause.
        match lock_path.parent() {
            Some(dir) if e.kind() == io::ErrorKind::NotFound && !dir.as_os_str().is_empty() => {
                anyhow!(
                    "{}: no such folder (create it first, or choose another path with -k)",
                    dir.display()
                )
            }
            _ if is_symlink(&lock_path) => anyhow!(
                "{}: is a symbolic link, and jwkctl never opens its lock file through one (remove the link; jwkctl creates the lock file itself)",
                lock_path.display()
            ),
            _ => anyhow!(io_message(&lock_path, &e)),
        }
    })?;
    let meta = file
        .metadata()
        .map_err(|e| anyhow!(io_message(&lock_path, &e)))?;
    if let Some(is) = input::special(&meta) {
        bail!(
            "{}: is {is}, not a regular file (remove it; jwkctl creates the lock file itself)",
            lock_path.display()
        );
    }
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Lock { _file: file }),
            Err(TryLockError::WouldBlock) if start.elapsed() < timeout => {
                thread::sleep(Duration::from_millis(20));
            }
            Err(TryLockError::WouldBlock) => bail!(
                "{}: another jwkctl holds this lock; gave up after {}s (try again later, or look for a stuck jwkctl process)",
                lock_path.display(),
                timeout.as_secs_f64()
            ),
            Err(TryLockError::Error(e)) => bail!(
                "{}: cannot lock: {}",
                lock_path.display(),
                io_message(&lock_path, &e)
            ),
        }
    }
}

/// What to do when the target exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    Replace,
    Refuse,
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Refuses to replace what is not a regular file (through a symlink, what
/// it points at): a rename would put a file where a device, FIFO, socket
/// or folder was, and `/dev/null` would become a file anyone can write.
pub fn check_replaceable(path: &Path) -> Result<()> {
    match fs::metadata(path) {
        Ok(meta) => match input::special(&meta) {
            None => Ok(()),
            Some(is) => bail!(
                "{}: is {is}; only a regular file is replaced (name a regular file; nothing was changed)",
                path.display()
            ),
        },
        Err(_) => Ok(()),
    }
}

/// Whether two paths name the same file, or would once it is created:
/// same folder, same name.
pub fn same_path(a: &Path, b: &Path) -> bool {
    if same_file(a, b) {
        return true;
    }
    let place = |p: &Path| {
        let dir = fs::canonicalize(parent_dir(p)).ok()?;
        Some(dir.join(p.file_name()?))
    };
    matches!((place(a), place(b)), (Some(a), Some(b)) if a == b)
}

/// A file of the key store that an `--out` must never replace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreFile {
    Store,
    Lock,
}

/// Whether `out` names the store at `store` or its lock file, by any
/// spelling, through symlinks, and before the lock file exists.
pub fn store_file_at(out: &Path, store: &Path) -> Option<StoreFile> {
    if same_file(out, store) {
        return Some(StoreFile::Store);
    }
    let lock = lock_path(&resolve(store));
    let target = resolve(out);
    (same_path(&target, &lock) || same_path(out, &lock)).then_some(StoreFile::Lock)
}

/// Replaces `path` with `bytes` atomically, with permission bits `mode`.
/// Only an absent path or a regular file is replaced.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32, existing: Existing) -> Result<()> {
    check_replaceable(path)?;
    let dir = parent_dir(path);
    let fail = |e: io::Error| anyhow!("{} (nothing was changed)", io_message(path, &e));
    // tempfile creates the file 0600, so private keys are never readable by
    // others, not even for a moment.
    let mut tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(path))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                anyhow!(
                    "{}: no such folder (create it first; nothing was changed)",
                    dir.display()
                )
            } else {
                anyhow!("{} (nothing was changed)", io_message(dir, &e))
            }
        })?;
    tmp.write_all(bytes).map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(mode))
            .map_err(fail)?;
        // A replaced file keeps its owner and group (root's cron rotating a
        // store a service account reads). Only root may give a file away;
        // anyone else already owns what they create.
        if let Ok(meta) = fs::metadata(path) {
            use std::os::unix::fs::MetadataExt;
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
        }
    }
    #[cfg(not(unix))]
    let _ = mode;
    tmp.as_file().sync_all().map_err(fail)?;
    match existing {
        Existing::Replace => tmp.persist(path).map(drop).map_err(|e| fail(e.error))?,
        Existing::Refuse => tmp.persist_noclobber(path).map(drop).map_err(|e| {
            if e.error.kind() == io::ErrorKind::AlreadyExists {
                anyhow!("{}: already exists (nothing was changed)", path.display())
            } else {
                fail(e.error)
            }
        })?,
    }
    sync_dir(dir).map_err(|e| {
        anyhow!(
            "{}: written, but the folder could not be synced: {}",
            path.display(),
            io_message(dir, &e)
        )
    })
}

/// The folder holding `path` (`.` for a bare file name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `.keys.json.` for `keys.json`: temporary files name their target, so
/// leftovers of a killed writer can be told apart and removed.
fn temp_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.")
}

/// Removes temporary files a killed writer of `path` left behind (they may
/// hold private keys). Only safe while holding `path`'s lock, since every
/// writer of `path` holds it.
pub fn remove_stale_temps(path: &Path) {
    let dir = parent_dir(path);
    let prefix = temp_prefix(path);
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // tempfile's random part has no dot: `.keys.json.pub.XXXXXX.tmp`
        // belongs to another file's writer, which does not hold this lock.
        let random = name
            .strip_prefix(prefix.as_str())
            .and_then(|rest| rest.strip_suffix(".tmp"));
        if random.is_some_and(|r| !r.is_empty() && !r.contains('.')) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The rename is only durable once the folder's entry is on disk.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The permission bits of an existing file, if there is one.
pub fn existing_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Whether two paths name the same existing file (hard links and symlinks
/// included).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (fs::metadata(a), fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (fs::canonicalize(a), fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

/// What a path that is about to be written names now (through symlinks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Absent,
    File,
    Dir,
    /// A FIFO, socket or device: never replaced.
    Special,
}

pub fn target(path: &Path) -> Target {
    match fs::metadata(path) {
        Err(_) => Target::Absent,
        Ok(m) if m.is_file() => Target::File,
        Ok(m) if m.is_dir() => Target::Dir,
        Ok(_) => Target::Special,
    }
}
