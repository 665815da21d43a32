//! The evidence branch: `grove-evidence` on the remote, one folder per
//! session holding the files of its evidence bundle, so that a pull
//! request's body can show the GIFs and screenshots inline from a URL the
//! code host serves (`{web}/{owner}/{repo}/raw/grove-evidence/<session>/<file>`),
//! which works the same on GitHub Enterprise, with no upload API.
//!
//! Why a branch of its own: evidence is large and binary and belongs to no
//! commit of the work; on the session's branch it would be merged with the
//! change. The commit is built from blobs and trees in the object database
//! alone (no checkout, no index, nothing of the user's worktrees touched),
//! on top of the remote's branch as just fetched, so each session's folder
//! is replaced and every other session's kept; a push that loses a race
//! with another fetches and builds again.

use git2::{Oid, Repository, Signature};

use crate::repo::remote::{RemoteError, fetch, push};

/// The branch on the remote.
pub const BRANCH: &str = "grove-evidence";
/// Where grove keeps its copy of the remote's branch, outside `refs/heads`.
const REMOTE_COPY: &str = "refs/grove/evidence-remote";
/// The commit grove builds, pushed from here.
const BUILT: &str = "refs/grove/evidence";

/// One file to publish: its name in the session's folder and its bytes.
#[derive(Debug, Clone)]
pub struct File<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// What becomes of a session's folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// It holds these files and no others (a whole bundle).
    Replace,
    /// These files join what it holds (one attachment).
    Add,
}

/// Put `files` in folder `session` of the evidence branch on `remote`, and
/// push it together with `along` (the session's branch: one push, so one
/// `git` for both, and neither lands without the other). Returns the
/// commit pushed (`None` when the evidence did not change; `along` is
/// pushed all the same).
pub fn publish(
    repo: &Repository,
    remote: &str,
    session: &str,
    files: &[File<'_>],
    folder: Folder,
    along: &[&str],
) -> Result<Option<Oid>, RemoteError> {
    const TRIES: usize = 3;
    for attempt in 1..=TRIES {
        fetch(repo, remote, &[&format!("+refs/heads/{BRANCH}:{REMOTE_COPY}")])?;
        let parent = repo.find_reference(REMOTE_COPY).ok().and_then(|r| r.peel_to_commit().ok());
        let base = parent.as_ref().map(|p| p.tree()).transpose()?;
        let tree = tree_with(repo, base.as_ref(), session, files, folder)?;
        if parent.as_ref().is_some_and(|p| p.tree_id() == tree) {
            if !along.is_empty() {
                push(repo, remote, along)?;
            }
            return Ok(None);
        }
        let signature = Signature::now("grove", "grove@localhost")?;
        let tree = repo.find_tree(tree)?;
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let message = format!("evidence of {session}");
        let commit = repo.commit(None, &signature, &signature, &message, &tree, &parents)?;
        repo.reference(BUILT, commit, true, "grove evidence")?;
        let evidence = format!("{BUILT}:refs/heads/{BRANCH}");
        let refspecs: Vec<&str> = along.iter().copied().chain([evidence.as_str()]).collect();
        match push(repo, remote, &refspecs) {
            Ok(()) => return Ok(Some(commit)),
            // Another session published between the fetch and the push
            // (a refusal of `along` is the caller's to hear).
            Err(RemoteError::Rejected { refname, .. })
                if attempt < TRIES && refname == format!("refs/heads/{BRANCH}") =>
            {
                continue;
            }
            Err(e) => return Err(e),
        }
    }
    unreachable!("the last try returns")
}

/// `base` with `files` in folder `session`.
fn tree_with(
    repo: &Repository,
    base: Option<&git2::Tree<'_>>,
    session: &str,
    files: &[File<'_>],
    mode: Folder,
) -> Result<Oid, git2::Error> {
    let existing = match (mode, base) {
        (Folder::Add, Some(base)) => base.get_name(session).and_then(|e| repo.find_tree(e.id()).ok()),
        _ => None,
    };
    let mut folder = repo.treebuilder(existing.as_ref())?;
    for file in files {
        let blob = repo.blob(file.bytes)?;
        folder.insert(file.name, blob, 0o100644)?;
    }
    let folder = folder.write()?;
    let mut root = repo.treebuilder(base)?;
    root.insert(session, folder, 0o040000)?;
    root.write()
}

/// The URL a file of the branch is served at.
pub fn raw_url(web: &str, owner: &str, repo: &str, session: &str, file: &str) -> String {
    format!("{web}/{owner}/{repo}/raw/{BRANCH}/{}/{}", encode_segment(session), encode_segment(file))
}

/// A path segment, percent-encoded beyond the characters a URL keeps.
fn encode_segment(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn publishing_replaces_one_folder_and_keeps_the_others() {
        let bare_dir = tempfile::tempdir().unwrap();
        Repository::init_bare(bare_dir.path()).unwrap();
        let work = tempfile::tempdir().unwrap();
        let repo = Repository::init(work.path()).unwrap();
        repo.remote("origin", bare_dir.path().to_str().unwrap()).unwrap();
        let one = [File { name: "001-a.gif", bytes: b"GIF89a one" }];
        assert!(publish(&repo, "origin", "s1", &one, Folder::Replace, &[]).unwrap().is_some());
        let two = [File { name: "001-b.png", bytes: b"png" }];
        publish(&repo, "origin", "s2", &two, Folder::Replace, &[]).unwrap();
        let again = [File { name: "002-c.png", bytes: b"c" }];
        publish(&repo, "origin", "s1", &again, Folder::Replace, &[]).unwrap();
        assert!(
            publish(&repo, "origin", "s1", &again, Folder::Replace, &[]).unwrap().is_none(),
            "nothing new, no commit"
        );

        let bare = Repository::open_bare(bare_dir.path()).unwrap();
        let tree = bare.find_reference("refs/heads/grove-evidence").unwrap().peel_to_tree().unwrap();
        assert!(tree.get_path(Path::new("s1/002-c.png")).is_ok());
        assert!(tree.get_path(Path::new("s1/001-a.gif")).is_err(), "the folder was replaced");
        assert!(tree.get_path(Path::new("s2/001-b.png")).is_ok(), "another session's kept");
        let added = [File { name: "shot.png", bytes: b"shot" }];
        publish(&repo, "origin", "s1", &added, Folder::Add, &[]).unwrap();
        let tree = bare.find_reference("refs/heads/grove-evidence").unwrap().peel_to_tree().unwrap();
        assert!(
            tree.get_path(Path::new("s1/002-c.png")).is_ok()
                && tree.get_path(Path::new("s1/shot.png")).is_ok()
        );
        // The worktree was never touched.
        assert_eq!(std::fs::read_dir(work.path()).unwrap().count(), 1, "only .git");
        assert_eq!(
            raw_url("https://github.com", "a", "b", "s 1", "x.gif"),
            "https://github.com/a/b/raw/grove-evidence/s%201/x.gif"
        );
    }
}
