//! Running sessions. Each session runs in its own detached `grove` process
//! (the hidden `grove session-run NAME`), so sessions are isolated from one
//! another and from the command that started them, and a crash of one
//! takes nothing else down. The scheduler is the store's queue: whoever
//! starts or finishes a session claims queued ones up to the cap and
//! launches them.

use std::fs::OpenOptions;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{Session, Store, StoreError};

/// Where a session's output goes: `<git dir>/grove/logs/<name>.log`.
pub fn log_path(git_dir: &Path, name: &str) -> PathBuf {
    git_dir.join("grove").join("logs").join(format!("{name}.log"))
}

/// Where the whole tool results of session `session_id`'s transcript are
/// kept: `<git dir>/grove/transcripts/<id>/` (by id: names can be reused).
pub fn transcript_dir(git_dir: &Path, session_id: i64) -> PathBuf {
    git_dir.join("grove").join("transcripts").join(session_id.to_string())
}

/// Delete what a removed session kept beside the store: its process's
/// output and the whole tool results of its transcript.
pub fn remove_files(git_dir: &Path, session: &Session) {
    let _ = std::fs::remove_file(log_path(git_dir, &session.name));
    let _ = std::fs::remove_dir_all(transcript_dir(git_dir, session.id));
}

/// Errors starting a session process.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("starting the session process for `{name}`: {source}")]
    Spawn { name: String, source: std::io::Error },
}

/// Claim queued sessions up to the concurrency cap and start a process
/// for each. Returns the sessions started.
pub fn pump(
    store: &mut Store,
    git_dir: &Path,
    repo_root: &Path,
    cap: usize,
) -> Result<Vec<Session>, LaunchError> {
    let claimed = store.claim_queued(cap)?;
    for session in &claimed {
        match launch(git_dir, repo_root, &session.name) {
            Ok(pid) => store.set_pid(&session.name, pid)?,
            Err(source) => {
                let error = format!("could not start its process: {source}");
                store.finish(&session.name, super::State::Failed, -1, None, Some(&error))?;
                return Err(LaunchError::Spawn { name: session.name.clone(), source });
            }
        }
    }
    Ok(claimed)
}

/// Start `grove session-run NAME` detached: its own process group (a
/// Ctrl-C in the user's terminal is not for it), no stdin, output appended
/// to the session's log.
fn launch(git_dir: &Path, repo_root: &Path, name: &str) -> std::io::Result<u32> {
    let log = log_path(git_dir, name);
    std::fs::create_dir_all(log.parent().expect("log paths have a parent"))?;
    let out = OpenOptions::new().create(true).append(true).open(&log)?;
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .args(["session-run", name])
        .current_dir(repo_root)
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .process_group(0)
        .spawn()?;
    let pid = child.id();
    // Reap it if this process outlives it (a dashboard, a test); a CLI
    // that exits first hands it to init.
    std::thread::spawn(move || child.wait());
    Ok(pid)
}

/// Mark a session cancelled, then stop its process: SIGTERM (the runner
/// drops its run, killing the programs it started), SIGKILL to its whole
/// process group if it lingers; then kill whatever programs it left
/// recorded (see [`super::processes`]). The order matters: the runner sees
/// `cancelled` when it wakes and leaves it so.
pub fn stop(store: &Store, session: &Session) -> Result<(), StoreError> {
    store.set_state(&session.name, super::State::Cancelled, serde_json::json!({ "by": "user" }))?;
    if let Some(pid) = session.pid {
        // SAFETY: kill(2) on the pid recorded for this session's runner.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGTERM);
        }
        if !gone_within(pid, 100) {
            // SAFETY: as above; the runner leads its own group (see
            // `launch`), and a live process's pid names no other group.
            unsafe {
                libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
                libc::kill(pid as libc::pid_t, libc::SIGKILL);
            }
            // Dead, it starts nothing more: what it recorded is all there is.
            gone_within(pid, 50);
        }
        super::processes::kill_dead_runners_group(Some(pid));
    }
    store.kill_left_behind(Some(&session.name))?;
    Ok(())
}

/// Wait up to `ticks` × 20 ms for a process to be gone.
fn gone_within(pid: u32, ticks: u32) -> bool {
    for _ in 0..ticks {
        if !crate::pid::alive(pid) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    !crate::pid::alive(pid)
}
