//! The pages: all sessions, one session, the approvals, a prototype
//! comparison or a skill's report (framed). Each live page is made of regions (an element id and its
//! HTML) that the page's live stream remakes and sends again when the
//! store changes; the page itself is those same regions in the frame.

pub mod approvals;
mod diff;
pub mod evidence;
mod framed;
mod highlight;
mod pr;
pub mod session;
pub mod sessions;
pub mod transcript;

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::html::{self, Nav, escape, pending_badge, segment};
use super::server::{App, html_page};
use crate::cli::session::Ctx;
use crate::session::Store;

pub use diff::region as diff_region;

/// A page that follows the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Sessions,
    Approvals,
    /// One session, by name.
    Session(String),
}

impl View {
    /// The regions of this view that are remade on every change (a
    /// session's transcript, diff and evidence have their own pace).
    pub fn regions(&self, app: &App, ctx: &Ctx) -> Vec<(&'static str, String)> {
        let mut out = vec![("nav-pending", pending_badge(pending(&ctx.store)))];
        match self {
            View::Sessions => out.push(("sessions", sessions::region(ctx))),
            View::Approvals => out.push(("approvals", approvals::region(&ctx.store, &app.secrets.csrf))),
            View::Session(name) => {
                out.push(("head", session::head(app, ctx, name)));
                out.push(("approvals", approvals::of_session(&ctx.store, name, &app.secrets.csrf)));
            }
        }
        out
    }
}

/// Requests waiting on a human, in the whole repository.
pub fn pending(store: &Store) -> usize {
    store.approvals(true).map_or(0, |a| a.len())
}

/// `/`: every session.
pub async fn sessions(State(app): State<Arc<App>>) -> Response {
    let started = Instant::now();
    let html = app
        .with_ctx(|app, ctx| {
            let version = app.version();
            let body = format!("<section id=\"sessions\">{}</section>", sessions::region(ctx));
            let live = format!("/live/sessions?v={version}");
            html::page(&app.frame("Sessions", Nav::Sessions, Some(live), pending(&ctx.store)), &body)
        })
        .await;
    html_page(StatusCode::OK, html, started)
}

/// `/approvals`: what every session waits on.
pub async fn approvals(State(app): State<Arc<App>>) -> Response {
    let started = Instant::now();
    let html = app
        .with_ctx(|app, ctx| {
            let version = app.version();
            let body = format!(
                "<section id=\"approvals\">{}</section>",
                approvals::region(&ctx.store, &app.secrets.csrf)
            );
            let live = format!("/live/approvals?v={version}");
            html::page(&app.frame("Approvals", Nav::Approvals, Some(live), pending(&ctx.store)), &body)
        })
        .await;
    html_page(StatusCode::OK, html, started)
}

/// `/session/NAME`: one session.
pub async fn session(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    let started = Instant::now();
    let (status, html) = app
        .with_ctx(move |app, ctx| {
            let pending = pending(&ctx.store);
            let Ok(Some(session)) = ctx.store.get(&name) else {
                let body = format!(
                    "<h1>No session named <code>{}</code></h1><p><a href=\"/\">All sessions</a></p>",
                    escape(&name)
                );
                return (
                    StatusCode::NOT_FOUND,
                    html::page(&app.frame("Not found", Nav::Other, None, pending), &body),
                );
            };
            let version = app.version();
            let (body, resume) = session::body(app, ctx, &session);
            let live = format!("/live/session/{}?v={version}&{resume}", segment(&name));
            (StatusCode::OK, html::page(&app.frame(&session.name, Nav::Sessions, Some(live), pending), &body))
        })
        .await;
    html_page(status, html, started)
}

/// `/session/NAME/evidence/FILE`: an image of the session's bundle.
pub async fn evidence_file(
    State(app): State<Arc<App>>,
    Path((name, file)): Path<(String, String)>,
) -> Response {
    let git_dir = app.git_dir.clone();
    let found =
        tokio::task::spawn_blocking(move || evidence::file(&git_dir, &name, &file)).await.ok().flatten();
    match found {
        Some((content_type, bytes)) => ([(header::CONTENT_TYPE, content_type)], bytes).into_response(),
        None => (StatusCode::NOT_FOUND, "no such evidence\n").into_response(),
    }
}

/// `/prototype/RUN`: the comparison page of a prototype run, framed.
pub async fn prototype(State(app): State<Arc<App>>, Path(run): Path<String>) -> Response {
    let missing = "The prototype skill writes its comparison as a report (<code>grove run prototype</code> \
                   prints its path); there is none for this run.";
    framed_page(app, run, framed::body, "No prototype", missing).await
}

