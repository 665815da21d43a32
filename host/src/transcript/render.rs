//! Turning transcript events into readable text: one renderer for
//! `grove logs`, the foreground `grove run`, `grove dash` and
//! `grove attach`. It produces styled spans (text with a [`Tone`]); the
//! terminal turns tones into ANSI colours, the dashboard into its styles.
//!
//! Text is untrusted (the model's, a program's): every piece goes through
//! [`sanitize`] before it becomes a span.

use serde_json::Value;

use super::{kind, sanitize};
use crate::session::Event;
// Untrusted text made safe, on one line.
use crate::text::one_line as clean;

/// How a span should look. Meaning, not colour: each front end maps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// Secondary: results, costs, life events.
    Dim,
    /// The task and the human's words.
    Bold,
    /// A tool call.
    Tool,
    /// Allowed, committed, done.
    Good,
    /// Waiting on a human, retries, warnings.
    Warn,
    /// Denied, failed, errors.
    Bad,
}

/// A piece of text in one tone. Text may hold newlines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub tone: Tone,
    pub text: String,
}

/// One line of spans (no newlines inside).
pub type Line = Vec<Span>;

/// Lines a tool result shows, unless verbose.
const RESULT_LINES: usize = 1;
const VERBOSE_RESULT_LINES: usize = 20;
/// Characters of one rendered line of a tool call or result.
const WIDTH: usize = 160;

/// Renders a stream of events. It keeps what it needs across events:
/// whether model text left a line open, the newest answer's text.
#[derive(Debug, Default)]
pub struct Renderer {
    /// Show every gate decision, token counts, programs run, debug logs.
    pub verbose: bool,
    /// The session's name, for hints (`grove resume NAME`).
    pub session: Option<String>,
    /// Model text left the last line unfinished.
    open_line: bool,
    /// The newest events were pieces of one answer's text.
    in_answer: bool,
    /// The text of the newest answer, so the closing summary is not
    /// printed twice.
    last_text: String,
}

impl Renderer {
    pub fn new(session: Option<String>, verbose: bool) -> Renderer {
        Renderer { verbose, session, ..Renderer::default() }
    }

    /// Append what `event` shows to `out` (nothing for events that show
    /// nothing at this verbosity).
    pub fn render(&mut self, event: &Event, out: &mut Vec<Span>) {
        let d = &event.data;
        if event.kind == kind::TEXT {
            let text = sanitize(str_of(d, "text"));
            if text.is_empty() {
                return;
            }
            if !self.in_answer {
                self.last_text.clear();
                self.in_answer = true;
            }
            self.last_text.push_str(&text);
            self.open_line = !text.ends_with('\n');
            out.push(span(Tone::Plain, text.into_owned()));
            return;
        }
        self.in_answer = false;
        let mut lines = Vec::new();
        self.lines(&event.kind, d, &mut lines);
        // The end of an answer ends its last line, shown or not.
        if lines.is_empty() && event.kind != kind::ANSWER {
            return;
        }
        if self.open_line {
            out.push(span(Tone::Plain, "\n".into()));
            self.open_line = false;
        }
        for line in lines {
            out.extend(line);
            out.push(span(Tone::Plain, "\n".into()));
        }
    }

    /// The text of the newest answer rendered.
    pub fn last_text(&self) -> &str {
        &self.last_text
    }

    /// End a line that model text left open.
    pub fn close(&mut self, out: &mut Vec<Span>) {
        if self.open_line {
            out.push(span(Tone::Plain, "\n".into()));
            self.open_line = false;
        }
    }

    /// Render every event of `events`.
    pub fn render_all(&mut self, events: &[Event]) -> Vec<Span> {
        let mut out = Vec::new();
        for event in events {
            self.render(event, &mut out);
        }
        out
    }

