//! Whether a process is still there: the session store and the worktree
//! manager both record pids (runners, creators) and must tell a live one
//! from a dead one.

/// Whether a process is alive. Signal 0 probes for existence; a zombie
/// (dead, not yet reaped by whoever adopted it) also answers, so on Linux
/// its state in `/proc` settles it.
pub fn alive(pid: u32) -> bool {
    exists(pid) && libc::pid_t::try_from(pid).is_ok_and(|pid| !is_zombie(pid))
}

/// When a process started, in clock ticks since boot (`/proc/<pid>/stat`
/// field 22): with its pid, it names one process for good, as a pid alone
/// may be reused once the process is gone. `None` when there is no such
/// process (or no `/proc` to ask).
pub fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name start at field 3.
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(22 - 3)?.parse().ok()
}

/// Whether any process has this pid, zombies included.
pub fn exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    // SAFETY: kill with signal 0 only checks for existence and permission.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

fn is_zombie(pid: libc::pid_t) -> bool {
    // The state is the field after the parenthesised command name.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| stat.rsplit_once(')').map(|(_, rest)| rest.trim_start().starts_with('Z')))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_process_is_alive_and_impossible_pids_are_not() {
        assert!(super::alive(std::process::id()));
        assert!(!super::alive(u32::MAX));
        assert!(!super::alive(0x7fff_fff0));
    }

    #[test]
    fn a_start_time_names_one_process() {
        let me = super::start_time(std::process::id()).expect("this process has a start time");
        assert_eq!(super::start_time(std::process::id()), Some(me));
        assert_eq!(super::start_time(0x7fff_fff0), None);
        assert!(super::exists(std::process::id()) && !super::exists(0x7fff_fff0));
    }
}
