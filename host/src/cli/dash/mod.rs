//! `grove dash`: a live dashboard of every session. The table redraws
//! from the session store twice a second; the selected session's
//! transcript streams below it, with its pending approval in a box of its
//! own. Actions do what the `grove` commands a user would type do (most
//! run them), so the dashboard never has behaviour of its own.

mod keys;
mod view;

use std::process::Command;
use std::time::{Duration, Instant};

use clap::Args;
use ratatui::crossterm::event::{self, Event, KeyEventKind};

use super::live::{self, Feed};
use super::session::Ctx;
use super::session::ls::{Row, rows};
use super::{CliError, Exit};
use crate::session::{Approval, runner};

#[derive(Debug, Args)]
pub struct DashArgs {
    /// Redraw interval of the table, in milliseconds (the transcript
    /// streams as it is written).
    #[arg(long, default_value_t = 500, value_name = "MS")]
    pub interval: u64,
}

/// How often the transcript is read for new events.
const FEED_POLL: Duration = Duration::from_millis(50);

/// What the lower pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The session's transcript, as `grove logs` shows it.
    Transcript,
    Diff,
    /// What the session's process printed (`grove logs --raw`).
    Output,
    Help,
}

/// An action waiting for `y`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub verb: &'static str,
    pub name: String,
    /// The sub-sessions it reaches too (the `y` is the `--yes` for them).
    pub below: usize,
}

/// The reason typed for denying approval `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub id: i64,
    pub text: String,
}

/// Everything the view draws.
pub struct App {
    pub rows: Vec<Row>,
    pub selected: usize,
    pub pane: Pane,
    /// The selected session's transcript.
    pub feed: Option<Feed>,
    /// The diff or the process output, when the pane shows one.
    pub detail: String,
    /// The selected session's pending approval, as shown: the only one
    /// `a`, `A` and `n` answer.
    pub approval: Option<Approval>,
    /// Rows the lower pane is scrolled back from its end.
    pub scroll: usize,
    pub status: String,
    pub confirm: Option<Confirm>,
    pub reason: Option<Reason>,
}

impl App {
    fn selected_name(&self) -> Option<&str> {
        self.rows.get(self.selected).map(|r| r.name.as_str())
    }

    /// The rows below `name` in the tree (`live`: only those still at
    /// work, which is what a cancel reaches).
    fn below(&self, name: &str, live: bool) -> usize {
        let mut names = vec![name];
        let mut seen = std::collections::HashSet::from([name]);
        let mut count = 0;
        while let Some(above) = names.pop() {
            for r in self.rows.iter().filter(|r| r.parent.as_deref() == Some(above)) {
                // A hand-edited store may hold a cycle: count each once.
                if seen.insert(&r.name) {
                    count += usize::from(!live || !r.state.is_final());
                    names.push(&r.name);
                }
            }
        }
        count
    }
}

impl App {
    /// A dashboard with no sessions read yet, on the transcript pane.
    pub fn new(status: &str) -> App {
        App {
            rows: Vec::new(),
            selected: 0,
            pane: Pane::Transcript,
            feed: None,
            detail: String::new(),
            approval: None,
            scroll: 0,
            status: status.into(),
            confirm: None,
            reason: None,
        }
    }
}

pub fn dash(args: DashArgs) -> Result<Exit, CliError> {
    let mut ctx = Ctx::open()?;
    let mut app = App::new(keys::HELP_LINE);
    let interval = Duration::from_millis(args.interval.max(50));
    ratatui::run(|terminal| -> Result<(), CliError> {
        let mut next_refresh = Instant::now();
        loop {
            if Instant::now() >= next_refresh {
                refresh(&mut ctx, &mut app)?;
                next_refresh = Instant::now() + interval;
            }
            // An approval asked for shows in the transcript first: look
            // for it then rather than at the next refresh.
            if poll_feed(&ctx, &mut app) {
                app.approval = app
                    .selected_name()
                    .and_then(|name| live::pending_approvals(&ctx.store, name).into_iter().next());
            }
            terminal.draw(|frame| view::draw(frame, &app)).map_err(|e| CliError::new(Exit::Host, e))?;
            let wait = next_refresh.saturating_duration_since(Instant::now()).min(FEED_POLL);
            if !event::poll(wait).map_err(|e| CliError::new(Exit::Host, e))? {
                continue;
            }
            let Event::Key(key) = event::read().map_err(|e| CliError::new(Exit::Host, e))? else { continue };
            if key.kind != KeyEventKind::Press {
                continue;
            }
            match keys::handle(&mut ctx, &mut app, key) {
                keys::Then::Quit => return Ok(()),
                keys::Then::Refresh => next_refresh = Instant::now(),
                keys::Then::Stay => {}
            }
        }
    })?;
    Ok(Exit::Ok)
}

/// Reload the sessions, the selected one's pending approval, and its diff
/// or output when the pane shows one. A new selection starts a new feed.
fn refresh(ctx: &mut Ctx, app: &mut App) -> Result<(), CliError> {
    let _ = ctx.store.recover();
    let sessions = ctx.store.list().map_err(super::session::store_error)?;
    app.rows = rows(ctx.worktrees.root(), &sessions, &ctx.store);
    app.selected = app.selected.min(app.rows.len().saturating_sub(1));
    let Some(name) = app.selected_name().map(str::to_string) else {
        app.feed = None;
        app.approval = None;
        return Ok(());
    };
    if !app.feed.as_ref().is_some_and(|f| f.is_of(&ctx.store, &name)) {
        app.feed = Feed::open(&ctx.store, &name).ok();
        app.scroll = 0;
    }
    app.approval = live::pending_approvals(&ctx.store, &name).into_iter().next();
    app.detail = match app.pane {
        Pane::Transcript | Pane::Help => String::new(),
        Pane::Output => tail(&runner::log_path(ctx.worktrees.git_dir(), &name), 500),
        Pane::Diff => sessions
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| crate::repo::open(&s.path).ok().map(|repo| (repo, s.base_commit.clone())))
            .and_then(|(repo, base)| crate::repo::diff_text(&repo, Some(&base)).ok())
            .map(|diff| if diff.is_empty() { "(no changes yet)".into() } else { diff })
            .unwrap_or_else(|| "(no diff: the worktree is gone)".into()),
    };
    Ok(())
}

/// Read the selected session's new transcript events. True when any came.
fn poll_feed(ctx: &Ctx, app: &mut App) -> bool {
    app.feed.as_mut().is_some_and(|feed| feed.poll(&ctx.store).unwrap_or(false))
}

/// The last `lines` lines of a file.
fn tail(path: &std::path::Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Run `grove ARGS` and say how it went, in one line.
fn act(args: &[&str]) -> String {
    let exe = std::env::current_exe().unwrap_or_else(|_| "grove".into());
    match Command::new(exe).args(args).output() {
        Ok(out) => {
            let text = if out.status.success() { &out.stdout } else { &out.stderr };
            String::from_utf8_lossy(text).lines().next().unwrap_or("done").to_string()
        }
        Err(e) => format!("{}: {e}", args.join(" ")),
    }
}
