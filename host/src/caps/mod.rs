//! The host side of each WIT interface, one module per interface.
//!
//! Every capability is implemented on [`Caps`], the per-invocation context
//! that owns the gate, the workspace root and the console. Each function
//! first turns its call into a gate `Action`, then does the work; failures
//! become typed [`GuestError`]s, never traps.

pub mod console;
mod contain;
mod git;
mod log;
pub mod model;
mod process;
mod sessions;
mod ui;
pub mod unsupported;
pub mod workspace;

use std::io;
use std::path::Path;
use std::time::Instant;

use wasmtime::component::{HasData, Linker};

use crate::gate::approval::Approver;
use crate::gate::classify::Subject;
use crate::gate::policy::Policy;
use crate::gate::{Action, Gate, Grants, Judge, Permission};
use crate::runtime::Limits;
use crate::runtime::bindings::{GuestError, grove::skill};
use crate::runtime::output::OutputBudget;

pub use console::Console;
pub use workspace::Workspace;

/// Everything a skill's capability calls need, for one invocation.
pub struct Caps {
    pub gate: Gate,
    pub workspace: Workspace,
    pub console: Console,
    /// The model provider and the spending meter.
    pub model: model::ModelAccess,
    /// When the invocation must be over; long host calls are cut short here.
    pub deadline: Instant,
    /// The commit the session's branch started from, when the invocation
    /// works in a session (`git.session-base`).
    pub session_base: Option<String>,
    /// Where what happens is told: the session's transcript, the terminal.
    pub transcript: Option<crate::transcript::Transcript>,
    /// Where the programs of a session's run are recorded while they run,
    /// so none outlives the session; `None` outside a session.
    pub processes: Option<crate::session::processes::ProcessLedger>,
    /// The OS sandbox every program of this run is started in.
    pub sandbox: crate::sandbox::Sandbox,
}

impl Caps {
    /// Capabilities for one invocation of `skill` on the workspace at
    /// `root`: the given grants, the built-in policy in auto mode, no one
    /// to approve an `ask`, no audit log, normal verbosity, text output.
    /// Adjust the public fields for anything else.
    pub fn new(skill: &str, root: &Path, grants: Grants, limits: &Limits) -> io::Result<Caps> {
        let judge = Judge::new(root, Policy::builtin(), Some(crate::gate::mode::Mode::Auto));
        Caps::with_gate(skill, root, Gate::new(skill, None, grants, None, judge, Approver::Nobody), limits)
    }

    /// Like [`Caps::new`], with a gate of the caller's making.
    pub fn with_gate(skill: &str, root: &Path, gate: Gate, limits: &Limits) -> io::Result<Caps> {
        let launcher = crate::sandbox::Launcher::current()?;
        let sandbox = crate::sandbox::Sandbox::for_worktree(root, launcher, Default::default());
        Ok(Caps {
            gate,
            workspace: Workspace::open(root)?,
            console: Console::new(skill, console::Verbosity::Normal, OutputBudget::new(limits.output), false),
            model: model::ModelAccess::unavailable("no model provider is set up for this run"),
            deadline: Instant::now() + limits.timeout,
            session_base: None,
            transcript: None,
            processes: None,
            sandbox,
        })
    }

    /// Pass `capability.verb(target)` through the gate, with nothing for
    /// the classifier to judge beyond the call itself.
    async fn check(
        &mut self,
        capability: &'static str,
        verb: &'static str,
        target: &str,
        permission: Permission,
    ) -> Result<(), GuestError> {
        self.gate.check(Action { capability, verb, target, permission, subject: Subject::None }).await
    }

    /// Tell the transcript, when there is one.
    fn tell(&self, kind: &str, data: impl FnOnce() -> serde_json::Value) {
        if let Some(t) = &self.transcript {
            t.record(kind, data());
        }
    }
}

/// `HasData` marker: the linker hands each capability `&mut Caps`.
struct HasCaps;

impl HasData for HasCaps {
    type Data<'a> = &'a mut Caps;
}

/// Link every grove interface into `linker`, reaching `Caps` through `get`.
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> &mut Caps,
) -> wasmtime::Result<()> {
    skill::types::add_to_linker::<T, HasCaps>(linker, get)?;
    skill::log::add_to_linker::<T, HasCaps>(linker, get)?;
    skill::workspace::add_to_linker::<T, HasCaps>(linker, get)?;
    skill::process::add_to_linker::<T, HasCaps>(linker, get)?;
    skill::git::add_to_linker::<T, HasCaps>(linker, get)?;
    skill::ui::add_to_linker::<T, HasCaps>(linker, get)?;
    skill::sessions::add_to_linker::<T, HasCaps>(linker, get)?;
    skill::model::add_to_linker::<T, HasCaps>(linker, get)?;
    unsupported::add_to_linker::<T, HasCaps>(linker, get)
}

impl skill::types::Host for Caps {}

/// Map an I/O error to the guest error that says the most about it.
pub(crate) fn io_error(context: &str, e: io::Error) -> GuestError {
    match e.kind() {
        io::ErrorKind::NotFound => GuestError::NotFound(format!("{context}: not found")),
        io::ErrorKind::PermissionDenied => GuestError::Denied(format!("{context}: {e}")),
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
            GuestError::Invalid(format!("{context}: {e}"))
        }
        io::ErrorKind::TimedOut => GuestError::Timeout(format!("{context}: {e}")),
        _ => GuestError::Io(format!("{context}: {e}")),
    }
}
