//! One session's evidence bundle: `<git dir>/grove/evidence/<name>/`, the
//! files and a manifest that lists them.
//!
//! The host writes every byte: a skill hands over the content, a kind and
//! a caption, never a path. Each file is written under a name the host
//! makes, then renamed into place; the manifest is rewritten whole and
//! renamed over the old one, so a grove killed mid-write leaves the last
//! complete manifest, never a torn one.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The manifest's file name inside a bundle.
pub const MANIFEST: &str = "manifest.json";

/// What a piece of evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Gif,
    Png,
    Log,
    Json,
    Markdown,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Gif, Kind::Png, Kind::Log, Kind::Json, Kind::Markdown];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Gif => "gif",
            Kind::Png => "png",
            Kind::Log => "log",
            Kind::Json => "json",
            Kind::Markdown => "markdown",
        }
    }

    /// The file extension the host gives it.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Gif => "gif",
            Kind::Png => "png",
            Kind::Log => "log",
            Kind::Json => "json",
            Kind::Markdown => "md",
        }
    }

    /// Whether `bytes` look like this kind: images by their signature, text
    /// kinds as UTF-8, JSON as JSON. A page shows what the manifest claims.
    fn admits(self, bytes: &[u8]) -> bool {
        match self {
            Kind::Gif => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
            Kind::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            Kind::Log | Kind::Markdown => std::str::from_utf8(bytes).is_ok(),
            Kind::Json => serde_json::from_slice::<serde_json::Value>(bytes).is_ok(),
        }
    }
}

/// One piece of evidence, as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub kind: Kind,
    pub caption: String,
    /// The file's name inside the bundle.
    pub file: String,
    pub sha256: String,
    pub size: u64,
    /// The skill that added it.
    pub skill: String,
    /// When, RFC 3339 UTC.
    pub time: String,
    /// The commit it shows, when the skill knew it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// What a skill adds.