    fn lines(&mut self, kind: &str, d: &Value, out: &mut Vec<Line>) {
        let verbose = self.verbose;
        match kind {
            "created" => {
                if let Some(task) = d.get("task").and_then(Value::as_str) {
                    out.push(vec![span(Tone::Bold, format!("▶ {}", clean(task)))]);
                }
            }
            "started" => {
                let pid =
                    d.get("pid").and_then(Value::as_u64).map(|p| format!(" · pid {p}")).unwrap_or_default();
                out.push(vec![span(Tone::Dim, format!("── started{pid}"))]);
            }
            "queued" if d.get("resumed").is_some() => {
                out.push(vec![span(Tone::Dim, "── queued again".into())])
            }
            "done" | "failed" | "cancelled" => self.finished(kind, d, out),
            "interrupted" => {
                let hint = match &self.session {
                    Some(name) => format!(" (grove resume {name})"),
                    None => String::new(),
                };
                out.push(vec![span(Tone::Bad, format!("── interrupted: its process is gone{hint}"))]);
            }
            "mode" => out.push(vec![span(Tone::Warn, format!("── mode: {}", clean(str_of(d, "mode"))))]),
            kind::ANSWER if verbose => {
                let n = |k: &str| d.get(k).and_then(Value::as_u64).unwrap_or(0);
                let cost = d.get("cost_usd").and_then(Value::as_f64).unwrap_or(0.0);
                out.push(vec![span(
                    Tone::Dim,
                    format!(
                        "  ({} · {} in · {} out · {} cached · ${cost:.4} so far)",
                        clean(str_of(d, "model")),
                        n("input_tokens"),
                        n("output_tokens"),
                        n("cache_read_tokens"),
                    ),
                )]);
            }
            kind::RETRY => {
                out.push(vec![span(Tone::Warn, format!("  ↻ retrying: {}", clean(str_of(d, "error"))))])
            }
            kind::TOOL => {
                let name = clean(str_of(d, "name"));
                let input = summarize_input(&name, str_of(d, "input"));
                out.push(vec![
                    span(Tone::Tool, format!("● {name}")),
                    span(Tone::Plain, format!(" {}", clip(&clean(&input), WIDTH))),
                ]);
            }
            kind::RESULT => self.result(d, out),
            kind::GATE => gate(d, verbose, out),
            kind::APPROVAL => approval(d, out),
            kind::COMMIT => {
                let id = str_of(d, "id");
                let subject = str_of(d, "message").lines().next().unwrap_or_default();
                out.push(vec![span(
                    Tone::Good,
                    format!("  ⎇ committed {}: {}", &id[..id.len().min(8)], clip(&clean(subject), WIDTH)),
                )]);
            }
            kind::PROCESS if verbose && d["started"].as_bool() == Some(true) => {
                let command = clip(&clean(str_of(d, "command")), WIDTH);
                let serves = match d["serves"].as_str() {
                    Some(address) => format!(", served at {}", clean(address)),
                    None => String::new(),
                };
                out.push(vec![span(Tone::Dim, format!("  $ {command} → started{serves}"))]);
            }
            kind::PROCESS if verbose => {
                let status = match (d.get("code").and_then(Value::as_i64), d["timed_out"].as_bool()) {
                    (_, Some(true)) => "timed out".to_string(),
                    (Some(code), _) => format!("exit {code}"),
                    (None, _) => "killed".to_string(),
                };
                let ms = d.get("duration_ms").and_then(Value::as_u64).unwrap_or(0);
                let command = clip(&clean(str_of(d, "command")), WIDTH);
                out.push(vec![span(Tone::Dim, format!("  $ {command} → {status} ({ms} ms)"))]);
            }
            kind::HTTP if verbose => {
                let ms = d.get("duration_ms").and_then(Value::as_u64).unwrap_or(0);
                let answer = match d.get("status").and_then(Value::as_u64) {
                    Some(status) => {
                        format!(
                            "{status} ({} bytes, {ms} ms)",
                            d.get("bytes").and_then(Value::as_u64).unwrap_or(0)
                        )
                    }
                    None => format!("failed: {} ({ms} ms)", clean(str_of(d, "error"))),
                };
                let request = clip(&clean(&format!("{} {}", str_of(d, "method"), str_of(d, "url"))), WIDTH);
                out.push(vec![span(Tone::Dim, format!("  ⇄ {request} → {answer}"))]);
            }
            kind::EVIDENCE => {
                let what = format!("{} {}", str_of(d, "kind"), clean(str_of(d, "caption")));
                out.push(vec![span(Tone::Good, format!("  ▣ evidence: {}", clip(&what, WIDTH)))]);
            }
            kind::NOTIFY => {
                let what = match d.get("file").and_then(Value::as_str) {
                    Some(file) => format!("shared {} with {}", clean(file), clean(str_of(d, "to"))),
                    None => format!("told {}", clean(str_of(d, "to"))),
                };
                let conversation = clean(str_of(d, "conversation"));
                out.push(vec![span(Tone::Tool, format!("  ✉ {} ({conversation})", clip(&what, WIDTH)))]);
            }
            kind::LOG => {
                let message = clean(str_of(d, "message"));
                match str_of(d, "level") {
                    "error" => out.push(vec![span(Tone::Bad, format!("  error: {message}"))]),
                    "warn" => out.push(vec![span(Tone::Warn, format!("  warning: {message}"))]),
                    "info" => out.push(vec![span(Tone::Dim, format!("  {message}"))]),
                    _ if verbose => out.push(vec![span(Tone::Dim, format!("  {message}"))]),
                    _ => {}
                }
            }
            kind::USER => out.push(vec![span(Tone::Bold, format!("» you: {}", clean(str_of(d, "text"))))]),
            kind::SPAWN => {
                let budget = d.get("budget").and_then(Value::as_str).map(clean);
                let given = budget.as_deref().map(|b| format!(" · budget {b}")).unwrap_or_default();
                // A skill given as a path reads as its file's name.
                let skill = str_of(d, "skill");
                let skill = skill.rsplit('/').next().unwrap_or(skill);
                let (name, skill) = (clean(str_of(d, "name")), clean(skill));
                let then = match d.get("then").and_then(Value::as_array) {
                    Some(steps) => {
                        let steps: Vec<String> = steps.iter().filter_map(Value::as_str).map(clean).collect();
                        format!(" · then {}", steps.join(", "))
                    }
                    None => String::new(),
                };
                out.push(vec![span(Tone::Tool, format!("  ⑂ sub-session {name} ({skill}){given}{then}"))]);
                if let Some(asked) = d.get("asked").and_then(Value::as_str) {
                    let given = budget.unwrap_or_default();
                    let line = format!(
                        "    asked for {}, more than was left to give: it gets {given}",
                        clean(asked)
                    );
                    out.push(vec![span(Tone::Warn, line)]);
                }
            }
            kind::FOLLOW_UP => follow_up(d, out),
            // Life events that say nothing new (the approval events do),
            // and anything this grove does not know, unless verbose.
            other if verbose && !matches!(other, "running" | "waiting-approval" | "queued") => out.push(
                vec![span(Tone::Dim, format!("  {} {}", clean(other), clip(&clean(&d.to_string()), WIDTH)))],
            ),
            _ => {}
        }
    }

