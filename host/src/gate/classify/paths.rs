//! Where a path lands: canonicalized against the worktree root (`..`, `~`,
//! `$HOME`, absolute paths, symlinks) and sorted into a zone whose risk
//! the rules know.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// A path's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// An ordinary file of the worktree.
    Tree,
    /// The repository's own database: `.git/` (hooks, config, objects).
    GitDir,
    /// grove's own configuration inside the tree: `.grove/`.
    GroveDir,
    /// CI configuration and hooks: they run code elsewhere, with other rights.
    Ci,
    /// `.env` files: secrets the project keeps locally.
    EnvFile,
    /// The worktree root itself.
    TreeRoot,
    /// `/`.
    FsRoot,
    /// The home folder itself.
    Home,
    /// Inside a home folder, but nothing in particular.
    HomeOther,
    /// Keys, tokens, credentials, password hashes.
    Secret,
    /// Files a shell or the system runs later: `.bashrc`, `authorized_keys`, …
    Startup,
    /// System folders: `/etc`, `/usr`, `/var`, `/boot`, …
    System,
    /// `/tmp` and friends.
    Temp,
    /// Harmless streams: `/dev/null`, `/dev/stdout`, `/dev/fd/N`.
    Stream,
    /// Disks and memory: `/dev/sda`, `/dev/mem`.
    Device,
    /// bash's `/dev/tcp/HOST/PORT`: a network connection.
    NetDevice,
    /// Anywhere else outside the worktree.
    Outside,
}

impl Zone {
    pub fn inside(self) -> bool {
        matches!(self, Zone::Tree | Zone::GitDir | Zone::GroveDir | Zone::Ci | Zone::EnvFile | Zone::TreeRoot)
    }
}

/// A located path: how to show it, and its zone.
#[derive(Debug, Clone)]
pub struct Located {
    /// Relative to the worktree when inside it, else absolute.
    pub shown: String,
    pub zone: Zone,
}

/// Locates paths for one worktree.
#[derive(Debug)]
pub struct Paths {
    root: PathBuf,
    home: Option<String>,
    /// Secret paths a glob may stand for, built on first need.
    secrets: std::cell::OnceCell<Vec<String>>,
}

/// Below a home folder: credentials and keys.
const HOME_SECRETS: &[&str] = &[
    ".ssh",
    ".aws",
    ".gnupg",
    ".netrc",
    ".git-credentials",
    ".kube",
    ".docker/config.json",
    ".config/gcloud",
    ".azure",
    ".npmrc",
    ".pypirc",
    ".config/gh",
    ".config/hub",
    ".password-store",
    ".vault-token",
    ".terraform.d/credentials.tfrc.json",
    ".cargo/credentials",
    ".cargo/credentials.toml",
    ".gem/credentials",
    ".local/share/keyrings",
    ".bash_history",
    ".zsh_history",
    ".config/google-chrome",
    ".config/chromium",
    ".mozilla",
    ".config/grove",
];

/// Below a home folder: run by shells, logins, desktops and git later.
const HOME_STARTUP: &[&str] = &[
    ".bashrc",
    ".bash_profile",
    ".bash_login",
    ".bash_logout",
    ".profile",
    ".zshrc",
    ".zprofile",
    ".zshenv",
    ".zlogin",
    ".config/fish",
    ".config/autostart",
    ".config/systemd",
    ".xinitrc",
    ".xprofile",
    ".gitconfig",
    ".config/git",
    ".local/bin",
];

/// Absolute secrets outside any home.
const SYSTEM_SECRETS: &[&str] = &[
    "/etc/shadow",
    "/etc/shadow-",
    "/etc/gshadow",
    "/etc/gshadow-",
    "/etc/sudoers",
    "/etc/sudoers.d",
    "/etc/ssl/private",
    "/etc/ssh",
    "/root/.ssh",
    "/var/run/secrets",
    "/run/secrets",
    "/proc/self/environ",
    "/proc/1/environ",
];