#[derive(Debug, Clone)]
pub struct New<'a> {
    pub kind: Kind,
    pub caption: &'a str,
    pub bytes: &'a [u8],
    pub skill: &'a str,
    pub commit: Option<&'a str>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the content is not {}", .0.as_str())]
    NotOfKind(Kind),
    #[error("the evidence bundle {} holds at most {max} MiB", .path.display(), max = MAX_BUNDLE >> 20)]
    Full { path: PathBuf },
    #[error("no evidence bundle named `{0}`")]
    NotFound(String),
    #[error("the manifest {} is not readable", .path.display())]
    Manifest {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("writing the evidence bundle {}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Most bytes one bundle holds: evidence is for a person to look at.
pub const MAX_BUNDLE: u64 = 256 << 20;
/// Longest caption kept.
const MAX_CAPTION: usize = 500;

/// A bundle on disk.
#[derive(Debug, Clone)]
pub struct Bundle {
    name: String,
    dir: PathBuf,
}

/// Where the bundles of the repository whose git directory is `git_dir` live.
pub fn root(git_dir: &Path) -> PathBuf {
    git_dir.join("grove").join("evidence")
}

impl Bundle {
    /// The bundle `name` of the repository at `git_dir`; nothing is made
    /// until something is added.
    pub fn at(git_dir: &Path, name: &str) -> Bundle {
        Bundle { name: name.to_string(), dir: root(git_dir).join(name) }
    }

    /// The bundle of one run of `skill` outside a session: named by the
    /// time it started and the skill.
    pub fn for_run(git_dir: &Path, skill: &str) -> Bundle {
        let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
        let stamp: String = stamp.chars().filter(char::is_ascii_digit).collect();
        Bundle::at(git_dir, &format!("run-{stamp}-{}", slug(skill)))
    }

    /// An existing bundle.
    pub fn open(git_dir: &Path, name: &str) -> Result<Bundle, Error> {
        let bundle = Bundle::at(git_dir, name);
        if !bundle.dir.join(MANIFEST).is_file() {
            return Err(Error::NotFound(name.to_string()));
        }
        Ok(bundle)
    }

    /// The bundles of a repository, by name.
    pub fn list(git_dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(root(git_dir))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().join(MANIFEST).is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        names.sort();
        names
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the bundle holds, in the order it was added.
    pub fn entries(&self) -> Result<Vec<Entry>, Error> {
        let path = self.dir.join(MANIFEST);
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| Error::Manifest { path, source }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(Error::Io { path, source }),
        }
    }

    /// Add a piece of evidence: the file under a name the host makes, then
    /// the manifest. Returns the entry.
    pub fn add(&self, new: New<'_>) -> Result<Entry, Error> {
        if !new.kind.admits(new.bytes) {
            return Err(Error::NotOfKind(new.kind));
        }
        let mut entries = self.entries()?;
        let held: u64 = entries.iter().map(|e| e.size).sum();
        if held + new.bytes.len() as u64 > MAX_BUNDLE {
            return Err(Error::Full { path: self.dir.clone() });
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let file = format!("{:03}-{}.{}", entries.len() + 1, slug(new.caption), new.kind.extension());
        let path = self.dir.join(&file);
        write_atomically(&path, new.bytes).map_err(io(&path))?;
        let entry = Entry {
            kind: new.kind,
            caption: new.caption.chars().take(MAX_CAPTION).collect(),
            file,
            sha256: hex(&Sha256::digest(new.bytes)),
            size: new.bytes.len() as u64,
            skill: new.skill.to_string(),
            time: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            commit: new.commit.map(str::to_string),
        };
        entries.push(entry.clone());
        let manifest = self.dir.join(MANIFEST);
        let json = serde_json::to_vec_pretty(&entries).expect("entries serialize");
        write_atomically(&manifest, &json).map_err(io(&manifest))?;
        Ok(entry)
    }
}

/// Write `bytes` to a temporary file beside `path`, flush it to disk, then
/// rename it over `path`: a reader sees the old file or the new, whole.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A caption as a short file-name part: lowercase ASCII letters, digits
/// and dashes.
fn slug(caption: &str) -> String {
    let mut out = String::new();
    for c in caption.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() { "evidence".to_string() } else { out.to_string() }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\nrest";

    #[test]
    fn files_get_host_made_names_and_the_manifest_lists_them() {
        let git = tempfile::tempdir().unwrap();
        let bundle = Bundle::at(git.path(), "s1");
        assert!(bundle.entries().unwrap().is_empty());
        let new = |kind, caption, bytes| New { kind, caption, bytes, skill: "evidence", commit: Some("abc") };
        let a = bundle.add(new(Kind::Png, "../../etc/passwd <b>", PNG)).unwrap();
        assert_eq!(a.file, "001-etc-passwd-b.png");
        let b = bundle.add(new(Kind::Markdown, "", b"# notes")).unwrap();
        assert_eq!(b.file, "002-evidence.md");
        let listed = Bundle::open(git.path(), "s1").unwrap().entries().unwrap();
        assert_eq!(listed, vec![a.clone(), b]);
        assert_eq!(a.size, PNG.len() as u64);
        assert_eq!(a.sha256, hex(&Sha256::digest(PNG)));
        assert!(git.path().join("grove/evidence/s1/001-etc-passwd-b.png").is_file());
        assert_eq!(Bundle::list(git.path()), ["s1"]);
    }

    #[test]
    fn content_must_be_what_its_kind_says() {
        let git = tempfile::tempdir().unwrap();
        let bundle = Bundle::at(git.path(), "s1");
        let new = |kind, bytes| New { kind, caption: "x", bytes, skill: "s", commit: None };
        assert!(matches!(bundle.add(new(Kind::Gif, PNG)), Err(Error::NotOfKind(Kind::Gif))));
        assert!(matches!(bundle.add(new(Kind::Json, b"{not json")), Err(Error::NotOfKind(Kind::Json))));
        assert!(matches!(bundle.add(new(Kind::Log, b"\xff\xfe")), Err(Error::NotOfKind(Kind::Log))));
        assert!(bundle.entries().unwrap().is_empty());
        assert!(matches!(Bundle::open(git.path(), "s1"), Err(Error::NotFound(_))));
    }
}
