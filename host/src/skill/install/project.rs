//! The skills a repository expects, in its `.grove/skills.toml`, each
//! pinned by its source and digest:
//!
//! ```toml
//! [skills.lint-fix]
//! source = "oci://registry.acme.dev/skills/lint-fix:1.2.0"
//! digest = "sha256:…"
//! ```
//!
//! The file only says what to fetch: each skill is still checked, shown
//! and consented to like any other install (the repository may be hostile,
//! and it grants nothing by itself). Read from the main checkout, like the
//! project policy.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::InstallError;
use super::digest::Digest;
use super::source::Source;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    skills: BTreeMap<String, RawSkill>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSkill {
    source: String,
    digest: Digest,
}

/// One expected skill.
#[derive(Debug, Clone)]
pub struct Expected {
    pub name: String,
    pub source: Source,
    pub digest: Digest,
}

/// `<main checkout>/.grove/skills.toml` for the worktree at `root`.
pub fn path(root: &Path) -> PathBuf {
    crate::gate::policy::main_checkout(root).join(".grove").join("skills.toml")
}

/// The skills the file at `file` lists; `None` when there is no file.
pub fn read(file: &Path) -> Result<Option<Vec<Expected>>, InstallError> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(InstallError::Read { path: file.to_path_buf(), error }),
    };
    let bad = |why: String| InstallError::Invalid { path: file.to_path_buf(), why };
    let raw: Raw = toml::from_str(&text).map_err(|e| bad(e.message().trim().to_string()))?;
    let mut out = Vec::new();
    for (name, skill) in raw.skills {
        // A relative path is the repository's own file.
        let source = match Source::parse(&skill.source)? {
            Source::Path(p) if p.is_relative() => {
                Source::Path(file.parent().and_then(Path::parent).unwrap_or(Path::new(".")).join(p))
            }
            other => other,
        };
        out.push(Expected { name, source, digest: skill.digest });
    }
    Ok(Some(out))
}
