//! Browser start to first screenshot: grove's browser (launched, a page
//! opened at 1280×720, the page loaded, a PNG of it taken) against
//! `chromium --headless --screenshot` of the same page, one process that
//! starts, loads, writes the PNG and exits, in the same run.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use grove::browser::{Browser, Page, Viewport};
use grove_tests::bench::{Table, median};

const ROUNDS: usize = 7;

const PAGE: &str = r#"<!doctype html><title>counter</title>
<style>body { font-family: sans-serif; margin: 40px } button { font-size: 24px }</style>
<h1>Counter</h1><p id="count">count: 0</p>
<button id="inc" onclick="document.querySelector('#count').textContent = 'count: 1'">Add</button>"#;

pub fn start_to_screenshot(table: &mut Table) {
    let Ok(program) = grove::browser::find() else {
        table.note("browser start: skipped, no chromium installed (`apt-get install chromium`)");
        return;
    };
    let url = serve();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    // One round of each first, untimed: the page cache and the binary warm.
    for round in 0..=ROUNDS {
        let took = runtime.block_on(grove_screenshot(&url));
        let png = profiles.path().join(format!("{round}.png"));
        let plain = chromium_screenshot(&program, &profiles.path().join(round.to_string()), &png, &url);
        if round > 0 {
            ours.push(took);
            theirs.push(plain);
        }
    }
    let (ours, theirs) = (median(ours), median(theirs));
    table.row(
        &format!("browser start to first screenshot (1280×720, a loopback page), median of {ROUNDS}"),
        ours,
        "≤ 1.0×",
        Some(("`chromium --headless --screenshot` of the same page", theirs)),
    );
}

/// grove's browser started, a page opened and loaded, a PNG taken; the
/// browser is killed after the clock stops.
async fn grove_screenshot(url: &str) -> Duration {
    let started = Instant::now();
    let browser = Browser::start(Arc::new(|_: &str, _: &str| Ok(())), Arc::new(|_: &str, _: &str| {}), None)
        .await
        .expect("the browser starts");
    let page = Page::open(&browser, Viewport { width: 1280, height: 720 }).await.unwrap();
    page.goto(url, Duration::from_secs(30)).await.unwrap();
    let png = page.screenshot(false).await.unwrap();
    let took = started.elapsed();
    assert!(png.starts_with(b"\x89PNG"));
    took
}

/// The same with chromium's own one-shot mode, a fresh profile each time
/// as grove's has.
pub fn chromium_screenshot(
    program: &std::path::Path,
    profile: &std::path::Path,
    png: &std::path::Path,
    url: &str,
) -> Duration {
    let started = Instant::now();
    let status = Command::new(program)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--window-size=1280,720")
        .arg(format!("--screenshot={}", png.display()))
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let took = started.elapsed();
    assert!(status.success() && png.is_file(), "chromium --screenshot failed");
    took
}

/// A loopback server of [`PAGE`]; its URL.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut line = String::new();
                let mut reader = BufReader::new(&stream);
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let mut stream = &stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{PAGE}",
                    PAGE.len()
                );
            });
        }
    });
    url
}
