//! `grove resume`, `grove cancel`, and `grove session-run` (hidden): the
//! process that works one session.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;

use super::{Ctx, store_error};
use crate::caps::console::{ProgressSink, Verbosity};
use crate::cli::run::{describe_error, invoke_error};
use crate::cli::{CliError, Exit};
use crate::paths::WorkspaceLocation;
use crate::runtime::Limits;
use crate::session::{Session, State, Store, runner};
use crate::skill::invoke::{Invoke, invoke};

#[derive(Debug, Args)]
pub struct NameArg {
    /// The session.
    pub name: String,

    /// Print JSON: `{name, state}`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The session.
    pub name: String,

    /// Cancel its sub-sessions too, without asking (needed when there is
    /// no terminal to ask on).
    #[arg(long, short)]
    pub yes: bool,

    /// Print JSON: `{name, state, cancelled: [sub-session names]}`.
    #[arg(long)]
    pub json: bool,
}

fn print_state(ctx: &Ctx, name: &str, json: bool) -> Result<(), CliError> {
    let state = ctx.session(name)?.state;
    if json {
        crate::cli::output::json(&serde_json::json!({ "name": name, "state": state }));
    } else {
        println!("{name} {state}");
    }
    Ok(())
}

pub fn resume(args: NameArg) -> Result<Exit, CliError> {
    let mut ctx = Ctx::open()?;
    let session = ctx.session(&args.name)?;
    if !matches!(session.state, State::Interrupted | State::Failed | State::Cancelled) {
        return Err(CliError::new(
            Exit::Usage,
            format!(
                "`{}` is {}: only interrupted, failed or cancelled sessions resume",
                session.name, session.state
            ),
        ));
    }
    ctx.store.requeue(&session.name).map_err(store_error)?;
    ctx.pump()?;
    print_state(&ctx, &session.name, args.json)?;
    Ok(Exit::Ok)
}

/// Stop a session; and its sub-sessions still at work, when the human
/// says so (see [`super::cascade`]).
pub fn cancel(args: CancelArgs) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let session = ctx.session(&args.name)?;
    let live = live_below(&ctx, &session.name)?;
    let already = || CliError::new(Exit::Usage, format!("`{}` is already {}", session.name, session.state));
    if session.state.is_final() && live.is_empty() {
        return Err(already());
    }
    let retry = format!("grove cancel --yes {}", session.name);
    let cascade = super::cascade::confirm(&session.name, "cancel", live.len(), args.yes, &retry)?;
    if session.state.is_final() && !cascade {
        return Err(already());
    }
    // The parent first, then down the tree: a session stopped spawns no
    // more, so what is below it is all there is to stop.
    if !session.state.is_final() {
        stop(&ctx, &session)?;
    }
    let mut cancelled = Vec::new();
    if cascade {
        // One at a time, read afresh: what is below a session is only
        // known for sure once it is stopped.
        while let Some(next) = live_below(&ctx, &session.name)?.into_iter().next() {
            if cancelled.contains(&next.name) {
                break;
            }
            stop(&ctx, &next)?;
            cancelled.push(next.name);
        }
    }
    let state = ctx.session(&session.name)?.state;
    if args.json {
        crate::cli::output::json(
            &serde_json::json!({ "name": session.name, "state": state, "cancelled": cancelled }),
        );
        return Ok(Exit::Ok);
    }
    println!("{} {state}", session.name);
    for name in &cancelled {
        println!("{name} cancelled");
    }
    if !cascade && !live.is_empty() {
        println!(
            "{} of {} go on (`grove ls` shows them)",
            crate::text::count(live.len(), "sub-session"),
            session.name
        );
    }
    Ok(Exit::Ok)
}

/// The sessions below `name` still at work, each before those below it
/// (so the first has none at work above it).
fn live_below(ctx: &Ctx, name: &str) -> Result<Vec<Session>, CliError> {
    let below = ctx.store.descendants(name).map_err(store_error)?;
    Ok(below.into_iter().filter(|s| !s.state.is_final()).collect())
}

/// Stop a session (see [`runner::stop`]).
pub fn stop(ctx: &Ctx, session: &Session) -> Result<(), CliError> {
    runner::stop(&ctx.store, session).map_err(store_error)
}

