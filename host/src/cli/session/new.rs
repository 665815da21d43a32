//! `grove new NAME`: a worktree on a new branch, a queued session, started
//! at once when there is room.

use clap::Args;
use serde_json::json;

use super::{Ctx, store_error, worktree_error};
use crate::cli::{CliError, Exit, output};
use crate::session::NewSession;
use crate::session::follow_up::Step;
use crate::skill::source;
use crate::worktree::Worktrees;

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Session name; the branch is `grove/NAME`. Spaces and slashes become
    /// dashes.
    pub name: Option<String>,

    /// What the session should do, in your words; handed to the skill.
    #[arg(long, short)]
    pub task: Option<String>,

    /// The skill that works the session (a name or a `.wasm` path).
    /// Default: `agent`, which works the task with the configured model.
    #[arg(long, short)]
    pub skill: Option<String>,

    /// Start the branch from this revision instead of HEAD.
    #[arg(long, value_name = "REF")]
    pub from: Option<String>,

    /// Grant a permission the skill requests (as for `grove run`).
    #[arg(long, value_name = "PERMISSION", value_delimiter = ',')]
    pub allow: Vec<String>,

    /// The permission mode: plan (read-only), manual (ask for anything but
    /// reads), auto (ask only for risky actions) or bypass. Default: the
    /// policy's `default_mode`, else auto; never above its `max_mode`.
    #[arg(long, value_parser = crate::cli::run::parse_mode)]
    pub mode: Option<crate::gate::mode::Mode>,

    /// Wall-clock limit for the session's run, e.g. `30m`.
    #[arg(long, value_name = "DURATION", value_parser = crate::cli::run::parse_duration)]
    pub timeout: Option<std::time::Duration>,

    /// Stop the session's model calls once this much is spent: dollars
    /// (`$2`) or tokens (`500k`). Default: the `budget` in config.toml.
    #[arg(long, value_name = "AMOUNT", value_parser = crate::cli::run::parse_budget)]
    pub budget: Option<crate::providers::Budget>,

    /// The model tier that works the session: fast, default or deep (the
    /// tiers of config.toml). Summaries keep the fast tier.
    #[arg(long, value_parser = ["fast", "default", "deep"])]
    pub tier: Option<String>,

    /// The model that works the session, e.g. `claude-opus-4-5`, over
    /// its tier's configured one.
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,

    /// Record the session's model exchanges to this cassette.
    #[arg(long, value_name = "FILE")]
    pub record: Option<std::path::PathBuf>,

    /// Answer the session's model calls from this cassette.
    #[arg(long, value_name = "FILE")]
    pub replay: Option<std::path::PathBuf>,

    /// Once the skill ends well, then do this too, in order: `evidence`
    /// (record the project's evidence scenarios on the session's work) or
    /// `pr-draft` (open it as a draft pull request, as `grove pr NAME
    /// --draft`). A step that fails keeps the work; `grove ls` and `grove
    /// logs` say so and how to do it by hand. Repeat for more.
    #[arg(long = "then", value_name = "STEP", value_parser = parse_step)]
    pub then: Vec<Step>,

    /// Print the new session as JSON.
    #[arg(long)]
    pub json: bool,

    /// Arguments for the skill, after `--`.
    #[arg(last = true)]
    pub args: Vec<String>,
}