    fn finished(&mut self, kind: &str, d: &Value, out: &mut Vec<Line>) {
        let summary = d.get("summary").and_then(Value::as_str).map(str::trim).unwrap_or_default();
        let error = d.get("error").and_then(Value::as_str).unwrap_or_default();
        // The summary is usually the model's last words, shown already.
        let said = !summary.is_empty() && self.last_text.contains(summary);
        let (tone, detail) = match kind {
            "done" => (Tone::Good, if said { String::new() } else { summary.to_string() }),
            "failed" => (Tone::Bad, if error.is_empty() { summary.to_string() } else { error.to_string() }),
            _ => (Tone::Dim, String::new()),
        };
        let detail = clean(detail.lines().next().unwrap_or_default());
        let text =
            if detail.is_empty() { format!("── {kind}") } else { format!("── {kind} · {detail}") };
        out.push(vec![span(tone, text)]);
    }

    fn result(&mut self, d: &Value, out: &mut Vec<Line>) {
        let content = sanitize(str_of(d, "content"));
        let error = d.get("is_error").and_then(Value::as_bool).unwrap_or(false);
        let tone = if error { Tone::Bad } else { Tone::Dim };
        let all: Vec<&str> = content.lines().filter(|l| !l.trim().is_empty()).collect();
        let shown = if self.verbose { VERBOSE_RESULT_LINES } else { RESULT_LINES };
        if all.is_empty() {
            out.push(vec![span(tone, "  ⎿ (no output)".into())]);
        }
        for (i, line) in all.iter().take(shown).enumerate() {
            let lead = if i == 0 { "  ⎿ " } else { "    " };
            out.push(vec![span(tone, format!("{lead}{}", clip(line, WIDTH)))]);
        }
        let bytes = d.get("bytes").and_then(Value::as_u64).unwrap_or(content.len() as u64);
        let kept = d.get("full").and_then(Value::as_str);
        if all.len() > shown || kept.is_some() {
            let more = all.len().saturating_sub(shown);
            let mut note = if more > 0 {
                format!("    … {}", crate::text::count(more, "more line"))
            } else {
                "    …".into()
            };
            if let Some(path) = kept {
                note.push_str(&format!(" ({bytes} bytes in all: {})", clean(path)));
            }
            out.push(vec![span(Tone::Dim, note)]);
        }
    }
}

