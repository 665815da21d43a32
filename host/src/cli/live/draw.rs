//! The boxes `grove dash` and `grove attach` both draw.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line as TextLine, Span as TextSpan};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::session::Approval;
use crate::transcript::{Line, Span, Tone, render, sanitize};

/// How a transcript tone looks on the dashboard.
pub fn style(tone: Tone) -> Style {
    match tone {
        Tone::Plain => Style::new(),
        Tone::Dim => Style::new().fg(Color::DarkGray),
        Tone::Bold => Style::new().add_modifier(Modifier::BOLD),
        Tone::Tool => Style::new().fg(Color::Cyan),
        Tone::Good => Style::new().fg(Color::Green),
        Tone::Warn => Style::new().fg(Color::Yellow),
        Tone::Bad => Style::new().fg(Color::Red),
    }
}

fn text_line(line: Line) -> TextLine<'static> {
    TextLine::from(
        line.into_iter().map(|s: Span| TextSpan::styled(s.text, style(s.tone))).collect::<Vec<_>>(),
    )
}

/// The rows of `lines` that fill `height` rows of `width` columns, the
/// newest at the bottom, `scroll` rows back from the end (clamped to the
/// top). Only the lines that show are wrapped.
pub fn tail_rows(lines: &[Line], width: usize, height: usize, scroll: usize) -> Vec<Line> {
    let wanted = height + scroll;
    let mut rows: Vec<Line> = Vec::new();
    for line in lines.iter().rev() {
        let mut wrapped = render::wrap(line, width);
        wrapped.extend(rows);
        rows = wrapped;
        if rows.len() >= wanted {
            break;
        }
    }
    let end = rows.len().saturating_sub(scroll).max(height.min(rows.len()));
    let start = end.saturating_sub(height);
    rows.drain(start..end).collect()
}

/// Lines in a box, the newest at the bottom, `scroll` rows back; `empty`
/// says what there is when there are none.
pub fn tail(frame: &mut Frame<'_>, area: Rect, block: Block<'_>, lines: &[Line], scroll: usize, empty: &str) {
    let inner = block.inner(area);
    let rows = if lines.is_empty() {
        vec![text_line(vec![Span { tone: Tone::Dim, text: empty.into() }])]
    } else {
        tail_rows(lines, inner.width as usize, inner.height as usize, scroll)
            .into_iter()
            .map(text_line)
            .collect()
    };
    frame.render_widget(Paragraph::new(rows).block(block), area);
}

/// What an approval box says: the action, every reason, and `keys`, the
/// way to answer it here. (Its risk is in the title.)
fn approval_lines(a: &Approval, keys: &str) -> Vec<TextLine<'static>> {
    let warn = Style::new().fg(Color::Yellow);
    let mut lines = vec![TextLine::from(vec![
        TextSpan::styled(format!("{}.{} ", sanitize(&a.capability), sanitize(&a.verb)), warn),
        TextSpan::styled(sanitize(&a.target).into_owned(), warn.add_modifier(Modifier::BOLD)),
    ])];
    for reason in &a.reasons {
        lines.push(TextLine::styled(format!("· {}", sanitize(reason)), warn));
    }
    lines.push(TextLine::styled(keys.to_string(), Style::new().add_modifier(Modifier::BOLD)));
    lines
}

/// Rows an approval box takes at `width` columns, borders included.
pub fn approval_height(a: &Approval, keys: &str, width: u16) -> u16 {
    let inner = width.saturating_sub(2).max(1) as usize;
    let rows: usize = approval_lines(a, keys).iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    rows as u16 + 2
}

/// A pending approval in its own box.
pub fn approval(frame: &mut Frame<'_>, area: Rect, a: &Approval, keys: &str) {
    let level = sanitize(&a.level);
    let color = match level.as_ref() {
        "high" | "critical" => Color::Red,
        "medium" => Color::Yellow,
        _ => Color::Green,
    };
    let title = TextLine::from(vec![
        TextSpan::raw(format!(" approval #{} · ", a.id)),
        TextSpan::styled(format!("{level} risk"), Style::new().fg(color).add_modifier(Modifier::BOLD)),
        TextSpan::raw(" "),
    ]);
    let block = Block::new().borders(Borders::ALL).border_style(Style::new().fg(color)).title(title);
    frame
        .render_widget(Paragraph::new(approval_lines(a, keys)).wrap(Wrap { trim: false }).block(block), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> Line {
        vec![Span { tone: Tone::Plain, text: text.into() }]
    }

    fn texts(rows: &[Line]) -> Vec<String> {
        rows.iter().map(|r| r.iter().map(|s| s.text.as_str()).collect()).collect()
    }

    #[test]
    fn the_newest_rows_show_and_scrolling_goes_back() {
        let lines = [line("one"), line("two three"), line("four")];
        assert_eq!(texts(&tail_rows(&lines, 5, 3, 0)), ["two t", "hree", "four"]);
        assert_eq!(texts(&tail_rows(&lines, 5, 3, 1)), ["one", "two t", "hree"]);
        // Scrolling stops at the top, and a short transcript shows whole.
        assert_eq!(texts(&tail_rows(&lines, 5, 3, 99)), ["one", "two t", "hree"]);
        assert_eq!(texts(&tail_rows(&lines, 20, 10, 0)), ["one", "two three", "four"]);
    }
}
