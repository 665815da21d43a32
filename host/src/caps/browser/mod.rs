//! `browser`: pages of a headless Chromium. `open` and `goto` pass the gate
//! as a request to their URL; every other call acts on a page the skill
//! opened, and every request a page makes is held to the same host rules
//! by a judge forked from the gate's (not audited one by one: the ones
//! refused are told to the transcript and listed by `failed-requests`),
//! and so is every connection the browser opens beyond loopback, through
//! the egress proxy (`sandbox::proxy`).
//! The browser starts on the first `open` and is killed with the run.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::component::Resource;

use self::film::Film;
use super::{CapError, Caps};
use crate::browser::{Browser, BrowserError, Egress, OnBlocked, Page, Viewport};
use crate::evidence::gif::Budget;
use crate::gate::classify::{Subject, url};
use crate::gate::mode::Verdict as GateVerdict;
use crate::gate::{Action, Permission};
use crate::sandbox::proxy::{Decision, Destination, Proxy, ProxyHandle, Verdict};
use crate::wit::Page as PageHandle;
use crate::wit::grove::skill::browser::{Host, HostPage, Recording, Viewport as WitViewport};

mod film;

type R<T> = Result<T, CapError>;

/// Longest a page may take to load.
const LOAD_TIMEOUT: Duration = Duration::from_secs(30);

/// The browser of one run and its open pages. Dropping it (with the run's
/// `Caps`) kills the browser and everything it started.
#[derive(Default)]
pub struct Browsing {
    /// Declared first: dropped (killed) before its record is forgotten.
    browser: Option<Browser>,
    pages: HashMap<u32, Page>,
    /// The pages being recorded, by the same key.
    films: HashMap<u32, Film>,
    next_page: u32,
    /// Hosts the gate let the skill open: the pages' own requests to them
    /// pass without being judged again (a human may have said yes).
    opened: Arc<Mutex<HashSet<String>>>,
    /// The browser's process group in the session's store, while it runs.
    recorded: Option<crate::session::processes::Recorded>,
    /// The egress proxy the browser's connections go through; it stops
    /// after the browser is killed.
    proxy: Option<ProxyHandle>,
}

impl From<WitViewport> for Viewport {
    fn from(v: WitViewport) -> Viewport {
        Viewport { width: v.width, height: v.height }
    }
}

impl From<BrowserError> for CapError {
    fn from(e: BrowserError) -> CapError {
        let kind = match &e {
            BrowserError::NotFound(_) | BrowserError::NoElement(_) => crate::wit::ErrorKind::NotFound,
            BrowserError::Start(..) => crate::wit::ErrorKind::Io,
            BrowserError::Timeout { .. } => crate::wit::ErrorKind::Timeout,
            BrowserError::Invalid(_) => crate::wit::ErrorKind::Invalid,
            BrowserError::Navigation { blocked: true, .. } => crate::wit::ErrorKind::Denied,
            BrowserError::Gone
            | BrowserError::Protocol { .. }
            | BrowserError::Navigation { .. }
            | BrowserError::Script(_) => crate::wit::ErrorKind::Failed,
        };
        CapError::of(kind, e)
    }
}

impl Caps {
    /// Pass `browser.verb` on a page through the gate.
    async fn on_page(&mut self, verb: &'static str, target: &str) -> R<()> {
        self.check("browser", verb, target, Permission::Browser).await?;
        Ok(())
    }

    /// Pass a navigation to `url` through the gate, judged as a GET of it;
    /// allowed, its host is one the pages may reach.
    async fn navigation(&mut self, verb: &'static str, url: &str) -> R<()> {
        let subject = Subject::Url { method: "GET", url };
        let action =
            Action { capability: "browser", verb, target: url, permission: Permission::Browser, subject };
        self.gate.check(action).await?;
        if let Some(target) = url::parse(url) {
            self.browsing.opened.lock().unwrap_or_else(|e| e.into_inner()).insert(target.host);
        }
        Ok(())
    }

    fn page(&self, handle: &Resource<PageHandle>) -> R<&Page> {
        self.browsing.pages.get(&handle.rep()).ok_or_else(|| CapError::invalid("that page is closed"))
    }

