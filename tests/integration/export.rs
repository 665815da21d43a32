//! `workspace.export-commit`: the files of an older commit written into a
//! new folder of the worktree, unseen by git; and every way a skill could
//! try to write elsewhere with it.

use std::os::unix::fs::PermissionsExt;

use crate::support::{grove, probe};

/// A repository whose first commit has an executable script, a symlink
/// and a folder, and whose second changes a file; the first commit's id.
fn history() -> (tempfile::TempDir, String) {
    let dir =
        grove_tests::repo_with(&[("index.html", "<p>old</p>\n"), ("bin/serve.sh", "#!/bin/sh\necho old\n")]);
    let root = dir.path();
    std::fs::set_permissions(root.join("bin/serve.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink("../index.html", root.join("bin/page")).unwrap();
    let git = git2::Repository::open(root).unwrap();
    let first = grove_tests::commit_all(&git, "with a script and a link").to_string();
    grove_tests::write(root, "index.html", "<p>new</p>\n");
    grove_tests::commit_all(&git, "change the page");
    (dir, first)
}

fn export(root: &std::path::Path, args: &[&str]) -> crate::support::Run {
    let mut all = vec!["run", "--allow", "workspace:write", probe(), "export-commit"];
    all.extend_from_slice(args);
    grove(root, &all)
}

#[test]
fn a_commit_is_written_into_a_new_folder_that_git_does_not_see() {
    let (dir, first) = history();
    let root = dir.path();
    let run = export(root, &[&first, "old"]).expect(0);
    assert!(run.stdout.contains("exported"), "{}", run.stdout);
    assert_eq!(std::fs::read_to_string(root.join("old/index.html")).unwrap(), "<p>old</p>\n");
    let mode = std::fs::metadata(root.join("old/bin/serve.sh")).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0o111, "the script is still executable");
    assert_eq!(std::fs::read_link(root.join("old/bin/page")).unwrap().to_str(), Some("../index.html"));
    assert!(!root.join("old/.git").exists());
    // The worktree is as clean as before: git never sees the copy.
    let status =
        std::process::Command::new("git").args(["status", "--porcelain"]).current_dir(root).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&status.stdout), "");
    // Never over what is there.
    let run = export(root, &[&first, "old"]).expect(2);
    assert!(run.stderr.contains("\"old\" already exists"), "{}", run.stderr);
    let run = export(root, &["no-such-commit", "other"]).expect(1);
    assert!(run.stderr.contains("no-such-commit"), "{}", run.stderr);
    assert!(!root.join("other").exists(), "a failed export leaves nothing");
}

#[test]
fn an_export_cannot_land_outside_the_worktree_or_in_git_or_groves_folders() {
    let (dir, first) = history();
    let root = dir.path();
    for path in ["../outside", "/tmp/grove-export-attack", ".git/hooks/old", ".grove/old"] {
        let run = export(root, &[&first, path]).expect(1);
        assert!(run.stderr.contains("denied workspace.export-commit"), "{path}: {}", run.stderr);
    }
    assert!(!root.parent().unwrap().join("outside").exists());
    assert!(!std::path::Path::new("/tmp/grove-export-attack").exists());
    assert!(!root.join(".git/hooks/old").exists() && !root.join(".grove/old").exists());
    // A folder that is a link out of the worktree is not followed.
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), root.join("away")).unwrap();
    let run = export(root, &[&first, "away/old"]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0, "written through the link");
}

#[test]
fn an_export_counts_against_the_write_limit() {
    let big = "x".repeat(3 << 20);
    let dir = grove_tests::repo_with(&[("big.txt", &big)]);
    let root = dir.path();
    let run = grove(
        root,
        &["run", "--allow", "workspace:write", "--write-limit", "1", probe(), "export-commit", "HEAD", "old"],
    )
    .expect(1);
    assert!(run.stderr.contains("write limit"), "{}", run.stderr);
    assert!(!root.join("old").exists(), "a half-written export was left");
}
