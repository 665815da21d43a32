//! `grove serve` benchmark: the sessions page of a repository with 50
//! sessions (the server's own time, from its `Server-Timing` header, and
//! the round trip), its first contentful paint in headless Chromium, and
//! how soon a session's change of state reaches a page that is open.
//!
//! The sessions are real: 48 made by `grove new` (the `hello` skill; some
//! then given commits or uncommitted work, five a pending approval), two
//! still running a program. The server is the real binary; the browser is
//! Chromium driven through `grove::browser`, allowed to load only the
//! server's pages and the baseline's.
//!
//! Run: `cargo bench -p grove --bench serve`. Medians; the machine is noisy.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use grove::browser::{Browser, Page, Viewport};
use grove::session::{NewApproval, State, Store};
use grove_tests::bench::{Table, fmt, median, quantile, timed};

const SESSIONS: usize = 50;
const RUNNING: usize = 2;
const PAGE_RUNS: usize = 31;
const PAINT_RUNS: usize = 11;
const CHANGES: usize = 21;

fn main() {
    let scratch = tempfile::tempdir().unwrap();
    let repo = scratch.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let git = git2::Repository::init(&repo).unwrap();
    for i in 0..200 {
        grove_tests::write(
            &repo,
            &format!("src/m{}/f{i}.rs", i % 13),
            &format!("pub fn f{i}() -> usize {{ {i} }}\n").repeat(20),
        );
    }
    grove_tests::commit_all(&git, "init");
    let home = scratch.path().join("home");
    let cmd = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_grove"));
        cmd.current_dir(&repo)
            .env("GROVE_HOME", &home)
            .env("GROVE_CACHE_DIR", home.join("cache"))
            .env("GROVE_WORKTREE_DIR", scratch.path().join("worktrees"))
            .env("GROVE_MAX_SESSIONS", "64")
            .stdin(Stdio::null());
        cmd
    };
    let grove = |args: &[&str]| -> Output {
        let out = cmd().args(args).output().unwrap();
        assert!(out.status.success(), "grove {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out
    };
    let store = Store::open(&repo.join(".git")).unwrap();
    make_sessions(&grove, &store, &repo);
    let mut server = Served::start(cmd());
    let mut table = Table::default();

    // The sessions page: the server's time, and the whole round trip.
    let served = &server;
    for _ in 0..3 {
        served.get("/");
    }
    let mut render = Vec::new();
    let mut trip = Vec::new();
    for _ in 0..PAGE_RUNS {
        let mut took = Duration::ZERO;
        trip.push(timed(|| took = served.get("/").server_time));
        render.push(took);
    }
    let asset = median(
        (0..PAGE_RUNS)
            .map(|_| {
                timed(|| {
                    served.get("/assets/live.js");
                })
            })
            .collect(),
    );
    let ls = median((0..PAGE_RUNS).map(|_| timed(|| drop(grove(&["ls", "--json"])))).collect());
    let (render, trip) = (median(render), median(trip));
    table.row(
        &format!("the sessions page, {SESSIONS} sessions: the server's time (`Server-Timing`)"),
        render,
        "≤ 20 ms",
        Some(("`grove ls --json` of the same sessions, a process", ls)),
    );
    table.row(
        "… the same page, request to last byte over loopback",
        trip,
        "",
        Some(("the page's script from the same server", asset)),
    );

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let bare = bare_page();
    let egress: grove::browser::Egress = Arc::new(|_: &str, url: &str| {
        if url.starts_with("http://127.0.0.1:") || url == "about:blank" {
            Ok(())
        } else {
            Err(format!("the benchmark loads only loopback pages, not {url}"))
        }
    });
    let browser = runtime.block_on(Browser::start(egress, Arc::new(|_: &str, _: &str| {}), None)).unwrap();
    let page = runtime.block_on(Page::open(&browser, Viewport { width: 1280, height: 900 })).unwrap();
    let goto = |url: &str| runtime.block_on(page.goto(url, Duration::from_secs(30))).unwrap();
    let eval = |script: &str| -> serde_json::Value {
        serde_json::from_str(&runtime.block_on(page.eval(script)).unwrap()).unwrap()
    };
    let paint = |url: &str| -> Duration {
        goto(url);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let fcp = eval(
                "performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint')?.startTime ?? null",
            );
            if let Some(ms) = fcp.as_f64() {
                return Duration::from_secs_f64(ms / 1e3);
            }
            assert!(Instant::now() < deadline, "{url} never painted");
            std::thread::sleep(Duration::from_millis(10));
        }
    };

    // First contentful paint of the sessions page, against a bare page.
    goto(&served.url());
    let page_url = format!("http://127.0.0.1:{}/", served.port);
    let fcp = median((0..PAINT_RUNS).map(|_| paint(&page_url)).collect());
    let bare_fcp = median((0..PAINT_RUNS).map(|_| paint(&bare)).collect());
    table.row(
        &format!("first contentful paint of the sessions page ({SESSIONS} sessions), headless Chromium"),
        fcp,
        "≤ 300 ms",
        Some(("a one-paragraph page from a bare loopback server", bare_fcp)),
    );

    // A session's change of state, from the write to the store to the
    // open page's DOM (the page's clock and ours are the same clock).
    goto(&page_url);
    let live =
        || eval("document.querySelector('#live-status')?.textContent === 'live'") == serde_json::json!(true);
    while !live() {
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut latencies = Vec::new();
    let mut fetches = Vec::new();
    for i in 0..CHANGES {
        let want = if i % 2 == 0 { State::Failed } else { State::Done };
        eval(&format!(
            "window.__seen = null; new MutationObserver((_, o) => {{
               const el = document.querySelector('[data-session=\"s0\"] [data-state]');
               if (el && el.dataset.state === '{want}') {{ window.__seen = performance.timeOrigin + performance.now(); o.disconnect(); }}
             }}).observe(document.getElementById('sessions'), {{ subtree: true, childList: true }}); null"
        ));
        let written = epoch_ms();
        store.set_state("s0", want, serde_json::json!({ "by": "benchmark" })).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let seen = loop {
            if let Some(ms) = eval("window.__seen").as_f64() {
                break ms;
            }
            assert!(Instant::now() < deadline, "the page never heard of change {i}");
            std::thread::sleep(Duration::from_millis(2));
        };
        latencies.push(Duration::from_secs_f64((seen - written).max(0.0) / 1e3));
        let fetched = eval(
            "(async () => { const t = performance.now(); await (await fetch('/', { cache: 'no-store' })).text(); return performance.now() - t; })()",
        );
        fetches.push(Duration::from_secs_f64(fetched.as_f64().unwrap() / 1e3));
        std::thread::sleep(Duration::from_millis(300));
    }
    latencies.sort();
    let fetch = median(fetches);
    table.row(
        &format!("a change of state, from the store to the open page (p50 of {CHANGES})"),
        quantile(&latencies, 0.5),
        "≤ 100 ms",
        Some(("the page fetching the whole sessions page itself", fetch)),
    );
    table.text_row(
        "… p90 / slowest",
        &format!("{} / {}", fmt(quantile(&latencies, 0.9)), fmt(latencies[latencies.len() - 1])),
        "",
        "",
    );
    table.note(&format!(
        "{SESSIONS} sessions ({RUNNING} running a program, so their changes are measured on every render; the \
         rest finished, some with commits or uncommitted work, five waiting on an approval), a 200-file repository; \
         {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    ));
    drop(page);
    runtime.block_on(async move { drop(browser) });
    server.stop();
    for i in 0..RUNNING {
        grove(&["cancel", &format!("run{i}")]);
    }
    table.print();
}

/// 48 finished sessions, some with work, five waiting on an approval, and
/// two running a program.
fn make_sessions(grove: &dyn Fn(&[&str]) -> Output, store: &Store, repo: &Path) {
    grove(&["run", "hello"]);
    grove(&["run", grove_tests::PROBE, "echo"]);
    let finished = SESSIONS - RUNNING;
    for batch in (0..finished).collect::<Vec<_>>().chunks(8) {
        for i in batch {
            let task = format!("fix issue #{i}: the parser drops the last token of a line");
            grove(&["new", &format!("s{i}"), "--skill", "hello", "--task", &task]);
        }
        wait_idle(grove, repo);
    }
    let rows: serde_json::Value = serde_json::from_slice(&grove(&["ls", "--json"]).stdout).unwrap();
    for (i, row) in rows.as_array().unwrap().iter().enumerate() {
        let path = Path::new(row["path"].as_str().unwrap());
        if i % 3 == 1 {
            grove_tests::write(path, &format!("src/m1/f{i}.rs"), "pub fn changed() {}\n");
            grove_tests::commit_all(&git2::Repository::open(path).unwrap(), "work");
        }
        if i % 4 == 2 {
            grove_tests::write(path, "NOTES.md", "uncommitted\n");
        }
    }
    for i in 0..5 {
        let name = format!("s{}", i * 7);
        store
            .request_approval(&NewApproval {
                session: &name,
                skill: "agent",
                capability: "process",
                verb: "run",
                target: "git push --force origin main",
                level: "high",
                reasons: &["git.push-force: rewrites a remote branch".to_string()],
            })
            .unwrap();
    }
    for i in 0..RUNNING {
        let name = format!("run{i}");
        grove(&[
            "new",
            &name,
            "--skill",
            grove_tests::PROBE,
            "--allow",
            "process",
            "--",
            "run",
            "sleep",
            "600",
        ]);
    }
}

fn wait_idle(grove: &dyn Fn(&[&str]) -> Output, repo: &Path) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let rows: serde_json::Value = serde_json::from_slice(&grove(&["ls", "--json"]).stdout).unwrap();
        if rows.as_array().unwrap().iter().all(|r| !matches!(r["state"].as_str(), Some("queued" | "running")))
        {
            return;
        }
        assert!(Instant::now() < deadline, "sessions in {} never finished", repo.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The real `grove serve`, with its cookie.
struct Served {
    child: Child,
    port: u16,
    token: String,
    cookie: String,
}

/// What one GET answered: the server's time for it.
struct Got {
    server_time: Duration,
}

impl Served {
    fn start(mut cmd: Command) -> Served {
        let mut child = cmd.arg("serve").stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let rest = line.trim().strip_prefix("http://127.0.0.1:").unwrap().to_string();
        let (port, token) = rest.split_once("/?token=").unwrap();
        let port: u16 = port.parse().unwrap();
        Served { child, port, token: token.to_string(), cookie: format!("grove-serve-{port}={token}") }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/?token={}", self.port, self.token)
    }

    fn get(&self, path: &str) -> Got {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nCookie: {}\r\nConnection: close\r\n\r\n",
            self.port, self.cookie
        );
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let text = String::from_utf8_lossy(&response);
        assert!(text.starts_with("HTTP/1.1 200"), "{}", &text[..text.len().min(300)]);
        let server_time = text
            .lines()
            .find_map(|l| l.strip_prefix("server-timing: render;dur="))
            .and_then(|ms| ms.trim().parse::<f64>().ok())
            .map_or(Duration::ZERO, |ms| Duration::from_secs_f64(ms / 1e3));
        Got { server_time }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback server of one small page, for the baseline paint; its URL.
fn bare_page() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head);
            let body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>bare</title></head>\
                        <body><p>One paragraph of text.</p></body></html>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

fn epoch_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64() * 1e3
}
