//! The server: one axum router on a listener bound to 127.0.0.1, every
//! request through [`auth::guard`](super::auth::guard), every response
//! with headers that keep a browser strict about it (a
//! Content-Security-Policy that allows only the server's own script and
//! stylesheet, no framing, no sniffing, no referrer, no caching), and no
//! CORS headers at all: other origins get nothing they may read.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::auth::{self, Secrets};
use super::html::{self, Frame, Nav};
use super::{actions, live, pages};
use crate::cli::session::Ctx;

/// How to serve.
#[derive(Debug, Clone)]
pub struct Options {
    /// The port on 127.0.0.1; 0 for a free one.
    pub port: u16,
    /// The `grove` binary that merges and removes sessions (this one).
    pub program: PathBuf,
}

/// Why the server could not start or went on no longer.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on 127.0.0.1:{port}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("the OS's random number generator failed: {0}")]
    Random(getrandom::Error),
    #[error("serving stopped")]
    Serve(#[source] std::io::Error),
}

/// What every request can reach.
pub struct App {
    /// The repository's worktrees and session store, one request at a
    /// time (a person's clicks, a few open pages).
    ctx: Mutex<Ctx>,
    pub secrets: Secrets,
    pub port: u16,
    pub program: PathBuf,
    pub root: PathBuf,
    pub git_dir: PathBuf,
    /// The repository's folder name.
    pub repo: String,
    /// Moves on whenever the session store changes (see `live.rs`).
    pub version: watch::Receiver<u64>,
}

impl App {
    /// The session context, for code already off the async threads.
    pub fn ctx(&self) -> MutexGuard<'_, Ctx> {
        self.ctx.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Run `work` with the session context on the blocking pool: SQLite
    /// and git are blocking calls.
    pub async fn with_ctx<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&App, &Ctx) -> T + Send + 'static,
    ) -> T {
        let app = self.clone();
        tokio::task::spawn_blocking(move || work(&app, &app.ctx())).await.expect("a page's work panicked")
    }

    /// The frame of a page of this server.
    pub fn frame<'a>(&'a self, title: &'a str, nav: Nav, live: Option<String>, pending: usize) -> Frame<'a> {
        Frame { title, nav, csrf: &self.secrets.csrf, repo: &self.repo, live, pending }
    }

    /// The store's version now: a page rendered now is current as of it.
    pub fn version(&self) -> u64 {
        *self.version.borrow()
    }
}

/// A server bound to its port, not yet answering.
pub struct Server {
    listener: TcpListener,
    app: Arc<App>,
}

impl Server {
    /// Listen on 127.0.0.1 (and nowhere else) for the repository of `ctx`.
    pub async fn bind(ctx: Ctx, options: Options) -> Result<Server, ServeError> {
        let secrets = Secrets::new().map_err(ServeError::Random)?;
        let listener = TcpListener::bind(("127.0.0.1", options.port))
            .await
            .map_err(|source| ServeError::Bind { port: options.port, source })?;
        let port =
            listener.local_addr().map_err(|source| ServeError::Bind { port: options.port, source })?.port();
        let root = ctx.worktrees.root().to_path_buf();
        let git_dir = ctx.worktrees.git_dir().to_path_buf();
        let repo = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let version = live::watch(&git_dir);
        let app = App {
            ctx: Mutex::new(ctx),
            secrets,
            port,
            program: options.program,
            root,
            git_dir,
            repo,
            version,
        };
        Ok(Server { listener, app: Arc::new(app) })
    }

    /// The address to open: it carries the token.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/?token={}", self.app.port, self.app.secrets.token)
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.app.port
    }

    /// Answer requests until the process ends.
    pub async fn run(self) -> Result<(), ServeError> {
        axum::serve(self.listener, router(self.app)).await.map_err(ServeError::Serve)
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(pages::sessions))
        .route("/approvals", get(pages::approvals))
        .route("/session/{name}", get(pages::session))
        .route("/session/{name}/evidence/{file}", get(pages::evidence_file))
        .route("/pr/{name}", get(pages::pr))
        .route("/pr/{name}/evidence/{file}", get(pages::pr_file))
        .route("/prototype/{run}", get(pages::prototype))
        .route("/prototype/{run}/index.html", get(pages::prototype_file))
        .route("/report/{file}", get(pages::report))
        .route("/report/{file}/page", get(pages::report_file))
        .route("/live/sessions", get(live::sessions))
        .route("/live/approvals", get(live::approvals))
        .route("/live/session/{name}", get(live::session))
        .route(html::STYLE_URL, get(style))
        .route(html::SCRIPT_URL, get(script))
        .route("/approvals/{id}/approve", post(actions::approve))
        .route("/approvals/{id}/always", post(actions::always))
        .route("/approvals/{id}/deny", post(actions::deny))
        .route("/session/{name}/merge", post(actions::merge))
        .route("/session/{name}/rm", post(actions::remove))
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(app.clone(), auth::guard))
        .layer(middleware::from_fn(strict))
        .with_state(app)
}

/// The policy of every page: the server's own script and stylesheet,
/// images from the server or inline, nothing else; no framing, no
/// plugins, no `<base>`, forms only to the server.
pub const CSP: &str = "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; \
     connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Headers that hold every response to the strict reading; a response
/// that set its own policy (a framed prototype) keeps it.
async fn strict(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let defaults: [(HeaderName, &str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

/// An HTML page, with how long the server took to make it in a
/// `Server-Timing` header (the benchmark reads it).
pub fn html_page(status: StatusCode, html: String, started: Instant) -> Response {
    let took = format!("render;dur={:.3}", started.elapsed().as_secs_f64() * 1e3);
    let mut response = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    if let Ok(value) = HeaderValue::from_str(&took) {
        response.headers_mut().insert(HeaderName::from_static("server-timing"), value);
    }
    response
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", include_str!("assets/style.css"))
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", include_str!("assets/live.js"))
}

/// A file built into the binary: nothing is fetched from anywhere else.
fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}
