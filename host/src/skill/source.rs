//! Where a skill comes from: built in, installed, or a file named on the
//! command line.

use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};

use super::builtin;
use super::manifest::{self, PackageError, PackageInfo};

/// Where a skill was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    Installed(PathBuf),
    File(PathBuf),
}

impl Origin {
    pub fn label(&self) -> &'static str {
        match self {
            Origin::Builtin => "builtin",
            Origin::Installed(_) => "installed",
            Origin::File(_) => "file",
        }
    }
}

/// A skill's bytes and what grove knows of it before running it.
///
/// Its [`SkillSource::identity`], not its manifest's name, is what policy
/// rules and the audit log know it by: any file can claim any name.
#[derive(Debug, Clone)]
pub struct SkillSource {
    /// The name from its manifest, else the file stem.
    pub name: String,
    pub bytes: Cow<'static, [u8]>,
    pub origin: Origin,
    pub info: PackageInfo,
    /// What the user consented to at install (`skills.lock`), for an
    /// installed skill found by name.
    pub granted: Option<crate::gate::PermissionSet>,
    /// The SHA-256 of `bytes`, computed once: the component cache's key
    /// and the identity share it.
    digest: std::sync::OnceLock<[u8; 32]>,
}

impl SkillSource {
    /// The SHA-256 of the component's bytes.
    pub fn digest(&self) -> &[u8; 32] {
        self.digest.get_or_init(|| crate::runtime::digest(&self.bytes))
    }

    /// Who this skill is to policy and audit: a built-in by its name; an
    /// installed skill by its name and digest (`review@sha256:…`, which
    /// rules naming `review` match); a file run by path by its absolute
    /// path and digest (`file:/abs/x.wasm@sha256:…`, which only rules
    /// naming `file:/abs/x.wasm` match, never a rule written for a name).
    pub fn identity(&self) -> String {
        let digest = || {
            let hex: String = self.digest().iter().map(|b| format!("{b:02x}")).collect();
            format!("sha256:{hex}")
        };
        match &self.origin {
            Origin::Builtin => self.name.clone(),
            Origin::Installed(_) => format!("{}@{}", self.name, digest()),
            Origin::File(path) => {
                let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
                let path = path.canonicalize().unwrap_or(path);
                format!("file:{}@{}", path.display(), digest())
            }
        }
    }
}

/// Why a skill could not be found or read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("no skill named `{0}`")]
    Unknown(String),
    #[error("cannot read {path}: {error}")]
    Read { path: PathBuf, error: std::io::Error },
    #[error("{path}: {error}")]
    Package { path: String, error: PackageError },
    /// An installed skill whose file is not the one `skills.lock` pins.
    #[error("{0}")]
    Locked(#[from] super::install::InstallError),
}

/// Where installed skills live: `$GROVE_HOME/skills`, else
/// `$XDG_DATA_HOME/grove/skills`, else `~/.local/share/grove/skills`.
pub fn installed_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os(crate::env::GROVE_HOME) {
        return Some(PathBuf::from(home).join("skills"));
    }
    let base = std::env::var_os(crate::env::XDG_DATA_HOME)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os(crate::env::HOME).map(|h| Path::new(&h).join(".local/share")))?;
    Some(base.join("grove").join("skills"))
}

/// Find a skill: a path (anything with a `/` or ending in `.wasm`), else a
/// built-in name, else an installed one.
pub fn resolve(spec: &str) -> Result<SkillSource, SourceError> {
    if spec.contains('/') || spec.ends_with(".wasm") {
        return from_file(Path::new(spec), Origin::File(PathBuf::from(spec)));
    }
    if let Some(bytes) = builtin::get(spec) {
        return load(spec, Cow::Borrowed(bytes), Origin::Builtin);
    }
    if let Some(path) = installed_dir().map(|d| d.join(format!("{spec}.wasm")))
        && path.is_file()
    {
        let mut source = from_file(&path, Origin::Installed(path.clone()))?;
        let entry = super::install::lock::check_installed(spec, &path, &source.bytes)?;
        source.granted = Some(super::install::granted(&entry));
        return Ok(source);
    }
    Err(SourceError::Unknown(spec.to_string()))
}

fn from_file(path: &Path, origin: Origin) -> Result<SkillSource, SourceError> {
    let bytes = fs::read(path).map_err(|error| SourceError::Read { path: path.to_path_buf(), error })?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    load(&stem, Cow::Owned(bytes), origin)
}

fn load(fallback_name: &str, bytes: Cow<'static, [u8]>, origin: Origin) -> Result<SkillSource, SourceError> {
    let info = manifest::inspect(&bytes).map_err(|error| SourceError::Package {
        path: match &origin {
            Origin::Builtin => format!("built-in skill {fallback_name}"),
            Origin::Installed(p) | Origin::File(p) => p.display().to_string(),
        },
        error,
    })?;
    let name = info.manifest.as_ref().map_or_else(|| fallback_name.to_string(), |m| m.name.clone());
    Ok(SkillSource { name, bytes, origin, info, granted: None, digest: std::sync::OnceLock::new() })
}

/// The known skill name closest to `name`, if it is a likely typo.
pub fn suggest(name: &str) -> Option<String> {
    list()
        .into_iter()
        .filter_map(Result::ok)
        .map(|s| (strsim::levenshtein(name, &s.name), s.name))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, name)| name)
}

/// Every built-in and installed skill, built-ins first, each sorted by
/// name. Installed files that are not valid skills are reported, not
/// hidden.
pub fn list() -> Vec<Result<SkillSource, SourceError>> {
    let mut out: Vec<_> = builtin::all()
        .iter()
        .map(|(name, bytes)| load(name, Cow::Borrowed(*bytes), Origin::Builtin))
        .collect();
    if let Some(dir) = installed_dir()
        && let Ok(entries) = fs::read_dir(&dir)
    {
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
            .collect();
        paths.sort();
        out.extend(paths.into_iter().map(|p| from_file(&p, Origin::Installed(p.clone()))));
    }
    out
}
