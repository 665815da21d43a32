//! Installing community skills safely: from a path, a URL pinned by its
//! digest, an OCI registry or a git commit (`source.rs` and a file per
//! kind); checked against its digest, compiled, its manifest read (or asked
//! of its `describe` export), its signature and the enterprise's rules
//! judged (`signature.rs`, `trust.rs`), shown to the human for consent
//! (`consent.rs`), and pinned in `skills.lock` (`lock.rs`) with an audit
//! line. A repository may list the skills it expects (`project.rs`).

pub mod consent;
pub mod digest;
mod error;
mod git;
mod http;
pub mod lock;
pub mod oci;
pub mod project;
pub mod signature;
pub mod source;
pub mod trust;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use error::InstallError;

use self::consent::{Asking, Offer};
use self::digest::Digest;
use self::lock::{Entry, Lock};
use self::source::Source;
use self::trust::{Signed, Trust};
use super::manifest::{self, Manifest};
use super::{builtin, source as skills};
use crate::gate::policy::Policy;
use crate::gate::{Grants, Permission, PermissionSet};
use crate::runtime::{Limits, Runtime, RuntimeConfig};

/// The largest component grove installs.
pub const MAX_COMPONENT: u64 = 64 << 20;
/// The largest signature file grove reads.
pub const MAX_SIGNATURE: u64 = 16 << 10;

/// A component's bytes and the signature that came beside it.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub signature: Option<String>,
}

/// One install or update.
#[derive(Debug, Clone)]
pub struct Request {
    pub source: Source,
    /// A digest the component must have besides the one its source pins
    /// (a repository's `.grove/skills.toml` names one).
    pub expected: Option<Digest>,
    pub asking: Asking,
    /// Replace an installed skill with an older version, or with the same
    /// bytes again.
    pub force: bool,
    /// Host rules for reaching the network (the policy's `[hosts]`).
    pub policy: Arc<Policy>,
    /// Where consent and refusals are audited.
    pub audit_log: Option<PathBuf>,
}

/// What an install did.
#[derive(Debug, Clone)]
pub struct Installed {
    pub entry: Entry,
    pub path: PathBuf,
    pub previous: Option<Entry>,
    /// The same bytes were already installed: nothing was written.
    pub already: bool,
}

