//! A process-count limit around each sandboxed program, so a fork bomb
//! fills its own container and not the machine: a cgroup with the `pids`
//! controller per program (`grove-<grove's pid>-<n>`), which the init
//! joins before it unshares, so everything the program starts is counted
//! in it. Where no `pids` controller is writable, the init sets
//! `RLIMIT_NPROC` instead, which the kernel counts per user namespace.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The most processes (and threads) one program may have at once.
pub const MAX_PROCESSES: u32 = 512;

/// What caps a program's process count on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mechanism {
    /// A `pids` cgroup per program, under this folder.
    Cgroup(PathBuf),
    /// `RLIMIT_NPROC`: no `pids` controller grove may write.
    Rlimit,
}

impl Mechanism {
    /// The `pids` hierarchy grove can create groups in: cgroup v1's, else
    /// cgroup v2's where its root delegates `pids` to its children.
    pub fn find() -> Mechanism {
        static FOUND: std::sync::OnceLock<Mechanism> = std::sync::OnceLock::new();
        FOUND.get_or_init(Mechanism::look).clone()
    }

    fn look() -> Mechanism {
        let v2 = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"].into_iter().map(Path::new).find(|root| {
            std::fs::read_to_string(root.join("cgroup.subtree_control"))
                .is_ok_and(|c| c.split_whitespace().any(|c| c == "pids"))
        });
        let v1 = Some(Path::new("/sys/fs/cgroup/pids")).filter(|root| root.join("cgroup.procs").exists());
        match v1.or(v2) {
            Some(root) if writable(root) => Mechanism::Cgroup(root.to_path_buf()),
            _ => Mechanism::Rlimit,
        }
    }

    /// In words, for `grove sandbox check`.
    pub fn describe(&self) -> String {
        match self {
            Mechanism::Cgroup(root) => format!("a pids cgroup per program under {}", root.display()),
            Mechanism::Rlimit => "RLIMIT_NPROC (no writable pids cgroup controller)".into(),
        }
    }
}

fn writable(dir: &Path) -> bool {
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()) else { return false };
    // SAFETY: access(2) on a valid C string.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

/// One program's `pids` cgroup. Dropped, it kills whatever is left in it
/// and removes it.
#[derive(Debug)]
pub struct PidsGroup {
    path: PathBuf,
}

impl PidsGroup {
    /// A new group under `root` allowing `max` processes. The first one
    /// of this grove process also removes the groups dead grove processes
    /// left.
    pub fn create(root: &Path, max: u32) -> io::Result<PidsGroup> {
        static SWEPT: Once = Once::new();
        SWEPT.call_once(|| sweep(root));
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = root.join(format!("grove-{}-{n}", std::process::id()));
        std::fs::create_dir(&path)?;
        let group = PidsGroup { path };
        std::fs::write(group.path.join("pids.max"), max.to_string())?;
        Ok(group)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PidsGroup {
    fn drop(&mut self) {
        remove(&self.path);
    }
}

/// Put the calling process in the group at `path` (the init, before it
/// forks anything).
pub fn join(path: &Path) -> io::Result<()> {
    std::fs::write(path.join("cgroup.procs"), std::process::id().to_string())
}

/// Kill what is left in the group at `path` and remove it; a group whose
/// processes are still being torn down is retried for a moment.
fn remove(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        if let Ok(procs) = std::fs::read_to_string(path.join("cgroup.procs")) {
            for pid in procs.split_whitespace().filter_map(|p| p.parse::<libc::pid_t>().ok()) {
                // SAFETY: kill(2) on a pid read from the group; no memory.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        match std::fs::remove_dir(path) {
            Ok(()) => return,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return,
            Err(e) if Instant::now() >= deadline => {
                tracing::warn!(group = %path.display(), error = %e, "a sandbox's cgroup could not be removed");
                return;
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// Remove the `grove-<pid>-<n>` groups under `root` whose grove is gone.
fn sweep(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(owner) =
            name.to_str().and_then(|n| n.strip_prefix("grove-")).and_then(|n| n.split_once('-'))
        else {
            continue;
        };
        if owner.0.parse::<u32>().is_ok_and(|pid| !crate::pid::alive(pid)) {
            remove(&entry.path());
        }
    }
}

/// `RLIMIT_NPROC` of `max` for the calling process and what it starts.
pub fn limit_processes(max: u32) -> io::Result<()> {
    let limit = libc::rlimit { rlim_cur: max.into(), rlim_max: max.into() };
    // SAFETY: setrlimit reads the local struct.
    if unsafe { libc::setrlimit(libc::RLIMIT_NPROC, &limit) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}
