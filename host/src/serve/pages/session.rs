//! One session's page: what it is and how far it has come (the head), the
//! approvals it waits on, its transcript, its changes and its evidence;
//! and the two buttons that end a review, merge and remove, which run
//! `grove merge` and `grove rm` themselves (see `actions.rs`).

use std::fmt::Write;

use super::{approvals, diff, evidence, transcript};
use crate::cli::session::Ctx;
use crate::cli::session::age;
use crate::cli::session::ls::rows;
use crate::serve::html::{cost, escape, form, session_href, state_badge};
use crate::serve::server::App;
use crate::session::Session;

/// The head of session `name`'s page: its facts and its actions.
pub fn head(app: &App, ctx: &Ctx, name: &str) -> String {
    let session = match ctx.store.get(name) {
        Ok(Some(session)) => session,
        Ok(None) => {
            return format!(
                "<h1>{}</h1><p class=\"bad\">This session no longer exists.</p><p><a href=\"/\">All sessions</a></p>",
                escape(name)
            );
        }
        Err(e) => {
            return format!("<p class=\"bad\">The session could not be read: {}</p>", escape(&e.to_string()));
        }
    };
    let row = rows(ctx.worktrees.root(), std::slice::from_ref(&session), &ctx.store).pop();
    let mut html = String::new();
    let _ = write!(
        html,
        "<div class=\"title\"><h1>{}</h1> {}</div>",
        escape(&session.name),
        state_badge(session.state)
    );
    if let Some(task) = &session.task {
        let _ = write!(html, "<p class=\"task\">{}</p>", escape(task));
    }
    html.push_str("<dl class=\"facts\">");
    let mut fact = |term: &str, value: String| {
        if !value.is_empty() {
            let _ = write!(html, "<dt>{term}</dt><dd>{value}</dd>");
        }
    };
    fact("skill", escape(&session.skill));
    let from =
        session.base_ref.as_deref().map(|b| format!(" from <code>{}</code>", escape(b))).unwrap_or_default();
    let (ahead, behind) = row.as_ref().map_or((0, 0), |r| (r.ahead, r.behind));
    fact(
        "branch",
        format!("<code>{}</code>{from} · {ahead} ahead, {behind} behind", escape(&session.branch)),
    );
    if let Some(r) = &row {
        let missing = if r.worktree_missing { " · the worktree is gone" } else { "" };
        fact(
            "changes",
            format!(
                "<span class=\"add\">+{}</span> <span class=\"del\">−{}</span> in {}{missing}",
                r.additions,
                r.deletions,
                crate::text::count(r.files_changed, "file")
            ),
        );
    }
    fact("progress", session.progress.as_deref().map(escape).unwrap_or_default());
    fact("model", model(&session));
    fact("mode", session.mode.as_deref().map(escape).unwrap_or_default());
    let mut when = format!("created {} ago", age(session.created_at));
    if let Some(finished) = session.finished_at {
        let _ = write!(when, " · finished {} ago", age(finished));
    }
    fact("when", when);
    fact("result", result(&session));
    html.push_str("</dl>");
    html.push_str(&actions(app, &session));
    html
}

fn model(s: &Session) -> String {
    let choice = s.model.as_ref();
    let label =
        choice.and_then(|m| m.model.clone().or_else(|| m.tier.clone())).unwrap_or_else(|| "default".into());
    if s.model_calls == 0 {
        return escape(&label);
    }
    format!(
        "{} · {} · {} in, {} out · {}",
        escape(&label),
        crate::text::count(s.model_calls, "call"),
        s.input_tokens,
        s.output_tokens,
        cost(s.model_calls, s.cost_microdollars as f64 / 1e6)
    )
}

fn result(s: &Session) -> String {
    let mut out = String::new();
    if let Some(summary) = s.summary.as_deref().filter(|t| !t.trim().is_empty()) {
        let _ = write!(out, "<span class=\"good\">{}</span>", escape(summary));
    }
    if let Some(error) = s.error.as_deref().filter(|t| !t.trim().is_empty()) {
        let _ = write!(out, "<span class=\"bad\">{}</span>", escape(error));
    }
    if let Some(code) = s.exit_code.filter(|c| *c != 0) {
        let _ = write!(out, " <span class=\"meta\">exit {code}</span>");
    }
    out
}

/// Merge and remove, each behind a second click. Whether either may
/// happen is for `grove merge` and `grove rm` to say: a refusal shows on
/// the page as they word it.
fn actions(app: &App, s: &Session) -> String {
    let base = session_href(&s.name);
    let into = s.base_ref.as_deref().map(|b| format!(" into <code>{}</code>", escape(b))).unwrap_or_default();
    let merge = form(
        &format!("{base}/merge"),
        &app.secrets.csrf,
        "merge",
        "<select name=\"mode\" aria-label=\"how\"><option value=\"merge\">a merge commit</option>\
         <option value=\"squash\">one squashed commit</option><option value=\"rebase\">rebased commits</option></select>",
        &format!("<button class=\"good\">Merge{into}</button>"),
    );
    let remove = form(
        &format!("{base}/rm"),
        &app.secrets.csrf,
        "rm",
        "",
        "<button class=\"bad\">Remove the session</button>",
    );
    format!(
        "<div class=\"actions\"><details class=\"act act-merge\"><summary>Merge…</summary>\
         <p class=\"meta\">As <code>grove merge</code>: in the main worktree, which must be clean and on the base branch; \
         what the session left uncommitted is committed first.</p>{merge}</details>\
         <details class=\"act act-rm\"><summary>Remove…</summary>\
         <p class=\"meta\">As <code>grove rm</code>: its worktree, branch and record go; it refuses while that \
         would lose uncommitted changes or unmerged commits.</p>{remove}</details></div>"
    )
}

/// The body of session `session`'s page, and the query its live stream
/// needs to pick up where the page is.
pub fn body(app: &App, ctx: &Ctx, session: &Session) -> (String, String) {
    let name = &session.name;
    let feed = transcript::open(&ctx.store, name).ok();
    let (first, end, seen, lines) = feed.as_ref().map_or((0, 0, 0, String::new()), |f| {
        (f.first(), transcript::end(f), f.seen(), transcript::html(f, 0))
    });
    let body = format!(
        "<section id=\"head\" class=\"head\">{head}</section>\
         <section class=\"pane\"><h2>Waiting for you</h2><div id=\"approvals\">{approvals}</div></section>\
         <section class=\"pane\"><h2>Transcript</h2><div id=\"transcript\" class=\"transcript\" data-first=\"{first}\">{lines}</div></section>\
         <section class=\"pane\"><h2>Changes</h2><div id=\"diff\">{diff}</div></section>\
         <section class=\"pane\"><h2>Evidence</h2><div id=\"evidence\">{evidence}</div></section>",
        head = head(app, ctx, name),
        approvals = approvals::of_session(&ctx.store, name, &app.secrets.csrf),
        diff = diff::region(session),
        evidence = evidence::region(&app.git_dir, name),
    );
    (body, format!("seen={seen}&lines={end}"))
}
