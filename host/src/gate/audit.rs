//! The append-only audit log: one JSON line per gate decision, whatever the
//! decision, written with a single `write` so lines never interleave, and
//! flushed per line (no user-space buffer), so a crash loses at most the
//! line being written. A torn last line is closed off before the next one.
//! Past a size the log rotates (see `audit_rotate`).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;

use super::audit_rotate::{self, Locked, Rotation};

/// One audit line.
#[derive(Debug, Serialize)]
pub struct AuditRecord<'a> {
    pub time: String,
    /// The name the skill goes by (its manifest's).
    pub skill: &'a str,
    /// Who it is: a built-in's name, `name@sha256:…` for an installed
    /// skill, `file:/path@sha256:…` for a file run by path.
    pub skill_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<&'a str>,
    pub capability: &'a str,
    pub verb: &'a str,
    pub target: &'a str,
    pub permission: &'a str,
    /// What the call does to the world, from the verbs table: `read`,
    /// `write` or `external`.
    pub effect: &'a str,
    /// The permission mode in force.
    pub mode: &'a str,
    /// The classifier's level.
    pub level: &'a str,
    /// Why, riskiest first: `rule: detail`.
    pub reasons: &'a [String],
    /// `allow` or `deny`: what finally happened.
    pub decision: &'a str,
    /// Who decided: `grants` (manifest ∩ granted permissions), `mode:auto`,
    /// a policy rule's `file:line`, `human:terminal`, `human:approve`,
    /// `remembered` (allowed for the session earlier) or `timeout`.
    pub decided_by: &'a str,
    /// The queued approval this decision answered, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<i64>,
}

/// An open audit log.
#[derive(Debug)]
pub struct AuditLog {
    file: File,
    path: PathBuf,
    /// One line's bytes, kept between appends: no allocation per decision.
    line: Vec<u8>,
    rotation: Rotation,
    /// Locked around each append, so appends and rotation by every grove
    /// process happen one at a time.
    lock: File,
}

/// Longest target kept in a line; commands and paths beyond it are cut.
const MAX_TARGET: usize = 1024;

impl AuditLog {
    /// Open (creating) the log at `path` for appending.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(audit_rotate::lock_path(path))?;
        let file = Self::open_file(path)?;
        Ok(AuditLog {
            file,
            path: path.to_path_buf(),
            line: Vec::with_capacity(512),
            rotation: Rotation::default(),
            lock,
        })
    }

    /// Rotate past `rotation`'s size instead of the default's.
    pub fn rotating(mut self, rotation: Rotation) -> Self {
        self.rotation = rotation;
        self
    }

    fn open_file(path: &Path) -> std::io::Result<File> {
        let mut file = OpenOptions::new().create(true).append(true).read(true).open(path)?;
        // A crash mid-line left a torn last line: end it, so the next
        // record starts on a line of its own and readers skip only the torn one.
        let len = file.metadata()?.len();
        if len > 0 {
            use std::io::{Read, Seek, SeekFrom};
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(len - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                file.write_all(b"\n")?;
            }
        }
        Ok(file)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one record. A failure to audit is reported to the caller,
    /// which refuses the action: nothing runs unaudited.
    pub fn append(&mut self, record: &AuditRecord<'_>) -> std::io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, record).map_err(std::io::Error::other)?;
        self.line.push(b'\n');
        let _locked = Locked::take(&self.lock)?;
        if !self.still_at_path()? {
            self.file = Self::open_file(&self.path)?;
        }
        self.file.write_all(&self.line)?;
        // The line is written: a rotation that fails leaves the log whole
        // and refuses nothing (the next append tries again).
        if let Err(e) = Self::rotate_if_full(&mut self.file, &self.path, self.rotation) {
            tracing::warn!(log = %self.path.display(), error = %e, "the audit log could not be rotated");
        }
        Ok(())
    }

    fn rotate_if_full(file: &mut File, path: &Path, rotation: Rotation) -> std::io::Result<()> {
        if file.metadata()?.len() >= rotation.max_bytes {
            audit_rotate::shift(path, rotation.keep)?;
            *file = Self::open_file(path)?;
        }
        Ok(())
    }

    /// Whether the open file is still the one at the log's path (another
    /// process may have rotated it away).
    fn still_at_path(&self) -> std::io::Result<bool> {
        use std::os::unix::fs::MetadataExt;
        let open = self.file.metadata()?;
        match std::fs::metadata(&self.path) {
            Ok(at_path) => Ok(at_path.dev() == open.dev() && at_path.ino() == open.ino()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// Now, as RFC 3339 UTC with milliseconds.
pub fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// Cut a target to [`MAX_TARGET`] bytes on a character boundary.
pub fn clip(target: &str) -> &str {
    if target.len() <= MAX_TARGET {
        return target;
    }
    let mut end = MAX_TARGET;
    while !target.is_char_boundary(end) {
        end -= 1;
    }
    &target[..end]
}
