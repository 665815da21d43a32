//! `skills.lock`, beside the user's configuration: every installed skill
//! pinned by name, version, source and digest, with its publisher, the
//! permissions the user granted it and the imports it was seen to have.
//! A run of an installed skill checks its file against its entry and is
//! granted what the entry records; the file is rewritten whole, atomically
//! (a temporary file, synced, renamed over it).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::InstallError;
use super::digest::Digest;

/// The lock's format; a newer grove's lock is refused, not misread.
const FORMAT: u32 = 1;

/// One installed skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: String,
    pub version: String,
    /// Where it was installed from, as `grove skill install` reads it.
    pub source: String,
    pub digest: Digest,
    /// The publisher whose signature verified; absent when unsigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// The permissions granted at consent (what its manifest requested).
    pub permissions: Vec<String>,
    /// The interfaces the component imports.
    pub imports: Vec<String>,
    /// Where its manifest came from: `section` or `describe`.
    pub manifest: String,
    /// How consent was given: `terminal`, `--yes`, `--accept-widening`,
    /// or `unchanged` (an update asking nothing new).
    pub consent: String,
    pub installed: String,
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    #[serde(default)]
    pub format: u32,
    #[serde(default, rename = "skill")]
    pub skills: Vec<Entry>,
}

/// `$GROVE_HOME/skills.lock` (grove's configuration folder).
pub fn path() -> Option<PathBuf> {
    Some(crate::paths::config_dir()?.join("skills.lock"))
}

impl Lock {
    /// The lock at `path`; empty when there is none.
    pub fn read(path: &Path) -> Result<Lock, InstallError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Lock::default()),
            Err(error) => return Err(InstallError::Read { path: path.to_path_buf(), error }),
        };
        let bad = |why: String| InstallError::Invalid { path: path.to_path_buf(), why };
        let lock: Lock = toml::from_str(&text).map_err(|e| bad(e.message().trim().to_string()))?;
        if lock.format > FORMAT {
            return Err(bad(format!(
                "written by a newer grove (format {}; this one reads {FORMAT})",
                lock.format
            )));
        }
        Ok(lock)
    }

    /// The user's lock.
    pub fn load() -> Result<(Lock, PathBuf), InstallError> {
        let path = path().ok_or(InstallError::NoHome)?;
        Ok((Lock::read(&path)?, path))
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.skills.iter().find(|e| e.name == name)
    }

    /// Add `entry`, replacing the one of its name; kept sorted by name.
    pub fn put(&mut self, entry: Entry) {
        self.skills.retain(|e| e.name != entry.name);
        self.skills.push(entry);
        self.skills.sort_by(|a, b| a.name.cmp(&b.name));
    }

    pub fn remove(&mut self, name: &str) -> Option<Entry> {
        let at = self.skills.iter().position(|e| e.name == name)?;
        Some(self.skills.remove(at))
    }

    /// Change the lock at `path` under an exclusive lock on
    /// `skills.lock.guard` beside it: read afresh, changed, written, so two
    /// installs at once both land.
    pub fn update<T>(path: &Path, change: impl FnOnce(&mut Lock) -> T) -> Result<T, InstallError> {
        let err = |error| InstallError::Write { path: path.to_path_buf(), error };
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(err)?;
        let mut guard_path = path.as_os_str().to_owned();
        guard_path.push(".guard");
        let guard = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&guard_path)
            .map_err(err)?;
        guard.lock().map_err(err)?;
        let mut lock = Lock::read(path)?;
        let out = change(&mut lock);
        let written = lock.write(path);
        let _ = guard.unlock();
        written.map(|()| out)
    }

    /// Write the lock to `path` whole: a reader sees the old file or the
    /// new one, never half of either.
    pub fn write(&self, path: &Path) -> Result<(), InstallError> {
        let err = |error| InstallError::Write { path: path.to_path_buf(), error };
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(err)?;
        let mut text = String::from(
            "# Written by grove skill install/update/remove: the installed skills, pinned.\n\
             # A run refuses an installed file whose digest differs from its entry.\n",
        );
        let lock = Lock { format: FORMAT, skills: self.skills.clone() };
        text.push_str(&toml::to_string(&lock).map_err(|e| err(std::io::Error::other(e)))?);
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
        tmp.write_all(text.as_bytes()).map_err(err)?;
        tmp.as_file().sync_all().map_err(err)?;
        tmp.persist(path).map_err(|e| err(e.error))?;
        Ok(())
    }
}

/// Check an installed skill's bytes against its entry before it runs: a
/// file changed since it was installed (or put there by hand) is refused.
pub fn check_installed(name: &str, file: &Path, bytes: &[u8]) -> Result<Entry, InstallError> {
    let (lock, lock_path) = Lock::load()?;
    let Some(entry) = lock.get(name) else {
        return Err(InstallError::Tampered(format!(
            "{} is not in {}: it was not installed by `grove skill install` (install it again to review and consent to it)",
            file.display(),
            lock_path.display()
        )));
    };
    let actual = Digest::of(bytes);
    if actual != entry.digest {
        return Err(InstallError::Tampered(format!(
            "{} has digest {actual}, but {} pins {} to {}: the installed file was changed; refusing to run it (install it again from {})",
            file.display(),
            lock_path.display(),
            name,
            entry.digest,
            entry.source
        )));
    }
    Ok(entry.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str) -> Entry {
        Entry {
            name: name.into(),
            version: "1.0.0".into(),
            source: "/x.wasm".into(),
            digest: Digest::of(name.as_bytes()),
            publisher: Some("acme".into()),
            permissions: vec!["workspace:read".into()],
            imports: vec!["grove:skill/workspace@0.2.0".into()],
            manifest: "section".into(),
            consent: "--yes".into(),
            installed: "2025-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn the_lock_round_trips_sorted_and_replaces_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("skills.lock");
        let mut lock = Lock::default();
        lock.put(entry("zeta"));
        lock.put(entry("alpha"));
        let mut newer = entry("zeta");
        newer.version = "2.0.0".into();
        lock.put(newer);
        lock.write(&path).unwrap();
        let read = Lock::read(&path).unwrap();
        assert_eq!(read.skills.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["alpha", "zeta"]);
        assert_eq!(read.get("zeta").unwrap().version, "2.0.0");
        assert_eq!(read.format, FORMAT);
        // Nothing of the temporary file is left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // An update reads afresh: what another process wrote is kept.
        Lock::update(&path, |l| l.put(entry("mid"))).unwrap();
        let names: Vec<_> = Lock::read(&path).unwrap().skills.into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["alpha", "mid", "zeta"]);
    }

    #[test]
    fn a_newer_or_broken_lock_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("skills.lock");
        std::fs::write(&path, "format = 9\n").unwrap();
        assert!(Lock::read(&path).unwrap_err().to_string().contains("newer grove"));
        std::fs::write(&path, "[[skill]]\nname = 3\n").unwrap();
        assert!(Lock::read(&path).is_err());
    }
}
