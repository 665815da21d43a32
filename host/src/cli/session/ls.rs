//! `grove ls`: every session, its state and how far its work has come.

use std::path::Path;

use clap::Args;
use serde::Serialize;

use super::{Ctx, age, store_error};
use crate::cli::{CliError, Exit, output};
use crate::session::{DiffStats, Session, State, Store};

#[derive(Debug, Args)]
pub struct LsArgs {
    /// Print a JSON array of objects (`name`, `parent`, `state`, `branch`,
    /// `path`, `ahead`, `behind`, `files_changed`, `additions`,
    /// `deletions`, `created_at`, `pending_approvals`, `summary`,
    /// `follow_ups`), in the order the text shows them.
    #[arg(long)]
    pub json: bool,
}

/// One row of `grove ls`.
#[derive(Debug, Serialize)]
pub struct Row {
    pub name: String,
    /// The session that spawned it; `None` for one the user started.
    pub parent: Option<String>,
    /// The box lines drawn before its name to place it under its parent.
    #[serde(skip)]
    pub tree: String,
    pub state: State,
    pub branch: String,
    pub path: String,
    pub task: Option<String>,
    pub skill: String,
    /// Commits on the session's branch that its base does not have, and
    /// the reverse.
    pub ahead: usize,
    pub behind: usize,
    /// Against the base, uncommitted work included.
    pub files_changed: usize,
    pub additions: u64,
    pub deletions: u64,
    pub created_at: i64,
    pub pending_approvals: usize,
    /// The process working on it, while it runs.
    pub pid: Option<u32>,
    pub worktree_missing: bool,
    /// The latest progress its skill reported.
    pub progress: Option<String>,
    pub summary: Option<String>,
    pub error: Option<String>,
    /// The tier and model chosen at `grove new` (`None`: the configured default).
    pub tier: Option<String>,
    pub model: Option<String>,
    /// The budget it was started with (`--budget`, or what its parent gave
    /// it); `None`: the configured one.
    pub budget: Option<String>,
    /// Model calls, tokens and cost so far.
    pub model_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub cost_usd: f64,
    /// What its runner does after its skill, and where each step stands.
    pub follow_ups: Vec<crate::session::follow_up::FollowUp>,
}

pub fn ls(args: LsArgs) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let sessions = ctx.store.list().map_err(store_error)?;
    let rows = rows(ctx.worktrees.root(), &sessions, &ctx.store);
    if args.json {
        output::json(&rows);
        return Ok(Exit::Ok);
    }
    if rows.is_empty() {
        println!("no sessions (start one with `grove new NAME --task \"…\"`)");
        return Ok(Exit::Ok);
    }
    let names: Vec<String> = rows.iter().map(Row::tree_name).collect();
    let states: Vec<String> = rows.iter().map(Row::state_label).collect();
    let state_width = states.iter().map(|s| s.chars().count()).max().unwrap_or(16).max(16);
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(4).max(4);
    let models: Vec<String> = rows.iter().map(Row::model_label).collect();
    let model_width = models.iter().map(|m| m.chars().count()).max().unwrap_or(5).max(5);
    println!(
        "{:width$}  {:<state_width$}  {:<model_width$}  {:>9}  {:>5}  {:>15}  {:>7}  {:>4}",
        "NAME", "STATE", "MODEL", "AHEAD/BEH", "FILES", "+/-", "COST", "AGE"
    );
    for (((r, model), name), state) in rows.iter().zip(&models).zip(&names).zip(&states) {
        let lines = format!("+{} -{}", r.additions, r.deletions);
        println!(
            "{:width$}  {:<state_width$}  {:<model_width$}  {:>9}  {:>5}  {:>15}  {:>7}  {:>4}",
            name,
            state,
            model,
            format!("{}/{}", r.ahead, r.behind),
            r.files_changed,
            lines,
            if r.model_calls == 0 { "-".to_string() } else { format!("${:.2}", r.cost_usd) },
            age(r.created_at)
        );
    }
    Ok(Exit::Ok)
}

impl Row {
    /// Its name under the lines that place it in the tree.
    pub fn tree_name(&self) -> String {
        format!("{}{}", self.tree, self.name)
    }