const SYSTEM_DIRS: &[&str] = &[
    "/etc",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/boot",
    "/var",
    "/opt",
    "/srv",
    "/root",
    "/home",
    "/sys",
    "/proc",
    "/run",
    "/snap",
    "/mnt",
    "/media",
    "/nix",
    "/Library",
    "/System",
    "/Applications",
    "/Users",
];

const TEMP_DIRS: &[&str] = &["/tmp", "/var/tmp", "/dev/shm"];

const STREAMS: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/random",
    "/dev/urandom",
    "/dev/stdin",
    "/dev/stdout",
    "/dev/stderr",
    "/dev/tty",
];

/// Inside the tree: CI configuration and hooks.
const CI_PATHS: &[&str] = &[
    ".github/workflows",
    ".github/actions",
    ".gitea/workflows",
    ".forgejo/workflows",
    ".semaphore",
    "appveyor.yml",
    ".appveyor.yml",
    ".cirrus.yml",
    "cloudbuild.yaml",
    "cloudbuild.yml",
    "codemagic.yaml",
    ".teamcity",
    "buildspec.yml",
    ".gitlab-ci.yml",
    ".gitlab",
    ".circleci",
    ".travis.yml",
    "jenkinsfile",
    "azure-pipelines.yml",
    ".buildkite",
    "bitbucket-pipelines.yml",
    ".drone.yml",
    ".woodpecker",
    ".woodpecker.yml",
    ".husky",
    ".pre-commit-config.yaml",
    ".envrc",
    ".ci",
];