    /// A page and its recording, if it is being recorded.
    fn filmed(&mut self, handle: &Resource<PageHandle>) -> R<(&Page, Option<&mut Film>)> {
        let Browsing { pages, films, .. } = &mut self.browsing;
        let page = pages.get(&handle.rep()).ok_or_else(|| CapError::invalid("that page is closed"))?;
        Ok((page, films.get_mut(&handle.rep())))
    }

    /// What is left of the run's time, at most `cap`.
    fn within(&self, cap: Duration) -> Duration {
        cap.min(self.deadline.saturating_duration_since(Instant::now()))
    }

    /// The run's browser, started now if it is not running.
    async fn browser(&mut self) -> R<&Browser> {
        if self.browsing.browser.is_none() {
            let proxy = self.egress_proxy()?;
            let address = proxy.local_addr().map(|a| format!("http://{a}"));
            self.browsing.proxy = Some(proxy);
            let browser = Browser::start(self.egress(), self.on_blocked(), address.as_deref()).await?;
            if let Some(ledger) = &self.processes {
                let recorded = ledger
                    .record(browser.pgid(), "chromium (the run's browser)")
                    .map_err(|e| CapError::io("recording the browser in the session store").because(e))?;
                self.browsing.recorded = Some(recorded);
            }
            self.browsing.browser = Some(browser);
        }
        Ok(self.browsing.browser.as_ref().expect("started above"))
    }

    /// The pages' requests: to a host the skill opened, or one the gate
    /// would allow without asking anyone.
    fn egress(&self) -> Egress {
        // The classifier caches what it learnt of paths in cells: one
        // request judged at a time.
        let judge = Mutex::new(self.gate.judge().fork());
        let skill = self.console.skill().to_string();
        let opened = self.browsing.opened.clone();
        Arc::new(move |method: &str, address: &str| {
            let host = url::parse(address).map(|t| t.host).unwrap_or_default();
            if !host.is_empty() && opened.lock().unwrap_or_else(|e| e.into_inner()).contains(&host) {
                return Ok(());
            }
            let subject = Subject::Url { method, url: address };
            let decision = judge
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .decide(&skill, "browser", "goto", address, subject);
            match decision.verdict {
                GateVerdict::Allow => Ok(()),
                _ => Err(decision.reasons.into_iter().next().unwrap_or_else(|| "not allowed".into())),
            }
        })
    }

    /// The browser's way to the network: every connection, WebSockets
    /// included (the DevTools protocol pauses none of those), judged by
    /// the same rule as the requests it pauses. Loopback does not pass
    /// through it (the browser goes there directly, as the rule allows).
    fn egress_proxy(&self) -> R<ProxyHandle> {
        let egress = self.egress();
        let opened = self.browsing.opened.clone();
        let decide = move |d: &Destination| {
            let host = if d.host.contains(':') { format!("[{}]", d.host) } else { d.host.clone() };
            match egress("GET", &format!("http://{host}:{}/", d.port)) {
                // A host the skill opened, or an address judged as such, may
                // be anywhere; a name allowed by a pattern only at public
                // addresses (its DNS cannot point it at this machine).
                Ok(()) if url::address(&d.host).is_some() => Verdict::AllowNamed,
                Ok(()) if opened.lock().unwrap_or_else(|e| e.into_inner()).contains(&d.host) => {
                    Verdict::AllowNamed
                }
                Ok(()) => Verdict::Allow,
                Err(why) => Verdict::Deny(why),
            }
        };
        let on_blocked = self.on_blocked();
        let transcript = self.transcript.clone();
        let report = move |d: &Decision| {
            if d.allowed {
                return;
            }
            let why = d.reason.as_deref().unwrap_or("refused");
            if calls_home(&d.host) {
                // Chromium calls its maker's services at start whatever its
                // switches say; refused like any host, kept in the
                // transcript, but not news worth a warning on every run.
                tracing::debug!(host = %d.host, "the browser's own call home was refused: {why}");
                if let Some(t) = &transcript {
                    let message = format!("browser: refused its own call to {}:{}: {why}", d.host, d.port);
                    t.record(
                        crate::transcript::kind::LOG,
                        serde_json::json!({ "level": "debug", "message": message }),
                    );
                }
                return;
            }
            on_blocked(&format!("{}:{}", d.host, d.port), why);
        };
        Proxy::new(decide)
            .on_decision(report)
            .loopback_tcp()
            .start()
            .map_err(|e| CapError::io("starting the browser's egress proxy").because(e))
    }

