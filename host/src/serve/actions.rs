//! What a page may change: answer an approval, merge a session, remove
//! one. Each does what the command a person would type does, through the
//! same code: approvals are settled in the store's queue by the function
//! `grove approve`, `grove deny`, the dashboard and `grove attach` share;
//! merge and remove run `grove merge` and `grove rm` themselves, so every
//! check they make (a clean main worktree, no uncommitted work or
//! unmerged commit lost) holds here too, and their refusal, in their
//! words, is what the page shows.
//!
//! The page's script sends the CSRF token in a header and gets JSON back
//! (`{ok, message, hint, location}`); a plain form gets a small page.

use std::sync::Arc;
use std::time::Instant;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::html::{self, Nav, escape, session_href};
use super::server::{App, html_page};
use crate::cli::approvals::{answered, settle};

/// Longest reason for a denial kept.
const MAX_REASON: usize = 2_000;

/// How an action went, for the page to say.
#[derive(Debug, Serialize)]
pub struct Outcome {
    pub ok: bool,
    pub message: String,
    pub hint: Option<String>,
    /// Where the page should go next (a removed session's page is gone).
    pub location: Option<String>,
}

impl Outcome {
    fn done(message: String) -> Outcome {
        Outcome { ok: true, message, hint: None, location: None }
    }

    fn refused(message: String, hint: Option<String>) -> Outcome {
        Outcome { ok: false, message, hint, location: None }
    }
}

#[derive(Debug, Deserialize)]
pub struct DenyForm {
    #[serde(default)]
    reason: String,
}

#[derive(Debug, Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    mode: String,
}

/// `POST /approvals/ID/approve`: let it run, once.
pub async fn approve(State(app): State<Arc<App>>, Path(id): Path<i64>, headers: HeaderMap) -> Response {
    answer(app, &headers, id, true, false, None).await
}

/// `POST /approvals/ID/always`: let it run for the rest of its session.
pub async fn always(State(app): State<Arc<App>>, Path(id): Path<i64>, headers: HeaderMap) -> Response {
    answer(app, &headers, id, true, true, None).await
}

/// `POST /approvals/ID/deny`, with a `reason` the skill is told.
pub async fn deny(
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(form): Form<DenyForm>,
) -> Response {
    let reason: String = form.reason.trim().chars().take(MAX_REASON).collect();
    answer(app, &headers, id, false, false, Some(reason).filter(|r| !r.is_empty())).await
}

async fn answer(
    app: Arc<App>,
    headers: &HeaderMap,
    id: i64,
    allow: bool,
    always: bool,
    reason: Option<String>,
) -> Response {
    let started = Instant::now();
    let outcome = app
        .with_ctx(move |_, ctx| match settle(&ctx.store, id, allow, always, reason.as_deref()) {
            Ok(request) => Outcome::done(answered(&request)),
            Err(e) => Outcome::refused(e.message, e.hint),
        })
        .await;
    respond(&app, headers, outcome, "/approvals", started)
}

/// `POST /session/NAME/merge`, with `mode` merge, squash or rebase.
pub async fn merge(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Form(form): Form<MergeForm>,
) -> Response {
    let started = Instant::now();
    let back = session_href(&name);
    let flag = match form.mode.as_str() {
        "" | "merge" => None,
        "squash" => Some("--squash"),
        "rebase" => Some("--rebase"),
        other => {
            let outcome = Outcome::refused(
                format!("`{other}` is not a way to merge"),
                Some("merge, squash or rebase".into()),
            );
            return respond(&app, &headers, outcome, &back, started);
        }
    };
    let mut args = vec!["merge", "--json"];
    args.extend(flag);
    let outcome = match grove(&app, &args, &name).await {
        Ok(merged) => {
            let field = |k: &str| merged.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let commit = field("commit");
            Outcome::done(format!(
                "merged {name} into {} ({}, {})",
                field("into"),
                field("mode"),
                &commit[..commit.len().min(12)]
            ))
        }
        Err(refused) => refused,
    };
    respond(&app, &headers, outcome, &back, started)
}

/// `POST /session/NAME/rm`: as `grove rm NAME`, never forced.
pub async fn remove(State(app): State<Arc<App>>, Path(name): Path<String>, headers: HeaderMap) -> Response {
    let started = Instant::now();
    let outcome = match grove(&app, &["rm", "--json"], &name).await {
        Ok(removed) => {
            let mut message = format!("removed {name}");
            for branch in removed["branches"].as_array().into_iter().flatten() {
                let (branch_name, fate) =
                    (branch["branch"].as_str().unwrap_or(""), branch["fate"].as_str().unwrap_or(""));
                message.push_str(&format!("; branch {branch_name} {fate}"));
            }
            Outcome { location: Some("/".into()), ..Outcome::done(message) }
        }
        Err(refused) => refused,
    };
    respond(&app, &headers, outcome, &session_href(&name), started)
}

/// Run `grove ARGS -- NAME` in the repository: its JSON when it succeeds,
/// its error and hint when it refuses.
async fn grove(app: &App, args: &[&str], name: &str) -> Result<Value, Outcome> {
    let output = tokio::process::Command::new(&app.program)
        .args(args)
        .arg("--")
        .arg(name)
        .current_dir(&app.root)
        .env(crate::env::NO_COLOR, "1")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| Outcome::refused(format!("could not run {}: {e}", app.program.display()), None))?;
    if output.status.success() {
        return Ok(serde_json::from_slice(&output.stdout).unwrap_or(Value::Null));
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = |prefix: &str| stderr.lines().find_map(|l| l.strip_prefix(prefix)).map(str::to_string);
    let message = line("error: ").unwrap_or_else(|| {
        let text = stderr.trim();
        if text.is_empty() {
            format!("grove {} failed ({})", args[0], output.status)
        } else {
            text.to_string()
        }
    });
    Err(Outcome::refused(message, line("hint: ")))
}

/// JSON for the page's script (it sent the token in a header), a small
/// page for a plain form.
fn respond(app: &App, headers: &HeaderMap, outcome: Outcome, back: &str, started: Instant) -> Response {
    let status = if outcome.ok { StatusCode::OK } else { StatusCode::CONFLICT };
    if headers.contains_key("x-csrf-token") {
        return (status, axum::Json(outcome)).into_response();
    }
    let tone = if outcome.ok { "good" } else { "bad" };
    let hint =
        outcome.hint.as_deref().map(|h| format!("<p class=\"meta\">{}</p>", escape(h))).unwrap_or_default();
    let back = outcome.location.as_deref().unwrap_or(back);
    let body = format!(
        "<p class=\"{tone}\">{}</p>{hint}<p><a href=\"{}\">Back</a></p>",
        escape(&outcome.message),
        escape(back)
    );
    let title = if outcome.ok { "Done" } else { "Refused" };
    html_page(status, html::page(&app.frame(title, Nav::Other, None, 0), &body), started)
}
