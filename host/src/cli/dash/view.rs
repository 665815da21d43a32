//! Drawing the dashboard. It fits an 80-column terminal: the branch is
//! always `grove/NAME`, so it has no column; the cost is in the lower
//! pane's title.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position};
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TableRow, Table, TableState, Wrap};

use super::keys::{APPROVAL_KEYS, HELP};
use super::{App, Pane};
use crate::cli::live::draw;
use crate::cli::session::age;
use crate::session::State;
use crate::transcript::{Line, Span, Tone, sanitize};

fn state_color(state: State) -> Color {
    match state {
        State::Queued => Color::Gray,
        State::Running => Color::Cyan,
        State::WaitingApproval => Color::Yellow,
        State::Done => Color::Green,
        State::Failed | State::Interrupted => Color::Red,
        State::Cancelled => Color::DarkGray,
    }
}

pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    // Leave the lower pane at least half the screen.
    let table_height = (app.rows.len() as u16 + 3).min((area.height / 2).max(4));
    let [table_area, lower_area, status_area] =
        Layout::vertical([Constraint::Length(table_height), Constraint::Min(3), Constraint::Length(1)])
            .areas(area);
    draw_table(frame, app, table_area);

    let box_height = match &app.approval {
        Some(a) => draw::approval_height(a, APPROVAL_KEYS, lower_area.width).min(lower_area.height / 2),
        None => 0,
    };
    let [detail_area, approval_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(box_height)]).areas(lower_area);
    draw_detail(frame, app, detail_area);
    if let Some(a) = &app.approval {
        draw::approval(frame, approval_area, a, APPROVAL_KEYS);
    }

    let style = Style::new().fg(Color::Yellow);
    if let Some(reason) = &app.reason {
        let lead = format!("deny #{} because: ", reason.id);
        let text = format!("{lead}{}", reason.text);
        let keys = "  (Enter deny · Esc back)";
        frame.render_widget(Paragraph::new(format!("{text}{keys}")).style(style), status_area);
        let x = status_area.x + (text.chars().count() as u16).min(status_area.width.saturating_sub(1));
        frame.set_cursor_position(Position::new(x, status_area.y));
        return;
    }
    let status = match &app.confirm {
        Some(c) => {
            let below = match c.below {
                0 => String::new(),
                n => format!(" and its {}", crate::text::count(n, "sub-session")),
            };
            format!("{} {}{below}? y to confirm, any other key to leave it", c.verb, c.name)
        }
        None => app.status.clone(),
    };
    frame.render_widget(Paragraph::new(status).style(style), status_area);
}

fn draw_table(frame: &mut Frame<'_>, app: &App, area: ratatui::layout::Rect) {
    let header = TableRow::new(["NAME", "STATE", "PROGRESS", "AHEAD/BEH", "CHANGES", "APPROVALS", "AGE"])
        .style(Style::new().add_modifier(Modifier::BOLD));
    let rows = app.rows.iter().map(|r| {
        let approvals =
            if r.pending_approvals == 0 { String::new() } else { r.pending_approvals.to_string() };
        TableRow::new([
            // Sub-sessions hang under their parent on box lines.
            Cell::from(r.tree_name()),
            Cell::from(r.state.to_string()).style(Style::new().fg(state_color(r.state))),
            // Progress is news only while the session works; a follow-up
            // under way, or one that failed, outlasts it.
            Cell::from(
                crate::session::follow_up::label(&r.follow_ups, r.state.is_active())
                    .or_else(|| r.progress.clone().filter(|_| r.state.is_active()))
                    .unwrap_or_default(),
            ),
            Cell::from(format!("{}/{}", r.ahead, r.behind)),
            Cell::from(format!("{} +{} -{}", r.files_changed, r.additions, r.deletions)),
            Cell::from(approvals).style(Style::new().fg(Color::Yellow)),
            Cell::from(age(r.created_at)),
        ])
    });
    let widths = [
        Constraint::Fill(3),
        Constraint::Length(16),
        Constraint::Fill(2),
        Constraint::Length(9),
        Constraint::Length(12),
        Constraint::Length(9),
        Constraint::Length(3),
    ];
    let title = format!(" grove · {} ", crate::text::count(app.rows.len(), "session"));
    let table = Table::new(rows, widths)
        .header(header)
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .block(Block::new().borders(Borders::ALL).title(title));
    let mut state = TableState::new().with_selected((!app.rows.is_empty()).then_some(app.selected));
    frame.render_stateful_widget(table, area, &mut state);
}

fn draw_detail(frame: &mut Frame<'_>, app: &App, area: ratatui::layout::Rect) {
    let selected = app.rows.get(app.selected);
    let what = match app.pane {
        Pane::Transcript => "transcript",
        Pane::Diff => "diff",
        Pane::Output => "output",
        Pane::Help => "keys",
    };
    let title = match selected {
        Some(r) if app.pane != Pane::Help => {
            let cost = if r.model_calls == 0 { String::new() } else { format!(" · ${:.2}", r.cost_usd) };
            let task = r
                .task
                .as_deref()
                .map(|t| format!(" · {}", t.lines().next().unwrap_or("")))
                .unwrap_or_default();
            format!(" {} · {what}{cost}{task} ", r.name)
        }
        _ => format!(" {what} "),
    };
    let block = Block::new().borders(Borders::ALL).title(title);
    if app.pane == Pane::Help {
        frame.render_widget(Paragraph::new(HELP).wrap(Wrap { trim: false }).block(block), area);
        return;
    }
    let Some(_) = selected else {
        let none = "no sessions: start one with `grove new NAME --task \"…\"`";
        frame.render_widget(Paragraph::new(none).wrap(Wrap { trim: false }).block(block), area);
        return;
    };
    if app.pane == Pane::Transcript {
        let lines = app.feed.as_ref().map(|f| f.lines()).unwrap_or_default();
        draw::tail(frame, area, block, lines, app.scroll, "(nothing in the transcript yet)");
        return;
    }
    // Diffs and process output are plain text, shown from their end.
    let lines: Vec<Line> = app
        .detail
        .lines()
        .map(|l| vec![Span { tone: Tone::Plain, text: sanitize(l).into_owned() }])
        .collect();
    draw::tail(frame, area, block, &lines, app.scroll, "(nothing printed yet)");
}
