//! The OS sandbox around every program a skill starts (Linux).
//!
//! A program runs in its own user, mount, PID and network namespaces, sees
//! none of the user's secrets, writes only in the worktree, its git
//! folders and a private temporary folder (Landlock), cannot touch the
//! repository's hooks or configuration, reaches no network but its own
//! loopback and the egress proxy (`proxy.rs`, bridged in by the init)
//! when the policy allows hosts (a server it runs is reached from the
//! host through `inbound.rs`), and is refused a few system calls
//! (seccomp). Nothing it starts outlives it. The code that runs inside is
//! its own crate, `grove_sandbox_init` (`host/sandbox-init`: the policy,
//! the init, the walls it raises), embedded as a static binary
//! (`embedded.rs`); here is grove's side: `launch.rs` for how a program is
//! started, `cgroup.rs` for its process-count limit, `inbound.rs` for the
//! host's end of the way in, `check.rs` for what the machine offers.

mod cgroup;
mod check;
mod embedded;
mod inbound;
mod launch;
pub mod proxy;

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

pub use cgroup::PidsGroup;
pub use check::Support;
pub use grove_sandbox_init::bridge::{PORT as PROXY_PORT, environment as proxy_environment};
pub use grove_sandbox_init::{Network, Policy, SECRETS, SETUP_FAILED, SUBCOMMAND, init_if_requested};
pub use inbound::{Door, forward};
pub use launch::{Launcher, Scratch, resolve};

pub use crate::gate::policy::Requirement;

/// Why a program was not started.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("programs cannot be sandboxed on this machine: {0}")]
    Unavailable(String),
    #[error("program {0:?} not found on PATH or in the workspace")]
    NotFound(String),
    #[error("preparing the sandbox: {0}")]
    Io(#[from] io::Error),
}

/// The sandbox of one skill run: the worktree it works in, found out once.
#[derive(Debug)]
pub struct Sandbox {
    launcher: Launcher,
    root: PathBuf,
    git_dirs: Vec<PathBuf>,
    hidden: Vec<PathBuf>,
    /// What happens where the machine offers no sandbox.
    pub requirement: Requirement,
    /// How its programs reach the network: loopback only until the run
    /// starts an egress proxy.
    pub network: Network,
}

/// A command ready to spawn, and what it uses: its working folder, held
/// open, its temporary folder and its process group (keep them until the
/// program is done; dropping them closes the folder, removes the
/// temporary one, and kills what is left in the group and removes it).
#[derive(Debug)]
pub struct Prepared {
    pub command: Command,
    pub cwd: Option<OwnedFd>,
    pub scratch: Option<Scratch>,
    pub pids: Option<PidsGroup>,
    /// For a program started to serve, in the sandbox: the door the host
    /// reaches its server through ([`forward`]). `None` without a
    /// sandbox, where the program listens on the host's loopback itself.
    pub door: Option<Door>,
}

impl Sandbox {
    /// The sandbox for programs working in the worktree at `root`, started
    /// through `launcher`; `requirement` says what happens on a machine
    /// without sandbox.
    pub fn for_worktree(root: &Path, launcher: Launcher, requirement: Requirement) -> Sandbox {
        let mut git_dirs = Vec::new();
        if let Ok(repo) = git2::Repository::open(root) {
            git_dirs.push(repo.path().to_path_buf());
            if repo.commondir() != repo.path() {
                git_dirs.push(repo.commondir().to_path_buf());
            }
        }
        // grove's own configuration and state, wherever they are.
        let hidden = [crate::paths::config_dir(), crate::paths::state_dir()].into_iter().flatten().collect();
        Sandbox {
            launcher,
            root: root.to_path_buf(),
            git_dirs,
            hidden,
            requirement,
            network: Network::Loopback,
        }
    }

    /// The policy for one program, with `tmp` as its temporary folder.
    pub fn policy(&self, tmp: &Path) -> Policy {
        let home = std::env::var_os(crate::env::HOME).map(PathBuf::from);
        let mut policy = Policy::for_worktree(&self.root, &self.git_dirs, home.as_deref(), tmp);
        policy.network = self.network.clone();
        for path in &self.hidden {
            policy.hide(path.clone());
        }
        // A linked worktree's `.git` file says where its git folder is;
        // pointed elsewhere, it would bring hooks the user's git runs.
        let link = self.root.join(".git");
        if link.is_file() {
            policy.read_only.push(link);
        }
        policy
    }

