//! Rotating the audit log: when `audit.jsonl` passes a size it becomes
//! `audit.jsonl.1`, older ones shift up to a kept count, and the oldest
//! goes.
//!
//! Many grove processes append to one log at once. Each append takes an
//! exclusive lock on `audit.jsonl.lock` beside it, checks that its open file
//! is still the one at the log's path (another process may have rotated it
//! away: then it reopens), writes its line, and rotates if the file has
//! passed the size, all before letting go. A lock rather than rename and
//! reopen-on-inode-change alone: without one, a process that checked the
//! inode just before another rotated would write into the renamed file,
//! which then grows past its size by however many such lines there were;
//! under the lock a file ends at most one line past its size, and every
//! line lands in exactly one file, in order.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// How big the log may grow and how many rotated files are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// Size in bytes past which the log is rotated.
    pub max_bytes: u64,
    /// Rotated files kept: `audit.jsonl.1` (newest) to `audit.jsonl.N`.
    pub keep: u32,
}

impl Default for Rotation {
    fn default() -> Self {
        Rotation { max_bytes: 64 << 20, keep: 5 }
    }
}

/// `[audit]` of `config.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    max_kib: Option<u64>,
    keep: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
struct FileConfig {
    audit: Option<Section>,
}

impl Rotation {
    /// The `[audit]` section of the user's `config.toml` (`max_kib`,
    /// `keep`), else the defaults. A section that does not parse is an
    /// error: a misspelt key must not silently mean the default.
    pub fn load() -> io::Result<Rotation> {
        let Some(file) = crate::paths::config_dir().map(|d| d.join("config.toml")) else {
            return Ok(Rotation::default());
        };
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Rotation::default()),
            Err(e) => return Err(e),
        };
        Rotation::parse(&text).map_err(|e| {
            io::Error::new(io::ErrorKind::InvalidData, format!("{}: [audit]: {e}", file.display()))
        })
    }

    fn parse(text: &str) -> Result<Rotation, String> {
        let config: FileConfig = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let section = config.audit.unwrap_or_default();
        let default = Rotation::default();
        let rotation = Rotation {
            max_bytes: section.max_kib.map_or(default.max_bytes, |kib| kib.saturating_mul(1024)),
            keep: section.keep.unwrap_or(default.keep),
        };
        if rotation.max_bytes == 0 || rotation.keep == 0 {
            return Err("max_kib and keep must be above 0".into());
        }
        Ok(rotation)
    }
}

/// The rotated files of the log at `path`, oldest first:
/// `audit.jsonl.N` … `audit.jsonl.1`, those that exist.
pub fn rotated(path: &Path) -> Vec<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = Vec::new();
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else { return Vec::new() };
    let prefix = format!("{}.", name.to_string_lossy());
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let file = entry.file_name();
            let n = file.to_string_lossy().strip_prefix(&prefix).and_then(|n| n.parse::<u32>().ok());
            if let Some(n) = n {
                found.push((n, entry.path()));
            }
        }
    }
    found.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    found.into_iter().map(|(_, p)| p).collect()
}

/// `audit.jsonl.N` beside the log at `path`.
pub(super) fn numbered(path: &Path, n: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

/// The lock file that orders appends and rotation across processes.
pub(super) fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Shift `.1` … `.keep-1` up by one (dropping `.keep`), then the log to
/// `.1`; files past `.keep` (left by a larger `keep`) go. Called under the
/// lock.
pub(super) fn shift(path: &Path, keep: u32) -> io::Result<()> {
    for n in (1..keep).rev() {
        match std::fs::rename(numbered(path, n), numbered(path, n + 1)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    std::fs::rename(path, numbered(path, 1))?;
    let mut n = keep + 1;
    while std::fs::remove_file(numbered(path, n)).is_ok() {
        n += 1;
    }
    Ok(())
}

/// Holds the exclusive lock on the lock file until dropped.
pub(super) struct Locked<'a>(&'a File);

impl<'a> Locked<'a> {
    pub(super) fn take(file: &'a File) -> io::Result<Locked<'a>> {
        file.lock()?;
        Ok(Locked(file))
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_sets_size_and_count() {
        assert_eq!(Rotation::parse("").unwrap(), Rotation::default());
        let r = Rotation::parse("[model]\nbudget = \"$1\"\n[audit]\nmax_kib = 4\nkeep = 2\n").unwrap();
        assert_eq!(r, Rotation { max_bytes: 4096, keep: 2 });
        assert!(Rotation::parse("[audit]\nmax_kb = 4\n").unwrap_err().contains("max_kb"));
        assert!(Rotation::parse("[audit]\nkeep = 0\n").is_err());
    }

    #[test]
    fn rotated_files_are_listed_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("audit.jsonl");
        for name in ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.10", "audit.jsonl.2", "audit.jsonl.lock"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let names: Vec<String> =
            rotated(&log).iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["audit.jsonl.10", "audit.jsonl.2", "audit.jsonl.1"]);
    }
}