impl Paths {
    /// `root` should be canonical (symlinks resolved); `home` is `$HOME`.
    pub fn new(root: PathBuf, home: Option<String>) -> Paths {
        Paths { root, home, secrets: std::cell::OnceCell::new() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn home(&self) -> Option<&str> {
        self.home.as_deref()
    }

    /// Locate `raw` (already expanded: `~` and `$HOME` replaced), relative
    /// to `cwd` (an absolute folder).
    pub fn locate(&self, raw: &str, cwd: &Path) -> Located {
        let joined = if raw.starts_with('/') { PathBuf::from(raw) } else { cwd.join(raw) };
        let lexical = normalize(&joined);
        let real = if lexical.starts_with(&self.root) { self.resolve(&lexical) } else { lexical };
        self.zone_of(&real)
    }

    fn zone_of(&self, path: &Path) -> Located {
        if let Ok(rel) = path.strip_prefix(&self.root) {
            let shown = rel.to_string_lossy().into_owned();
            let zone = inside_zone(&shown);
            return Located { shown: if shown.is_empty() { ".".into() } else { shown }, zone };
        }
        let shown = path.to_string_lossy().into_owned();
        Located { zone: self.outside_zone(&shown), shown }
    }

    fn outside_zone(&self, p: &str) -> Zone {
        if p == "/" {
            return Zone::FsRoot;
        }
        // `/proc/self/root/etc/shadow` is `/etc/shadow`.
        if let Some(rest) = p.strip_prefix("/proc/")
            && let Some((_, below)) = rest.split_once("/root")
            && (below.is_empty() || below.starts_with('/'))
        {
            return self.outside_zone(if below.is_empty() { "/" } else { below });
        }
        if let Some(home) = self.home.as_deref().filter(|h| *h != "/") {
            if p == home {
                return Zone::Home;
            }
            if let Some(rest) = p.strip_prefix(home).and_then(|r| r.strip_prefix('/')) {
                return home_zone(rest);
            }
        }
        if SYSTEM_SECRETS.iter().any(|s| under(p, s)) {
            return Zone::Secret;
        }
        if p.starts_with("/proc/") && (p.ends_with("/environ") || p.ends_with("/mem")) {
            return Zone::Secret;
        }
        // Other users' homes: their secrets are secrets too.
        for base in ["/home/", "/root/", "/Users/"] {
            if let Some(rest) = p.strip_prefix(base) {
                let rest = if base == "/root/" { rest } else { rest.split_once('/').map_or("", |(_, r)| r) };
                if rest.is_empty() {
                    return Zone::System;
                }
                return home_zone(rest);
            }
        }
        if p == "/root" {
            return Zone::System;
        }
        if STREAMS.contains(&p) || p.starts_with("/dev/fd/") || p.starts_with("/dev/pts/") {
            return Zone::Stream;
        }
        if p.starts_with("/dev/tcp/") || p.starts_with("/dev/udp/") {
            return Zone::NetDevice;
        }
        if p.starts_with("/dev/") || p == "/dev" {
            return Zone::Device;
        }
        if TEMP_DIRS.iter().any(|t| under(p, t)) {
            return Zone::Temp;
        }
        if SYSTEM_DIRS.iter().any(|s| under(p, s)) {
            return Zone::System;
        }
        Zone::Outside
    }

    /// The secret a glob could stand for, if any: `/etc/shado?`,
    /// `~/.a[w]s/credentials`, `/proc/*/environ`. `unknown_parts` says the
    /// `*`s stand for values only known at run time (they may hold `/`).
    pub fn glob_secret(&self, pattern: &str, cwd: &Path, unknown_parts: bool) -> Option<String> {
        let absolute = if pattern.starts_with('/') || pattern.starts_with('*') {
            pattern.to_string()
        } else {
            cwd.join(pattern).to_string_lossy().into_owned()
        };
        // Most globs (`src/*.rs`) cannot reach a secret: their fixed start
        // is not the start of any. Only the rest pay for a matcher.
        let fixed = &absolute[..absolute.find(['*', '?', '[', '{']).unwrap_or(absolute.len())];
        let candidates = self.secrets.get_or_init(|| self.secret_candidates());
        if !candidates.iter().any(|c| c.starts_with(fixed)) {
            return None;
        }
        let matcher = globset::GlobBuilder::new(&absolute)
            .literal_separator(!unknown_parts)
            .build()
            .ok()?
            .compile_matcher();
        candidates.iter().find(|c| matcher.is_match(c)).cloned()
    }

    /// Paths of secrets a glob is checked against.
    fn secret_candidates(&self) -> Vec<String> {
        let mut candidates: Vec<String> = SYSTEM_SECRETS.iter().map(|s| s.to_string()).collect();
        candidates.extend(["/proc/1/environ", "/proc/self/environ", "/proc/1/mem"].map(String::from));
        let homes: Vec<&str> = self.home.as_deref().into_iter().chain(["/root"]).collect();
        for home in homes {
            for secret in HOME_SECRETS {
                candidates.push(format!("{home}/{secret}"));
                for leaf in
                    ["id_rsa", "id_ed25519", "id_ecdsa", "credentials", "config", "hosts.yml", "config.json"]
                {
                    candidates.push(format!("{home}/{secret}/{leaf}"));
                }
            }
        }
        candidates
    }

    /// Follow symlinks inside the tree, component by component; a link
    /// that leads out makes the path what it leads to. Never remembered
    /// between calls: a link can appear between two judgments of a path.
    fn resolve(&self, lexical: &Path) -> PathBuf {
        let rel = lexical.strip_prefix(&self.root).unwrap_or(Path::new(""));
        let mut queue: VecDeque<OsString> = rel.iter().map(|c| c.to_os_string()).collect();
        let mut current = self.root.clone();
        let mut hops = 0;
        while let Some(part) = queue.pop_front() {
            let next = current.join(&part);
            match std::fs::symlink_metadata(&next) {
                Ok(meta) if meta.file_type().is_symlink() && hops < 40 => {
                    hops += 1;
                    let Ok(link) = std::fs::read_link(&next) else {
                        current = next;
                        continue;
                    };
                    let target = normalize(&current.join(link));
                    match target.strip_prefix(&self.root) {
                        // Still inside: walk the target's own components.
                        Ok(inner) => {
                            for c in inner.iter().rev() {
                                queue.push_front(c.to_os_string());
                            }
                            current = self.root.clone();
                        }
                        // Outside: the lexical target decides the zone.
                        Err(_) => {
                            current = target;
                            current.extend(queue.drain(..));
                            current = normalize(&current);
                            break;
                        }
                    }
                }
                Ok(_) => current = next,
                // Not there (yet): the rest of the path is lexical.
                Err(_) => {
                    current = next;
                    current.extend(queue.drain(..));
                    break;
                }
            }
        }
        current
    }
}

/// `p` is `dir` or below it.
/// Where `evidence --propose` saves the scenarios it proposes.
const PROPOSED_SCENARIOS: &str = ".grove/scenarios/proposed";

fn under(p: &str, dir: &str) -> bool {
    p.strip_prefix(dir).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn home_zone(rest: &str) -> Zone {
    // Public keys and known hosts are not secrets (authorized_keys is a door).
    if rest.starts_with(".ssh/") && (rest.ends_with(".pub") || rest == ".ssh/known_hosts") {
        return Zone::HomeOther;
    }
    if HOME_SECRETS.iter().any(|s| under(rest, s)) {
        Zone::Secret
    } else if rest == ".ssh/authorized_keys" || HOME_STARTUP.iter().any(|s| under(rest, s)) {
        Zone::Startup
    } else {
        Zone::HomeOther
    }
}

pub(super) fn inside_zone(rel: &str) -> Zone {
    if rel.is_empty() {
        return Zone::TreeRoot;
    }
    // Case-insensitive filesystems (macOS, Windows) open `.GIT` as `.git`.
    let lower;
    let rel = if rel.bytes().any(|b| b.is_ascii_uppercase()) {
        lower = rel.to_ascii_lowercase();
        lower.as_str()
    } else {
        rel
    };
    let mut components = rel.split('/');
    if components.any(|c| c == ".git") {
        return Zone::GitDir;
    }
    // Scenarios a model proposed wait here for the user to keep: nothing
    // reads or runs them unasked, so writing them is ordinary work.
    if under(rel, PROPOSED_SCENARIOS) {
        return Zone::Tree;
    }
    if under(rel, ".grove") {
        return Zone::GroveDir;
    }
    if CI_PATHS.iter().any(|c| under(rel, c)) {
        return Zone::Ci;
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if name == ".env"
        || (name.starts_with(".env.")
            && ![".example", ".sample", ".template", ".dist"].iter().any(|s| name.ends_with(s)))
    {
        return Zone::EnvFile;
    }
    Zone::Tree
}

/// Remove `.` and `..` without touching the filesystem; `..` at `/` stays `/`.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in path.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(root: &Path) -> Paths {
        Paths::new(root.to_path_buf(), Some("/home/u".into()))
    }

    #[test]
    fn zones() {
        let p = paths(Path::new("/work/repo"));
        let cwd = Path::new("/work/repo");
        let zone = |s: &str| p.locate(s, cwd).zone;
        assert_eq!(zone("src/lib.rs"), Zone::Tree);
        assert_eq!(p.locate("src/../src/lib.rs", cwd).shown, "src/lib.rs");
        assert_eq!(zone("."), Zone::TreeRoot);
        assert_eq!(zone(".git/hooks/pre-commit"), Zone::GitDir);
        assert_eq!(zone("vendor/x/.git/config"), Zone::GitDir);
        assert_eq!(zone(".grove/policy.toml"), Zone::GroveDir);
        assert_eq!(zone(".grove/scenarios/counter.toml"), Zone::GroveDir);
        assert_eq!(zone(".grove/scenarios/proposed/counter.toml"), Zone::Tree);
        assert_eq!(zone(".GROVE/Scenarios/proposed/x.toml"), Zone::Tree);
        assert_eq!(zone(".grove/scenarios/proposed/../../policy.toml"), Zone::GroveDir);
        assert_eq!(zone(".grove/scenarios/proposedx/a.toml"), Zone::GroveDir);
        assert_eq!(zone(".github/workflows/ci.yml"), Zone::Ci);
        assert_eq!(zone(".env"), Zone::EnvFile);
        assert_eq!(zone(".env.local"), Zone::EnvFile);
        assert_eq!(zone(".env.example"), Zone::Tree);
        assert_eq!(zone("../sibling"), Zone::Outside);
        assert_eq!(zone("/"), Zone::FsRoot);
        assert_eq!(zone("/../../"), Zone::FsRoot);
        assert_eq!(zone("/home/u"), Zone::Home);
        assert_eq!(zone("/home/u/.ssh/id_rsa"), Zone::Secret);
        assert_eq!(zone("/home/u/.aws/credentials"), Zone::Secret);
        assert_eq!(zone("/home/u/.bashrc"), Zone::Startup);
        assert_eq!(zone("/home/u/.ssh/authorized_keys"), Zone::Secret);
        assert_eq!(zone("/home/other/.ssh/id_ed25519"), Zone::Secret);
        assert_eq!(zone("/home/u/notes"), Zone::HomeOther);
        assert_eq!(zone("/etc/shadow"), Zone::Secret);
        assert_eq!(zone("/etc/cron.d/job"), Zone::System);
        assert_eq!(zone("/proc/self/environ"), Zone::Secret);
        assert_eq!(zone("/dev/null"), Zone::Stream);
        assert_eq!(zone("/dev/sda"), Zone::Device);
        assert_eq!(zone("/dev/tcp/10.0.0.1/4444"), Zone::NetDevice);
        assert_eq!(zone("/tmp/x"), Zone::Temp);
        assert_eq!(zone("/home"), Zone::System);
    }

    #[test]
    fn symlinks_that_lead_out_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("docs")).unwrap();
        std::os::unix::fs::symlink("/etc", root.join("docs/etc")).unwrap();
        std::os::unix::fs::symlink("../docs", root.join("docs/loop")).unwrap();
        std::os::unix::fs::symlink("/home/u/.ssh/id_rsa", root.join("key")).unwrap();
        let p = paths(&root);
        let at = |s: &str| p.locate(s, &root);
        assert_eq!(at("docs/etc/passwd").shown, "/etc/passwd");
        assert_eq!(at("docs/etc/passwd").zone, Zone::System);
        assert_eq!(at("key").zone, Zone::Secret);
        assert_eq!(at("docs/loop/etc/shadow").zone, Zone::Secret);
        assert_eq!(at("docs/new-file").zone, Zone::Tree);
        assert_eq!(at("key").zone, Zone::Secret);
    }

