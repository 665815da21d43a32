//! The `browser` capability on a real headless Chromium: pages served by a
//! loopback server of the test's own, the gate on every navigation and on
//! every request a page makes, and no browser process left behind, even
//! when grove is killed outright. Skipped, saying so, where chromium is
//! not installed.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::support::{Run, grove_cmd, grove_with, probe, wait};

const COUNTER: &str = r#"<!doctype html><title>counter</title>
<p id="count">count: 0</p>
<button id="inc" style="width:200px;height:80px"
  onclick="n = (window.n || 0) + 1; window.n = n; document.querySelector('#count').textContent = 'count: ' + n">Add</button>"#;

const FETCHES: &str = r#"<!doctype html><title>fetches</title>
<script>
const fetched = fetch('http://blocked.example/data').catch(() => {});
// WebSockets are not paused like requests: the browser's proxy holds them.
const socket = new Promise(done => {
  const ws = new WebSocket('ws://ws.blocked.example/feed');
  ws.onclose = done;
});
Promise.all([fetched, socket]).then(() => document.body.append('fetch done'));
</script>
<script>throw new Error('boom from the page');</script>
<p>page</p>"#;

const FORM: &str = r#"<!doctype html><title>form</title>
<input id="name">
<script>
window.keys = [];
document.querySelector('#name').addEventListener('keydown', e => window.keys.push(e.key));
</script>"#;

/// A loopback HTTP server of the fixture pages, for the life of the test.
/// Returns its base URL.
pub(crate) fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let mut request_line = String::new();
                let _ = reader.read_line(&mut request_line);
                // The rest of the head.
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("/");
                let (status, body) = match path {
                    "/counter.html" => ("200 OK", COUNTER),
                    "/fetches.html" => ("200 OK", FETCHES),
                    "/form.html" => ("200 OK", FORM),
                    _ => ("404 Not Found", "not here"),
                };
                let mut stream = &stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    base
}

/// A repository and a home for one test; the browser's profile goes into
/// the home's temp folder, whose path no other test's processes name.
pub(crate) struct Browsing {
    pub(crate) repo: TempDir,
    home: TempDir,
}

impl Browsing {
    pub(crate) fn new() -> Browsing {
        let browsing = Browsing {
            repo: grove_tests::repo_with(&[("README.md", "hi\n")]),
            home: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(browsing.tmp()).unwrap();
        browsing
    }

    fn tmp(&self) -> std::path::PathBuf {
        self.home.path().join("tmp")
    }

    pub(crate) fn cmd(&self) -> Command {
        let mut cmd = grove_cmd(self.repo.path(), self.home.path());
        cmd.env("TMPDIR", self.tmp());
        cmd
    }

    fn probe(&self, allow: &str, args: &[&str]) -> Run {
        let mut all = vec!["run", probe(), "--allow", allow];
        all.extend_from_slice(args);
        grove_with(self.cmd(), &all, None)
    }

    /// The processes whose command line names this test's temp folder.
    fn browsers(&self) -> Vec<String> {
        let out = Command::new("pgrep").arg("-af").arg(self.tmp()).output().unwrap();
        String::from_utf8_lossy(&out.stdout).lines().map(String::from).collect()
    }

    /// Every browser of this test is gone (they may take a moment to die).
    #[track_caller]
    pub(crate) fn assert_no_browser_left(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.browsers().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(self.browsers(), Vec::<String>::new(), "browser processes were left behind");
    }
}

/// Width and height of a PNG, from its IHDR chunk.
pub(crate) fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && &png[12..16] == b"IHDR", "not a PNG");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn a_click_changes_the_counter_its_text_is_read_back_and_the_screenshot_is_the_viewport() {
    needs_chromium!();
    let b = Browsing::new();
    let url = format!("{}/counter.html", serve());
    let run = b.probe("browser,workspace:write", &["browse", &url, "#inc", "count: 1", "#count"]).expect(0);
    assert!(run.stdout.contains("text=count: 1"), "{}", run.stdout);
    let png = std::fs::read(b.repo.path().join("shot.png")).unwrap();
    assert_eq!(png_size(&png), (640, 480));
    b.assert_no_browser_left();
}

