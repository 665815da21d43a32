//! Live pages: the store is watched, and every open page hears what
//! changed over server-sent events, without reloading.
//!
//! One thread asks the store for its `data_version` every 20 ms (a read of
//! SQLite's shared memory that changes whenever any process commits) and
//! moves a version counter on when it changed; every two seconds it also
//! notices sessions whose process died, as every grove command does. Each
//! open page has a task that, when the counter moves, remakes the page's
//! regions and sends those whose HTML changed; a session's transcript is
//! sent as the lines after those the page has, and its diff (a walk of the
//! worktree) is remade at most once a second. A page hears a change within
//! the poll plus one render; renders of one page are at least 100 ms apart,
//! so a stream of model text costs ten renders a second, not hundreds.

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path as UrlPath, Query, State};
use axum::response::sse::{Event, KeepAlive, KeepAliveStream, Sse};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::{mpsc, watch};

use super::pages::evidence::{self, Stamp};
use super::pages::transcript::{self, Feed};
use super::pages::{View, diff_region};
use super::server::App;
use crate::cli::session::Ctx;
use crate::session::Store;

/// How often the store is asked whether it changed.
const POLL: Duration = Duration::from_millis(20);
/// How often sessions whose process died are looked for.
const RECOVER: Duration = Duration::from_secs(2);
/// The least time between two renders of one page.
const MIN_GAP: Duration = Duration::from_millis(100);
/// The least time between two diffs of one page's session.
const DIFF_GAP: Duration = Duration::from_secs(1);

/// Start watching the store of the repository at `git_dir`; the counter
/// moves on with every change.
pub fn watch(git_dir: &Path) -> watch::Receiver<u64> {
    let (tx, rx) = watch::channel(0u64);
    let git_dir = git_dir.to_path_buf();
    let spawned = std::thread::Builder::new().name("grove-serve-watch".into()).spawn(move || {
        let store = match Store::open(&git_dir) {
            Ok(store) => store,
            Err(e) => {
                tracing::warn!("grove serve cannot watch the session store, pages will not update: {e}");
                return;
            }
        };
        let mut seen = store.data_version().ok();
        let mut recovered = Instant::now();
        while !tx.is_closed() {
            std::thread::sleep(POLL);
            // This connection's own writes do not move its data_version:
            // a session it marks interrupted is announced here.
            let mut changed = false;
            if recovered.elapsed() >= RECOVER {
                changed = store.recover().is_ok_and(|gone| !gone.is_empty());
                recovered = Instant::now();
            }
            let now = store.data_version().ok();
            if changed || now != seen {
                seen = now;
                tx.send_modify(|v| *v += 1);
            }
        }
    });
    if let Err(e) = spawned {
        tracing::warn!("grove serve cannot watch the session store, pages will not update: {e}");
    }
    rx
}

/// Where the page is: the store's version it was made at, and for a
/// session's page, the last transcript event and the number of lines it
/// shows.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
pub struct Since {
    v: Option<u64>,
    seen: Option<i64>,
    lines: Option<usize>,
}

type Events = Sse<KeepAliveStream<futures_util::stream::BoxStream<'static, Result<Event, Infallible>>>>;

/// `/live/sessions`.
pub async fn sessions(State(app): State<Arc<App>>, Query(since): Query<Since>) -> Events {
    stream(app, View::Sessions, since)
}

/// `/live/approvals`.
pub async fn approvals(State(app): State<Arc<App>>, Query(since): Query<Since>) -> Events {
    stream(app, View::Approvals, since)
}

/// `/live/session/NAME`.
pub async fn session(
    State(app): State<Arc<App>>,
    UrlPath(name): UrlPath<String>,
    Query(since): Query<Since>,
) -> Events {
    stream(app, View::Session(name), since)
}

