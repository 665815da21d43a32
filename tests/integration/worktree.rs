//! The worktree manager on real repositories, cross-checked with the real
//! `git` program: what grove makes must be a worktree git fully accepts.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use grove::worktree::{Worktree, WorktreeError, Worktrees};
use tempfile::TempDir;

/// A repository at `<outer>/repo`, so the default worktree folder
/// `<outer>/repo.worktrees` is cleaned up with it.
struct Fixture {
    outer: TempDir,
    wts: Worktrees,
}

impl Fixture {
    fn new(files: &[(&str, &str)]) -> Fixture {
        let outer = tempfile::Builder::new().prefix("grove-wt-").tempdir().unwrap();
        let root = outer.path().join("repo");
        fs::create_dir(&root).unwrap();
        let repo = git2::Repository::init(&root).unwrap();
        for (path, contents) in files {
            grove_tests::write(&root, path, contents);
        }
        grove_tests::commit_all(&repo, "initial");
        let wts = Worktrees::open(&root).unwrap();
        Fixture { outer, wts }
    }

    fn root(&self) -> PathBuf {
        self.outer.path().join("repo").canonicalize().unwrap()
    }

    fn git(&self, args: &[&str]) -> String {
        git_in(&self.root(), args)
    }

    fn commit(&self, message: &str) -> String {
        let repo = git2::Repository::open(self.root()).unwrap();
        grove_tests::commit_all(&repo, message).to_string()
    }
}

/// Run git in `dir`; its stdout, asserting success.
fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?} in {} failed: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The bytes of a file, for before/after comparisons.
fn snapshot(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap()
}

/// Assert the worktree holds exactly the commit's tree: same paths, bytes,
/// exec bits and symlinks, nothing else but `.git`.
fn assert_matches_commit(wt: &Path, repo: &Path, rev: &str) {
    let repo = git2::Repository::open(repo).unwrap();
    let tree = repo.revparse_single(rev).unwrap().peel_to_tree().unwrap();
    let mut expected = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        let path = format!("{dir}{}", entry.name().unwrap());
        let full = wt.join(&path);
        let meta = fs::symlink_metadata(&full).unwrap_or_else(|e| panic!("{path}: {e}"));
        match entry.filemode() {
            0o040000 => assert!(meta.is_dir(), "{path} should be a folder"),
            0o120000 => {
                let blob = repo.find_blob(entry.id()).unwrap();
                let target = fs::read_link(&full).unwrap();
                assert_eq!(target.as_os_str().as_encoded_bytes(), blob.content(), "{path}");
            }
            0o160000 => assert!(meta.is_dir() && fs::read_dir(&full).unwrap().next().is_none()),
            mode => {
                let blob = repo.find_blob(entry.id()).unwrap();
                assert!(meta.is_file(), "{path} should be a file");
                assert_eq!(fs::read(&full).unwrap(), blob.content(), "{path}");
                let exec = meta.permissions().mode() & 0o100 != 0;
                assert_eq!(exec, mode == 0o100755, "{path}: exec bit");
            }
        }
        expected.push(path);
        git2::TreeWalkResult::Ok
    })
    .unwrap();
    let mut found = Vec::new();
    list_files(wt, wt, &mut found);
    found.retain(|p| p != ".git");
    found.sort();
    expected.sort();
    assert_eq!(found, expected, "the worktree has other paths than the commit");
}

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(root).unwrap().to_string_lossy().into_owned();
        let is_dir = entry.file_type().unwrap().is_dir();
        out.push(rel.clone());
        if is_dir && rel != ".git" {
            list_files(root, &entry.path(), out);
        }
    }
}

fn assert_clean(wt: &Path) {
    assert_eq!(git_in(wt, &["status", "--porcelain", "--ignored=no"]), "", "git status in {}", wt.display());
    assert_eq!(git_in(wt, &["diff"]), "");
    assert_eq!(git_in(wt, &["diff", "--cached"]), "");
    // Plumbing that does not refresh the index: any entry whose stat data
    // does not match its file would show here.
    assert_eq!(git_in(wt, &["diff-files", "--name-only"]), "", "stale stat data in the index");
}

