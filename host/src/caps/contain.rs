//! The command `process.run` spawns: the program inside the OS sandbox
//! (`crate::sandbox`), its working folder opened beneath the worktree.

use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::path::Path;

use tokio::process::Command;

use super::{CapError, Caps, ErrorKind, io_error, workspace};
use crate::gate::{Permission, Permit};
use crate::sandbox::{Door, PidsGroup, SandboxError, Scratch};
use crate::wit::grove::skill::process::Command as Cmd;

/// What a sandboxed program uses while it runs: its working folder, held
/// open, its temporary folder, its process group and, serving, the door
/// the host reaches it through, removed when dropped.
pub(super) struct Kept {
    _cwd: Option<OwnedFd>,
    _scratch: Option<Scratch>,
    _pids: Option<PidsGroup>,
    door: Option<Door>,
}

impl Kept {
    /// The door a program started to serve is reached through; `None`
    /// when it runs without a sandbox (it listens on the host itself).
    pub(super) fn door(&self) -> Option<&Door> {
        self.door.as_ref()
    }
}

impl Caps {
    /// The command that runs `cmd` with `program` (as `process.run`
    /// resolved it), in the sandbox; `cwd` is its folder on the host; with
    /// `serve`, a server listening on that port inside. Keep what it
    /// returns until the program is done. Only a `process` permit starts a
    /// program.
    pub(super) fn sandboxed(
        &self,
        permit: &Permit,
        cmd: &Cmd,
        program: &Path,
        cwd: &Path,
        fallback_path: &str,
        serve: Option<u16>,
    ) -> Result<(Command, Kept), CapError> {
        debug_assert_eq!(permit.permission(), Permission::Process, "only a process permit starts a program");
        // Entered by descriptor, opened beneath the root: no symlink
        // carries the program out between a check and its start.
        let rel = match &cmd.cwd {
            Some(dir) => workspace::relative(dir)?,
            None => Path::new(".").to_path_buf(),
        };
        let dir =
            self.workspace.open_dir(permit, &rel).map_err(|e| io_error(&rel.display().to_string(), e))?;
        let search = match cmd.env.iter().rev().find(|(name, _)| name == crate::env::PATH) {
            Some((_, value)) => OsString::from(value),
            None => std::env::var_os(crate::env::PATH).unwrap_or_else(|| fallback_path.into()),
        };
        let prepared = self.sandbox.command(&dir, cwd, program, &cmd.args, &search, serve).map_err(|e| match e {
            SandboxError::Unavailable(_) => CapError::denied(format!(
                "{e} (see `grove sandbox check`; a policy with sandbox = \"best-effort\" runs them unsandboxed)"
            )),
            SandboxError::NotFound(_) => CapError::of(ErrorKind::NotFound, e),
            SandboxError::Io(e) => io_error("preparing the sandbox", e),
        })?;
        let kept = Kept {
            _cwd: prepared.cwd,
            _scratch: prepared.scratch,
            _pids: prepared.pids,
            door: prepared.door,
        };
        Ok((Command::from(prepared.command), kept))
    }
}
