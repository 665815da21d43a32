//! What the server reads from the bare repository the branches were
//! pushed to: a branch's commit, the lines a pull request's diff shows
//! (where GitHub lets a review comment go), and raw files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The commit branch `name` points at, if it exists.
pub fn branch_sha(bare: &Path, name: &str) -> Option<String> {
    let repo = git2::Repository::open_bare(bare).ok()?;
    let reference = repo.find_reference(&format!("refs/heads/{name}")).ok()?;
    Some(reference.peel_to_commit().ok()?.id().to_string())
}

/// Per path, the lines of each side the diff of `head` against its merge
/// base with `base` shows (its hunks, with three lines of context, as
/// GitHub shows them): `RIGHT` is the new file's, `LEFT` the old file's.
pub fn lines_in_diff(bare: &Path, base: &str, head_sha: &str) -> BTreeMap<(String, String), BTreeSet<u32>> {
    let mut out: BTreeMap<(String, String), BTreeSet<u32>> = BTreeMap::new();
    let Ok(repo) = git2::Repository::open_bare(bare) else { return out };
    let Ok(head) = git2::Oid::from_str(head_sha).and_then(|id| repo.find_commit(id)) else { return out };
    let Some(base) = branch_sha(bare, base).and_then(|s| git2::Oid::from_str(&s).ok()) else { return out };
    let Ok(merge_base) = repo.merge_base(base, head.id()).and_then(|id| repo.find_commit(id)) else {
        return out;
    };
    let (Ok(old), Ok(new)) = (merge_base.tree(), head.tree()) else { return out };
    let Ok(diff) = repo.diff_tree_to_tree(Some(&old), Some(&new), None) else { return out };
    let _ = diff.foreach(
        &mut |_, _| true,
        None,
        None,
        Some(&mut |delta, _hunk, line| {
            let path = delta.new_file().path().or(delta.old_file().path());
            let path = path.map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
            if let Some(n) = line.new_lineno() {
                out.entry((path.clone(), "RIGHT".into())).or_default().insert(n);
            }
            if let Some(n) = line.old_lineno() {
                out.entry((path, "LEFT".into())).or_default().insert(n);
            }
            true
        }),
    );
    out
}

/// The bytes of `path` on branch `branch`.
pub fn raw(bare: &Path, branch: &str, path: &str) -> Option<Vec<u8>> {
    let repo = git2::Repository::open_bare(bare).ok()?;
    let commit = repo.find_reference(&format!("refs/heads/{branch}")).ok()?.peel_to_commit().ok()?;
    let entry = commit.tree().ok()?.get_path(Path::new(path)).ok()?;
    let blob = repo.find_blob(entry.id()).ok()?;
    Some(blob.content().to_vec())
}
