//! `grove attach NAME`: one session, up close. Its transcript streams in;
//! a prompt at the bottom sends it messages (as `grove tell` does, so a
//! finished session goes on with its conversation); its pending approval
//! shows in a box, answered by typing `/approve`, `/always` or
//! `/deny REASON`. Esc, Ctrl-D and Ctrl-C detach: the session goes on.

use std::time::{Duration, Instant};

use clap::Args;
use ratatui::Frame;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Position};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::approvals::{answered, settle};
use super::live::{self, Feed, draw};
use super::session::{Ctx, store_error, tell};
use super::{CliError, Exit};
use crate::session::{Approval, Session};

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The session.
    pub name: String,
}

/// How often the transcript is read for new events.
const POLL: Duration = Duration::from_millis(50);
/// How often the session's record (state, cost, approvals) is read.
const REFRESH: Duration = Duration::from_millis(250);
/// How often to check that the session's process is still there.
const RECOVER_EVERY: Duration = Duration::from_secs(1);

/// How to answer an approval here, shown in its box.
const APPROVAL_KEYS: &str = "type /approve, /always (for the rest of the session) or /deny REASON";
/// The prompt's title.
const PROMPT_KEYS: &str = " message: Enter sends · Esc detaches · PgUp PgDn scroll ";

struct View {
    session: Session,
    feed: Feed,
    /// The pending approval shown: the only one `/approve` answers.
    approval: Option<Approval>,
    pending: usize,
    input: String,
    status: String,
    scroll: usize,
}

pub fn attach(args: AttachArgs) -> Result<Exit, CliError> {
    let mut ctx = Ctx::open()?;
    let session = ctx.session(&args.name)?;
    let feed = Feed::open(&ctx.store, &session.name).map_err(store_error)?;
    let mut view = View {
        session,
        feed,
        approval: None,
        pending: 0,
        input: String::new(),
        status: String::new(),
        scroll: 0,
    };
    ratatui::run(|terminal| -> Result<(), CliError> {
        let mut next_refresh = Instant::now();
        let mut recovered = Instant::now();
        loop {
            // A runner that died leaves its session "running": notice it.
            if recovered.elapsed() >= RECOVER_EVERY {
                let _ = ctx.store.recover();
                recovered = Instant::now();
            }
            // A busy store is read at the next poll.
            let news = view.feed.poll(&ctx.store).unwrap_or(false);
            if news || Instant::now() >= next_refresh {
                refresh(&ctx, &mut view)?;
                next_refresh = Instant::now() + REFRESH;
            }
            terminal.draw(|frame| draw_view(frame, &view)).map_err(|e| CliError::new(Exit::Host, e))?;
            if !event::poll(POLL).map_err(|e| CliError::new(Exit::Host, e))? {
                continue;
            }
            let Event::Key(key) = event::read().map_err(|e| CliError::new(Exit::Host, e))? else { continue };
            if key.kind == KeyEventKind::Press && !on_key(&mut ctx, &mut view, key) {
                return Ok(());
            }
        }
    })?;
    let name = &view.session.name;
    let state = ctx.session(name).map(|s| s.state.to_string()).unwrap_or_else(|_| "gone".into());
    println!(
        "detached from {name} ({state}); `grove attach {name}` comes back, `grove logs -f {name}` follows it"
    );
    Ok(Exit::Ok)
}

/// Read the session's record and its pending approvals again.
fn refresh(ctx: &Ctx, view: &mut View) -> Result<(), CliError> {
    view.session = ctx.store.require(&view.session.name).map_err(store_error)?;
    let pending = live::pending_approvals(&ctx.store, &view.session.name);
    view.pending = pending.len();
    view.approval = pending.into_iter().next();
    Ok(())
}

/// Handle a key; false to detach.
fn on_key(ctx: &mut Ctx, view: &mut View, key: KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        // Ctrl-C detaches too: it never cancels the session.
        KeyCode::Esc => return false,
        KeyCode::Char('c' | 'd') if ctrl => return false,
        KeyCode::Enter => {
            let line = std::mem::take(&mut view.input);
            submit(ctx, view, line.trim());
            let _ = refresh(ctx, view);
        }
        KeyCode::Backspace => {
            view.input.pop();
        }
        KeyCode::Char(c) if !ctrl => view.input.push(c),
        KeyCode::PageUp => view.scroll += 10,
        KeyCode::PageDown => view.scroll = view.scroll.saturating_sub(10),
        KeyCode::End => view.scroll = 0,
        _ => {}
    }
    true
}

/// Act on a line typed at the prompt: an answer to the approval shown, or
/// a message for the session.
fn submit(ctx: &mut Ctx, view: &mut View, line: &str) {
    if line.is_empty() {
        return;
    }
    let (command, rest) = line.split_once(char::is_whitespace).map_or((line, ""), |(c, r)| (c, r.trim()));
    let answer = match command {
        "/approve" => Some((true, false)),
        "/always" => Some((true, true)),
        "/deny" => Some((false, false)),
        _ => None,
    };
    view.status = match (answer, &view.approval) {
        (Some(_), None) => "no approval is pending".into(),
        (Some((allow, always)), Some(shown)) => {
            let reason = (!allow && !rest.is_empty()).then_some(rest);
            match settle(&ctx.store, shown.id, allow, always, reason) {
                Ok(request) => answered(&request),
                Err(e) => e.message,
            }
        }
        (None, _) if command.starts_with('/') => {
            format!("{command} is not a command here: /approve, /always or /deny REASON")
        }
        (None, _) => match tell::send(ctx, &view.session.name, line) {
            Ok(told) => format!("sent: {}", told.said),
            Err(e) => e.message,
        },
    };
}

fn draw_view(frame: &mut Frame<'_>, view: &View) {
    let area = frame.area();
    let box_height = match &view.approval {
        Some(a) => draw::approval_height(a, APPROVAL_KEYS, area.width).min(area.height / 2),
        None => 0,
    };
    let [transcript_area, approval_area, prompt_area, status_area] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(box_height),
        Constraint::Length(3),
        Constraint::Length(1),
    ])
    .areas(area);

    let s = &view.session;
    let waiting = match view.pending {
        0 => "no approvals pending".to_string(),
        n => format!("{} pending", crate::text::count(n, "approval")),
    };
    let title = format!(" {} · {} · ${:.2} · {waiting} ", s.name, s.state, s.spend().cost_usd);
    let block = Block::new().borders(Borders::ALL).title(title);
    draw::tail(
        frame,
        transcript_area,
        block,
        view.feed.lines(),
        view.scroll,
        "(nothing in the transcript yet)",
    );
    if let Some(a) = &view.approval {
        draw::approval(frame, approval_area, a, APPROVAL_KEYS);
    }

    // The end of a long line shows: that is where the typing is.
    let inner = prompt_area.width.saturating_sub(4) as usize;
    let count = view.input.chars().count();
    let shown: String = view.input.chars().skip(count.saturating_sub(inner)).collect();
    let prompt = Block::new().borders(Borders::ALL).title(PROMPT_KEYS);
    frame.render_widget(Paragraph::new(format!("› {shown}")).block(prompt), prompt_area);
    let x = prompt_area.x + 3 + shown.chars().count() as u16;
    frame.set_cursor_position(Position::new(x.min(prompt_area.right().saturating_sub(2)), prompt_area.y + 1));

    frame.render_widget(
        Paragraph::new(view.status.as_str()).style(Style::new().fg(Color::Yellow)),
        status_area,
    );
}
