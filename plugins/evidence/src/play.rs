//! One scenario in the browser: a page at its viewport, recorded as a GIF
//! with a caption per step, each step done in turn until one fails; a
//! screenshot of the page where it failed.

use std::time::{Duration, Instant};

use grove_sdk::browser::{Page, Recording, Viewport};
use grove_sdk::prelude::*;

use crate::scenario::{Action, Scenario, Step, Wait};
use grove_app::{App, clean};

/// How long a `wait-for` waits when the step does not say.
const WAIT_MS: u32 = 10_000;
/// How long an `expect-text` gives the page to show the text.
const EXPECT_MS: u32 = 5_000;
/// Characters of what the page showed that a failure quotes.
const SEEN_SHOWN: usize = 200;

/// What came of one scenario.
pub struct Played {
    /// The GIF of it, when the page opened.
    pub recording: Option<Recording>,
    /// The screenshots its `screenshot` steps took: caption and PNG.
    pub screenshots: Vec<(String, Vec<u8>)>,
    pub failure: Option<Failure>,
    /// Steps done before the end or the failure.
    pub done: usize,
}

/// The step that did not hold.
pub struct Failure {
    /// From 1; 0 when the page did not open.
    pub step: usize,
    /// The step, in words.
    pub what: String,
    /// What the page showed instead, or why the step could not be done.
    pub seen: String,
    /// The page as it was then.
    pub screenshot: Option<Vec<u8>>,
}

/// Why a step stopped the scenario.
enum Stop {
    /// The page did not do what the step expected.
    Failed(String),
    /// grove refused, a limit ran out, the browser is gone: the run ends.
    Fatal(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        match e {
            Error::Denied(_) | Error::Limit(_) | Error::Unsupported(_) | Error::Io(_) => Stop::Fatal(e),
            other => Stop::Failed(other.message().to_string()),
        }
    }
}

/// Play `scenario` on `app`, starting at `start` (the configured url)
/// unless the scenario names its own.
pub fn play(scenario: &Scenario, app: &App, start: &str) -> Result<Played> {
    let first = scenario.url.as_deref().unwrap_or(start);
    let url = app.url(first);
    let (width, height) = scenario.viewport;
    let mut played = Played { recording: None, screenshots: Vec::new(), failure: None, done: 0 };
    let page = match Page::open(&url, Some(Viewport { width, height })) {
        Ok(page) => page,
        // The app's page did not load: the scenario fails there.
        Err(Error::Failed(why) | Error::Timeout(why)) => {
            let what = format!("open {first}");
            played.failure = Some(Failure { step: 0, what, seen: why, screenshot: None });
            return Ok(played);
        }
        // No browser, a refusal, a limit: nothing to do with the app.
        Err(e) => return Err(e),
    };
    page.record_start(&format!("{}: {first}", scenario.name))?;
    for (i, step) in scenario.steps.iter().enumerate() {
        page.step(&step.caption())?;
        match run(&page, app, step) {
            Ok(shot) => {
                played.screenshots.extend(shot);
                played.done += 1;
            }
            Err(Stop::Fatal(e)) => return Err(e),
            Err(Stop::Failed(seen)) => {
                let screenshot = page.screenshot(false).ok();
                played.failure = Some(Failure { step: i + 1, what: step.describe(), seen, screenshot });
                break;
            }
        }
    }
    played.recording = Some(page.record_stop(None)?);
    let _ = page.close();
    Ok(played)
}

/// Do one step; a screenshot step answers its caption and PNG.
fn run(page: &Page, app: &App, step: &Step) -> Result<Option<(String, Vec<u8>)>, Stop> {
    match &step.action {
        Action::Goto(url) => page.goto(&app.url(url))?,
        Action::Click(selector) => page.click(selector)?,
        Action::Type { selector, text } => page.type_(selector, text)?,
        Action::Press(key) => page.press(key)?,
        Action::WaitFor(Wait::Selector(selector)) => {
            page.wait_for(selector, step.timeout_ms.unwrap_or(WAIT_MS))?
        }
        Action::WaitFor(Wait::Text(text)) => page.wait_for_text(text, step.timeout_ms.unwrap_or(WAIT_MS))?,
        Action::ExpectText { selector, text } => expect(page, selector.as_deref(), text, step.timeout_ms)?,
        Action::Screenshot(caption) => return Ok(Some((caption.clone(), page.screenshot(false)?))),
        Action::Pause(ms) => std::thread::sleep(Duration::from_millis((*ms).into())),
    }
    Ok(None)
}

/// Wait for `selector` (the whole page when none) to show `text`; what it
/// showed instead when it never does.
fn expect(page: &Page, selector: Option<&str>, text: &str, timeout_ms: Option<u32>) -> Result<(), Stop> {
    let limit = Duration::from_millis(timeout_ms.unwrap_or(EXPECT_MS).into());
    let started = Instant::now();
    loop {
        let seen = match page.text(selector.unwrap_or("body")) {
            Ok(seen) if seen.contains(text) => return Ok(()),
            Ok(seen) => format!("{} showed {:?}", selector.unwrap_or("the page"), clip(&clean(&seen))),
            Err(e) => match Stop::from(e) {
                Stop::Fatal(e) => return Err(Stop::Fatal(e)),
                Stop::Failed(why) => why,
            },
        };
        if started.elapsed() >= limit {
            return Err(Stop::Failed(seen));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn clip(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(SEEN_SHOWN) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}