    /// The proposals' folder made a link to `.grove/` writes grove's
    /// configuration, and is judged so.
    #[test]
    fn the_proposed_scenarios_folder_cannot_be_pointed_at_groves_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join(".grove/scenarios")).unwrap();
        std::os::unix::fs::symlink("..", root.join(".grove/scenarios/proposed")).unwrap();
        let p = paths(&root);
        let at = p.locate(".grove/scenarios/proposed/policy.toml", &root);
        assert_eq!((at.shown.as_str(), at.zone), (".grove/policy.toml", Zone::GroveDir));
    }

    #[test]
    fn a_symlink_made_between_two_judgments_is_seen_by_the_second() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("docs")).unwrap();
        let p = paths(&root);
        assert_eq!(p.locate("docs/notes", &root).zone, Zone::Tree);
        assert_eq!(p.locate("out/notes", &root).zone, Zone::Tree);
        std::os::unix::fs::symlink("/home/u", root.join("out")).unwrap();
        let second = p.locate("out/notes", &root);
        assert_eq!((second.shown.as_str(), second.zone), ("/home/u/notes", Zone::HomeOther));
        std::fs::remove_dir(root.join("docs")).unwrap();
        std::os::unix::fs::symlink("/etc", root.join("docs")).unwrap();
        assert_eq!(p.locate("docs/notes", &root).zone, Zone::System);
    }
}
