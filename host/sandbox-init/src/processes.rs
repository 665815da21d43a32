//! The process-count limit, from inside: the init joins the program's
//! `pids` cgroup (made by grove) before it forks anything, so everything
//! the program starts is counted in it; without one, `RLIMIT_NPROC`,
//! which the kernel counts per user namespace.

use std::io;
use std::path::Path;

/// Put the calling process in the group at `group`.
///
/// In a cgroup v1 hierarchy this moves the calling thread alone, by
/// writing `0` to `tasks`: a whole process moved through `cgroup.procs`
/// takes the kernel's global threadgroup lock for writing, which waits for
/// an RCU grace period (about 15 ms on an idle machine, every time the
/// programs are more than a moment apart). The init has one thread, so
/// that thread is the process, and what it forks is born in the group.
/// cgroup v2 has no `tasks`; there the process moves through
/// `cgroup.procs`.
pub fn join(group: &Path) -> io::Result<()> {
    match std::fs::write(group.join("tasks"), "0") {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            std::fs::write(group.join("cgroup.procs"), std::process::id().to_string())
        }
        done => done,
    }
}

/// `RLIMIT_NPROC` of `max` for the calling process and what it starts.
pub fn limit(max: u32) -> io::Result<()> {
    let limit = libc::rlimit { rlim_cur: max.into(), rlim_max: max.into() };
    // SAFETY: setrlimit reads the local struct.
    if unsafe { libc::setrlimit(libc::RLIMIT_NPROC, &limit) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}