    /// A blocked request is never silent: the transcript and grove's log
    /// hear of it.
    fn on_blocked(&self) -> OnBlocked {
        let transcript = self.transcript.clone();
        Arc::new(move |address: &str, why: &str| {
            tracing::warn!(url = %address, "the browser's request was blocked: {why}");
            if let Some(t) = &transcript {
                let message = format!("browser: blocked a request to {}: {why}", crate::gate::clip(address));
                t.record(
                    crate::transcript::kind::LOG,
                    serde_json::json!({ "level": "warn", "message": message }),
                );
            }
        })
    }
}

impl Host for Caps {}

impl HostPage for Caps {
    async fn open(&mut self, url: String, viewport: Option<WitViewport>) -> R<Resource<PageHandle>> {
        self.navigation("open", &url).await?;
        let timeout = self.within(LOAD_TIMEOUT);
        let browser = self.browser().await?;
        let page = Page::open(browser, viewport.map(Viewport::from).unwrap_or_default()).await?;
        let loaded = page.goto(&url, timeout).await;
        let id = self.browsing.next_page;
        self.browsing.next_page += 1;
        self.browsing.pages.insert(id, page);
        if let Err(e) = loaded {
            if let Some(page) = self.browsing.pages.remove(&id) {
                let _ = page.close().await;
            }
            return Err(e.into());
        }
        Ok(Resource::new_own(id))
    }

    async fn goto(&mut self, page: Resource<PageHandle>, url: String) -> R<()> {
        self.navigation("goto", &url).await?;
        let timeout = self.within(LOAD_TIMEOUT);
        let (page, film) = self.filmed(&page)?;
        Ok(filming(page, film, page.goto(&url, timeout)).await?)
    }

    async fn click(&mut self, page: Resource<PageHandle>, selector: String) -> R<()> {
        self.on_page("click", &selector).await?;
        let (page, film) = self.filmed(&page)?;
        let Some(film) = film else {
            page.click(&selector).await?;
            return Ok(());
        };
        film.snap(page).await;
        let at = film.during(page, page.click(&selector)).await?;
        film.click(at);
        film.settle(page).await;
        Ok(())
    }

    async fn type_(&mut self, page: Resource<PageHandle>, selector: String, text: String) -> R<()> {
        self.on_page("type", &selector).await?;
        let (page, film) = self.filmed(&page)?;
        Ok(filming(page, film, page.type_text(&selector, &text)).await?)
    }

    async fn press(&mut self, page: Resource<PageHandle>, key: String) -> R<()> {
        self.on_page("press", &key).await?;
        let (page, film) = self.filmed(&page)?;
        Ok(filming(page, film, page.press(&key)).await?)
    }

    async fn wait_for(&mut self, page: Resource<PageHandle>, selector: String, timeout_ms: u32) -> R<()> {
        self.on_page("wait-for", &selector).await?;
        let timeout = self.within(Duration::from_millis(timeout_ms.into()));
        let (page, film) = self.filmed(&page)?;
        Ok(filming(page, film, page.wait_for(&selector, timeout)).await?)
    }

    async fn wait_for_text(&mut self, page: Resource<PageHandle>, text: String, timeout_ms: u32) -> R<()> {
        self.on_page("wait-for-text", &text).await?;
        let timeout = self.within(Duration::from_millis(timeout_ms.into()));
        let (page, film) = self.filmed(&page)?;
        Ok(filming(page, film, page.wait_for_text(&text, timeout)).await?)
    }

    async fn text(&mut self, page: Resource<PageHandle>, selector: String) -> R<String> {
        self.on_page("text", &selector).await?;
        Ok(self.page(&page)?.text(&selector).await?)
    }