fn gate(d: &Value, verbose: bool, out: &mut Vec<Line>) {
    let what = format!(
        "{}.{} {}",
        clean(str_of(d, "capability")),
        clean(str_of(d, "verb")),
        clip(&clean(str_of(d, "target")), WIDTH)
    );
    let by = str_of(d, "decided_by");
    let reason = d["reasons"].get(0).and_then(Value::as_str).map(clean).unwrap_or_default();
    if str_of(d, "decision") == "deny" {
        out.push(vec![
            span(Tone::Bad, format!("  ✗ denied {what}")),
            span(Tone::Dim, format!(" · {reason}")),
        ]);
    } else if by.starts_with("human") {
        out.push(vec![span(Tone::Good, format!("  ✓ allowed by a human: {what}"))]);
    } else if verbose {
        let level = clean(str_of(d, "level"));
        out.push(vec![span(Tone::Dim, format!("  · allowed {what} ({level}, {})", clean(by)))]);
    }
}

fn approval(d: &Value, out: &mut Vec<Line>) {
    let id = d.get("id").and_then(Value::as_i64).unwrap_or(0);
    match str_of(d, "state") {
        "pending" => {
            out.push(vec![span(
                Tone::Warn,
                format!(
                    "  ? approval #{id}: {}.{} `{}` ({} risk)",
                    clean(str_of(d, "capability")),
                    clean(str_of(d, "verb")),
                    clip(&clean(str_of(d, "target")), WIDTH),
                    clean(str_of(d, "level"))
                ),
            )]);
            for reason in d["reasons"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                out.push(vec![span(Tone::Warn, format!("    · {}", clean(reason)))]);
            }
            out.push(vec![span(Tone::Dim, format!("    grove approve {id} | grove deny {id} --reason …"))]);
        }
        state => {
            let tone = if state == "allowed" { Tone::Good } else { Tone::Bad };
            let by =
                d.get("by").and_then(Value::as_str).map(|b| format!(" by {}", clean(b))).unwrap_or_default();
            let why = d
                .get("reason")
                .and_then(Value::as_str)
                .map(|r| format!(": {}", clean(r)))
                .unwrap_or_default();
            out.push(vec![span(tone, format!("  approval #{id} {}{by}{why}", clean(state)))]);
        }
    }
}

/// The part of a tool call's input worth a glance: the path, the command,
/// the pattern; compact JSON for tools this grove does not know.
fn summarize_input(name: &str, input: &str) -> String {
    let Ok(value) = serde_json::from_str::<Value>(input) else { return input.to_string() };
    let field = |k: &str| value.get(k).and_then(Value::as_str);
    let picked = match name {
        "read_file" | "write_file" | "edit_file" | "list_files" => field("path").map(|p| {
            let p = if p.is_empty() { "." } else { p };
            match (value.get("offset").and_then(Value::as_u64), name) {
                (Some(offset), "read_file") => format!("{p}:{offset}"),
                _ => p.to_string(),
            }
        }),
        "run" => field("command").map(String::from),
        "search" => field("pattern").map(|p| match field("glob") {
            Some(glob) => format!("{p:?} in {glob}"),
            None => format!("{p:?}"),
        }),
        "commit" => field("message").map(|m| m.lines().next().unwrap_or_default().to_string()),
        _ => None,
    };
    picked.unwrap_or_else(|| if name == "list_files" { ".".into() } else { value.to_string() })
}