    /// A command that runs `program ARGS` in the folder `cwd`, which is at
    /// `cwd_path` (the sandbox's init enters it by that path and refuses
    /// any other folder found there). `search` is the `PATH` the program
    /// gets. With `serve`, the program is a server listening on that port
    /// of its loopback, which the host reaches through the
    /// [`Prepared::door`].
    pub fn command(
        &self,
        cwd: impl AsFd,
        cwd_path: &Path,
        program: &Path,
        args: &[impl AsRef<OsStr>],
        search: &OsStr,
        serve: Option<u16>,
    ) -> Result<Prepared, SandboxError> {
        if let Some(why) = Support::cached(&self.launcher.exe).missing() {
            if self.requirement == Requirement::Required {
                return Err(SandboxError::Unavailable(why));
            }
            static WARNED: AtomicBool = AtomicBool::new(false);
            if !WARNED.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    "programs run without a sandbox ({why}); the policy says sandbox = \"best-effort\""
                );
            }
            let mut command = Command::new(program);
            command.args(args).current_dir(cwd_path);
            return Ok(Prepared { command, cwd: None, scratch: None, pids: None, door: None });
        }
        // Looked up here so that a missing program is told apart from one
        // that failed; the init looks it up again on the same `PATH`, so
        // its `argv[0]` stays as the skill wrote it.
        if resolve(program, search).is_none() {
            return Err(SandboxError::NotFound(program.to_string_lossy().into_owned()));
        }
        let cwd = cwd.as_fd().try_clone_to_owned()?;
        let scratch = Scratch::new()?;
        let mut policy = self.policy(scratch.path());
        let pids = match cgroup::Mechanism::find() {
            cgroup::Mechanism::Cgroup(root) => Some(PidsGroup::create(&root, policy.max_processes)?),
            cgroup::Mechanism::Rlimit => None,
        };
        policy.pids_group = pids.as_ref().map(|group| group.path().to_path_buf());
        let door = match serve {
            Some(port) => {
                let (door, inbound) = Door::new(port)?;
                policy.inbound = Some(inbound);
                Some(door)
            }
            None => None,
        };
        let command = self.launcher.command(&policy, &cwd, cwd_path, program, args)?;
        Ok(Prepared { command, cwd: Some(cwd), scratch: Some(scratch), pids, door })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sandbox whose init always fails, as on a kernel without one.
    fn without_support(requirement: Requirement) -> (tempfile::TempDir, Sandbox) {
        let root = tempfile::tempdir().unwrap();
        let launcher = Launcher { exe: PathBuf::from("/bin/false") };
        let sandbox = Sandbox::for_worktree(root.path(), launcher, requirement);
        (root, sandbox)
    }

    fn command(sandbox: &Sandbox, root: &Path) -> Result<Prepared, SandboxError> {
        let dir = std::fs::File::open(root).unwrap();
        sandbox.command(&dir, root, Path::new("true"), &["x"], OsStr::new("/usr/bin:/bin"), None)
    }

    #[test]
    fn without_a_sandbox_programs_are_refused_when_it_is_required() {
        let (root, sandbox) = without_support(Requirement::Required);
        let e = command(&sandbox, root.path()).unwrap_err();
        assert!(matches!(e, SandboxError::Unavailable(_)), "{e}");
    }

    #[test]
    fn without_a_sandbox_programs_run_plainly_when_it_is_best_effort() {
        let (root, sandbox) = without_support(Requirement::BestEffort);
        let prepared = command(&sandbox, root.path()).unwrap();
        assert!(prepared.scratch.is_none());
        assert_eq!(prepared.command.get_program(), "true");
        assert_eq!(prepared.command.get_current_dir(), Some(root.path()));
    }

    #[test]
    fn the_policy_writes_in_the_worktree_and_its_git_folder_and_hides_groves_config() {
        let root = tempfile::tempdir().unwrap();
        git2::Repository::init(root.path()).unwrap();
        let launcher = Launcher { exe: PathBuf::from("/bin/false") };
        let sandbox = Sandbox::for_worktree(root.path(), launcher, Requirement::Required);
        let policy = sandbox.policy(Path::new("/tmp/scratch"));
        assert!(policy.may_write(&root.path().join("src/lib.rs")));
        assert!(policy.may_write(&root.path().join(".git/objects/pack/x")));
        assert!(!policy.may_write(&root.path().join(".git/hooks/post-checkout")));
        assert!(policy.may_write(Path::new("/tmp/scratch/a")));
        if let Some(config) = crate::paths::config_dir() {
            assert!(policy.hidden.contains(&config));
        }
    }

    /// The working folder, opened by grove, is swapped for a symlink to
    /// another folder before the program starts: the init refuses to start
    /// it there.
    #[test]
    fn a_working_folder_swapped_for_a_symlink_is_refused() {
        let launcher = Launcher::current().unwrap();
        if Support::cached(&launcher.exe).missing().is_some() {
            return;
        }
        let root = tempfile::tempdir().unwrap();
        let work = root.path().join("work");
        std::fs::create_dir(&work).unwrap();
        std::fs::write(work.join("mine"), "").unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::write(elsewhere.path().join("theirs"), "").unwrap();
        let sandbox = Sandbox::for_worktree(root.path(), launcher, Requirement::Required);
        let dir = std::fs::File::open(&work).unwrap();
        let ls = |sandbox: &Sandbox| {
            let mut prepared = sandbox
                .command(&dir, &work, Path::new("ls"), &[] as &[&str], OsStr::new("/usr/bin:/bin"), None)
                .unwrap();
            prepared.command.output().unwrap()
        };
        let before = ls(&sandbox);
        assert!(before.status.success(), "{before:?}");
        assert_eq!(String::from_utf8_lossy(&before.stdout), "mine\n");

        std::fs::rename(&work, root.path().join("moved")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), &work).unwrap();
        let after = ls(&sandbox);
        assert_eq!(after.status.code(), Some(SETUP_FAILED), "{after:?}");
        assert!(
            String::from_utf8_lossy(&after.stderr).contains("changed before the program started"),
            "{after:?}"
        );
        assert!(after.stdout.is_empty(), "it listed the other folder: {after:?}");
    }
}