/// Fetch a source's bytes and signature.
pub async fn fetch(source: &Source, policy: Arc<Policy>) -> Result<Fetched, InstallError> {
    match source {
        Source::Path(path) => {
            let read_err = |error| InstallError::Read { path: path.clone(), error };
            let size = std::fs::metadata(path).map_err(read_err)?.len();
            if size > MAX_COMPONENT {
                return Err(InstallError::TooLarge {
                    what: path.display().to_string(),
                    limit: MAX_COMPONENT,
                });
            }
            let bytes = std::fs::read(path).map_err(read_err)?;
            let signature = match std::fs::read_to_string(signature::beside(path)) {
                Ok(text) => Some(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(error) => return Err(InstallError::Read { path: signature::beside(path), error }),
            };
            Ok(Fetched { bytes, signature })
        }
        Source::Url { url, .. } => http::fetch(url, policy).await,
        Source::Oci { reference, registry } => oci::fetch(reference, registry, policy).await,
        Source::Git { url, commit, path } => {
            // The same host rules as the other remote sources (a
            // repository's `.grove/skills.toml` names them, and may be
            // hostile), checked before the user's git reaches out.
            if let Some(host) = reqwest::Url::parse(url).ok().filter(|u| u.scheme() != "file").and_then(|u| {
                u.host_str().map(|h| h.trim_start_matches('[').trim_end_matches(']').to_string())
            }) {
                http::reachable(&policy, &host).await.map_err(|why| InstallError::fetch(source, why))?;
            }
            let (url, commit, path) = (url.clone(), commit.clone(), path.clone());
            tokio::task::spawn_blocking(move || git::fetch(&url, &commit, &path))
                .await
                .map_err(|e| InstallError::fetch("git", e))?
        }
    }
}

/// Install (or update) the skill `req` names. `show` is handed the text
/// the human consents to; `ask` asks them on the terminal.
pub async fn install(
    req: &Request,
    show: &mut dyn FnMut(&str),
    ask: impl FnOnce(&str) -> Result<bool, InstallError>,
) -> Result<Installed, InstallError> {
    let result = install_inner(req, show, ask).await;
    if let Err(e) = &result {
        audit(req, None, "deny", "-", &e.to_string());
    }
    result
}

async fn install_inner(
    req: &Request,
    show: &mut dyn FnMut(&str),
    ask: impl FnOnce(&str) -> Result<bool, InstallError>,
) -> Result<Installed, InstallError> {
    let trust = Trust::load()?;
    trust.check_registry(&req.source)?;
    let fetched = fetch(&req.source, req.policy.clone()).await?;
    let digest = Digest::of(&fetched.bytes);
    let what = req.source.to_string();
    for expected in req.source.pinned().into_iter().chain(&req.expected) {
        if *expected != digest {
            return Err(InstallError::DigestMismatch { what, expected: expected.clone(), actual: digest });
        }
    }
    let signed = trust.judge(fetched.signature.as_deref(), &digest)?;
    let info = manifest::inspect(&fetched.bytes)
        .map_err(|error| InstallError::Package { what: what.clone(), error })?;
    // Compiling proves it is a component grove can run, and fills the cache.
    let runtime = Runtime::new(&RuntimeConfig::default(), crate::caps::link)
        .map_err(|e| InstallError::Describe(format!("starting the runtime: {e:#}")))?;
    let prepared =
        runtime.prepare(&fetched.bytes).map_err(|e| InstallError::Describe(format!("{what}: {e}")))?;
    let (manifest, from) = match info.manifest {
        Some(m) => (m, "section"),
        None => (describe(&runtime, &prepared, &what).await?, "describe"),
    };
    if builtin::get(&manifest.name).is_some() {
        return Err(InstallError::Builtin(manifest.name));
    }
    let requested =
        manifest.requested().map_err(|error| InstallError::Package { what: what.clone(), error })?;
    let (lock, lock_path) = Lock::load()?;
    let previous = lock.get(&manifest.name).cloned();
    let dest = skills::installed_dir().ok_or(InstallError::NoHome)?.join(format!("{}.wasm", manifest.name));
    if let Some(old) = &previous {
        if old.digest == digest && !req.force && dest.is_file() {
            return Ok(Installed { entry: old.clone(), path: dest, previous, already: true });
        }
        if older(&manifest.version, &old.version) && !req.force {
            return Err(InstallError::Downgrade(format!(
                "{} {} is older than the installed {}: a downgrade may bring back what a newer version fixed (use --force to install it anyway)",
                manifest.name, manifest.version, old.version
            )));
        }
    }
    let offer = Offer {
        name: manifest.name.clone(),
        version: manifest.version.clone(),
        source: what.clone(),
        digest: digest.to_string(),
        publisher: signed.describe(),
        manifest: from,
        permissions: requested.iter().collect(),
        imports: info.imports.clone(),
    };
    show(&consent::render(&offer, previous.as_ref()));
    let consent = consent::decide(&offer, previous.as_ref(), req.asking, ask)?;
    write_atomically(&dest, &fetched.bytes)?;
    let entry = Entry {
        name: manifest.name.clone(),
        version: manifest.version.clone(),
        source: what,
        digest,
        publisher: signed.publisher().map(str::to_string),
        permissions: offer.permissions.iter().map(|p| p.as_str().to_string()).collect(),
        imports: info.imports,
        manifest: from.to_string(),
        consent: consent.to_string(),
        installed: crate::gate::now(),
    };
    Lock::update(&lock_path, |lock| lock.put(entry.clone()))?;
    let verb = if previous.is_some() { "update" } else { "install" };
    audit(req, Some(&entry), "allow", verb, &format!("consent: {consent}"));
    if let Signed::UnknownKey(id) = &signed {
        tracing::warn!(skill = %entry.name, key = %id, "installed with a signature by an unknown key");
    }
    Ok(Installed { entry, path: dest, previous, already: false })
}

/// Remove an installed skill: its file and its entry.
pub fn remove(name: &str, audit_log: Option<PathBuf>) -> Result<Entry, InstallError> {
    let lock_path = lock::path().ok_or(InstallError::NoHome)?;
    let dir = skills::installed_dir().ok_or(InstallError::NoHome)?;
    let file = dir.join(format!("{name}.wasm"));
    let entry = Lock::update(&lock_path, |lock| lock.remove(name))?;
    if entry.is_none() && !file.is_file() {
        return Err(InstallError::NotInstalled(name.to_string()));
    }
    match std::fs::remove_file(&file) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(InstallError::Write { path: file, error }),
    }
    let entry = entry.unwrap_or_else(|| Entry {
        name: name.to_string(),
        version: "?".into(),
        source: file.display().to_string(),
        digest: Digest::of(b""),
        publisher: None,
        permissions: Vec::new(),
        imports: Vec::new(),
        manifest: "?".into(),
        consent: "-".into(),
        installed: String::new(),
    });
    if let Some(path) = audit_log {
        append_audit(&path, &entry, &entry.source, "allow", "remove", "human:command");
    }
    Ok(entry)
}

