//! What each key does on the dashboard.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Confirm, Pane, Reason, act};
use crate::cli::approvals::{answered, settle};
use crate::cli::session::Ctx;

/// The status line when nothing else is said: short enough for 80
/// columns; `?` lists every key.
pub const HELP_LINE: &str = "q quit  ↑↓ select  l log  d diff  m merge  x rm  c cancel  r resume  ? keys";

/// Every key, for the help pane.
pub const HELP: &str = "\
↑ ↓ (k j)   select a session
l           the selected session's transcript, live (as `grove logs -f` shows it)
d           its changes against its base (as `grove diff` shows them)
p           what its process printed (as `grove logs --raw` shows it)
PgUp PgDn   scroll the lower pane back and forth; End goes back to the newest
a           approve the approval shown, once
A           approve it for the rest of the session
n           deny it: type the reason, Enter denies, Esc goes back without denying
m           merge the session (asks first)
x           remove the session and its sub-sessions (asks first)
c           cancel the session and its sub-sessions (asks first)
r           resume an interrupted, failed or cancelled session
?           this help; any pane key leaves it
q Esc       quit (sessions go on running)";

/// The keys of the approval box.
pub const APPROVAL_KEYS: &str = "a approve · A approve for the session · n deny with a reason";

/// What the loop does after a key.
pub enum Then {
    Quit,
    /// Reload now: the selection or the pane changed, or an action ran.
    Refresh,
    Stay,
}

pub fn handle(ctx: &mut Ctx, app: &mut App, key: KeyEvent) -> Then {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if let Some(reason) = app.reason.as_mut() {
        return match key.code {
            KeyCode::Esc => {
                app.status = format!("#{} not denied: it still waits", reason.id);
                app.reason = None;
                Then::Stay
            }
            KeyCode::Enter => {
                let reason = app.reason.take().expect("checked above");
                let why = reason.text.trim();
                let why = (!why.is_empty()).then_some(why);
                app.status = answer(ctx, reason.id, false, false, why);
                Then::Refresh
            }
            KeyCode::Backspace => {
                reason.text.pop();
                Then::Stay
            }
            KeyCode::Char(c) if !ctrl => {
                reason.text.push(c);
                Then::Stay
            }
            _ => Then::Stay,
        };
    }
    if let Some(confirm) = app.confirm.take() {
        app.status = if key.code == KeyCode::Char('y') {
            match confirm.below {
                0 => act(&[confirm.verb, &confirm.name]),
                _ => act(&[confirm.verb, "--yes", &confirm.name]),
            }
        } else {
            format!("{} {}: not done", confirm.verb, confirm.name)
        };
        return Then::Refresh;
    }
    let name = app.selected_name().map(str::to_string);
    // Keys answer the approval on screen, never one not yet shown.
    let shown = app.approval.as_ref().map(|a| a.id);
    match (key.code, name) {
        (KeyCode::Char('c'), _) if ctrl => return Then::Quit,
        (KeyCode::Char('q') | KeyCode::Esc, _) => return Then::Quit,
        (KeyCode::Down | KeyCode::Char('j'), _) => {
            app.selected = (app.selected + 1).min(app.rows.len().saturating_sub(1));
        }
        (KeyCode::Up | KeyCode::Char('k'), _) => app.selected = app.selected.saturating_sub(1),
        (KeyCode::Char('l'), _) => show(app, Pane::Transcript),
        (KeyCode::Char('d'), _) => show(app, Pane::Diff),
        (KeyCode::Char('p'), _) => show(app, Pane::Output),
        (KeyCode::Char('?'), _) => {
            show(app, if app.pane == Pane::Help { Pane::Transcript } else { Pane::Help })
        }
        (KeyCode::PageUp, _) => app.scroll += 10,
        (KeyCode::PageDown, _) => app.scroll = app.scroll.saturating_sub(10),
        (KeyCode::End, _) => app.scroll = 0,
        (KeyCode::Char('m'), Some(name)) => app.confirm = Some(Confirm { verb: "merge", name, below: 0 }),
        (KeyCode::Char('x'), Some(name)) => {
            let below = app.below(&name, false);
            app.confirm = Some(Confirm { verb: "rm", name, below });
        }
        (KeyCode::Char('c'), Some(name)) => {
            let below = app.below(&name, true);
            app.confirm = Some(Confirm { verb: "cancel", name, below });
        }
        (KeyCode::Char('r'), Some(name)) => app.status = act(&["resume", &name]),
        (KeyCode::Char(c @ ('a' | 'A' | 'n')), name) => {
            let Some(id) = shown else {
                app.status = format!("{}: no approval pending", name.as_deref().unwrap_or("no session"));
                return Then::Stay;
            };
            match c {
                'a' => app.status = answer(ctx, id, true, false, None),
                'A' => app.status = answer(ctx, id, true, true, None),
                _ => app.reason = Some(Reason { id, text: String::new() }),
            }
        }
        _ => return Then::Stay,
    }
    Then::Refresh
}

fn show(app: &mut App, pane: Pane) {
    app.pane = pane;
    app.scroll = 0;
}

/// Answer approval `id` and say how it went.
fn answer(ctx: &Ctx, id: i64, allow: bool, always: bool, reason: Option<&str>) -> String {
    match settle(&ctx.store, id, allow, always, reason) {
        Ok(request) => answered(&request),
        Err(e) => e.message,
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyEvent;

    use super::*;
    use crate::session::NewApproval;

    fn app() -> App {
        App::new("")
    }

    fn press(ctx: &mut Ctx, app: &mut App, code: KeyCode) {
        handle(ctx, app, KeyEvent::new(code, KeyModifiers::NONE));
    }

    fn state(ctx: &Ctx, id: i64) -> String {
        ctx.store.approval(id).unwrap().unwrap().state
    }

    #[test]
    fn keys_answer_the_approval_shown_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        git2::Repository::init(dir.path()).unwrap();
        let mut ctx = Ctx::open_at(dir.path()).unwrap();
        fn ask(target: &str) -> NewApproval<'_> {
            NewApproval {
                session: "s",
                skill: "agent",
                capability: "process",
                verb: "run",
                target,
                level: "high",
                reasons: &[],
            }
        }
        let older = ctx.store.request_approval(&ask("git push --force")).unwrap();
        let shown = ctx.store.request_approval(&ask("rm -rf build")).unwrap();
        let mut app = app();

        // Nothing shown yet: nothing is answered, whatever waits.
        press(&mut ctx, &mut app, KeyCode::Char('a'));
        assert_eq!(state(&ctx, older), "pending");
        assert!(app.status.contains("no approval pending"), "{}", app.status);

        // `n`, a reason, Esc: still waiting.
        app.approval = ctx.store.approval(shown).unwrap();
        press(&mut ctx, &mut app, KeyCode::Char('n'));
        press(&mut ctx, &mut app, KeyCode::Char('x'));
        press(&mut ctx, &mut app, KeyCode::Esc);
        assert_eq!(state(&ctx, shown), "pending");
        assert!(app.reason.is_none());

        press(&mut ctx, &mut app, KeyCode::Char('a'));
        assert_eq!(state(&ctx, shown), "allowed");
        assert_eq!(state(&ctx, older), "pending", "only the approval on screen is answered");
    }
}
