//! The app under test: served by the `[evidence] serve` command through
//! `process.running` (so through the gate and the sandbox, like any program
//! a skill starts), waited for until it is ready, and stopped.

use std::time::{Duration, Instant};

use grove_sdk::browser::{Page, Viewport};
use grove_sdk::prelude::*;
use grove_sdk::process::Running;

use crate::config::{Evidence, Ready};

/// Most of each stream kept of what the app prints.
const OUTPUT_KEPT: u32 = 1 << 20;
/// Lines of the app's output a failure shows.
const LINES_SHOWN: usize = 20;

/// A running app.
pub struct App {
    running: Running,
    /// Where the host (and the browser) reaches it: `http://127.0.0.1:PORT`.
    pub address: String,
    command: String,
}

impl App {
    /// Start the configured command in `cwd` (a folder of the workspace;
    /// none for its root), serving on a port grove gives it as `$PORT`.
    pub fn start(config: &Evidence, cwd: Option<&str>) -> Result<App> {
        let mut command = process::Command::new("sh").args(["-c", &config.serve]).output_limit(OUTPUT_KEPT);
        if let Some(dir) = cwd {
            command = command.cwd(dir);
        }
        let running = Running::start(&command, Some(0))?;
        let address = running
            .address()?
            .ok_or_else(|| Error::failed("the app was started to serve but has no address"))?;
        Ok(App { running, address, command: config.serve.clone() })
    }

    /// Start the app in `cwd` and wait until it is ready; stopped again
    /// when it never becomes so.
    pub fn serve(config: &Evidence, cwd: Option<&str>) -> Result<App> {
        let app = App::start(config, cwd)?;
        match app.wait_ready(config) {
            Ok(()) => Ok(app),
            Err(e) => {
                app.stop();
                Err(e)
            }
        }
    }

    /// A PNG of the page at `url` (a path, or a URL with `$PORT`) in a
    /// `width`×`height` viewport, once it has loaded.
    pub fn screenshot(&self, url: &str, width: u32, height: u32) -> Result<Vec<u8>> {
        let page = Page::open(&self.url(url), Some(Viewport { width, height }))?;
        let png = page.screenshot(false);
        let _ = page.close();
        png
    }

    /// The URL of `url` (a path, or a URL with `$PORT`) on this app.
    pub fn url(&self, url: &str) -> String {
        if url.starts_with('/') {
            return format!("{}{url}", self.address);
        }
        let port = self.address.rsplit(':').next().unwrap_or_default();
        url.replace("${PORT}", port).replace("$PORT", port)
    }

    /// Wait until the app is ready as configured; fail, with its last
    /// output, when it exits first or the time runs out.
    pub fn wait_ready(&self, config: &Evidence) -> Result<()> {
        let started = Instant::now();
        let limit = Duration::from_millis(config.ready_timeout_ms);
        let mut pause = Duration::from_millis(50);
        let mut last = None;
        loop {
            if let Some(exited) = self.running.try_wait()? {
                let code =
                    exited.code.map_or("was killed by a signal".into(), |c| format!("exited with code {c}"));
                return Err(Error::failed(format!(
                    "the app (`{}`) {code} before it was ready{}",
                    self.command,
                    self.last_lines()?
                )));
            }
            let ready = match &config.ready {
                Ready::Answers(path) => {
                    last = self.running.http_status(path)?;
                    last == Some(200)
                }
                Ready::Prints(text) => self.printed()?.contains(text.as_str()),
            };
            if ready {
                return Ok(());
            }
            if started.elapsed() >= limit {
                let waited = match &config.ready {
                    Ready::Answers(path) => format!(
                        "{} never answered 200 ({})",
                        self.url(path),
                        last.map_or("nothing answered".into(), |s| format!("the last answer was {s}"))
                    ),
                    Ready::Prints(text) => format!("it never printed {text:?} (served at {})", self.address),
                };
                return Err(Error::Timeout(format!(
                    "the app (`{}`) was not ready after {} ms: {waited}{}",
                    self.command,
                    config.ready_timeout_ms,
                    self.last_lines()?
                )));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(500));
        }
    }

    /// Everything it printed so far, stdout then stderr.
    fn printed(&self) -> Result<String> {
        let (out, err) = self.running.output()?;
        Ok(format!("{}{}", String::from_utf8_lossy(&out), String::from_utf8_lossy(&err)))
    }

    /// The app's last lines of output, ready to end a message.
    fn last_lines(&self) -> Result<String> {
        let (out, err) = self.running.output()?;
        let mut shown = String::new();
        for (name, bytes) in [("stdout", out), ("stderr", err)] {
            let text = clean(&String::from_utf8_lossy(&bytes));
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            if lines.is_empty() {
                continue;
            }
            let from = lines.len().saturating_sub(LINES_SHOWN);
            shown.push_str(&format!("\n{name} (last lines):\n  {}", lines[from..].join("\n  ")));
        }
        Ok(if shown.is_empty() { "; it printed nothing".into() } else { format!(";{shown}") })
    }

    /// Stop it and everything it started.
    pub fn stop(self) {
        if let Err(e) = self.running.stop() {
            log::warn(&format!("stopping the app: {}", e.message()));
        }
    }
}

/// Text a program printed, without the control characters a terminal
/// would act on.
pub fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect()
}
