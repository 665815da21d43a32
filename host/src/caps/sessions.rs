//! `sessions`: a skill fans work out into sub-sessions (each a new
//! worktree, branch, task and skill, run by the same scheduler as
//! `grove new`) and waits for them. This is how `/prototype` runs its
//! variants in parallel.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{CapError, Caps, ErrorKind};
use crate::gate::{Permission, Permit};
use crate::session::{NewSession, Session, State, Store, StoreError, runner};
use crate::wit::grove::skill::sessions::{Host, Info, Spec, State as WitState};
use crate::worktree::{WorktreeError, Worktrees};

type R<T> = Result<T, CapError>;

/// How often waits look at the store.
const POLL: Duration = Duration::from_millis(100);

fn wit_state(s: State) -> WitState {
    match s {
        State::Queued => WitState::Queued,
        State::Running => WitState::Running,
        State::WaitingApproval => WitState::WaitingApproval,
        State::Done => WitState::Done,
        State::Failed => WitState::Failed,
        State::Cancelled => WitState::Cancelled,
        State::Interrupted => WitState::Interrupted,
    }
}

fn info(s: &Session) -> Info {
    Info {
        name: s.name.clone(),
        branch: s.branch.clone(),
        state: wit_state(s.state),
        summary: s.summary.clone(),
        cost_usd: s.cost_microdollars as f64 / 1e6,
        elapsed_ms: s.started_at.map(|started| {
            let until = s.finished_at.unwrap_or_else(crate::session::store::now_ms);
            until.saturating_sub(started).max(0) as u64
        }),
    }
}

impl From<WorktreeError> for CapError {
    fn from(e: WorktreeError) -> CapError {
        let kind = match e {
            WorktreeError::InvalidName { .. } | WorktreeError::Exists(_) => ErrorKind::Invalid,
            WorktreeError::NotFound(_) | WorktreeError::NotARepository(_) => ErrorKind::NotFound,
            _ => ErrorKind::Io,
        };
        CapError::of(kind, e)
    }
}

impl From<StoreError> for CapError {
    fn from(e: StoreError) -> CapError {
        let kind = match e {
            StoreError::NotFound(_) => ErrorKind::NotFound,
            StoreError::Exists(_) => ErrorKind::Invalid,
            _ => ErrorKind::Io,
        };
        CapError::of(kind, e)
    }
}

/// The repository's worktrees and store, opened from any of its worktrees.
fn open(root: &Path) -> Result<(Worktrees, Store), CapError> {
    let worktrees = crate::session::worktrees(root)?;
    let store = Store::open(worktrees.git_dir())?;
    store.recover()?;
    Ok((worktrees, store))
}

/// Run `f` on the blocking pool with the repository's worktrees and store,
/// for work the gate allowed.
async fn blocking<T: Send + 'static>(
    permit: &Permit,
    root: PathBuf,
    f: impl FnOnce(&Worktrees, &mut Store) -> Result<T, CapError> + Send + 'static,
) -> Result<T, CapError> {
    debug_assert_eq!(permit.permission(), Permission::Sessions);
    tokio::task::spawn_blocking(move || {
        let (worktrees, mut store) = open(&root)?;
        f(&worktrees, &mut store)
    })
    .await?
}