/// What `describe` says of a component without a manifest section, run
/// with no capabilities granted at all.
async fn describe(
    runtime: &Runtime<crate::caps::Caps>,
    prepared: &crate::runtime::PreparedSkill<crate::caps::Caps>,
    what: &str,
) -> Result<Manifest, InstallError> {
    let scratch =
        tempfile::tempdir().map_err(|e| InstallError::Describe(format!("a scratch folder: {e}")))?;
    let limits = Limits::default();
    let none = Grants { requested: PermissionSet::EMPTY, granted: PermissionSet::EMPTY };
    let caps = crate::caps::Caps::new("describe", scratch.path(), none, &limits)
        .map_err(|e| InstallError::Describe(format!("{what}: {e}")))?;
    let info = runtime.describe(prepared, caps, &limits).await.map_err(|e| {
        InstallError::Describe(format!("{what} has no grove:manifest section and its describe failed: {e}"))
    })?;
    let m = Manifest::from(info);
    // The same checks as a manifest section's.
    let json = serde_json::to_vec(&m).expect("a manifest serializes");
    Manifest::parse(&json).map_err(|error| InstallError::Package { what: what.to_string(), error })
}

/// Whether version `a` is older than `b`, comparing dotted numbers (a
/// part that is not a number compares as text).
pub fn older(a: &str, b: &str) -> bool {
    let parts = |v: &str| -> Vec<(u64, String)> {
        v.split(['.', '-', '+']).map(|p| (p.parse().unwrap_or(u64::MAX), p.to_string())).collect()
    };
    parts(a) < parts(b)
}

fn write_atomically(dest: &Path, bytes: &[u8]) -> Result<(), InstallError> {
    use std::io::Write;
    let err = |error| InstallError::Write { path: dest.to_path_buf(), error };
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(dest).map_err(|e| err(e.error))?;
    Ok(())
}

/// The permissions an installed skill's entry grants.
pub fn granted(entry: &Entry) -> PermissionSet {
    entry.permissions.iter().filter_map(|p| p.parse::<Permission>().ok()).collect()
}

fn audit(req: &Request, entry: Option<&Entry>, decision: &str, verb: &str, why: &str) {
    let Some(path) = &req.audit_log else { return };
    let target = req.source.to_string();
    match entry {
        Some(entry) => {
            let by = if entry.consent == "terminal" {
                "human:terminal".to_string()
            } else {
                entry.consent.clone()
            };
            append_audit(path, entry, &target, decision, verb, &by)
        }
        None => {
            let record = crate::gate::AuditRecord {
                time: crate::gate::now(),
                skill: "-",
                skill_id: "-",
                session: None,
                capability: "skill",
                verb: "install",
                target: &target,
                permission: "-",
                effect: "write",
                mode: "-",
                level: "-",
                reasons: &[format!("refused: {why}")],
                decision,
                decided_by: "grove",
                approval: None,
            };
            write_record(path, &record);
        }
    }
}

/// One audit line for an install, update or removal: who, which
/// permissions, by whose consent.
fn append_audit(path: &Path, entry: &Entry, target: &str, decision: &str, verb: &str, by: &str) {
    let id = format!("{}@{}", entry.name, entry.digest);
    let permission = if entry.permissions.is_empty() { "-".to_string() } else { entry.permissions.join(",") };
    let mut reasons = vec![format!("publisher: {}", entry.publisher.as_deref().unwrap_or("unsigned"))];
    reasons.push(format!("imports: {}", entry.imports.join(", ")));
    let record = crate::gate::AuditRecord {
        time: crate::gate::now(),
        skill: &entry.name,
        skill_id: &id,
        session: None,
        capability: "skill",
        verb,
        target,
        permission: &permission,
        effect: "write",
        mode: "-",
        level: "-",
        reasons: &reasons,
        decision,
        decided_by: by,
        approval: None,
    };
    write_record(path, &record);
}

fn write_record(path: &Path, record: &crate::gate::AuditRecord<'_>) {
    let written = crate::gate::AuditLog::open(path).and_then(|mut log| log.append(record));
    if let Err(e) = written {
        tracing::warn!(log = %path.display(), error = %e, "could not audit a skill install");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_number() {
        assert!(older("0.9.0", "0.10.0"));
        assert!(!older("1.0.0", "1.0.0"));
        assert!(!older("2.0", "1.9.9"));
        assert!(older("1.0", "1.0.1"));
    }
}