/// Progress reports go to the session's record, at most four times a
/// second (and always the last step), for `grove ls` and `grove dash`.
fn progress_sink(git_dir: &std::path::Path, name: &str) -> Option<ProgressSink> {
    let store = Store::open(git_dir).ok()?;
    let name = name.to_string();
    let last = Mutex::new((store, None::<Instant>));
    Some(Arc::new(move |label: &str, done: u64, total: u64| {
        let mut guard = last.lock().unwrap_or_else(|e| e.into_inner());
        let due = guard.1.is_none_or(|at| at.elapsed() >= Duration::from_millis(250))
            || (total > 0 && done >= total);
        if due {
            let text = if total == 0 { format!("{label} {done}") } else { format!("{label} {done}/{total}") };
            let _ = guard.0.set_progress(&name, &text);
            guard.1 = Some(Instant::now());
        }
    }))
}

/// Work one session to the end: run its skill in its worktree, record the
/// outcome, then start whatever is queued next.
pub async fn session_run(args: NameArg) -> Result<Exit, CliError> {
    let mut ctx = Ctx::open()?;
    let session = ctx.session(&args.name)?;
    let pid = std::process::id();
    if session.pid != Some(pid) {
        ctx.store.set_pid(&session.name, pid).map_err(store_error)?;
    }
    let _ = ctx.worktrees.lock(&session.name, &format!("grove session running (pid {pid})"));
    println!("── {} · {} · {}", session.name, session.skill, crate::gate::now());

    let allow = crate::cli::run::parse_grants(&session.allow)?;
    let mut limits = Limits::default();
    if let Some(ms) = session.timeout_ms {
        limits.timeout = Duration::from_millis(ms);
    }
    let request = Invoke {
        skill: session.skill.clone(),
        args: session.args.clone(),
        json: false,
        allow,
        limits,
        verbosity: Verbosity::Normal,
        location: WorkspaceLocation {
            root: session.path.clone(),
            cwd: String::new(),
            git_dir: Some(ctx.worktrees.git_dir().to_path_buf()),
        },
        session: Some(session.name.clone()),
        task: session.task.clone(),
        progress: progress_sink(ctx.worktrees.git_dir(), &session.name),
        mode: session.mode.as_deref().and_then(|m| m.parse().ok()),
        model: model_options(session.model.as_ref()),
        foreground: false,
    };
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| CliError::new(Exit::Host, e))?;
    let (state, code, summary, error) = tokio::select! {
        invoked = invoke(request) => match invoked {
            Ok(invoked) => match invoked.result {
                Ok(Ok(outcome)) => {
                    print!("{}", crate::cli::output::outcome_text(&outcome, None));
                    let state = if outcome.success { State::Done } else { State::Failed };
                    (state, if outcome.success { 0 } else { 1 }, Some(outcome.summary), None)
                }
                Ok(Err(e)) => (State::Failed, 1, None, Some(describe_error(&e).1.to_string())),
                Err(e) => (State::Failed, 4, None, Some(e.to_string())),
            },
            Err(e) => {
                let e = invoke_error(e);
                (State::Failed, e.exit as i32, None, Some(e.message))
            }
        },
        _ = term.recv() => (State::Cancelled, 130, None, Some("cancelled".to_string())),
    };
    if let Some(error) = &error {
        println!("error: {error}");
    }
    // Then what it was asked to do after (record the evidence, open a
    // draft pull request), while the store still has it running.
    let ended = super::follow_up::Ended { state, summary: summary.clone() };
    let cancelled_after =
        state != State::Cancelled && super::follow_up::perform(&ctx, &session, &ended, &mut term).await;
    let (state, code) = if cancelled_after { (State::Cancelled, 130) } else { (state, code) };
    let spent = ctx.session(&session.name)?.spend();
    if spent.calls > 0 {
        println!("model: {}", spent.line());
    }
    // A cancel marks the session before signalling: keep that.
    if ctx.store.require(&session.name).map_err(store_error)?.state != State::Cancelled {
        ctx.store
            .finish(&session.name, state, code, summary.as_deref(), error.as_deref())
            .map_err(store_error)?;
    }
    if let Some(stats) = crate::session::measure(&session) {
        ctx.store.set_stats(&session.name, stats).map_err(store_error)?;
    }
    let _ = ctx.worktrees.unlock(&session.name);
    println!("── {} {}", session.name, ctx.session(&session.name)?.state);
    ctx.pump()?;
    Ok(Exit::Ok)
}

/// The session's stored model choices as run options.
pub(crate) fn model_options(
    choice: Option<&crate::session::store::ModelChoice>,
) -> crate::providers::ModelOptions {
    let Some(choice) = choice else { return Default::default() };
    crate::providers::ModelOptions {
        record: choice.record.as_ref().map(Into::into),
        replay: choice.replay.as_ref().map(Into::into),
        budget: choice.budget.as_deref().and_then(|b| crate::providers::Budget::parse(b).ok()),
        tier: choice.tier.as_deref().and_then(|t| t.parse().ok()),
        model: choice.model.clone(),
    }
}
