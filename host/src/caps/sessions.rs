//! `sessions`: a skill fans work out into sub-sessions (each a new
//! worktree, branch, task and skill, run by the same scheduler as
//! `grove new`) and waits for them. This is how `/prototype` runs its
//! variants in parallel.
//!
//! A session spawned from a skill working in session P is P's child: it
//! records P as its parent, works in P's mode with P's tier and model,
//! gets at most what is left of P's budget (`session::budget`), and is
//! refused past the depth and count the user allows (`session::bounds`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{CapError, Caps, ErrorKind};
use crate::gate::{Permission, Permit};
use crate::providers::Budget;
use crate::session::bounds::Bounds;
use crate::session::budget::{self, BudgetError, Inherited};
use crate::session::follow_up::Step;
use crate::session::store::ModelChoice;
use crate::session::{NewSession, Session, State, Store, StoreError, runner};
use crate::wit::grove::skill::sessions::{FollowUp, Host, Info, Spec, State as WitState};
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

impl From<FollowUp> for Step {
    fn from(f: FollowUp) -> Step {
        match f {
            FollowUp::Evidence => Step::Evidence,
            FollowUp::PrDraft => Step::PrDraft,
        }
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
            StoreError::Bound(_) => ErrorKind::Limit,
            _ => ErrorKind::Io,
        };
        CapError::of(kind, e)
    }
}

impl From<BudgetError> for CapError {
    fn from(e: BudgetError) -> CapError {
        let kind = match e {
            BudgetError::Spent { .. } => ErrorKind::Limit,
            BudgetError::Units { .. } => ErrorKind::Invalid,
        };
        CapError::of(kind, e)
    }
}

/// What a sub-session of `parent` inherits: its tier and model, and a
/// budget within what `parent` has left. Without a parent, the budget
/// asked for.
fn inherit(
    store: &Store,
    parent: Option<&str>,
    asked: Option<Budget>,
    (record, replay): (Option<String>, Option<String>),
) -> R<(Option<ModelChoice>, Inherited)> {
    let Some(parent) = parent else {
        let choice =
            ModelChoice { budget: asked.map(|b| b.to_string()), record, replay, ..ModelChoice::default() };
        let choice = (choice != ModelChoice::default()).then_some(choice);
        return Ok((choice, Inherited { budget: asked, clamped_from: None }));
    };
    let parent = store.require(parent)?;
    let own = parent.model.clone().unwrap_or_default();
    // The configured budget is the parent's when it was given none.
    let default = match own.budget {
        Some(_) => None,
        None => {
            crate::providers::ModelConfig::load()
                .map_err(|e| CapError::io("reading the model configuration for the budget").because(e))?
                .budget
        }
    };
    let inherited = budget::for_child(store, &parent, default, asked)??;
    let choice = ModelChoice {
        budget: inherited.budget.map(|b| b.to_string()),
        tier: own.tier,
        model: own.model,
        // A cassette is one conversation's: the child has its own, beside
        // the parent's (see `Cassettes`).
        record,
        replay,
    };
    Ok(((choice != ModelChoice::default()).then_some(choice), inherited))
}

/// The cassettes of a run that records or replays its model exchanges, and
/// so those of the sessions it spawns: the k-th spawn's are beside the
/// run's, `NAME.k.jsonl` for `NAME.jsonl`. A cassette is one conversation,
/// served in order; sub-sessions run at once, so each needs its own, and
/// a fan-out spawns in the same order every time.
#[derive(Debug, Default)]
pub struct Cassettes {
    record: Option<PathBuf>,
    replay: Option<PathBuf>,
    spawned: u32,
}

impl Cassettes {
    /// The run's own cassettes, made absolute: its sub-sessions run elsewhere.
    pub fn new(record: Option<&Path>, replay: Option<&Path>) -> Cassettes {
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        Cassettes { record: record.map(absolute), replay: replay.map(absolute), spawned: 0 }
    }

