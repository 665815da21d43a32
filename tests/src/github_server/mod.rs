//! A GitHub REST v3 server for tests: a real HTTP/1.1 server (axum) on
//! `127.0.0.1:<random port>` that answers the endpoints `grove pr` and the
//! `review` capability use, in the JSON shapes and with the status codes
//! GitHub's REST documentation gives, and records what it was asked to do
//! so that a test can assert on it: the pull requests and their bodies, the
//! reviewers requested, the commit statuses, the reviews and their line
//! comments, the issue comments.
//!
//! Like GitHub it checks `Authorization: Bearer` on every request (401 `Bad
//! credentials` for a wrong or revoked token), sends the `X-RateLimit-*`
//! headers, pages lists with `per_page`/`page` and a `Link` header, refuses
//! a review comment on a line that is not in the pull request's diff (422
//! `Line could not be resolved`; the diff is worked out from the bare
//! repository the server is given, the remote the branches were pushed
//! to), and answers `403`/`429` with `retry-after` when a test asks for it.
//! It also serves `/{owner}/{repo}/raw/{branch}/{path}` from that bare
//! repository, as github.com does, so the links a pull request's body
//! makes can be followed.
//!
//! ```no_run
//! use grove_tests::github_server::GitHubServer;
//!
//! let server = GitHubServer::start("acme", "shop", "ghp_test", None);
//! // ... point grove at server.url() with GH_TOKEN=ghp_test, run `grove pr` ...
//! assert_eq!(server.pulls().len(), 1);
//! ```

mod diff;
mod routes;
mod shapes;

use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::Value;

pub(crate) use crate::loopback::lock;

/// The variables through which grove (and the `gh` tool) find a GitHub
/// token and API: clear them before pointing grove at a test server, so the
/// developer's own never joins in.
pub const GITHUB_VARS: [&str; 3] = ["GH_TOKEN", "GITHUB_TOKEN", "GROVE_GITHUB_API"];

/// A GitHub API on loopback. Dropping it stops the server.
pub struct GitHubServer {
    addr: SocketAddr,
    shared: Arc<Mutex<State>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// One request as received.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The path and query as sent.
    pub path: String,
    /// Names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body as JSON; `Null` when empty or not JSON.
    pub body: Value,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A pull request the server holds.
#[derive(Clone, Debug)]
pub struct Pull {
    pub number: u64,
    pub title: String,
    pub body: String,
    /// The branch (`ref`) it merges.
    pub head: String,
    pub head_sha: String,
    pub base: String,
    pub draft: bool,
    /// `open` or `closed`.
    pub state: String,
    /// Logins asked to review, in the order asked.
    pub reviewers: Vec<String>,
    /// Team slugs asked to review.
    pub teams: Vec<String>,
}

/// A commit status.
#[derive(Clone, Debug)]
pub struct Status {
    pub id: u64,
    pub sha: String,
    pub state: String,
    pub context: String,
    pub description: String,
    pub target_url: Option<String>,
}

/// A review with its line comments.
#[derive(Clone, Debug)]
pub struct Review {
    pub id: u64,
    pub pull: u64,
    pub body: String,
    pub event: String,
    pub commit_id: String,
}

/// A review comment on one line of a pull request's diff.
#[derive(Clone, Debug)]
pub struct LineComment {
    pub id: u64,
    pub pull: u64,
    pub review: u64,
    pub path: String,
    pub line: u32,
    pub side: String,
    pub body: String,
    pub commit_id: String,
}

/// A comment on the pull request's conversation.
#[derive(Clone, Debug)]
pub struct IssueComment {
    pub id: u64,
    pub number: u64,
    pub body: String,
}

/// What the next request is answered with instead of its answer.
#[derive(Clone, Debug)]
struct Trouble {
    code: u16,
    retry_after: u64,
}

struct State {
    owner: String,
    repo: String,
    token: String,
    /// The login the token belongs to: the author of what it opens.
    login: String,
    default_branch: String,
    bare: Option<PathBuf>,
    base_url: String,
    next_id: u64,
    pulls: Vec<Pull>,
    statuses: Vec<Status>,
    reviews: Vec<Review>,
    comments: Vec<LineComment>,
    issue_comments: Vec<IssueComment>,
    requests: Vec<Request>,
    trouble: VecDeque<Trouble>,
    remaining: u64,
}

impl State {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

impl GitHubServer {
    /// A server for repository `owner/repo`, accepting `token`. `bare` is
    /// the repository the branches are pushed to: with it, pull requests
    /// need their head branch to exist there, review comments must be on
    /// lines of the diff, and raw files are served from it.
    pub fn start(owner: &str, repo: &str, token: &str, bare: Option<PathBuf>) -> GitHubServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("github server: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("github server: local address");
        listener.set_nonblocking(true).expect("github server: non-blocking listener");
        let shared = Arc::new(Mutex::new(State {
            owner: owner.to_string(),
            repo: repo.to_string(),
            token: token.to_string(),
            login: "grove-bot".to_string(),
            default_branch: "main".to_string(),
            bare,
            base_url: format!("http://{addr}"),
            next_id: 1000,
            pulls: Vec::new(),
            statuses: Vec::new(),
            reviews: Vec::new(),
            comments: Vec::new(),
            issue_comments: Vec::new(),
            requests: Vec::new(),
            trouble: VecDeque::new(),
            remaining: 5000,
        }));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = routes::router(Arc::clone(&shared));
        let thread = std::thread::Builder::new()
            .name("github-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_io()
                    .build()
                    .expect("github server: runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("github server: tokio listener");
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = stopped.await;
                        })
                        .await;
                });
            })
            .expect("github server: spawn");
        GitHubServer { addr, shared, stop: Some(stop), thread: Some(thread) }
    }

    /// `http://127.0.0.1:PORT`: the API's base URL, and the web's.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The branch new pull requests merge into unless told (`main`).
    pub fn set_default_branch(&self, branch: &str) {
        lock(&self.shared).default_branch = branch.to_string();
    }

    /// The login the token belongs to (`grove-bot`).
    pub fn login(&self) -> String {
        lock(&self.shared).login.clone()
    }

    /// Revoke the token: every request is `401 Bad credentials` from now on.
    pub fn revoke(&self) {
        lock(&self.shared).token = String::from("\u{0}revoked");
    }

    /// Answer the next request with `code` (403 or 429) and `retry-after:
    /// secs`, as GitHub does past a secondary rate limit.
    pub fn rate_limit_next(&self, code: u16, retry_after: u64) {
        lock(&self.shared).trouble.push_back(Trouble { code, retry_after });
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared).requests.clone()
    }

    /// The requests that changed something (every method but `GET`).
    pub fn writes(&self) -> Vec<Request> {
        self.requests().into_iter().filter(|r| r.method != "GET").collect()
    }

    pub fn pulls(&self) -> Vec<Pull> {
        lock(&self.shared).pulls.clone()
    }

    pub fn statuses(&self) -> Vec<Status> {
        lock(&self.shared).statuses.clone()
    }

    pub fn reviews(&self) -> Vec<Review> {
        lock(&self.shared).reviews.clone()
    }

    pub fn line_comments(&self) -> Vec<LineComment> {
        lock(&self.shared).comments.clone()
    }

    pub fn issue_comments(&self) -> Vec<IssueComment> {
        lock(&self.shared).issue_comments.clone()
    }
}

impl Drop for GitHubServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
