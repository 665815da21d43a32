//! Reading a component from a git repository at a pinned commit: the
//! commit is fetched with the user's `git` (so `https`, SSH and their
//! credentials work as for any clone) into a private bare copy, and the
//! file is read from the commit's tree, never from a checkout. A `.minisig` beside the file in
//! the same commit is its signature.

use std::path::Path;

use super::{Fetched, InstallError, MAX_COMPONENT, MAX_SIGNATURE};
use crate::repo::remote;

pub fn fetch(url: &str, commit: &str, path: &str) -> Result<Fetched, InstallError> {
    let what = format!("git+{url}#{commit}:{path}");
    let fail = |why: String| InstallError::fetch(&what, why);
    let scratch = tempfile::tempdir().map_err(|e| fail(format!("a scratch folder: {e}")))?;
    let repo = git2::Repository::init_bare(scratch.path()).map_err(|e| fail(e.message().to_string()))?;
    let oid = git2::Oid::from_str(commit).map_err(|e| fail(e.message().to_string()))?;
    // The commit alone, as GitHub and any protocol-v2 server allow; else
    // every branch and tag, so any commit they reach can be named.
    if remote::fetch_at(repo.path(), url, &[commit], &["--depth", "1"]).is_err()
        || repo.find_commit(oid).is_err()
    {
        let everything = ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"];
        remote::fetch_at(repo.path(), url, &everything, &[]).map_err(|e| fail(e.to_string()))?;
    }
    let found = repo.find_commit(oid).map_err(|_| fail(format!("the repository has no commit {commit}")))?;
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