    /// The next spawn's cassettes (record, replay).
    fn next(&mut self) -> (Option<String>, Option<String>) {
        if self.record.is_none() && self.replay.is_none() {
            return (None, None);
        }
        self.spawned += 1;
        let k = self.spawned;
        let beside = |p: &PathBuf| {
            let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let name = match p.extension() {
                Some(ext) => format!("{stem}.{k}.{}", ext.to_string_lossy()),
                None => format!("{stem}.{k}"),
            };
            p.with_file_name(name).display().to_string()
        };
        (self.record.as_ref().map(beside), self.replay.as_ref().map(beside))
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
    async fn spawn_session(
        &mut self,
        verb: &'static str,
        spec: Spec,
        asked: Option<String>,
        then: Vec<Step>,
    ) -> Result<String, CapError> {
        let permit = self.check("sessions", verb, &spec.name, Permission::Sessions).await?;
        if then.contains(&Step::PrDraft) {
            // Opening a pull request reaches other people: judged now, as
            // the skill opening one of the new branch itself, so a skill
            // without `review` cannot reach them through a sub-session.
            let branch = format!("grove/{}", Worktrees::slug(&spec.name)?);
            let target = format!("{branch} (a draft, once session `{}` ends well)", spec.name);
            self.check("review", "open", &target, Permission::Review).await?;
        }
        let asked = asked.map(|b| Budget::parse(&b).map_err(CapError::invalid)).transpose()?;
        // No skill: the agent works the task, as for `grove new --task`.
        let skill = spec.skill.clone().unwrap_or_else(|| "agent".to_string());
        let root = self.workspace.root().to_path_buf();
        // A sub-session works in the mode this one is in now.
        let mode = Some(self.gate.mode().to_string());
        let parent = self.gate.session().map(str::to_string);
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
        let cassettes = self.cassettes.next();
        let told_skill = skill.clone();
        let told_then = then.clone();
        let (name, inherited) = blocking(&permit, root, move |worktrees, store| {
            let bounds =
                Bounds::load().map_err(|e| CapError::io("reading the [sessions] limits").because(e))?;
            let name = Worktrees::slug(&spec.name)?;
            if store.get(&name)?.is_some() {
                return Err(CapError::invalid(format!("a session named `{name}` already exists")));
            }
            let (model, inherited) = inherit(store, parent.as_deref(), asked, cassettes)?;
            let mut new = NewSession {
                name: name.clone(),
                // Where the worktree puts them, once it is made.
                branch: String::new(),
                base_ref: base_ref.clone(),
                base_commit: String::new(),
                path: PathBuf::new(),
                task: Some(spec.task.clone()),
                skill,
                args: spec.args.clone(),
                allow: Vec::new(),
                timeout_ms: None,
                mode: mode.clone(),
                model,
                parent,
                then,
            };
            // Refused before a worktree is made; checked again, with the
            // insert, once it is (another skill may have spawned between).
            store.check_bounds(&new, &bounds)?;
            let worktree = worktrees.create(&name, Some(&from))?;
            new.branch = worktree.branch.clone();
            new.base_commit = worktree.head.clone().unwrap_or_default();
            new.path = worktree.path.clone();
            if let Err(e) = store.insert_bounded(&new, &bounds) {
                // No record, no worktree: nothing of a refused spawn stays.
                let _ = worktrees.remove(&name, false);
                return Err(e.into());
            }
            let git_dir = worktrees.git_dir().to_path_buf();
            runner::pump(store, &git_dir, worktrees.root(), crate::session::concurrency())
                .map_err(|e| CapError::io("starting the session").because(e))?;
            Ok((name, inherited))
        })
        .await?;
        self.tell(crate::transcript::kind::SPAWN, || {
            let mut data = serde_json::json!({ "name": name, "skill": told_skill });
            if !told_then.is_empty() {
                data["then"] = told_then.iter().map(|step| step.as_str()).collect::<Vec<_>>().into();
            }
            if let Some(budget) = inherited.budget {
                data["budget"] = budget.to_string().into();
            }
            if let Some(asked) = inherited.clamped_from {
                data["asked"] = asked.to_string().into();
            }
            data
        });
        Ok(name)
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
        self.spawn_session("spawn", spec, None, Vec::new()).await
    }

    async fn spawn_with_budget(&mut self, spec: Spec, budget: String) -> R<String> {
        self.spawn_session("spawn-with-budget", spec, Some(budget), Vec::new()).await
    }

    async fn spawn_then(&mut self, spec: Spec, then: Vec<FollowUp>) -> R<String> {
        self.spawn_session("spawn-then", spec, None, then.into_iter().map(Step::from).collect()).await
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

    async fn read_file(&mut self, name: String, path: String) -> R<Vec<u8>> {
        /// More than this is not a source file to look at.
        const MAX: u64 = 8 << 20;
        let rel = super::workspace::relative(&path);
        let subject = crate::gate::classify::Subject::Path(&path);
        let action = crate::gate::Action {
            capability: "sessions",
            verb: "read-file",
            target: &path,
            permission: Permission::Sessions,
            subject,
        };
        let permit = self.gate.check(action).await?;
        let rel = rel?;
        let root = self.workspace.root().to_path_buf();
        blocking(&permit, root, move |_, store| {
            let s = store.require(&name)?;
            // Resolved beneath the worktree: a symlink a session planted
            // cannot lead out of it.
            let dir = cap_std::fs::Dir::open_ambient_dir(&s.path, cap_std::ambient_authority())
                .map_err(|e| super::io_error(&format!("opening {name}'s worktree"), e))?;
            let shown = format!("{name}:{}", rel.display());
            let file = dir.open(&rel).map_err(|e| super::workspace::fs_error(&rel, e))?;
            let size = file.metadata().map_err(|e| super::io_error(&shown, e))?.len();
            if size > MAX {
                return Err(CapError::invalid(format!("{shown} is {size} bytes, more than {MAX}")));
            }
            let mut bytes = Vec::with_capacity(size as usize);
            std::io::Read::read_to_end(&mut file.into_std(), &mut bytes)
                .map_err(|e| super::io_error(&shown, e))?;
            Ok(bytes)
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

#[cfg(test)]
mod cassette_tests {
    use super::*;

    #[test]
    fn each_spawn_gets_its_own_cassette_beside_the_runs() {
        let mut c = Cassettes::new(Some(Path::new("/d/demo.jsonl")), None);
        assert_eq!(c.next(), (Some("/d/demo.1.jsonl".into()), None));
        assert_eq!(c.next(), (Some("/d/demo.2.jsonl".into()), None));
        let mut c = Cassettes::new(None, Some(Path::new("/d/tape")));
        assert_eq!(c.next(), (None, Some("/d/tape.1".into())));
        assert_eq!(Cassettes::default().next(), (None, None));
    }
}