#[test]
fn navigation_to_a_host_the_policy_does_not_allow_is_refused_with_the_reason() {
    needs_chromium!();
    let b = Browsing::new();
    grove_tests::write(b.home.path(), "grove/policy.toml", "[hosts]\ndeny = [\"blocked.example\"]\n");
    let run = b.probe("browser", &["browse-report", "http://blocked.example/", "anything"]).expect(1);
    assert!(run.stderr.contains("`blocked.example` is denied by policy"), "{}", run.stderr);
    // A host no policy names is asked about, and here no one can answer.
    let run = b.probe("browser", &["browse-report", "http://unlisted.example/", "anything"]).expect(1);
    assert!(run.stderr.contains("denied browser.open http://unlisted.example/"), "{}", run.stderr);
    assert!(run.stderr.contains("asks before medium actions"), "{}", run.stderr);
    for url in ["http://169.254.169.254/latest/meta-data/", "file:///etc/passwd"] {
        let run = b.probe("browser", &["browse-report", url, "anything"]).expect(1);
        assert!(run.stderr.contains("denied"), "{url}: {}", run.stderr);
    }
    b.assert_no_browser_left();
}

#[test]
fn a_request_of_the_page_to_a_disallowed_host_is_blocked_and_listed_and_errors_are_reported() {
    needs_chromium!();
    let b = Browsing::new();
    let url = format!("{}/fetches.html", serve());
    let run = b.probe("browser", &["browse-report", &url, "fetch done"]).expect(0);
    assert!(run.stdout.contains("http://blocked.example/data: blocked by grove"), "{}", run.stdout);
    assert!(run.stdout.contains("not among the allowed hosts"), "{}", run.stdout);
    assert!(run.stdout.contains("boom from the page"), "{}", run.stdout);
    // Never silent: the terminal hears of it as it happens.
    assert!(run.stderr.contains("request was blocked"), "{}", run.stderr);
    assert!(run.stderr.contains("http://blocked.example/data"), "{}", run.stderr);
    assert!(run.stderr.contains("ws.blocked.example:80"), "{}", run.stderr);
    b.assert_no_browser_left();
}

