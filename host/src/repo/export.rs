//! The files of one commit, one by one: what `workspace.export-commit`
//! writes into a folder to build or run an older version in.

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};

use super::{Error, git_error};

/// One entry of a commit's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File { path: String, bytes: Vec<u8>, executable: bool },
    Symlink { path: String, target: String },
}

/// Hand each file and symlink of `rev`'s tree to `each`, parents before
/// children (folders are implied by the paths). Submodules are left out:
/// their commits are not in this repository. `each` may stop the walk
/// by returning an error, which is returned.
pub fn files<E: From<Error>>(
    repo: &Repository,
    rev: &str,
    mut each: impl FnMut(Entry) -> Result<(), E>,
) -> Result<(), E> {
    let object =
        repo.revparse_single(rev).map_err(|_| Error::NotFound(format!("revision {rev:?} not found")))?;
    let tree = object.peel_to_tree().map_err(git_error)?;
    let mut failed = None;
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() != Some(ObjectType::Blob) {
            return TreeWalkResult::Ok;
        }
        let path = format!("{dir}{}", String::from_utf8_lossy(entry.name_bytes()));
        let blob = match repo.find_blob(entry.id()) {
            Ok(blob) => blob,
            Err(e) => {
                failed = Some(E::from(git_error(e)));
                return TreeWalkResult::Abort;
            }
        };
        let item = if entry.filemode() == i32::from(git2::FileMode::Link) {
            Entry::Symlink { path, target: String::from_utf8_lossy(blob.content()).into_owned() }
        } else {
            let executable = entry.filemode() == i32::from(git2::FileMode::BlobExecutable);
            Entry::File { path, bytes: blob.content().to_vec(), executable }
        };
        match each(item) {
            Ok(()) => TreeWalkResult::Ok,
            Err(e) => {
                failed = Some(e);
                TreeWalkResult::Abort
            }
        }
    })
    .or_else(|e| if failed.is_some() { Ok(()) } else { Err(git_error(e)) })?;
    failed.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_commit_and_nothing_after_it() {
        let dir = grove_tests::repo_with(&[("index.html", "old\n"), ("js/app.js", "let n = 0;\n")]);
        let repo = Repository::open(dir.path()).unwrap();
        let base = repo.head().unwrap().peel_to_commit().unwrap().id().to_string();
        grove_tests::write(dir.path(), "index.html", "new\n");
        grove_tests::commit_all(&repo, "change");
        let mut seen = Vec::new();
        files::<Error>(&repo, &base, |e| {
            seen.push(e);
            Ok(())
        })
        .unwrap();
        let paths: Vec<_> = seen
            .iter()
            .map(|e| match e {
                Entry::File { path, bytes, .. } => {
                    format!("{path}={}", String::from_utf8_lossy(bytes).trim())
                }
                Entry::Symlink { path, .. } => path.clone(),
            })
            .collect();
        assert!(paths.contains(&"index.html=old".to_string()), "{paths:?}");
        assert!(paths.contains(&"js/app.js=let n = 0;".to_string()), "{paths:?}");
        let e = files::<Error>(&repo, "no-such-rev", |_| Ok(())).unwrap_err();
        assert!(e.to_string().contains("no-such-rev"), "{e}");
        // A stop asked for by the caller ends the walk with its error.
        let mut count = 0;
        let e = files(&repo, &base, |_| {
            count += 1;
            Err(Error::Invalid("enough".into()))
        })
        .unwrap_err();
        assert_eq!(count, 1);
        assert!(e.to_string().contains("enough"), "{e}");
    }
}
