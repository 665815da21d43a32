//! How a program is started in the sandbox: grove's own binary, re-run as
//! the init (see `init.rs`), with the policy as an argument and the
//! working folder as an open descriptor.

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::init::SUBCOMMAND;
use super::policy::Policy;

/// Starts programs through the init in `exe`.
#[derive(Debug, Clone)]
pub struct Launcher {
    /// The binary that runs [`super::init_if_requested`] first thing:
    /// grove itself (tests pass the built binary).
    pub exe: PathBuf,
}

impl Launcher {
    /// The running binary as the init.
    pub fn current() -> io::Result<Launcher> {
        Ok(Launcher { exe: std::env::current_exe()? })
    }

    /// A command that runs `program ARGS` under `policy`, in the folder
    /// `cwd` (entered through this descriptor, never by its path). The
    /// environment set on the command is the program's, plus `TMPDIR`.
    pub fn command(
        &self,
        policy: &Policy,
        cwd: impl AsFd,
        program: impl AsRef<OsStr>,
        args: impl IntoIterator<Item = impl AsRef<OsStr>>,
    ) -> io::Result<Command> {
        // The command owns a duplicate, so the descriptor is open until
        // the spawn whatever the caller does with its own.
        let dir: OwnedFd = cwd.as_fd().try_clone_to_owned()?;
        let fd = dir.as_raw_fd();
        let mut command = Command::new(&self.exe);
        command.arg(SUBCOMMAND).arg(fd.to_string()).arg(policy.encode()).arg("--").arg(program).args(args);
        // SAFETY: between fork and exec only fcntl runs, which is
        // async-signal-safe; it lets this one descriptor survive the exec.
        unsafe {
            command.pre_exec(move || {
                let _owned = &dir;
                if libc::fcntl(fd, libc::F_SETFD, 0) == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
            });
        }
        Ok(command)
    }
}

/// A program's private temporary folder, removed with everything in it
/// when dropped.
#[derive(Debug)]
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// A new folder only its owner can enter, in the system's temporary
    /// folder.
    pub fn new() -> io::Result<Scratch> {
        let base = std::env::temp_dir();
        loop {
            let path = base.join(format!("grove-sandbox-{}-{:08x}", std::process::id(), fastrand::u32(..)));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(Scratch { path }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Where `program` is found: as given when it names a path, else the
/// first executable file of that name on `search` (a `PATH` value).
pub fn resolve(program: &Path, search: &OsStr) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    if program.as_os_str().as_encoded_bytes().contains(&b'/') {
        return Some(program.to_path_buf());
    }
    std::env::split_paths(search).map(|dir| dir.join(program)).find(|candidate| {
        std::fs::metadata(candidate).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}