#[test]
fn a_page_script_needs_its_own_allowance_and_keys_reach_the_page() {
    needs_chromium!();
    let b = Browsing::new();
    let url = format!("{}/form.html", serve());
    let script = "[document.querySelector('#name').value, window.keys]";
    let run = b.probe("browser", &["browse-eval", &url, "#name", "grove", script]).expect(1);
    assert!(run.stderr.contains("denied browser.eval"), "{}", run.stderr);
    assert!(run.stderr.contains("asks before high actions"), "{}", run.stderr);
    grove_tests::write(
        b.home.path(),
        "grove/policy.toml",
        "[[rules]]\nverdict = \"allow\"\ncapability = \"browser\"\nreason = \"the fixture's scripts\"\n",
    );
    let run = b.probe("browser", &["browse-eval", &url, "#name", "grove", script]).expect(0);
    assert!(run.stdout.contains(r#"["grove",["Enter"]]"#), "{}", run.stdout);
    b.assert_no_browser_left();
}

#[test]
fn killing_grove_outright_leaves_no_browser_behind() {
    needs_chromium!();
    let b = Browsing::new();
    let url = format!("{}/counter.html", serve());
    let mut grove = b.cmd();
    grove.args(["run", probe(), "--allow", "browser", "browse-hold", &url]);
    let mut child = grove.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    wait(|| (!b.browsers().is_empty()).then_some(()), "the browser to start");
    // Let the page open, so that the browser has renderers too.
    std::thread::sleep(Duration::from_secs(2));
    child.kill().unwrap();
    child.wait().unwrap();
    b.assert_no_browser_left();
    // Its profile folder outlived it; the next browser sweeps it away.
    let profiles = || {
        let names = std::fs::read_dir(b.tmp()).unwrap().flatten().map(|e| e.file_name());
        names.filter(|n| n.to_string_lossy().starts_with("grove-browser-")).collect::<Vec<_>>()
    };
    assert_eq!(profiles().len(), 1, "{:?}", profiles());
    b.probe("browser,workspace:write", &["browse", &url, "#inc", "count: 1", "#count"]).expect(0);
    assert_eq!(profiles(), Vec::<std::ffi::OsString>::new());
    b.assert_no_browser_left();
}

#[test]
fn cancelling_a_session_ends_its_browser() {
    needs_chromium!();
    let b = Browsing::new();
    let url = format!("{}/counter.html", serve());
    let new = ["new", "look", "--skill", probe(), "--allow", "browser", "--", "browse-hold", &url];
    grove_with(b.cmd(), &new, None).expect(0);
    wait(|| (!b.browsers().is_empty()).then_some(()), "the session's browser to start");
    std::thread::sleep(Duration::from_secs(2));
    grove_with(b.cmd(), &["cancel", "look"], None).expect(0);
    b.assert_no_browser_left();
}

/// The probe's calls with no chromium to start fail saying how to get one.
#[test]
fn with_no_browser_to_start_the_error_says_how_to_get_one() {
    let b = Browsing::new();
    let url = format!("{}/counter.html", serve());
    let mut cmd = b.cmd();
    cmd.env("GROVE_CHROMIUM", b.home.path().join("no-such-chromium"));
    let run =
        grove_with(cmd, &["run", probe(), "--allow", "browser", "browse-report", &url, "x"], None).expect(1);
    assert!(run.stderr.contains("GROVE_CHROMIUM"), "{}", run.stderr);
}

/// Each frame of a GIF as it is shown: drawn over the one before.
pub(crate) fn gif_frames(bytes: &[u8]) -> (u32, u32, Vec<Vec<u8>>) {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(bytes).expect("a GIF");
    let (width, height) = (decoder.width() as usize, decoder.height() as usize);
    let mut canvas = vec![0u8; width * height * 4];
    let mut shown = Vec::new();
    while let Some(frame) = decoder.read_next_frame().expect("a frame") {
        let (left, top, w) = (frame.left as usize, frame.top as usize, frame.width as usize);
        for (i, p) in frame.buffer.chunks_exact(4).enumerate() {
            if p[3] != 0 {
                let at = ((top + i / w) * width + left + i % w) * 4;
                canvas[at..at + 4].copy_from_slice(p);
            }
        }
        shown.push(canvas.clone());
    }
    (width as u32, height as u32, shown)
}

#[test]
fn a_recording_is_a_gif_of_the_viewport_that_shows_the_change() {
    needs_chromium!();
    let b = Browsing::new();
    let url = format!("{}/counter.html", serve());
    let run = b.probe("browser,workspace:write", &["browse-record", &url, "#inc", "count: 2"]).expect(0);
    assert!(run.stdout.contains("early-step-refused=true"), "{}", run.stdout);
    assert!(run.stdout.contains("size=640x480"), "{}", run.stdout);
    let gif = std::fs::read(b.repo.path().join("record.gif")).unwrap();
    let (width, height, frames) = gif_frames(&gif);
    assert_eq!((width, height), (640, 480));
    assert!(frames.len() >= 3, "only {} frames: {}", frames.len(), run.stdout);
    let distinct: std::collections::HashSet<&Vec<u8>> = frames.iter().collect();
    assert!(distinct.len() >= 3, "only {} distinct frames", distinct.len());
    assert_ne!(frames.first(), frames.last(), "the last frame shows what the first did");
    b.assert_no_browser_left();
}
