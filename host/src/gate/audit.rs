//! The append-only audit log: one JSON line per gate decision, whatever the
//! decision, written with a single `write` so lines never interleave.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;

/// One audit line.
#[derive(Debug, Serialize)]
pub struct AuditRecord<'a> {
    pub time: String,
    pub skill: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<&'a str>,
    pub capability: &'a str,
    pub verb: &'a str,
    pub target: &'a str,
    pub permission: &'a str,
    pub decision: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    /// Who decided: `grants` (manifest ∩ granted permissions) for now.
    pub decided_by: &'a str,
}

/// An open audit log.
#[derive(Debug)]
pub struct AuditLog {
    file: File,
    path: PathBuf,
}

/// Longest target kept in a line; commands and paths beyond it are cut.
const MAX_TARGET: usize = 1024;

impl AuditLog {
    /// Open (creating) the log at `path` for appending.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(AuditLog { file, path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one record. A failure to audit is reported to the caller,
    /// which refuses the action: nothing runs unaudited.
    pub fn append(&mut self, record: &AuditRecord<'_>) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)
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