fn rich_fixture() -> Fixture {
    let fx = Fixture::new(&[
        ("README.md", "# demo\n"),
        ("src/main.rs", "fn main() {}\n"),
        ("src/deep/er/still/mod.rs", "// deep\n"),
        ("a-b", "sorts before a/\n"),
        ("a/x", "x\n"),
        ("a.txt", "sorts between\n"),
        ("with space.txt", "spaces\n"),
        ("ünï.txt", "unicode\n"),
        ("empty", ""),
        ("tools/run.sh", "#!/bin/sh\necho hi\n"),
    ]);
    let root = fx.root();
    fs::set_permissions(root.join("tools/run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink("src/main.rs", root.join("link-to-main")).unwrap();
    std::os::unix::fs::symlink("../README.md", root.join("src/readme")).unwrap();
    fx.commit("exec and symlinks");
    fx
}

#[test]
fn create_checks_out_the_commit_and_git_agrees() {
    let fx = rich_fixture();
    let root = fx.root();
    let index_before = snapshot(&root.join(".git/index"));
    let head_before = snapshot(&root.join(".git/HEAD"));
    let status_before = fx.git(&["status", "--porcelain", "--ignored"]);

    let wt = fx.wts.create("Feature One", None).unwrap();
    let expected_path = root.parent().unwrap().join("repo.worktrees").join("feature-one");
    let head = fx.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(
        wt,
        Worktree {
            name: "feature-one".into(),
            path: expected_path.clone(),
            branch: "grove/feature-one".into(),
            head: Some(head.clone()),
            locked: false,
            exists: true,
        }
    );
    assert_matches_commit(&wt.path, &root, "HEAD");
    assert_clean(&wt.path);

    // git sees a worktree on the new branch, at the right commit.
    assert_eq!(git_in(&wt.path, &["rev-parse", "--abbrev-ref", "HEAD"]).trim(), "grove/feature-one");
    assert_eq!(fx.git(&["rev-parse", "grove/feature-one"]).trim(), head);
    let list = fx.git(&["worktree", "list", "--porcelain"]);
    assert!(list.contains(&format!("worktree {}\n", expected_path.display())), "{list}");
    assert!(list.contains("branch refs/heads/grove/feature-one\n"), "{list}");
    assert!(!list.contains("locked"), "{list}");
    assert!(!list.contains("prunable"), "{list}");
    // ... and so does libgit2.
    let opened = git2::Repository::open(&wt.path).unwrap();
    assert!(opened.is_worktree());
    assert_eq!(opened.head().unwrap().shorthand(), Some("grove/feature-one"));

    // The main worktree is untouched, byte for byte.
    assert_eq!(snapshot(&root.join(".git/index")), index_before);
    assert_eq!(snapshot(&root.join(".git/HEAD")), head_before);
    assert_eq!(fx.git(&["status", "--porcelain", "--ignored"]), status_before);

    // `git worktree prune` keeps it; work in it lands on the branch.
    fx.git(&["worktree", "prune"]);
    assert!(fx.git(&["worktree", "list"]).contains("grove/feature-one"));
    fs::write(wt.path.join("new.txt"), "new\n").unwrap();
    git_in(&wt.path, &["add", "new.txt"]);
    git_in(&wt.path, &["commit", "-q", "-m", "in the worktree"]);
    assert_ne!(fx.git(&["rev-parse", "grove/feature-one"]).trim(), head);
    assert_eq!(fx.git(&["rev-parse", "HEAD"]).trim(), head, "main's HEAD did not move");

    // get and list agree, by any spelling of the name.
    let got = fx.wts.get("FEATURE one").unwrap();
    assert_eq!(got.path, expected_path);
    assert_ne!(got.head, Some(head));
    assert_eq!(fx.wts.list().unwrap(), vec![got]);
}

#[test]
fn create_from_a_branch_or_a_commit() {
    let fx = Fixture::new(&[("a.txt", "one\n")]);
    let first = fx.git(&["rev-parse", "HEAD"]).trim().to_string();
    fx.git(&["checkout", "-q", "-b", "other"]);
    grove_tests::write(&fx.root(), "b.txt", "two\n");
    let other = fx.commit("second");
    fx.git(&["checkout", "-q", "-"]);

    let from_branch = fx.wts.create("from-branch", Some("other")).unwrap();
    assert_eq!(from_branch.head.as_deref(), Some(other.as_str()));
    assert_eq!(fs::read_to_string(from_branch.path.join("b.txt")).unwrap(), "two\n");
    assert_matches_commit(&from_branch.path, &fx.root(), "other");
    assert_clean(&from_branch.path);

    let from_commit = fx.wts.create("from-commit", Some(&first[..10])).unwrap();
    assert_eq!(from_commit.head.as_deref(), Some(first.as_str()));
    assert!(!from_commit.path.join("b.txt").exists());
    assert_clean(&from_commit.path);
    let reflog = fx.git(&["reflog", "show", "grove/from-commit"]);
    assert!(reflog.contains("branch: Created from"), "{reflog}");

    let err = fx.wts.create("nowhere", Some("no-such-branch")).unwrap_err();
    assert!(matches!(err, WorktreeError::NotFound(_)), "{err:?}");
    assert!(err.to_string().contains("\"no-such-branch\" does not name a commit"), "{err}");
    assert!(fx.wts.get("nowhere").is_err());
    assert!(!fx.git(&["branch", "--list"]).contains("nowhere"));
}

#[test]
fn names_are_slugged_or_refused_clearly() {
    let fx = Fixture::new(&[("a.txt", "a\n")]);
    assert_eq!(fx.wts.create("My Task/part 2", None).unwrap().name, "my-task-part-2");
    for bad in ["", "..", "a/../b", ".hidden", "-x", "HEAD", "a:b", &"x".repeat(65)] {
        let err = fx.wts.create(bad, None).unwrap_err();
        assert!(matches!(err, WorktreeError::InvalidName { .. }), "{bad:?}: {err:?}");
        let message = err.to_string();
        assert!(message.starts_with("invalid session name") && !message.contains('\n'), "{message}");
    }
    assert!(fx.wts.create(&"x".repeat(64), None).is_ok());

    // Taken: by a worktree of that name, by a branch made by hand, by a folder.
    let err = fx.wts.create("my task part 2", None).unwrap_err();
    assert!(matches!(err, WorktreeError::Exists(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "branch grove/my-task-part-2 already exists (pick another name, or delete it with `git branch -D grove/my-task-part-2`)"
    );
    fx.git(&["branch", "grove/by-hand"]);
    let err = fx.wts.create("by-hand", None).unwrap_err();
    assert!(err.to_string().contains("branch grove/by-hand already exists"), "{err}");
    let occupied = fx.wts.base().join("occupied");
    fs::create_dir_all(&occupied).unwrap();
    fs::write(occupied.join("mine.txt"), "keep me").unwrap();
    let err = fx.wts.create("occupied", None).unwrap_err();
    assert!(err.to_string().contains("already exists and is not empty"), "{err}");
    assert_eq!(fs::read_to_string(occupied.join("mine.txt")).unwrap(), "keep me");
    assert!(!fx.git(&["branch", "--list"]).contains("occupied"), "a refused create leaves no branch");
    // An empty folder is fine.
    fs::create_dir_all(fx.wts.base().join("empty-one")).unwrap();
    assert_clean(&fx.wts.create("empty-one", None).unwrap().path);
    // Nothing half-made is left behind by the refusals.
    assert_eq!(fx.wts.prune().unwrap(), Vec::<String>::new());
    let names: Vec<String> = fx.wts.list().unwrap().into_iter().map(|w| w.name).collect();
    assert_eq!(names, ["empty-one", "my-task-part-2", "x".repeat(64).as_str()]);
}

#[test]
fn remove_deletes_folder_registration_and_branch() {
    let fx = Fixture::new(&[("a.txt", "a\n")]);
    let wt = fx.wts.create("gone", None).unwrap();
    let admin = fx.wts.git_dir().join("worktrees").join("gone");
    assert!(admin.is_dir());
    fx.wts.remove("gone", false).unwrap();
    assert!(!wt.path.exists());
    assert!(!admin.exists());
    assert_eq!(fx.git(&["branch", "--list", "grove/*"]), "");
    assert!(!fx.git(&["worktree", "list"]).contains("gone"));
    assert!(matches!(fx.wts.get("gone"), Err(WorktreeError::NotFound(_))));
    let err = fx.wts.remove("gone", false).unwrap_err();
    assert_eq!(err.to_string(), "no worktree for session gone (`git worktree list` shows them all)");

    let wt = fx.wts.create("kept", None).unwrap();
    fs::write(wt.path.join("dirty.txt"), "uncommitted").unwrap();
    fx.wts.remove("kept", true).unwrap();
    assert!(!wt.path.exists());
    assert!(fx.git(&["branch", "--list", "grove/*"]).contains("grove/kept"));
    // The name is free again once the branch is gone.
    fx.git(&["branch", "-D", "grove/kept"]);
    fx.wts.create("kept", None).unwrap();
    assert!(
        fx.wts.base().read_dir().unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().starts_with('.'))
    );
}

#[test]
fn lock_and_unlock_show_in_git() {
    let fx = Fixture::new(&[("a.txt", "a\n")]);
    let wt = fx.wts.create("busy", None).unwrap();
    fx.wts.lock("busy", "session 7 is running").unwrap();
    let list = fx.git(&["worktree", "list", "--porcelain"]);
    assert!(list.contains("locked session 7 is running\n"), "{list}");
    assert!(fx.wts.get("busy").unwrap().locked);
    // Locking again replaces the reason; the lock stays.
    fx.wts.lock("busy", "session 8\nis running").unwrap();
    let list = fx.git(&["worktree", "list", "--porcelain"]);
    assert!(list.contains("locked session 8 is running\n"), "{list}");
    let err = fx.wts.remove("busy", false).unwrap_err();
    assert!(matches!(err, WorktreeError::Locked { .. }), "{err:?}");
    assert!(err.to_string().contains("(session 8 is running)"), "{err}");
    assert!(err.to_string().contains(&format!("git worktree unlock {}", wt.path.display())), "{err}");

    // A locked worktree whose folder is gone survives both prunes.
    fs::rename(&wt.path, fx.outer.path().join("moved")).unwrap();
    fx.git(&["worktree", "prune"]);
    assert_eq!(fx.wts.prune().unwrap(), Vec::<String>::new());
    fs::rename(fx.outer.path().join("moved"), &wt.path).unwrap();

    fx.wts.unlock("busy").unwrap();
    fx.wts.unlock("busy").unwrap();
    assert!(!fx.git(&["worktree", "list", "--porcelain"]).contains("locked"));
    assert!(!fx.wts.get("busy").unwrap().locked);
    fx.wts.remove("busy", false).unwrap();
}

/// The pid of a process that has exited.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn prune_cleans_up_after_hands_and_crashes() {
    let fx = Fixture::new(&[("a.txt", "a\n")]);
    let admin = |id: &str| fx.wts.git_dir().join("worktrees").join(id);

    // Folder deleted by hand: listed as stale, pruned, branch kept.
    let by_hand = fx.wts.create("by-hand", None).unwrap();
    fs::remove_dir_all(&by_hand.path).unwrap();
    let stale = fx.wts.get("by-hand").unwrap();
    assert!(!stale.exists);
    assert_eq!(fx.wts.list().unwrap(), vec![stale]);

    // A create that crashed mid-checkout: registration locked by a dead
    // process, files still in the staging folder, no branch yet.
    let pid = dead_pid();
    let crashed = fx.wts.create("crashed", None).unwrap();
    let staging = fx.wts.base().join(format!(".crashed.grove-new-{pid}"));
    fs::rename(&crashed.path, &staging).unwrap();
    fs::write(admin("crashed").join("locked"), format!("grove: being created by process {pid}")).unwrap();
    fx.git(&["update-ref", "-d", "refs/heads/grove/crashed"]);

    // A create that crashed just after moving the folder into place.
    let late = fx.wts.create("late", None).unwrap();
    fs::write(admin("late").join("locked"), format!("grove: being created by process {pid}")).unwrap();
    fx.git(&["update-ref", "-d", "refs/heads/grove/late"]);

    // A create that crashed after its last step: only the lock is left.
    fx.wts.create("done", None).unwrap();
    fs::write(admin("done").join("locked"), format!("grove: being created by process {pid}")).unwrap();

    // A staging folder with no registration at all, and a remove's trash.
    fs::create_dir_all(fx.wts.base().join(format!(".orphan.grove-new-{pid}/src"))).unwrap();
    fs::create_dir_all(fx.wts.base().join(format!(".old.grove-trash-{pid}/src"))).unwrap();
    // A live create is left alone.
    let live = fx.wts.create("live", None).unwrap();
    let me = std::process::id();
    fs::write(admin("live").join("locked"), format!("grove: being created by process {me}")).unwrap();

    assert_eq!(fx.wts.prune().unwrap(), ["by-hand", "crashed", "late", "orphan"]);
    assert!(!admin("by-hand").exists() && !admin("crashed").exists() && !admin("late").exists());
    assert!(!staging.exists() && !late.path.exists());
    assert!(fx.git(&["branch", "--list"]).contains("grove/by-hand"), "prune keeps branches");
    let left: Vec<String> = fs::read_dir(fx.wts.base())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert!(left.iter().all(|name| !name.starts_with('.')), "{left:?}");
    let done = fx.wts.get("done").unwrap();
    assert!(!done.locked && done.exists);
    assert_clean(&done.path);
    assert!(fx.wts.get("live").unwrap().locked);
    let err = fx.wts.lock("live", "mine now").unwrap_err();
    assert!(err.to_string().contains("being created by process"), "{err}");
    assert!(fx.wts.unlock("live").is_err() && fx.wts.remove("live", false).is_err());
    assert!(live.path.exists());
    assert_eq!(fx.wts.prune().unwrap(), Vec::<String>::new());
    // git agrees nothing is left to prune.
    assert_eq!(fx.git(&["worktree", "prune", "--dry-run", "-v"]), "");

    // The crashed names can be used again, and so can a stale one once its
    // branch is gone: create prunes the registration itself.
    fx.wts.create("crashed", None).unwrap();
    fx.wts.create("late", None).unwrap();
    let again = fx.wts.create("again", None).unwrap();
    fs::remove_dir_all(&again.path).unwrap();
    fx.git(&["update-ref", "-d", "refs/heads/grove/again"]);
    assert!(fx.wts.create("again", None).unwrap().exists);
    assert_eq!(fx.wts.list().unwrap().iter().filter(|w| w.name == "again").count(), 1);
}

#[test]
fn groveinclude_copies_selected_ignored_files_only() {
    let fx = Fixture::new(&[
        (".gitignore", ".env\nconfig/local.toml\n*.log\ntarget/\n"),
        (".groveinclude", "# what sessions need\n.env\nconfig/local.toml\n!sub/skip/.env\n"),
        ("config/default.toml", "tracked = true\n"),
        ("src/lib.rs", "\n"),
    ]);
    let root = fx.root();
    for (path, contents) in [
        (".env", "SECRET=1\n"),
        ("config/local.toml", "local = true\n"),
        ("sub/.env", "NESTED=1\n"),
        ("sub/skip/.env", "NO=1\n"),
        ("app.log", "log\n"),
        ("target/debug/.env", "in an ignored folder\n"),
        ("notes.txt", "untracked, not ignored\n"),
    ] {
        grove_tests::write(&root, path, contents);
    }
    let wt = fx.wts.create("with-env", None).unwrap();
    assert_eq!(fs::read_to_string(wt.path.join(".env")).unwrap(), "SECRET=1\n");
    assert_eq!(fs::read_to_string(wt.path.join("config/local.toml")).unwrap(), "local = true\n");
    assert_eq!(fs::read_to_string(wt.path.join("sub/.env")).unwrap(), "NESTED=1\n");
    for absent in ["sub/skip/.env", "app.log", "target", "notes.txt"] {
        assert!(!wt.path.join(absent).exists(), "{absent} should not be copied");
    }
    assert_clean(&wt.path);
    assert_eq!(fs::read_to_string(root.join(".env")).unwrap(), "SECRET=1\n", "the original stays");
}

#[test]
fn filters_submodules_and_hooks_behave_like_git() {
    let fx = Fixture::new(&[(".gitattributes", "*.c ident\n"), ("main.c", "/* $Id$ */\n")]);
    let root = fx.root();
    // A submodule entry (gitlink) without its repository.
    let commit = fx.git(&["rev-parse", "HEAD"]).trim().to_string();
    fx.git(&["update-index", "--add", "--cacheinfo", &format!("160000,{commit},vendor/lib")]);
    fx.git(&["commit", "-q", "-m", "gitlink"]);
    let hook = root.join(".git/hooks/post-checkout");
    fs::write(&hook, "#!/bin/sh\necho \"$@\" > \"$(pwd).hook\"\n").unwrap();
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();

    let wt = fx.wts.create("filtered", None).unwrap();
    let text = fs::read_to_string(wt.path.join("main.c")).unwrap();
    assert!(text.starts_with("/* $Id: ") && text.len() > 50, "ident was not expanded: {text}");
    assert!(wt.path.join("vendor/lib").is_dir());
    assert_clean(&wt.path);
    let ran = fs::read_to_string(wt.path.with_extension("hook")).unwrap();
    assert_eq!(ran.trim(), format!("{} {} 1", "0".repeat(40), wt.head.unwrap()));

    // Without the filter, the fast path handles the gitlink too.
    fs::remove_file(&hook).unwrap();
    fx.git(&["rm", "-q", ".gitattributes"]);
    fx.git(&["commit", "-q", "-m", "no attributes"]);
    let plain = fx.wts.create("plain", None).unwrap();
    assert!(plain.path.join("vendor/lib").is_dir());
    assert_clean(&plain.path);
}

#[test]
fn open_finds_the_main_worktree() {
    let fx = Fixture::new(&[("src/a.txt", "a\n")]);
    let wt = fx.wts.create("inner", None).unwrap();
    let from_inside = Worktrees::open(&wt.path).unwrap();
    assert_eq!(from_inside.root(), fx.root());
    assert_eq!(from_inside.git_dir(), fx.root().join(".git"));
    assert_eq!(from_inside.base(), fx.wts.base());
    let from_sub = Worktrees::open(&fx.root().join("src")).unwrap();
    assert_eq!(from_sub.root(), fx.root());

    let elsewhere = tempfile::tempdir().unwrap();
    let err = Worktrees::open(elsewhere.path()).unwrap_err();
    assert!(matches!(err, WorktreeError::NotARepository(_)), "{err:?}");

    let custom = fx.outer.path().join("custom");
    let wts = Worktrees::open(&fx.root()).unwrap().with_base(custom.clone());
    let wt = wts.create("elsewhere", None).unwrap();
    assert_eq!(wt.path, custom.canonicalize().unwrap().join("elsewhere"));
    assert_clean(&wt.path);
}