    async fn eval(&mut self, page: Resource<PageHandle>, script: String) -> R<String> {
        self.on_page("eval", &script).await?;
        Ok(self.page(&page)?.eval(&script).await?)
    }

    async fn screenshot(&mut self, page: Resource<PageHandle>, full_page: bool) -> R<Vec<u8>> {
        self.on_page("screenshot", if full_page { "full page" } else { "viewport" }).await?;
        Ok(self.page(&page)?.screenshot(full_page).await?)
    }

    async fn console_errors(&mut self, page: Resource<PageHandle>) -> R<Vec<String>> {
        self.on_page("console-errors", "").await?;
        Ok(self.page(&page)?.console_errors())
    }

    async fn failed_requests(&mut self, page: Resource<PageHandle>) -> R<Vec<String>> {
        self.on_page("failed-requests", "").await?;
        Ok(self.page(&page)?.failed_requests())
    }

    async fn close(&mut self, page: Resource<PageHandle>) -> R<()> {
        self.on_page("close", "").await?;
        self.browsing.films.remove(&page.rep());
        match self.browsing.pages.remove(&page.rep()) {
            Some(open) => Ok(open.close().await?),
            None => Ok(()),
        }
    }

    async fn record_start(&mut self, handle: Resource<PageHandle>, caption: String) -> R<()> {
        self.on_page("record-start", &caption).await?;
        let page = self.page(&handle)?;
        let Viewport { width, height } = page.viewport();
        let mut film = Film::start(width, height, &caption);
        film.snap(page).await;
        self.browsing.films.insert(handle.rep(), film);
        Ok(())
    }

    async fn step(&mut self, handle: Resource<PageHandle>, caption: String) -> R<()> {
        self.on_page("step", &caption).await?;
        let (_, film) = self.filmed(&handle)?;
        film.ok_or_else(not_recording)?.step(&caption);
        Ok(())
    }

    async fn record_stop(&mut self, handle: Resource<PageHandle>, max_bytes: Option<u32>) -> R<Recording> {
        self.on_page("record-stop", "").await?;
        let mut film = self.browsing.films.remove(&handle.rep()).ok_or_else(not_recording)?;
        let page = self.page(&handle)?;
        // The page as it was left is the recording's last frame.
        film.snap(page).await;
        let budget = max_bytes.map_or_else(Budget::default, |b| Budget::bytes(b as usize));
        let gif =
            film.finish(budget).await?.map_err(|e| CapError::failed("recording the page").because(e))?;
        if gif.dropped_frames > 0 || gif.scaled {
            tracing::info!(
                dropped = gif.dropped_frames,
                scaled = gif.scaled,
                "the recording was made smaller to fit {} bytes",
                budget.bytes
            );
        }
        Ok(Recording {
            width: gif.width,
            height: gif.height,
            frames: gif.frames as u32,
            duration_ms: gif.duration_ms,
            gif: gif.bytes,
        })
    }

    async fn drop(&mut self, page: Resource<PageHandle>) -> wasmtime::Result<()> {
        self.browsing.films.remove(&page.rep());
        if let Some(open) = self.browsing.pages.remove(&page.rep()) {
            // A browser already gone has closed its pages.
            let _ = open.close().await;
        }
        Ok(())
    }
}

/// Hosts Chromium itself connects to unasked (sign-in, push messaging,
/// network time), which no page of a skill's has any business with.
fn calls_home(host: &str) -> bool {
    ["google.com", "googleapis.com", "gstatic.com", "gvt1.com"]
        .iter()
        .any(|domain| host == *domain || host.ends_with(&format!(".{domain}")))
}

fn not_recording() -> CapError {
    CapError::invalid("the page is not being recorded: call record-start first")
}

/// Run an action on `page`, filmed when `film` is recording it: a frame
/// before, frames while it goes on, and frames until the page settles
/// (after a failure too: the recording shows what the page came to).
async fn filming<T>(
    page: &Page,
    film: Option<&mut Film>,
    action: impl std::future::Future<Output = Result<T, BrowserError>>,
) -> Result<T, BrowserError> {
    let Some(film) = film else { return action.await };
    film.snap(page).await;
    let done = film.during(page, action).await;
    film.settle(page).await;
    done
}
