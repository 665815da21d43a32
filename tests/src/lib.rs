//! Test support: paths of the compiled fixture guests, and real git
//! repositories in temporary folders.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

pub mod bench;
pub mod big_repo;
pub mod git_https;
pub mod github_server;
mod loopback;
pub mod model_server;
pub mod registry;
pub mod slack_server;

include!(concat!(env!("OUT_DIR"), "/guests.rs"));

/// A real git repository in a temporary folder, with one commit of
/// `files` (path, contents).
pub fn repo_with(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::Builder::new().prefix("grove-test-").tempdir().expect("temp dir");
    let repo = git2::Repository::init(dir.path()).expect("git init");
    for (path, contents) in files {
        let full = dir.path().join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(&full, contents).unwrap();
    }
    commit_all(&repo, "initial commit");
    dir
}

/// Stage everything and commit it.
pub fn commit_all(repo: &git2::Repository, message: &str) -> git2::Oid {
    let mut index = repo.index().unwrap();
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("Test", "test@example.com").unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents).unwrap()
}

/// Write a file (creating folders).
pub fn write(root: &Path, path: &str, contents: &str) {
    let full = root.join(path);
    fs::create_dir_all(full.parent().unwrap()).unwrap();
    fs::write(full, contents).unwrap();
}