fn span(tone: Tone, text: String) -> Span {
    Span { tone, text }
}

fn str_of<'a>(d: &'a Value, key: &str) -> &'a str {
    d.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn clip(text: &str, width: usize) -> String {
    match text.char_indices().nth(width) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Spans as terminal text, with ANSI colours when `color`.
pub fn to_ansi(spans: &[Span], color: bool) -> String {
    let mut out = String::new();
    for s in spans {
        let code = match s.tone {
            Tone::Plain => "",
            Tone::Dim => "2",
            Tone::Bold => "1",
            Tone::Tool => "36",
            Tone::Good => "32",
            Tone::Warn => "33",
            Tone::Bad => "31",
        };
        if !color || code.is_empty() || s.text == "\n" {
            out.push_str(&s.text);
        } else {
            // Close the colour before each newline so a pager or a cut
            // line never bleeds it into the next.
            for (i, piece) in s.text.split('\n').enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                if !piece.is_empty() {
                    out.push_str(&format!("\x1b[{code}m{piece}\x1b[0m"));
                }
            }
        }
    }
    out
}

/// Spans cut into lines at their newlines (for widgets that draw lines).
pub fn to_lines(spans: &[Span]) -> Vec<Line> {
    let mut lines = Vec::new();
    extend_lines(&mut lines, spans);
    if lines.last().is_some_and(Vec::is_empty) {
        lines.pop();
    }
    lines
}

/// Add `spans` to `lines`, cut at their newlines, for views that render a
/// stream as it comes: the last line stays open (empty after a newline)
/// for the text that continues it, so streamed pieces of one sentence land
/// on one line. Start from an empty vector.
pub fn extend_lines(lines: &mut Vec<Line>, spans: &[Span]) {
    if lines.is_empty() {
        lines.push(Vec::new());
    }
    for s in spans {
        for (i, piece) in s.text.split('\n').enumerate() {
            if i > 0 {
                lines.push(Vec::new());
            }
            if !piece.is_empty() {
                let line = lines.last_mut().expect("never empty");
                // A widget draws no tab: four spaces stand for one.
                let piece = piece.replace('\t', "    ");
                // Streamed text arrives in small pieces: grow the last span
                // of the same tone rather than keep one span per piece.
                match line.last_mut() {
                    Some(last) if last.tone == s.tone => last.text.push_str(&piece),
                    _ => line.push(span(s.tone, piece)),
                }
            }
        }
    }
}

/// A line cut into rows of at most `width` characters, tones kept, for a
/// view that shows the newest rows and must know how many a line takes.
/// A character counts as one column: transcript text is mostly ASCII, and
/// a wider one only makes its row run short.
pub fn wrap(line: &[Span], width: usize) -> Vec<Line> {
    let width = width.max(1);
    let mut rows = vec![Vec::new()];
    let mut used = 0;
    for s in line {
        let mut rest = s.text.as_str();
        while !rest.is_empty() {
            if used == width {
                rows.push(Vec::new());
                used = 0;
            }
            let take = rest.char_indices().nth(width - used).map_or(rest.len(), |(at, _)| at);
            let (piece, after) = rest.split_at(take);
            used += piece.chars().count();
            rows.last_mut().expect("never empty").push(span(s.tone, piece.to_string()));
            rest = after;
        }
    }
    rows
}

