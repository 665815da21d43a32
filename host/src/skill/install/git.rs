//! Reading a component from a git repository at a pinned commit: the
//! repository is fetched into a private bare copy (every branch and tag,
//! so any commit they reach can be named), and the file is read from the
//! commit's tree, never from a checkout. A `.minisig` beside the file in
//! the same commit is its signature.

use std::path::Path;

use super::{Fetched, InstallError, MAX_COMPONENT, MAX_SIGNATURE};

pub fn fetch(url: &str, commit: &str, path: &str) -> Result<Fetched, InstallError> {
    let what = format!("git+{url}#{commit}:{path}");
    let fail = |why: String| InstallError::fetch(&what, why);
    let scratch = tempfile::tempdir().map_err(|e| fail(format!("a scratch folder: {e}")))?;
    let repo = git2::Repository::init_bare(scratch.path()).map_err(|e| fail(e.message().to_string()))?;
    let mut remote = repo.remote_anonymous(url).map_err(|e| fail(e.message().to_string()))?;
    remote.fetch(&["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"], None, None).map_err(|e| {
        // grove links libgit2 without its TLS transport (no OpenSSL).
        if url.starts_with("https://") && e.class() == git2::ErrorClass::Net {
            fail(format!(
                "{} (this grove reaches git repositories on this machine only: clone it and install from git+file://…)",
                e.message()
            ))
        } else {
            fail(e.message().to_string())
        }
    })?;
    let oid = git2::Oid::from_str(commit).map_err(|e| fail(e.message().to_string()))?;
    let found = repo
        .find_commit(oid)
        .map_err(|_| fail(format!("commit {commit} is not on any branch or tag of the repository")))?;
    let tree = found.tree().map_err(|e| fail(e.message().to_string()))?;
    let blob = |path: &Path, limit: u64| -> Result<Option<Vec<u8>>, InstallError> {
        let Ok(entry) = tree.get_path(path) else { return Ok(None) };
        let object = entry.to_object(&repo).map_err(|e| fail(e.message().to_string()))?;
        let blob = object.as_blob().ok_or_else(|| fail(format!("{} is not a file", path.display())))?;
        if blob.size() as u64 > limit {
            return Err(InstallError::TooLarge { what: what.clone(), limit });
        }
        Ok(Some(blob.content().to_vec()))
    };
    let bytes = blob(Path::new(path), MAX_COMPONENT)?
        .ok_or_else(|| fail(format!("commit {commit} has no file {path}")))?;
    let signature = blob(Path::new(&format!("{path}.minisig")), MAX_SIGNATURE)?
        .map(|s| String::from_utf8_lossy(&s).into_owned());
    Ok(Fetched { bytes, signature })
}
