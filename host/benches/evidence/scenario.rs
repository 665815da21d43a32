//! A 5-step scenario end to end: `grove run evidence` on a counter app
//! served by `python3 -m http.server` (through the gate and the sandbox),
//! the browser started, the steps played and recorded, the GIF encoded and
//! kept in the bundle, the app stopped. The baseline in the same run is
//! the least any browser evidence costs: `chromium --headless
//! --screenshot` of the same page, one start and one picture.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use grove_tests::bench::{Table, median};

const ROUNDS: usize = 5;

const COUNTER: &str = r#"<!doctype html><title>counter</title>
<style>body { font-family: sans-serif; margin: 40px } button { font-size: 24px }</style>
<h1>Counter</h1><p id="count">count: 0</p>
<button id="add" style="width:200px;height:80px"
  onclick="n = (window.n || 0) + 1; window.n = n; document.querySelector('#count').textContent = 'count: ' + n">Add</button>"#;

/// Five steps: two clicks, each checked, and a picture.
const SCENARIO: &str = r##"viewport = [1280, 720]

[[steps]]
click = "#add"
caption = "Add one"

[[steps]]
expect-text = { selector = "#count", text = "count: 1" }

[[steps]]
click = "#add"
caption = "Add another"

[[steps]]
expect-text = { selector = "#count", text = "count: 2" }

[[steps]]
screenshot = "two counted"
"##;

pub fn five_steps(table: &mut Table) {
    let Ok(program) = grove::browser::find() else {
        table.note("5-step scenario: skipped, no chromium installed (`apt-get install chromium`)");
        return;
    };
    let repo = grove_tests::repo_with(&[
        ("index.html", COUNTER),
        (".grove/config.toml", "[evidence]\nserve = \"python3 -m http.server $PORT\"\n"),
        (".grove/scenarios/counter.toml", SCENARIO),
    ]);
    let home = tempfile::tempdir().unwrap();
    grove_tests::write(
        home.path(),
        "grove/policy.toml",
        "[[rules]]\nverdict = \"allow\"\ncommand = \"python3 -m http.server\"\n",
    );
    let cache = home.path().join("cache");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    // One round of each first, untimed: the component cache and the page warm.
    for round in 0..=ROUNDS {
        let took = grove_evidence(repo.path(), home.path(), &cache);
        let page = repo.path().join("index.html");
        let profile = home.path().join(format!("chromium-{round}"));
        let png = home.path().join(format!("plain-{round}.png"));
        let url = format!("file://{}", page.display());
        let plain = super::browser::chromium_screenshot(&program, &profile, &png, &url);
        if round > 0 {
            ours.push(took);
            theirs.push(plain);
        }
    }
    table.row(
        &format!("a 5-step scenario end to end (`grove run evidence`: app, browser, GIF, bundle), median of {ROUNDS}"),
        median(ours),
        "",
        Some(("`chromium --headless --screenshot` of the same page", median(theirs))),
    );
}

fn grove_evidence(repo: &Path, home: &Path, cache: &Path) -> Duration {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_grove"))
        .args(["run", "evidence"])
        .current_dir(repo)
        .env("GROVE_HOME", home.join("grove"))
        .env("GROVE_CACHE_DIR", cache)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(out.status.success(), "grove run evidence: {}", String::from_utf8_lossy(&out.stderr));
    took
}