/// A follow-up starting or ending: what it does, what it came to, and
/// for one that failed, the command that does it by hand.
fn follow_up(d: &Value, out: &mut Vec<Line>) {
    let step = clean(str_of(d, "step"));
    // A note may run over lines (an error's example); its first says it.
    let note = clean(str_of(d, "note").lines().next().unwrap_or_default());
    let note = note.as_str();
    match str_of(d, "state") {
        "running" => out.push(vec![span(Tone::Dim, format!("── then: {step}"))]),
        "done" => out.push(vec![span(Tone::Good, format!("  ✓ {step}: {}", clip(note, WIDTH)))]),
        "failed" => {
            out.push(vec![span(Tone::Bad, format!("  ✗ {step} failed: {}", clip(note, WIDTH)))]);
            let by_hand = clean(str_of(d, "by_hand"));
            if !by_hand.is_empty() {
                out.push(vec![span(Tone::Warn, format!("    the work is kept; do it by hand: {by_hand}"))]);
            }
        }
        _ => out.push(vec![span(Tone::Dim, format!("  {step} skipped: {}", clip(note, WIDTH)))]),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ev(kind: &str, data: Value) -> Event {
        Event { id: 0, at: 0, kind: kind.into(), data }
    }

    fn text(events: &[Event], verbose: bool) -> String {
        to_ansi(&Renderer::new(Some("s".into()), verbose).render_all(events), false)
    }

    #[test]
    fn a_turn_reads_like_a_conversation() {
        let events = [
            ev("created", json!({"skill": "agent", "task": "make the test pass"})),
            ev("text", json!({"text": "Let me "})),
            ev("text", json!({"text": "look."})),
            ev("tool", json!({"id": "t1", "name": "run", "input": "{\"command\":\"cargo test\"}"})),
            ev(
                "gate",
                json!({"capability": "process", "verb": "run", "target": "cargo test", "decision": "allow", "decided_by": "mode", "level": "low", "reasons": []}),
            ),
            ev(
                "result",
                json!({"id": "t1", "content": "exit code 101 (20 ms)\n--- stdout ---\nfailed", "is_error": false}),
            ),
            ev("text", json!({"text": "Fixed the parser."})),
            ev("done", json!({"summary": "Fixed the parser.", "exit_code": 0})),
        ];
        assert_eq!(
            text(&events, false),
            "▶ make the test pass\nLet me look.\n● run cargo test\n  ⎿ exit code 101 (20 ms)\n    … 2 more lines\n\
             Fixed the parser.\n── done\n"
        );
        assert!(text(&events, true).contains("· allowed process.run cargo test (low, mode)"));
    }

    #[test]
    fn follow_ups_say_what_they_came_to_and_a_failed_one_how_to_do_it_by_hand() {
        let events = [
            ev("spawn", json!({"name": "c", "skill": "agent", "then": ["evidence", "pr-draft"]})),
            ev("follow-up", json!({"step": "evidence", "state": "running"})),
            ev("follow-up", json!({"step": "evidence", "state": "done", "note": "1 scenario held"})),
            ev(
                "follow-up",
                json!({"step": "pr-draft", "state": "failed", "note": "no token\n\x1b[2Jmore",
                       "by_hand": "grove pr c --draft"}),
            ),
        ];
        assert_eq!(
            text(&events, false),
            "  ⑂ sub-session c (agent) · then evidence, pr-draft\n── then: evidence\n  ✓ evidence: 1 scenario held\n\
             \u{20} ✗ pr-draft failed: no token\n    the work is kept; do it by hand: grove pr c --draft\n"
        );
    }

    #[test]
    fn a_program_started_to_keep_running_says_so_not_killed() {
        let events = [
            ev(
                "process",
                json!({"command": "sh -c 'npm run dev'", "started": true, "serves": "http://127.0.0.1:4100"}),
            ),
            ev("process", json!({"command": "make", "code": 0, "duration_ms": 12, "timed_out": false})),
        ];
        assert_eq!(
            text(&events, true),
            "  $ sh -c 'npm run dev' → started, served at http://127.0.0.1:4100\n  $ make → exit 0 (12 ms)\n"
        );
    }

    #[test]
    fn a_spawn_names_the_sub_session_and_a_clamped_budget() {
        let events = [
            ev("spawn", json!({"name": "a", "skill": "/tmp/x/probe.wasm"})),
            ev("spawn", json!({"name": "b\u{1b}[2J", "skill": "agent", "budget": "$0.4", "asked": "$5"})),
        ];
        assert_eq!(
            text(&events, false),
            "  ⑂ sub-session a (probe.wasm)\n  ⑂ sub-session b\\x1b[2J (agent) · budget $0.4\n    asked for $5, \
             more than was left to give: it gets $0.4\n"
        );
    }

    #[test]
    fn denials_and_approvals_stand_out() {
        let events = [
            ev(
                "approval",
                json!({"id": 3, "state": "pending", "capability": "process", "verb": "run", "target": "git push --force", "level": "high", "reasons": ["git.push.force: rewrites history"]}),
            ),
            ev("approval", json!({"id": 3, "state": "denied", "by": "human:deny", "reason": "not today"})),
            ev(
                "gate",
                json!({"capability": "process", "verb": "run", "target": "git push --force", "decision": "deny", "decided_by": "human:deny", "reasons": ["human.deny: not today"]}),
            ),
        ];
        let shown = text(&events, false);
        assert!(shown.contains("? approval #3: process.run `git push --force` (high risk)"), "{shown}");
        assert!(shown.contains("· git.push.force: rewrites history"), "{shown}");
        assert!(shown.contains("grove approve 3 | grove deny 3"), "{shown}");
        assert!(shown.contains("approval #3 denied by human:deny: not today"), "{shown}");
        assert!(shown.contains("✗ denied process.run git push --force · human.deny: not today"), "{shown}");
    }

    #[test]
    fn hostile_text_never_reaches_the_terminal_raw() {
        let events = [
            ev("text", json!({"text": "ok\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}[2J"})),
            ev(
                "tool",
                json!({"id": "t", "name": "run\u{1b}[8m", "input": "{\"command\":\"echo \\u001b[31mred\"}"}),
            ),
            ev("result", json!({"id": "t", "content": "\u{1b}[1A\u{1b}[2Kapproved", "is_error": false})),
            ev("user", json!({"text": "hi\rthere"})),
        ];
        let shown = text(&events, true);
        assert!(!shown.contains('\u{1b}') && !shown.contains('\r'), "{shown:?}");
        assert!(shown.contains("● run echo red"), "{shown:?}");
        // What tried to act is there to see, spelled out.
        assert!(shown.contains(r"\x1b[1A\x1b[2Kapproved"), "{shown:?}");
        // Colour codes are ours alone, and close before every newline.
        let colored = to_ansi(&Renderer::new(None, true).render_all(&events), true);
        assert!(
            !colored.contains("\u{1b}]") && !colored.contains("\u{1b}[2J") && !colored.contains("\u{1b}[1A"),
            "{colored:?}"
        );
    }

    #[test]
    fn the_summary_is_not_printed_twice() {
        let events = [
            ev("text", json!({"text": "Renamed Foo to Bar in 3 files."})),
            ev("done", json!({"summary": "Renamed Foo to Bar in 3 files."})),
        ];
        assert_eq!(text(&events, false).matches("Renamed").count(), 1);
        let failed = [ev("failed", json!({"error": "the model budget is spent"}))];
        assert_eq!(text(&failed, false), "── failed · the model budget is spent\n");
    }

    #[test]
    fn lines_split_at_newlines_only() {
        let spans = vec![span(Tone::Plain, "a\nb".into()), span(Tone::Bad, "c\n".into())];
        let lines = to_lines(&spans);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].iter().map(|s| s.text.as_str()).collect::<String>(), "bc");
        // Tabs, which a widget would drop, become spaces.
        let lines = to_lines(&[span(Tone::Dim, "     1\tfn main".into())]);
        assert_eq!(lines[0][0].text, "     1    fn main");
    }

    #[test]
    fn streamed_pieces_join_the_open_line() {
        let mut lines = Vec::new();
        extend_lines(&mut lines, &[span(Tone::Plain, "Let me ".into())]);
        extend_lines(&mut lines, &[span(Tone::Plain, "look.\n".into()), span(Tone::Tool, "● run".into())]);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], vec![span(Tone::Plain, "Let me look.".into())]);
        assert_eq!(lines[1], vec![span(Tone::Tool, "● run".into())]);
    }

    #[test]
    fn wrapping_keeps_tones_and_counts_characters() {
        let line = vec![span(Tone::Tool, "● run".into()), span(Tone::Plain, " cargo test".into())];
        let rows = wrap(&line, 6);
        let text: Vec<String> = rows.iter().map(|r| r.iter().map(|s| s.text.as_str()).collect()).collect();
        assert_eq!(text, ["● run ", "cargo ", "test"]);
        assert_eq!(rows[0][0].tone, Tone::Tool);
        assert_eq!(rows[0][1], span(Tone::Plain, " ".into()));
        assert_eq!(wrap(&[], 10), vec![Vec::new()], "an empty line is still a row");
    }
}
