//! `grove skill new NAME --lang …`: a project that builds, with one
//! command, into a packed component. The files are the example skills of
//! `examples/skills/` (built and run in CI), embedded in the binary, with
//! the example's name replaced by the new one, and the contract (`wit/`)
//! for the toolchains that read it.

use std::fmt;
use std::path::{Path, PathBuf};

/// The languages a project can be made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Rust,
    Python,
    Js,
    C,
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::Rust => "rust",
            Lang::Python => "python",
            Lang::Js => "js",
            Lang::C => "c",
        })
    }
}

/// The example's name, replaced by the new skill's in every file.
const EXAMPLE: &str = "todos";

/// Where a Rust project finds the SDK when not told: its repository.
pub const SDK_GIT: &str = "https://github.com/grove-dev/grove";

macro_rules! example {
    ($lang:literal, $($path:literal),+ $(,)?) => {
        &[$(($path, include_str!(concat!("../../../../examples/skills/", $lang, "/", $path)))),+]
    };
}

macro_rules! contract {
    ($($name:literal),+ $(,)?) => {
        &[$((concat!("wit/", $name), include_str!(concat!("../../../../wit/", $name)))),+]
    };
}

/// The contract, for the toolchains that generate bindings from it.
const WIT: &[(&str, &str)] = contract!(
    "world.wit",
    "types.wit",
    "log.wit",
    "ui.wit",
    "workspace.wit",
    "git.wit",
    "process.wit",
    "model.wit",
    "sessions.wit",
    "browser.wit",
    "evidence.wit",
    "review.wit",
    "notify.wit",
    "http.wit",
);

const RUST: &[(&str, &str)] =
    example!("rust", "Cargo.toml", "src/lib.rs", "grove.toml", "build.sh", ".gitignore");
const PYTHON: &[(&str, &str)] = example!("python", "app.py", "grove.toml", "build.sh", ".gitignore");
const JS: &[(&str, &str)] = example!(
    "js",
    "app.js",
    "build.mjs",
    "package.json",
    "package-lock.json",
    "grove.toml",
    "build.sh",
    ".gitignore",
);
const C: &[(&str, &str)] = example!(
    "c",
    "app.c",
    "grove.toml",
    "build.sh",
    ".gitignore",
    "adapter/Cargo.toml",
    "adapter/src/main.rs",
    "adapter/.gitignore",
);

/// Why a project was not written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("skill name {0:?} must be 1-64 characters of a-z, 0-9 and -, not starting with -")]
    Name(String),
    #[error("{0} already exists and is not empty")]
    Exists(PathBuf),
    #[error("writing {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// What a new project is made of.
#[derive(Debug, Clone)]
pub struct Project {
    pub name: String,
    pub lang: Lang,
    /// For Rust: how `Cargo.toml` names the SDK, `path = "…"` or the
    /// repository.
    pub sdk: Option<PathBuf>,
}

impl Project {
    /// The files of the project: (path in it, contents).
    pub fn files(&self) -> Result<Vec<(String, String)>, ScaffoldError> {
        let name = &self.name;
        if !valid_name(name) {
            return Err(ScaffoldError::Name(name.clone()));
        }
        let (own, wit) = match self.lang {
            Lang::Rust => (RUST, false),
            Lang::Python => (PYTHON, true),
            Lang::Js => (JS, true),
            Lang::C => (C, true),
        };
        let mut files: Vec<(String, String)> =
            own.iter().map(|(path, text)| (path.to_string(), text.replace(EXAMPLE, name))).collect();
        if self.lang == Lang::Rust {
            let sdk = match &self.sdk {
                Some(path) => format!("grove-sdk = {{ path = {:?} }}", path.display().to_string()),
                None => format!("grove-sdk = {{ git = {SDK_GIT:?} }}"),
            };
            for (path, text) in files.iter_mut().filter(|(p, _)| p == "Cargo.toml") {
                debug_assert!(text.contains("grove-sdk = { path = \"../../../sdk\" }"), "{path}");
                *text = text.replace("grove-sdk = { path = \"../../../sdk\" }", &sdk);
            }
        }
        if wit {
            files.extend(WIT.iter().map(|(path, text)| (path.to_string(), text.to_string())));
        }
        Ok(files)
    }

    /// Write the project into `dir`, which must not exist or be empty.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, ScaffoldError> {
        let files = self.files()?;
        if dir.read_dir().is_ok_and(|mut entries| entries.next().is_some()) {
            return Err(ScaffoldError::Exists(dir.to_path_buf()));
        }
        let mut written = Vec::new();
        for (rel, text) in files {
            let path = dir.join(&rel);
            let write = || -> std::io::Result<()> {
                std::fs::create_dir_all(path.parent().expect("a file in the project"))?;
                std::fs::write(&path, &text)?;
                if rel.ends_with(".sh") {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
                }
                Ok(())
            };
            write().map_err(|source| ScaffoldError::Write { path: path.clone(), source })?;
            written.push(path);
        }
        Ok(written)
    }
}

/// The rule a manifest's name follows (`manifest.rs`), checked before
/// anything is written.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('-')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests;