pub fn new(args: NewArgs) -> Result<Exit, CliError> {
    let Some(given_name) = &args.name else { return Err(no_name(&args.args)) };
    let skill = match (args.skill.clone(), &args.task) {
        (Some(skill), _) => skill,
        (None, Some(_)) => "agent".to_string(),
        (None, None) => {
            return Err(CliError::new(Exit::Usage, "what should this session do?").hint(
                "give it a task for the agent: grove new NAME --task \"…\" (or a skill with --skill NAME)",
            ));
        }
    };
    // Fail on an unknown skill before creating anything.
    let source = source::resolve(&skill).map_err(|e| crate::cli::run::invoke_error(e.into()))?;
    let allow = crate::cli::run::parse_grants(&args.allow)?;
    if args.replay.is_none() {
        crate::cli::run::require_model(&source, allow, &args.args)?;
    }
    let name = Worktrees::slug(given_name).map_err(worktree_error)?;
    let mut ctx = Ctx::open()?;
    if ctx.store.get(&name).map_err(store_error)?.is_some() {
        return Err(store_error(crate::session::StoreError::Exists(name)));
    }
    super::branch::check_leftover(&ctx, &name)?;
    let repo =
        git2::Repository::open(ctx.worktrees.root()).map_err(|e| CliError::new(Exit::Host, e.message()))?;
    let base_ref = match &args.from {
        Some(from) => {
            repo.resolve_reference_from_short_name(from).ok().and_then(|r| r.shorthand().map(String::from))
        }
        None => repo.head().ok().filter(|h| h.is_branch()).and_then(|h| h.shorthand().map(String::from)),
    };
    let model = model_choice(&args)?;
    let worktree = ctx.worktrees.create(&name, args.from.as_deref()).map_err(worktree_error)?;
    let base_commit = worktree.head.clone().unwrap_or_default();
    let inserted = ctx.store.insert(&NewSession {
        name: name.clone(),
        branch: worktree.branch.clone(),
        base_ref,
        base_commit,
        path: worktree.path.clone(),
        task: args.task,
        skill,
        args: args.args,
        allow: args.allow,
        timeout_ms: args.timeout.map(|t| t.as_millis() as u64),
        mode: args.mode.map(|m| m.to_string()),
        model,
        // The user starts roots; only a skill's spawn makes a child.
        parent: None,
        then: args.then,
    });
    let session = match inserted {
        Ok(session) => session,
        Err(e) => {
            // No record, no worktree: a session that could not be recorded
            // must not leave a folder and a branch behind.
            let _ = ctx.worktrees.remove(&name, false);
            return Err(store_error(e));
        }
    };
    ctx.pump()?;
    let session = ctx.session(&session.name)?;
    if args.json {
        output::json(&json!({
            "name": session.name, "state": session.state, "branch": session.branch, "path": session.path,
        }));
    } else {
        println!("{} {} on {} at {}", session.name, session.state, session.branch, session.path.display());
    }
    Ok(Exit::Ok)
}

fn parse_step(text: &str) -> Result<Step, String> {
    text.parse().map_err(|e: crate::session::follow_up::UnknownStep| e.to_string())
}

/// `grove new` without a name. `grove new -- -x` lands here too (clap's
/// own advice for `grove new -x`): everything after `--` is the skill's.
fn no_name(skill_args: &[String]) -> CliError {
    match skill_args.first() {
        Some(first) => CliError::new(
            Exit::Usage,
            format!(
                "the session has no name: `{first}` comes after `--`, so it is an argument for the skill"
            ),
        )
        .hint("session names start with a letter or a digit: grove new NAME [OPTIONS] [-- SKILL ARGS]"),
        None => CliError::new(Exit::Usage, "the session needs a name")
            .hint("grove new NAME --task \"…\" (the branch is grove/NAME)"),
    }
}

/// The model choices as the session keeps them. Cassette paths are made
/// absolute: the session runs in its worktree, not where `grove new` ran.
fn model_choice(args: &NewArgs) -> Result<Option<crate::session::store::ModelChoice>, CliError> {
    let (budget, record, replay) = (&args.budget, &args.record, &args.replay);
    let absolute = |p: &std::path::PathBuf| -> Result<String, CliError> {
        let path = std::path::absolute(p)
            .map_err(|e| CliError::new(Exit::Usage, format!("{}: {e}", p.display())))?;
        Ok(path.to_string_lossy().into_owned())
    };
    if record.is_some() && replay.is_some() {
        return Err(CliError::new(Exit::Usage, "--record and --replay cannot be used together")
            .hint("record once with --record FILE, then replay it with --replay FILE"));
    }
    if let Some(replay) = replay
        && !replay.is_file()
    {
        return Err(CliError::new(Exit::Usage, format!("no cassette at {}", replay.display()))
            .hint("record one first: grove new NAME --task \"…\" --record FILE"));
    }
    let choice = crate::session::store::ModelChoice {
        budget: budget.map(|b| b.to_string()),
        record: record.as_ref().map(absolute).transpose()?,
        replay: replay.as_ref().map(absolute).transpose()?,
        tier: args.tier.clone().filter(|t| t != "default"),
        model: args.model.clone().filter(|m| !m.trim().is_empty()),
    };
    Ok((choice != Default::default()).then_some(choice))
}
