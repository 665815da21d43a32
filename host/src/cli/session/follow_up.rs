//! Performing a session's follow-ups (`session::follow_up`): after its
//! skill ends well, in the session's own process and before the store
//! records the end, so that `grove ls` shows each step under way and a
//! wait for the session waits for them too.
//!
//! Each step is what the human would run by hand, through the same code:
//! `evidence` is `grove run evidence --session NAME` (the skill on the
//! session's worktree, into its bundle and transcript), `pr-draft` is
//! `grove pr NAME --draft` (`cli::pr::open`), handed the session as its
//! skill ended. A step that fails leaves the session's work as it is: its
//! transcript and `grove ls` say what failed and the command that does it
//! by hand, and the next step still runs (a draft pull request without
//! its evidence is still worth opening; `grove pr` again adds it).

use tokio::signal::unix::Signal;

use super::Ctx;
use crate::caps::console::Verbosity;
use crate::cli::pr::{Backend, PrArgs};
use crate::cli::{CliError, Exit};
use crate::gate::PermissionSet;
use crate::paths::WorkspaceLocation;
use crate::runtime::Limits;
use crate::session::follow_up::{FollowUp, Standing, Step};
use crate::session::{Session, State};
use crate::skill::invoke::{Invoke, invoke};
use crate::transcript::kind;

/// How the skill ended, as the store will record it once the follow-ups
/// are done.
pub struct Ended {
    pub state: State,
    pub summary: Option<String>,
}

/// Perform `session`'s follow-ups after its skill ended as `ended`; a
/// SIGTERM (`grove cancel`) on `term` stops the step under way and skips
/// the rest. Returns whether it was cancelled.
pub async fn perform(ctx: &Ctx, session: &Session, ended: &Ended, term: &mut Signal) -> bool {
    let mut steps = session.follow_ups.clone();
    if steps.is_empty() {
        return false;
    }
    if ended.state != State::Done {
        skip_all(ctx, session, &mut steps, "the skill did not end well");
        return false;
    }
    for i in 0..steps.len() {
        let step = steps[i].step;
        set(ctx, session, &mut steps, i, Standing::Running, None);
        let _ = ctx.store.set_progress(&session.name, &format!("then: {}", step.doing()));
        println!("── then: {}", step.doing());
        let result = tokio::select! {
            result = run(ctx, session, ended, step) => result,
            _ = term.recv() => {
                set(ctx, session, &mut steps, i, Standing::Skipped, Some("cancelled".into()));
                skip_all(ctx, session, &mut steps, "cancelled");
                return true;
            }
        };
        match result {
            Ok(note) => {
                println!("   {step}: {note}");
                set(ctx, session, &mut steps, i, Standing::Done, Some(note));
            }
            Err(e) => {
                let mut why = e.message;
                if let Some(hint) = e.hint {
                    why = format!("{why} ({hint})");
                }
                println!(
                    "   {step} failed: {why}\n   the work is kept; do it by hand: {}",
                    step.by_hand(&session.name)
                );
                set(ctx, session, &mut steps, i, Standing::Failed, Some(why));
            }
        }
    }
    // What is left to see once it ends: the steps that failed, if any.
    let left = crate::session::follow_up::label(&steps, true).unwrap_or_default();
    let _ = ctx.store.set_progress(&session.name, &left);
    false
}

/// Move step `i` to `state`, in the store and the transcript.
fn set(
    ctx: &Ctx,
    session: &Session,
    steps: &mut [FollowUp],
    i: usize,
    state: Standing,
    note: Option<String>,
) {
    let step = &mut steps[i];
    step.state = state;
    step.note = note;
    step.by_hand = (state == Standing::Failed).then(|| step.step.by_hand(&session.name));
    let event = serde_json::to_value(&*step).expect("a follow-up serializes");
    let _ = ctx.store.event(&session.name, kind::FOLLOW_UP, event);
    let _ = ctx.store.set_follow_ups(&session.name, steps);
}

/// Every step not yet reached is skipped, and says why.
fn skip_all(ctx: &Ctx, session: &Session, steps: &mut [FollowUp], why: &str) {
    for i in 0..steps.len() {
        if steps[i].state == Standing::Pending {
            set(ctx, session, steps, i, Standing::Skipped, Some(why.to_string()));
        }
    }
}

/// Do one step; what it came to, or why it failed.
async fn run(ctx: &Ctx, session: &Session, ended: &Ended, step: Step) -> Result<String, CliError> {
    match step {
        Step::Evidence => evidence(ctx, session).await,
        Step::PrDraft => pr_draft(session, ended).await,
    }
}

/// The `evidence` skill on the session's worktree, as `grove run evidence
/// --session NAME` runs it: the session's mode and model choices, its
/// bundle, its transcript.
async fn evidence(ctx: &Ctx, session: &Session) -> Result<String, CliError> {
    let request = Invoke {
        skill: "evidence".into(),
        args: Vec::new(),
        json: false,
        allow: PermissionSet::EMPTY,
        limits: Limits::default(),
        verbosity: Verbosity::Normal,
        location: WorkspaceLocation {
            root: session.path.canonicalize().unwrap_or(session.path.clone()),
            cwd: String::new(),
            git_dir: Some(ctx.worktrees.git_dir().to_path_buf()),
        },
        session: Some(session.name.clone()),
        task: session.task.clone(),
        progress: None,
        mode: session.mode.as_deref().and_then(|m| m.parse().ok()),
        model: super::control::model_options(session.model.as_ref()),
        foreground: false,
    };
    let invoked = invoke(request).await.map_err(crate::cli::run::invoke_error)?;
    match invoked.result {
        Ok(Ok(outcome)) if outcome.success => Ok(outcome.summary),
        Ok(Ok(outcome)) => Err(CliError::new(Exit::SkillFailed, outcome.summary)),
        Ok(Err(e)) => Err(CliError::new(Exit::SkillFailed, crate::cli::run::describe_error(&e).1)),
        Err(e) => Err(CliError::new(Exit::SkillBroken, format!("evidence: {e}"))),
    }
}

/// `grove pr NAME --draft` of the session as its skill ended (the store
/// still has it running). On the blocking pool: the hand-off runs a
/// runtime of its own.
async fn pr_draft(session: &Session, ended: &Ended) -> Result<String, CliError> {
    let mut session = session.clone();
    session.state = ended.state;
    session.summary = ended.summary.clone();
    let args = PrArgs {
        name: session.name.clone(),
        draft: true,
        reviewers: Vec::new(),
        base: None,
        backend: Backend::Github,
        no_notify: false,
        json: false,
    };
    let opened = tokio::task::spawn_blocking(move || {
        let ctx = Ctx::open()?;
        crate::cli::pr::open(&ctx, &session, &args)
    })
    .await
    .map_err(|e| CliError::new(Exit::Host, format!("the pull request's hand-off: {e}")))??;
    match opened.notified {
        Ok(_) => Ok(opened.handoff.url),
        // The pull request is open; only telling people failed.
        Err(e) => Ok(format!("{} (telling the reviewers failed: {})", opened.handoff.url, e.message)),
    }
}
