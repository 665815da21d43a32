//! Whether a process is still there: the session store and the worktree
//! manager both record pids (runners, creators) and must tell a live one
//! from a dead one.

/// Whether a process is alive. Signal 0 probes for existence; a zombie
/// (dead, not yet reaped by whoever adopted it) also answers, so on Linux
/// its state in `/proc` settles it.
pub fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    // SAFETY: kill with signal 0 only checks for existence and permission.
    let r = unsafe { libc::kill(pid, 0) };
    let exists = r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    exists && !is_zombie(pid)
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
}
