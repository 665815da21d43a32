//! `grove dash`: a live dashboard of every session. It redraws from the
//! session store twice a second; actions run the same `grove` commands a
//! user would type, so the dashboard never has behaviour of its own.

mod view;

use std::process::Command;
use std::time::{Duration, Instant};

use clap::Args;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};

use super::session::Ctx;
use super::session::ls::{Row, rows};
use super::{CliError, Exit};
use crate::session::runner;

#[derive(Debug, Args)]
pub struct DashArgs {
    /// Redraw interval in milliseconds.
    #[arg(long, default_value_t = 500, value_name = "MS")]
    pub interval: u64,
}

/// What the lower pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Log,
    Diff,
}

/// An action waiting for `y`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub verb: &'static str,
    pub name: String,
}

/// Everything the view draws.
pub struct App {
    pub rows: Vec<Row>,
    pub selected: usize,
    pub pane: Pane,
    pub detail: String,
    pub status: String,
    pub confirm: Option<Confirm>,
}

pub fn dash(args: DashArgs) -> Result<Exit, CliError> {
    let mut ctx = Ctx::open()?;
    let mut app = App {
        rows: Vec::new(),
        selected: 0,
        pane: Pane::Log,
        detail: String::new(),
        status: "q quit · ↑↓ select · l log · d diff · m merge · x remove · c cancel · r resume · a approve · n deny"
            .into(),
        confirm: None,
    };
    let interval = Duration::from_millis(args.interval.max(50));
    ratatui::run(|terminal| -> Result<(), CliError> {
        let mut next_refresh = Instant::now();
        loop {
            if Instant::now() >= next_refresh {
                refresh(&mut ctx, &mut app)?;
                next_refresh = Instant::now() + interval;
            }
            terminal.draw(|frame| view::draw(frame, &app)).map_err(|e| CliError::new(Exit::Host, e))?;
            let wait = next_refresh.saturating_duration_since(Instant::now());
            if !event::poll(wait).map_err(|e| CliError::new(Exit::Host, e))? {
                continue;
            }
            let Event::Key(key) = event::read().map_err(|e| CliError::new(Exit::Host, e))? else { continue };
            if key.kind != KeyEventKind::Press {
                continue;
            }
            if let Some(confirm) = app.confirm.take() {
                app.status = if key.code == KeyCode::Char('y') {
                    act(&[confirm.verb, &confirm.name])
                } else {
                    format!("{} {}: not done", confirm.verb, confirm.name)
                };
                next_refresh = Instant::now();
                continue;
            }
            let name = app.rows.get(app.selected).map(|r| r.name.clone());
            match (key.code, name) {
                (KeyCode::Char('q') | KeyCode::Esc, _) => return Ok(()),
                (KeyCode::Char('c'), _) if key.modifiers.contains(KeyModifiers::CONTROL) => return Ok(()),
                (KeyCode::Down | KeyCode::Char('j'), _) => {
                    app.selected = (app.selected + 1).min(app.rows.len().saturating_sub(1));
                    next_refresh = Instant::now();
                }
                (KeyCode::Up | KeyCode::Char('k'), _) => {
                    app.selected = app.selected.saturating_sub(1);
                    next_refresh = Instant::now();
                }
                (KeyCode::Char('l'), _) => {
                    app.pane = Pane::Log;
                    next_refresh = Instant::now();
                }
                (KeyCode::Char('d'), _) => {
                    app.pane = Pane::Diff;
                    next_refresh = Instant::now();
                }
                (KeyCode::Char('m'), Some(name)) => app.confirm = Some(Confirm { verb: "merge", name }),
                (KeyCode::Char('x'), Some(name)) => app.confirm = Some(Confirm { verb: "rm", name }),
                (KeyCode::Char('c'), Some(name)) => app.status = act(&["cancel", &name]),
                (KeyCode::Char('r'), Some(name)) => app.status = act(&["resume", &name]),
                (KeyCode::Char('a'), Some(name)) => app.status = answer(&ctx, &name, "approve"),
                (KeyCode::Char('n'), Some(name)) => app.status = answer(&ctx, &name, "deny"),
                _ => {}
            }
        }
    })?;
    Ok(Exit::Ok)
}

/// Reload the sessions and the selected one's log or diff.
fn refresh(ctx: &mut Ctx, app: &mut App) -> Result<(), CliError> {
    let _ = ctx.store.recover();
    let sessions = ctx.store.list().map_err(super::session::store_error)?;
    app.rows = rows(ctx.worktrees.root(), &sessions, &ctx.store);
    app.selected = app.selected.min(app.rows.len().saturating_sub(1));
    app.detail = match (app.rows.get(app.selected), app.pane) {
        (None, _) => "no sessions: start one with `grove new NAME --skill SKILL --task \"…\"`".into(),
        (Some(row), Pane::Log) => tail(&runner::log_path(ctx.worktrees.git_dir(), &row.name), 200),
        (Some(row), Pane::Diff) => sessions
            .iter()
            .find(|s| s.name == row.name)
            .and_then(|s| crate::repo::open(&s.path).ok().map(|repo| (repo, s.base_commit.clone())))
            .and_then(|(repo, base)| crate::repo::diff_text(&repo, Some(&base)).ok())
            .map(|diff| if diff.is_empty() { "(no changes yet)".into() } else { diff })
            .unwrap_or_else(|| "(no diff: the worktree is gone)".into()),
    };
    Ok(())
}

/// The last `lines` lines of a file.
fn tail(path: &std::path::Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Approve or deny the selected session's oldest pending request.
fn answer(ctx: &Ctx, name: &str, verb: &str) -> String {
    let pending = ctx.store.approvals(true).unwrap_or_default();
    match pending.iter().find(|a| a.session == name) {
        Some(a) => act(&[verb, &a.id.to_string()]),
        None => format!("{name}: no approvals pending"),
    }
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