fn stream(app: Arc<App>, view: View, since: Since) -> Events {
    let (tx, rx) = mpsc::channel::<Event>(32);
    tokio::spawn(follow(app, view, since, tx));
    let events =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (Ok(e), rx)) });
    let events: futures_util::stream::BoxStream<'static, Result<Event, Infallible>> = Box::pin(events);
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Follow the store for one open page until it closes.
async fn follow(app: Arc<App>, view: View, since: Since, tx: mpsc::Sender<Event>) {
    let mut version = app.version.clone();
    let current = *version.borrow_and_update();
    // A page made at the version there is now shows what there is: the
    // first render only remembers it.
    let mut follower = Follower::new(view, since, since.v == Some(current));
    // Reconnect quickly after a restart of the server.
    if tx.send(Event::default().retry(Duration::from_secs(1))).await.is_err() {
        return;
    }
    loop {
        let rendered = {
            let app = app.clone();
            tokio::task::spawn_blocking(move || {
                let events = follower.update(&app, &app.ctx());
                (follower, events)
            })
            .await
        };
        let Ok((back, events)) = rendered else { return };
        follower = back;
        let rendered_at = Instant::now();
        for event in events {
            if tx.send(event).await.is_err() {
                return;
            }
        }
        let diff_due = follower.diff_due();
        tokio::select! {
            changed = version.changed() => if changed.is_err() { return },
            () = sleep_until(diff_due) => {}
            () = tx.closed() => return,
        }
        let gap = MIN_GAP.saturating_sub(rendered_at.elapsed());
        if !gap.is_zero() {
            tokio::time::sleep(gap).await;
        }
        version.borrow_and_update();
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

/// What one open page has been sent.
struct Follower {
    view: View,
    since: Since,
    /// The first render only remembers what the page already shows.
    quiet: bool,
    /// The HTML of each region, as last sent.
    last: HashMap<&'static str, String>,
    /// A session page's transcript, and the number of lines it has.
    feed: Option<Feed>,
    sent_lines: usize,
    evidence: Option<Stamp>,
    diff_at: Option<Instant>,
    diff_wanted: bool,
}

impl Follower {
    fn new(view: View, since: Since, quiet: bool) -> Follower {
        Follower {
            view,
            since,
            quiet,
            last: HashMap::new(),
            feed: None,
            sent_lines: 0,
            evidence: None,
            diff_at: None,
            diff_wanted: false,
        }
    }

    /// When the diff is due again, if a change is waiting for it.
    fn diff_due(&self) -> Option<Instant> {
        self.diff_wanted.then(|| self.diff_at.map_or_else(Instant::now, |at| at + DIFF_GAP))
    }

    /// Remake the page's regions; the events for those that changed.
    fn update(&mut self, app: &App, ctx: &Ctx) -> Vec<Event> {
        let mut regions = self.view.regions(app, ctx);
        let mut events = Vec::new();
        if let View::Session(name) = &self.view {
            let name = name.clone();
            events.extend(self.transcript(ctx, &name));
            let stamp = evidence::stamp(&app.git_dir, &name);
            if self.evidence != Some(stamp) {
                self.evidence = Some(stamp);
                regions.push(("evidence", evidence::region(&app.git_dir, &name)));
            }
            self.diff_wanted = true;
            if self.diff_due().is_some_and(|due| due <= Instant::now()) {
                self.diff_wanted = false;
                self.diff_at = Some(Instant::now());
                let diff = match ctx.store.get(&name) {
                    Ok(Some(session)) => diff_region(&session),
                    _ => String::new(),
                };
                regions.push(("diff", diff));
            }
        }
        for (id, html) in regions {
            if self.last.get(id) == Some(&html) {
                continue;
            }
            if !self.quiet {
                events.push(
                    Event::default().event("region").data(json!({ "id": id, "html": html }).to_string()),
                );
            }
            self.last.insert(id, html);
        }
        self.quiet = false;
        events
    }

    /// The transcript lines the page lacks: all of them (`replace`) when
    /// it is new to this stream or the session is not the one it showed,
    /// else those from its last line (which streamed text may have
    /// continued) on.
    fn transcript(&mut self, ctx: &Ctx, name: &str) -> Option<Event> {
        let current = self.feed.as_ref().is_some_and(|f| f.is_of(&ctx.store, name));
        let replace = !current;
        if replace {
            self.feed = transcript::open(&ctx.store, name).ok();
        } else if !self.feed.as_mut().is_some_and(|f| f.poll(&ctx.store).unwrap_or(false)) {
            return None;
        }
        let (first, end, seen) =
            self.feed.as_ref().map_or((0, 0, 0), |f| (f.first(), transcript::end(f), f.seen()));
        if self.quiet && Some(seen) == self.since.seen && Some(end) == self.since.lines {
            self.sent_lines = end;
            return None;
        }
        let from = if replace { first } else { self.sent_lines.saturating_sub(1).max(first) };
        let html = self.feed.as_ref().map(|f| transcript::html(f, from)).unwrap_or_default();
        self.sent_lines = end;
        let data = json!({ "replace": replace, "from": from, "first": first, "html": html });
        Some(Event::default().event("transcript").data(data.to_string()))
    }
}
