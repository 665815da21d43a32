//! How a program is started in the sandbox: the init (see
//! `grove_sandbox_init`), with the policy and the working folder as
//! arguments. The command has nothing to run between fork and exec, so
//! the standard library spawns it with `posix_spawn` (a vfork): no copy
//! of grove's address space, however large it has grown.

use std::ffi::OsStr;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use grove_sandbox_init::{NAME, Policy, SUBCOMMAND, identity};

/// Starts programs through the init in `exe`.
#[derive(Debug, Clone)]
pub struct Launcher {
    /// The init: the static one grove carries (`embedded.rs`), else a
    /// binary that runs [`super::init_if_requested`] first thing: grove
    /// itself.
    pub exe: PathBuf,
}

impl Launcher {
    /// The init grove carries, else the running binary as the init.
    pub fn current() -> io::Result<Launcher> {
        match super::embedded::init() {
            Some(exe) => Ok(Launcher { exe }),
            None => Ok(Launcher { exe: std::env::current_exe()? }),
        }
    }

    /// Whether this is the static init grove carries.
    pub fn carried(&self) -> bool {
        super::embedded::init().is_some_and(|exe| exe == self.exe)
    }

    /// A command that runs `program ARGS` under `policy`, in the folder
    /// `cwd` at `cwd_path`: the init enters it by that path and goes on
    /// only if it is this very folder (keep `cwd` open until the program
    /// is done, so that no other folder can take its identity). The
    /// environment set on the command is the program's, plus `TMPDIR`.
    pub fn command(
        &self,
        policy: &Policy,
        cwd: impl AsFd,
        cwd_path: &Path,
        program: impl AsRef<OsStr>,
        args: impl IntoIterator<Item = impl AsRef<OsStr>>,
    ) -> io::Result<Command> {
        let dir = fstat(cwd.as_fd())?;
        let mut command = Command::new(&self.exe);
        command
            .arg0(NAME)
            .arg(SUBCOMMAND)
            .arg(cwd_path)
            .arg(identity(dir.dev(), dir.ino()))
            .arg(policy.encode())
            .arg("--")
            .arg(program)
            .args(args);
        Ok(command)
    }
}

/// The status of the open file `fd`.
fn fstat(fd: std::os::fd::BorrowedFd<'_>) -> io::Result<std::fs::Metadata> {
    std::fs::File::from(fd.try_clone_to_owned()?).metadata()
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