/// `/prototype/RUN/index.html`: the comparison page itself, under its own
/// policy.
pub async fn prototype_file(State(app): State<Arc<App>>, Path(run): Path<String>) -> Response {
    framed_file(app, run, framed::path, "no such prototype\n").await
}

/// `/report/FILE`: a report a skill saved with `ui.report`, framed.
pub async fn report(State(app): State<Arc<App>>, Path(file): Path<String>) -> Response {
    let missing =
        "Skills save their HTML reports in <code>.git/grove/reports</code>; there is no such report.";
    framed_page(app, file, framed::report_body, "No report", missing).await
}

/// `/report/FILE/page`: the report itself, under its own policy.
pub async fn report_file(State(app): State<Arc<App>>, Path(file): Path<String>) -> Response {
    framed_file(app, file, framed::report, "no such report\n").await
}

/// The frame around a skill's page, or a 404 saying why there is none.
async fn framed_page(
    app: Arc<App>,
    name: String,
    body: fn(&std::path::Path, &str) -> Option<String>,
    absent: &'static str,
    missing: &'static str,
) -> Response {
    let started = Instant::now();
    let (status, html) = app
        .with_ctx(move |app, ctx| {
            let pending = pending(&ctx.store);
            match body(&app.git_dir, &name) {
                Some(body) => {
                    (StatusCode::OK, html::page(&app.frame(&name, Nav::Other, None, pending), &body))
                }
                None => {
                    let body = format!(
                        "<h1>{absent} <code>{}</code></h1><p class=\"meta\">{missing}</p>",
                        escape(&name)
                    );
                    (
                        StatusCode::NOT_FOUND,
                        html::page(&app.frame("Not found", Nav::Other, None, pending), &body),
                    )
                }
            }
        })
        .await;
    html_page(status, html, started)
}

/// A skill's page itself, under the framed policy.
async fn framed_file(
    app: Arc<App>,
    name: String,
    find: fn(&std::path::Path, &str) -> Option<std::path::PathBuf>,
    missing: &'static str,
) -> Response {
    let git_dir = app.git_dir.clone();
    let bytes =
        tokio::task::spawn_blocking(move || find(&git_dir, &name).and_then(|p| std::fs::read(p).ok()))
            .await
            .ok()
            .flatten();
    let Some(bytes) = bytes else {
        return (StatusCode::NOT_FOUND, missing).into_response();
    };
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(framed::CSP));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    response
}

/// `/pr/NAME`: the pull request page `grove pr NAME --backend local` wrote.
pub async fn pr(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    let started = Instant::now();
    let (status, html) = app
        .with_ctx(move |app, ctx| {
            let pending = pending(&ctx.store);
            match pr::body(&app.git_dir, &name) {
                Some(body) => {
                    (StatusCode::OK, html::page(&app.frame(&name, Nav::Other, None, pending), &body))
                }
                None => {
                    let body = format!(
                        "<h1>No pull request page for <code>{}</code></h1><p class=\"meta\">\
                         <code>grove pr NAME --backend local</code> writes one.</p>",
                        escape(&name)
                    );
                    (
                        StatusCode::NOT_FOUND,
                        html::page(&app.frame("Not found", Nav::Other, None, pending), &body),
                    )
                }
            }
        })
        .await;
    html_page(status, html, started)
}

/// `/pr/NAME/evidence/FILE`: a file of that page's evidence.
pub async fn pr_file(State(app): State<Arc<App>>, Path((name, file)): Path<(String, String)>) -> Response {
    let git_dir = app.git_dir.clone();
    let found = tokio::task::spawn_blocking(move || pr::file(&git_dir, &name, &file)).await.ok().flatten();
    match found {
        Some((content_type, bytes)) => ([(header::CONTENT_TYPE, content_type)], bytes).into_response(),
        None => (StatusCode::NOT_FOUND, "no such evidence\n").into_response(),
    }
}

/// Anything else.
pub async fn not_found(State(app): State<Arc<App>>, uri: Uri) -> Response {
    let started = Instant::now();
    let html = app
        .with_ctx(move |app, ctx| {
            let body = format!(
                "<h1>Nothing at <code>{}</code></h1><p><a href=\"/\">All sessions</a></p>",
                escape(uri.path())
            );
            html::page(&app.frame("Not found", Nav::Other, None, pending(&ctx.store)), &body)
        })
        .await;
    html_page(StatusCode::NOT_FOUND, html, started)
}