impl Caps {
    async fn spawn_session(&mut self, spec: Spec) -> Result<String, CapError> {
        let permit = self.check("sessions", "spawn", &spec.name, Permission::Sessions).await?;
        // No skill: the agent works the task, as for `grove new --task`.
        let skill = spec.skill.clone().unwrap_or_else(|| "agent".to_string());
        let root = self.workspace.root().to_path_buf();
        // A sub-session works in the mode this one is in now.
        let mode = Some(self.gate.mode().to_string());
        // A sub-session starts from where this one is, unless told
        // otherwise, and merges back into the branch this one is on.
        let (from, base_ref) = match spec.base.clone() {
            Some(base) => (base, None),
            None => {
                let head = crate::repo::head(&crate::repo::open(&root)?)?;
                let commit = head
                    .commit
                    .ok_or_else(|| CapError::invalid("this workspace has no commit to branch from"))?;
                (commit, head.branch)
            }
        };
        blocking(&permit, root, move |worktrees, store| {
            let name = Worktrees::slug(&spec.name)?;
            if store.get(&name)?.is_some() {
                return Err(CapError::invalid(format!("a session named `{name}` already exists")));
            }
            let worktree = worktrees.create(&name, Some(&from))?;
            store.insert(&NewSession {
                name: name.clone(),
                branch: worktree.branch.clone(),
                base_ref: base_ref.clone(),
                base_commit: worktree.head.clone().unwrap_or_default(),
                path: worktree.path.clone(),
                task: Some(spec.task.clone()),
                skill,
                args: spec.args.clone(),
                allow: Vec::new(),
                timeout_ms: None,
                mode: mode.clone(),
                model: None,
            })?;
            let git_dir = worktrees.git_dir().to_path_buf();
            runner::pump(store, &git_dir, worktrees.root(), crate::session::concurrency())
                .map_err(|e| CapError::io("starting the session").because(e))?;
            Ok(name)
        })
        .await
    }

    /// Wait until one (`any`) or all of `names` are final. The wait runs on
    /// the blocking pool with one store handle, polling it; the invocation's
    /// deadline still bounds it.
    async fn wait_for(
        &mut self,
        verb: &'static str,
        names: Vec<String>,
        any: bool,
    ) -> Result<Vec<Info>, CapError> {
        let permit = self.check("sessions", verb, &names.join(" "), Permission::Sessions).await?;
        if names.is_empty() {
            return Err(CapError::invalid(format!("sessions.{verb} needs at least one name")));
        }
        let root = self.workspace.root().to_path_buf();
        blocking(&permit, root, move |_, store| {
            loop {
                let sessions = names.iter().map(|n| store.require(n)).collect::<Result<Vec<_>, _>>()?;
                let finished: Vec<Info> = sessions.iter().filter(|s| s.state.is_final()).map(info).collect();
                if any && !finished.is_empty() {
                    return Ok(finished);
                }
                if finished.len() == sessions.len() {
                    return Ok(sessions.iter().map(info).collect());
                }
                std::thread::sleep(POLL);
                // A sub-session whose process died must not be waited on forever.
                store.recover()?;
            }
        })
        .await
    }
}

impl Host for Caps {
    async fn spawn(&mut self, spec: Spec) -> R<String> {
        self.spawn_session(spec).await
    }

    async fn wait_any(&mut self, names: Vec<String>) -> R<Info> {
        self.wait_for("wait-any", names, true).await.map(|mut done| done.remove(0))
    }

    async fn wait_all(&mut self, names: Vec<String>) -> R<Vec<Info>> {
        self.wait_for("wait-all", names, false).await
    }

    async fn inspect(&mut self, name: String) -> R<Info> {
        let permit = self.check("sessions", "inspect", &name, Permission::Sessions).await?;
        let root = self.workspace.root().to_path_buf();
        blocking(&permit, root, move |_, store| Ok(info(&store.require(&name)?))).await
    }

    async fn diff(&mut self, name: String) -> R<String> {
        let permit = self.check("sessions", "diff", &name, Permission::Sessions).await?;
        let root = self.workspace.root().to_path_buf();
        blocking(&permit, root, move |_, store| {
            let s = store.require(&name)?;
            Ok(crate::repo::diff_text(&crate::repo::open(&s.path)?, Some(&s.base_commit))?)
        })
        .await
    }

    async fn cancel(&mut self, name: String) -> R<()> {
        let permit = self.check("sessions", "cancel", &name, Permission::Sessions).await?;
        let root = self.workspace.root().to_path_buf();
        blocking(&permit, root, move |_, store| {
            let s = store.require(&name)?;
            if s.state.is_final() {
                return Ok(());
            }
            Ok(runner::stop(store, &s)?)
        })
        .await
    }
}
