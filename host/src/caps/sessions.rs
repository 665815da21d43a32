//! `sessions`: a skill fans work out into sub-sessions (each a new
//! worktree, branch, task and skill, run by the same scheduler as
//! `grove new`) and waits for them. This is how `/prototype` runs its
//! variants in parallel.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Caps;
use crate::gate::Permission;
use crate::runtime::bindings::GuestError;
use crate::runtime::bindings::grove::skill::sessions::{Host, Info, Spec, State as WitState};
use crate::session::{NewSession, Session, State, Store, runner};
use crate::worktree::{WorktreeError, Worktrees};

type R<T> = wasmtime::Result<Result<T, GuestError>>;

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
    }
}

fn worktree_error(e: WorktreeError) -> GuestError {
    match e {
        WorktreeError::InvalidName { .. } => GuestError::Invalid(e.to_string()),
        WorktreeError::Exists(_) => GuestError::Invalid(e.to_string()),
        WorktreeError::NotFound(_) | WorktreeError::NotARepository(_) => GuestError::NotFound(e.to_string()),
        _ => GuestError::Io(e.to_string()),
    }
}

fn store_error(e: crate::session::StoreError) -> GuestError {
    match e {
        crate::session::StoreError::NotFound(_) => GuestError::NotFound(e.to_string()),
        crate::session::StoreError::Exists(_) => GuestError::Invalid(e.to_string()),
        _ => GuestError::Io(e.to_string()),
    }
}

/// The repository's worktrees and store, opened from any of its worktrees.
fn open(root: &Path) -> Result<(Worktrees, Store), GuestError> {
    let worktrees = crate::session::worktrees(root).map_err(worktree_error)?;
    let store = Store::open(worktrees.git_dir()).map_err(store_error)?;
    store.recover().map_err(store_error)?;
    Ok((worktrees, store))
}

/// Run `f` on the blocking pool with the repository's worktrees and store.
async fn blocking<T: Send + 'static>(
    root: PathBuf,
    f: impl FnOnce(&Worktrees, &mut Store) -> Result<T, GuestError> + Send + 'static,
) -> Result<T, GuestError> {
    tokio::task::spawn_blocking(move || {
        let (worktrees, mut store) = open(&root)?;
        f(&worktrees, &mut store)
    })
    .await
    .map_err(|e| GuestError::Io(format!("sessions: {e}")))?
}

impl Caps {
    async fn spawn_session(&mut self, spec: Spec) -> Result<String, GuestError> {
        self.check("sessions", "spawn", &spec.name, Permission::Sessions).await?;
        // No skill: the agent works the task, as for `grove new --task`.
        let skill = spec.skill.clone().unwrap_or_else(|| "agent".to_string());
        let root = self.workspace.root().to_path_buf();
        // A sub-session works in the mode this one is in now.
        let mode = Some(self.gate.mode().to_string());
        // A sub-session starts from where this one is, unless told otherwise.
        let from = match spec.base.clone() {
            Some(base) => base,
            None => crate::repo::head(&crate::repo::open(&root)?)?
                .commit
                .ok_or_else(|| GuestError::Invalid("this workspace has no commit to branch from".into()))?,
        };
        blocking(root, move |worktrees, store| {
            let name = Worktrees::slug(&spec.name).map_err(worktree_error)?;
            if store.get(&name).map_err(store_error)?.is_some() {
                return Err(GuestError::Invalid(format!("a session named `{name}` already exists")));
            }
            let worktree = worktrees.create(&name, Some(&from)).map_err(worktree_error)?;
            store
                .insert(&NewSession {
                    name: name.clone(),
                    branch: worktree.branch.clone(),
                    base_ref: None,
                    base_commit: worktree.head.clone().unwrap_or_default(),
                    path: worktree.path.clone(),
                    task: Some(spec.task.clone()),
                    skill,
                    args: Vec::new(),
                    allow: Vec::new(),
                    timeout_ms: None,
                    mode: mode.clone(),
                    model: None,
                })
                .map_err(store_error)?;
            let git_dir = worktrees.git_dir().to_path_buf();
            runner::pump(store, &git_dir, worktrees.root(), crate::session::concurrency())
                .map_err(|e| GuestError::Io(e.to_string()))?;
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
    ) -> Result<Vec<Info>, GuestError> {
        self.check("sessions", verb, &names.join(" "), Permission::Sessions).await?;
        if names.is_empty() {
            return Err(GuestError::Invalid(format!("sessions.{verb} needs at least one name")));
        }
        let root = self.workspace.root().to_path_buf();
        blocking(root, move |_, store| {
            loop {
                let sessions = names.iter().map(|n| store.require(n).map_err(store_error)).collect::<Result<
                    Vec<_>,
                    _,
                >>(
                )?;
                let finished: Vec<Info> = sessions.iter().filter(|s| s.state.is_final()).map(info).collect();
                if any && !finished.is_empty() {
                    return Ok(finished);
                }
                if finished.len() == sessions.len() {
                    return Ok(sessions.iter().map(info).collect());
                }
                std::thread::sleep(POLL);
                // A sub-session whose process died must not be waited on forever.
                store.recover().map_err(store_error)?;
            }
        })
        .await
    }
}

impl Host for Caps {
    async fn spawn(&mut self, spec: Spec) -> R<String> {
        Ok(self.spawn_session(spec).await)
    }

    async fn wait_any(&mut self, names: Vec<String>) -> R<Info> {
        Ok(self.wait_for("wait-any", names, true).await.map(|mut done| done.remove(0)))
    }

    async fn wait_all(&mut self, names: Vec<String>) -> R<Vec<Info>> {
        Ok(self.wait_for("wait-all", names, false).await)
    }

    async fn inspect(&mut self, name: String) -> R<Info> {
        if let Err(e) = self.check("sessions", "inspect", &name, Permission::Sessions).await {
            return Ok(Err(e));
        }
        let root = self.workspace.root().to_path_buf();
        Ok(blocking(root, move |_, store| store.require(&name).map(|s| info(&s)).map_err(store_error)).await)
    }

    async fn diff(&mut self, name: String) -> R<String> {
        if let Err(e) = self.check("sessions", "diff", &name, Permission::Sessions).await {
            return Ok(Err(e));
        }
        let root = self.workspace.root().to_path_buf();
        Ok(blocking(root, move |_, store| {
            let s = store.require(&name).map_err(store_error)?;
            Ok(crate::repo::diff_text(&crate::repo::open(&s.path)?, Some(&s.base_commit))?)
        })
        .await)
    }

    async fn cancel(&mut self, name: String) -> R<()> {
        if let Err(e) = self.check("sessions", "cancel", &name, Permission::Sessions).await {
            return Ok(Err(e));
        }
        let root = self.workspace.root().to_path_buf();
        Ok(blocking(root, move |_, store| {
            let s = store.require(&name).map_err(store_error)?;
            if s.state.is_final() {
                return Ok(());
            }
            runner::stop(store, &s).map_err(store_error)
        })
        .await)
    }
}
