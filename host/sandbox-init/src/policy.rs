//! What a sandboxed program may do: where it may write, which of the
//! user's secrets it must not see, which files of the repository it may
//! read but never change, and how it reaches the network.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The user's secrets, relative to `$HOME`, hidden from every program:
/// a folder behind an empty read-only one, a file behind `/dev/null`.
pub const SECRETS: &[&str] = &[
    ".ssh",
    ".aws",
    ".config/gcloud",
    ".kube",
    ".docker",
    ".netrc",
    ".gnupg",
    ".git-credentials",
    ".config/gh",
    ".npmrc",
    ".pypirc",
    ".cargo/credentials.toml",
    ".cargo/credentials",
    ".config/grove",
];

/// The most processes (and threads) one program may have at once.
pub const MAX_PROCESSES: u32 = 512;

/// Device files every program may write (`> /dev/null`, a terminal).
const DEVICES: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/tty",
    "/dev/ptmx",
    "/dev/pts",
];

/// What a sandboxed program may do. It travels to the init inside the
/// sandbox as one JSON argument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// The only places writes are allowed, each with everything beneath it.
    pub writable: Vec<PathBuf>,
    /// Paths hidden from the program (those that exist): the [`SECRETS`]
    /// under the home folder and any the caller adds.
    pub hidden: Vec<PathBuf>,
    /// Paths inside writable places that stay read-only: the repository's
    /// hooks and configuration, which would run code outside the sandbox,
    /// and grove's own records (the session store, the audit log).
    pub read_only: Vec<PathBuf>,
    /// The program's private temporary folder, also its `TMPDIR`.
    pub tmp: PathBuf,
    pub network: Network,
    /// When the program is started to serve: where pid 1 listens for the
    /// host's connections, and the port inside it carries them to.
    #[serde(default)]
    pub inbound: Option<crate::inbound::Inbound>,
    /// The `pids` cgroup the init joins before it starts anything; without
    /// one, `RLIMIT_NPROC` of [`Policy::max_processes`] stands in.
    pub pids_group: Option<PathBuf>,
    /// The most processes the program may have at once.
    pub max_processes: u32,
}

/// How a sandboxed program reaches the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Network {
    /// Its own loopback interface and nothing else.
    Loopback,
    /// Loopback, plus the egress proxy listening on this unix socket.
    Proxy(PathBuf),
}

impl Policy {
    /// The policy for programs working in the worktree at `root`, whose
    /// git folders are `git_dirs` (the worktree's own, then the common
    /// one), for a user whose home is `home`, with `tmp` as its temporary
    /// folder. Programs write in the worktree, the git folders and `tmp`.
    pub fn for_worktree(root: &Path, git_dirs: &[PathBuf], home: Option<&Path>, tmp: &Path) -> Policy {
        let mut writable = vec![root.to_path_buf(), tmp.to_path_buf()];
        writable.extend(git_dirs.iter().cloned());
        writable.extend(DEVICES.iter().map(PathBuf::from));
        writable.push(PathBuf::from("/dev/shm"));
        let hidden = home.map(|h| SECRETS.iter().map(|s| h.join(s)).collect()).unwrap_or_default();
        let mut read_only = Vec::new();
        for dir in git_dirs {
            for name in ["hooks", "config", "config.worktree", "grove"] {
                let path = dir.join(name);
                if !read_only.contains(&path) {
                    read_only.push(path);
                }
            }
        }
        Policy {
            writable,
            hidden,
            read_only,
            tmp: tmp.to_path_buf(),
            network: Network::Loopback,
            inbound: None,
            pids_group: None,
            max_processes: MAX_PROCESSES,
        }
    }

    /// Hide `path` too.
    pub fn hide(&mut self, path: PathBuf) {
        if !self.hidden.contains(&path) {
            self.hidden.push(path);
        }
    }

    /// The policy as the init's argument.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a policy is plain data")
    }

    pub fn decode(text: &str) -> Result<Policy, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Whether writing `path` is allowed by the writable places alone
    /// (before the read-only exceptions).
    pub fn may_write(&self, path: &Path) -> bool {
        self.writable.iter().any(|w| path.starts_with(w))
            && !self.read_only.iter().any(|r| path.starts_with(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy::for_worktree(
            Path::new("/src/app"),
            &[PathBuf::from("/src/app/.git")],
            Some(Path::new("/home/u")),
            Path::new("/tmp/grove-x"),
        )
    }

    #[test]
    fn writes_stay_in_the_worktree_git_dir_and_tmp() {
        let p = policy();
        for ok in ["/src/app/target/x", "/src/app/.git/objects/ab", "/tmp/grove-x/f", "/dev/null"] {
            assert!(p.may_write(Path::new(ok)), "{ok}");
        }
        for no in ["/home/u/pwned", "/src/other", "/tmp/elsewhere", "/etc/passwd", "/src/application"] {
            assert!(!p.may_write(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn hooks_and_config_stay_read_only() {
        let p = policy();
        assert!(!p.may_write(Path::new("/src/app/.git/hooks/pre-commit")));
        assert!(!p.may_write(Path::new("/src/app/.git/config")));
        assert!(!p.may_write(Path::new("/src/app/.git/grove/audit.jsonl")));
        assert!(p.may_write(Path::new("/src/app/.git/config.lock")));
    }

    #[test]
    fn every_secret_under_home_is_hidden_and_more_can_be_added() {
        let mut p = policy();
        assert!(p.hidden.contains(&PathBuf::from("/home/u/.ssh")));
        assert!(p.hidden.contains(&PathBuf::from("/home/u/.config/grove")));
        assert_eq!(p.hidden.len(), SECRETS.len());
        p.hide(PathBuf::from("/home/u/.vault"));
        p.hide(PathBuf::from("/home/u/.vault"));
        assert_eq!(p.hidden.len(), SECRETS.len() + 1);
        let no_home = Policy::for_worktree(Path::new("/a"), &[], None, Path::new("/t"));
        assert!(no_home.hidden.is_empty());
    }

    #[test]
    fn a_policy_survives_the_trip_to_the_init() {
        let mut p = policy();
        p.network = Network::Proxy(PathBuf::from("/run/egress.sock"));
        p.inbound = Some(crate::inbound::Inbound { socket: PathBuf::from("/tmp/d/serve.sock"), port: 8080 });
        assert_eq!(Policy::decode(&p.encode()).unwrap(), p);
    }
}
