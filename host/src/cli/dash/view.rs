//! Drawing the dashboard.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TableRow, Table, Wrap};

use super::{App, Pane};
use crate::cli::session::age;
use crate::session::State;

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
    let [table_area, detail_area, status_area] = Layout::vertical([
        Constraint::Length(app.rows.len() as u16 + 3),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(frame.area());

    let header = TableRow::new([
        "NAME",
        "STATE",
        "BRANCH",
        "PROGRESS",
        "AHEAD/BEH",
        "FILES",
        "+/-",
        "APPROVALS",
        "AGE",
    ])
    .style(Style::new().add_modifier(Modifier::BOLD));
    let rows = app.rows.iter().enumerate().map(|(i, r)| {
        let style =
            if i == app.selected { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
        TableRow::new([
            Cell::from(r.name.clone()),
            Cell::from(r.state.to_string()).style(Style::new().fg(state_color(r.state))),
            Cell::from(r.branch.clone()),
            Cell::from(r.progress.clone().unwrap_or_default()),
            Cell::from(format!("{}/{}", r.ahead, r.behind)),
            Cell::from(r.files_changed.to_string()),
            Cell::from(format!("+{} -{}", r.additions, r.deletions)),
            Cell::from(r.pending_approvals.to_string()),
            Cell::from(age(r.created_at)),
        ])
        .style(style)
    });
    let widths = [
        Constraint::Min(12),
        Constraint::Length(16),
        Constraint::Min(14),
        Constraint::Min(16),
        Constraint::Length(9),
        Constraint::Length(5),
        Constraint::Length(12),
        Constraint::Length(9),
        Constraint::Length(4),
    ];
    let title = format!(" grove · {} ", crate::text::count(app.rows.len(), "session"));
    frame.render_widget(
        Table::new(rows, widths).header(header).block(Block::new().borders(Borders::ALL).title(title)),
        table_area,
    );

    let selected = app.rows.get(app.selected);
    let what = match app.pane {
        Pane::Log => "log",
        Pane::Diff => "diff",
    };
    let title = match selected {
        Some(r) => format!(" {} · {what} · {} ", r.name, r.task.as_deref().unwrap_or("no task")),
        None => " sessions ".into(),
    };
    // Show the end of long text: the newest log lines matter most.
    let height = detail_area.height.saturating_sub(2) as usize;
    let lines: Vec<Line<'_>> = app.detail.lines().map(Line::raw).collect();
    let shown = lines[lines.len().saturating_sub(height.max(1))..].to_vec();
    frame.render_widget(
        Paragraph::new(shown)
            .wrap(Wrap { trim: false })
            .block(Block::new().borders(Borders::ALL).title(title)),
        detail_area,
    );

    let status = match &app.confirm {
        Some(c) => format!("{} {}? y to confirm, any other key to keep it", c.verb, c.name),
        None => app.status.clone(),
    };
    frame.render_widget(Paragraph::new(status).style(Style::new().fg(Color::Yellow)), status_area);
}
