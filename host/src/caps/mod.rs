//! The host side of each WIT interface, one module per interface.
//!
//! Every capability is implemented on [`Caps`], the per-invocation context
//! that owns the gate, the workspace root and the console. Each function
//! first turns its call into a gate `Action`; the gate's [`Permit`] opens
//! the handle that does the work. Failures are [`CapError`]s: the typed
//! error the guest handles, or a trap only for host bugs and exhausted
//! limits. The contract's generated types stop in these files: each
//! converts them to and from the host's own.

mod browser;
pub mod console;
mod contain;
mod egress;
mod evidence;
mod export;
mod git;
mod http;
mod log;
pub mod model;
mod notify;
mod process;
mod review;
mod running;
mod serve;
mod sessions;
mod since_v0_1_0;
mod ui;
pub mod workspace;

use std::io;
use std::path::Path;
use std::time::Instant;

use wasmtime::component::{HasData, Linker};

use crate::gate::approval::Approver;
use crate::gate::classify::Subject;
use crate::gate::policy::Policy;
use crate::gate::{Action, Gate, Grants, Judge, Permission, Permit, Refusal};
use crate::runtime::output::OutputBudget;
use crate::runtime::{Limits, SkillState, StoreData};
use crate::wit::grove::skill;
pub use crate::wit::{CapError, ErrorKind};

pub use console::Console;
pub use sessions::Cassettes;
pub use workspace::Workspace;

/// Everything a skill's capability calls need, for one invocation.
pub struct Caps {
    pub gate: Gate,
    pub workspace: Workspace,
    pub console: Console,
    /// The model provider and the spending meter.
    pub model: model::ModelAccess,
    /// The client of `http.send`, built on its first allowed request.
    pub http: http::HttpAccess,
    /// The Slack client of `notify`, set up on its first allowed call.
    pub notify: notify::NotifyAccess,
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
    /// Bytes written through `workspace.write` so far, and the most the
    /// run may write ([`Limits::writes`]).
    pub written: u64,
    pub max_written: u64,
    /// Where `ui.report` saves HTML reports: the repository's
    /// `.git/grove/reports`, or `None` for a private temporary folder.
    pub reports_dir: Option<std::path::PathBuf>,
    /// The run's evidence bundle; `None` outside a git repository.
    pub evidence: Option<crate::evidence::bundle::Bundle>,
    /// The cassettes its spawned sessions record to or replay from.
    pub cassettes: sessions::Cassettes,
    /// The OS sandbox every program of this run is started in.
    pub sandbox: crate::sandbox::Sandbox,
    /// The run's browser and its pages; dropping it kills the browser.
    pub browsing: browser::Browsing,
    /// The programs `process.running.start` started; dropping it kills
    /// them.
    pub programs: running::Programs,
    /// The egress proxy its programs reach allowed hosts through, once
    /// one needed it.
    egress: egress::Egress,
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
    pub fn with_gate(skill: &str, root: &Path, mut gate: Gate, limits: &Limits) -> io::Result<Caps> {
        gate.limit_calls(limits.calls);
        let launcher = crate::sandbox::Launcher::current()?;
        let sandbox = crate::sandbox::Sandbox::for_worktree(root, launcher, Default::default());
        Ok(Caps {
            gate,
            workspace: Workspace::open(root)?,
            console: Console::new(skill, console::Verbosity::Normal, OutputBudget::new(limits.output), false),
            model: model::ModelAccess::unavailable("no model provider is set up for this run"),
            http: http::HttpAccess::default(),
            notify: notify::NotifyAccess::default(),
            deadline: Instant::now() + limits.timeout,
            session_base: None,
            transcript: None,
            processes: None,
            written: 0,
            max_written: limits.writes,
            reports_dir: None,
            cassettes: sessions::Cassettes::default(),
            sandbox,
            evidence: None,
            browsing: browser::Browsing::default(),
            programs: running::Programs::default(),
            egress: egress::Egress::default(),
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
    ) -> Result<Permit, CapError> {
        Ok(self.gate.check(Action { capability, verb, target, permission, subject: Subject::None }).await?)
    }

    /// Tell the transcript, when there is one.
    fn tell(&self, kind: &str, data: impl FnOnce() -> serde_json::Value) {
        if let Some(t) = &self.transcript {
            t.record(kind, data());
        }
    }
}

impl StoreData for Caps {
    fn skill(&self) -> &str {
        self.console.skill()
    }

    fn output(&self) -> &OutputBudget {
        self.console.budget()
    }
}

/// `HasData` marker: the linker hands each capability `&mut Caps`.
struct HasCaps;

impl HasData for HasCaps {
    type Data<'a> = &'a mut Caps;
}

/// The runtime's `link` for grove: every grove interface (the runtime
/// itself provides WASI, which grants nothing).
pub fn link(linker: &mut Linker<SkillState<Caps>>) -> wasmtime::Result<()> {
    add_to_linker(linker, |state: &mut SkillState<Caps>| &mut state.data)
}

/// Link every grove interface into `linker`, reaching `Caps` through `get`:
/// the current contract's and each released one's (`since_v0_1_0`), so a
/// component built against any of them links.
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
    skill::evidence::add_to_linker::<T, HasCaps>(linker, get)?;
    skill::http::add_to_linker::<T, HasCaps>(linker, get)?;
    skill::browser::add_to_linker::<T, HasCaps>(linker, get)?;
    skill::notify::add_to_linker::<T, HasCaps>(linker, get)?;
    skill::review::add_to_linker::<T, HasCaps>(linker, get)?;
    since_v0_1_0::add_to_linker(linker, get)?;
    Ok(())
}

impl skill::types::Host for Caps {
    fn convert_error(&mut self, e: CapError) -> wasmtime::Result<crate::wit::GuestError> {
        e.into_guest()
    }
}

/// A refusal is what the guest hears as `denied`, its cause kept (an audit
/// log that could not be written); a run out of calls hears `limit`.
impl From<Refusal> for CapError {
    fn from(r: Refusal) -> CapError {
        let kind = if matches!(r, Refusal::Limit(_)) { ErrorKind::Limit } else { ErrorKind::Denied };
        CapError::of(kind, r)
    }
}

/// Running past a limit of the invocation (its output budget) stops the
/// guest.
impl From<crate::runtime::LimitExceeded> for CapError {
    fn from(e: crate::runtime::LimitExceeded) -> CapError {
        CapError::Trap(wasmtime::Error::new(e))
    }
}

/// Map an I/O error to the guest error that says the most about it, by its
/// kind.
pub(crate) fn io_error(context: &str, e: io::Error) -> CapError {
    match e.kind() {
        io::ErrorKind::NotFound => CapError::not_found(format!("{context}: not found")),
        io::ErrorKind::PermissionDenied => CapError::denied(context).because(e),
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => CapError::invalid(context).because(e),
        io::ErrorKind::TimedOut => CapError::timeout(context).because(e),
        _ => CapError::io(context).because(e),
    }
}