    /// What `grove ls` shows in its STATE column: the state, the
    /// follow-up under way or those that failed, a missing worktree.
    pub fn state_label(&self) -> String {
        let mut label = self.state.to_string();
        if let Some(then) = crate::session::follow_up::label(&self.follow_ups, self.state.is_active()) {
            label = format!("{label} · {then}");
        }
        if self.worktree_missing {
            label.push_str(" (no worktree)");
        }
        label
    }

    /// What `grove ls` shows of the model choice: the model, else the
    /// tier, else `default`.
    pub fn model_label(&self) -> String {
        self.model.clone().or_else(|| self.tier.clone()).unwrap_or_else(|| "default".into())
    }
}

/// Rows for `sessions`, in the order of their tree (see [`super::tree`]).
/// A finished session's changes come from the store (measured when it
/// finished, or by the last `grove diff`): diffing every worktree would
/// make `ls` as slow as its biggest repository times the number of
/// sessions. Running ones are measured now, in parallel.
pub fn rows(root: &Path, sessions: &[Session], store: &Store) -> Vec<Row> {
    let placed = super::tree::order(sessions);
    let prefixes: Vec<String> = placed.iter().map(|p| p.prefix.clone()).collect();
    let sessions: Vec<Session> = placed.iter().map(|p| sessions[p.index].clone()).collect();
    let sessions = sessions.as_slice();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(8);
    let chunk = sessions.len().div_ceil(threads).max(1);
    let measured: Vec<(Option<DiffStats>, (usize, usize))> = std::thread::scope(|scope| {
        let handles: Vec<_> = sessions
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let repo = git2::Repository::open(root).ok();
                    part.iter()
                        .map(|s| {
                            let live = !s.path.is_dir() || s.state.is_final() && s.stats.is_some();
                            let stats = if live { s.stats } else { crate::session::measure(s) };
                            (stats, repo.as_ref().and_then(|r| ahead_behind(r, s)).unwrap_or((0, 0)))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("ls worker panicked")).collect()
    });
    let pending = store.approvals(true).unwrap_or_default();
    sessions
        .iter()
        .zip(measured)
        .zip(prefixes)
        .map(|((s, (stats, (ahead, behind))), tree)| {
            // Cache what was measured for a finished session.
            if s.state.is_final()
                && s.stats.is_none()
                && let Some(stats) = stats
            {
                let _ = store.set_stats(&s.name, stats);
            }
            let stats = stats.unwrap_or(DiffStats { files_changed: 0, additions: 0, deletions: 0, at: 0 });
            Row {
                name: s.name.clone(),
                parent: s.parent.clone(),
                tree,
                state: s.state,
                branch: s.branch.clone(),
                path: s.path.display().to_string(),
                task: s.task.clone(),
                skill: s.skill.clone(),
                ahead,
                behind,
                files_changed: stats.files_changed as usize,
                additions: stats.additions,
                deletions: stats.deletions,
                created_at: s.created_at,
                pending_approvals: pending.iter().filter(|a| a.session == s.name).count(),
                pid: s.pid.filter(|_| s.state.is_active()),
                worktree_missing: !s.path.is_dir(),
                progress: s.progress.clone(),
                summary: s.summary.clone(),
                error: s.error.clone(),
                tier: s.model.as_ref().and_then(|m| m.tier.clone()),
                model: s.model.as_ref().and_then(|m| m.model.clone()),
                budget: s.model.as_ref().and_then(|m| m.budget.clone()),
                model_calls: s.model_calls,
                input_tokens: s.input_tokens,
                output_tokens: s.output_tokens,
                cache_read_tokens: s.cache_read_tokens,
                cache_write_tokens: s.cache_write_tokens,
                cost_usd: s.cost_microdollars as f64 / 1e6,
                follow_ups: s.follow_ups.clone(),
            }
        })
        .collect()
}

/// The branch against where its base is now (the base branch when there
/// is one, else the commit it started from).
fn ahead_behind(repo: &git2::Repository, s: &Session) -> Option<(usize, usize)> {
    let head = repo.refname_to_id(&format!("refs/heads/{}", s.branch)).ok()?;
    let base = match &s.base_ref {
        Some(b) => repo.refname_to_id(&format!("refs/heads/{b}")).ok()?,
        None => git2::Oid::from_str(&s.base_commit).ok()?,
    };
    repo.graph_ahead_behind(head, base).ok()
}
