//! The `evidence` skill on a real app: a static page served by
//! `python3 -m http.server $PORT` in the sandbox, driven by a real headless
//! Chromium through the scenarios in `.grove/scenarios/`, its GIFs decoded
//! from the bundle; an app that is never ready, one that crashes, a bad
//! scenario, before-and-after GIFs of a session, and scenarios a model
//! proposes. After every test no browser and no app process is left.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use grove_tests::model_server::Reply;
use serde_json::Value;
use tempfile::TempDir;

use crate::browser::gif_frames;
use crate::support::{Lab, Run, assert_nothing_left_in, grove_cmd, grove_with, probe, wait_final};

/// The app: a counter that counts clicks.
const COUNTER: &str = r#"<!doctype html><title>counter</title>
<p id="count">count: 0</p>
<button id="add" style="width:200px;height:80px"
  onclick="n = (window.n || 0) + 1; window.n = n; document.querySelector('#count').textContent = 'count: ' + n">Add</button>"#;

/// The app before the change: a button that does nothing yet.
const NO_COUNTER: &str = r#"<!doctype html><title>counter</title>
<p id="count">count: 0</p>
<button id="add" style="width:200px;height:80px">Add</button>"#;

const CONFIG: &str = "[evidence]\nserve = \"python3 -m http.server $PORT\"\n";

const CLICK_ONCE: &str = r##"viewport = [640, 480]

[[steps]]
click = "#add"
caption = "Add one"

[[steps]]
expect-text = { selector = "#count", text = "count: 1" }
"##;

/// The user lets the app's server run without asking, as the README says.
pub(crate) const ALLOW_THE_SERVER: &str = "[[rules]]\nverdict = \"allow\"\ncommand = \"python3 -m http.server\"\n\
                                reason = \"the app's own server, for evidence\"\n";

/// A repository holding the app, and a home whose policy allows its server.
struct App {
    repo: TempDir,
    home: TempDir,
}

impl App {
    fn new(files: &[(&str, &str)]) -> App {
        let app = App { repo: grove_tests::repo_with(files), home: tempfile::tempdir().unwrap() };
        std::fs::create_dir_all(app.tmp()).unwrap();
        grove_tests::write(app.home.path(), "grove/policy.toml", ALLOW_THE_SERVER);
        app
    }

    /// The browser's profile goes here: a path no other test's processes name.
    fn tmp(&self) -> PathBuf {
        self.home.path().join("tmp")
    }

    fn cmd(&self) -> Command {
        let mut cmd = grove_cmd(self.repo.path(), self.home.path());
        cmd.env("TMPDIR", self.tmp());
        cmd
    }

    fn grove(&self, args: &[&str]) -> Run {
        grove_with(self.cmd(), args, None)
    }

    /// The manifest of the newest bundle.
    fn manifest(&self) -> Value {
        let list = self.grove(&["evidence", "--json"]).expect(0).json();
        let name =
            list["bundles"].as_array().unwrap().last().expect("a bundle").as_str().unwrap().to_string();
        let mut manifest = self.grove(&["evidence", &name, "--json"]).expect(0).json();
        manifest["name"] = name.into();
        manifest
    }

    /// The bytes of a bundle's entry.
    fn file(&self, manifest: &Value, entry: &Value) -> Vec<u8> {
        let dir = self.repo.path().join(".git/grove/evidence").join(manifest["name"].as_str().unwrap());
        std::fs::read(dir.join(entry["file"].as_str().unwrap())).unwrap()
    }

    /// Every process this test started is gone: browsers (by their
    /// profile folder) and the app (by its working folder, inside the
    /// repository). They may take a moment to die.
    #[track_caller]
    fn assert_nothing_left(&self) {
        assert_nothing_left_in(&[self.repo.path(), &self.tmp()]);
    }
}

/// The entries of a manifest of one kind.
fn entries<'m>(manifest: &'m Value, kind: &str) -> Vec<&'m Value> {
    manifest["entries"].as_array().unwrap().iter().filter(|e| e["kind"] == kind).collect()
}

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && &png[12..16] == b"IHDR", "not a PNG");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn a_scenario_clicks_and_the_bundle_holds_a_gif_that_shows_the_change() {
    needs_chromium!();
    let app = App::new(&[
        ("index.html", COUNTER),
        (".grove/config.toml", CONFIG),
        (".grove/scenarios/counter.toml", CLICK_ONCE),
    ]);
    let run = app.grove(&["run", "evidence"]).expect(0);
    assert!(run.stdout.contains("1 scenario held (counter)"), "{}\n{}", run.stdout, run.stderr);

    let manifest = app.manifest();
    let gifs = entries(&manifest, "gif");
    assert_eq!(gifs.len(), 1, "{manifest:#}");
    assert_eq!(gifs[0]["caption"], "counter");
    assert_eq!(gifs[0]["skill"], "evidence");
    let (width, height, frames) = gif_frames(&app.file(&manifest, gifs[0]));
    assert_eq!((width, height), (640, 480));
    let distinct: std::collections::HashSet<&Vec<u8>> = frames.iter().collect();
    assert!(distinct.len() >= 3, "only {} distinct frames of {}", distinct.len(), frames.len());
    assert_ne!(frames.first(), frames.last(), "the last frame shows what the first did");
    let summary = entries(&manifest, "markdown");
    assert_eq!(summary.len(), 1, "{manifest:#}");
    let text = String::from_utf8(app.file(&manifest, summary[0])).unwrap();
    assert!(text.contains("| counter | held (2 steps) |"), "{text}");

    // The app went through the gate like any program a skill starts.
    let audit = std::fs::read_to_string(app.repo.path().join(".git/grove/audit.jsonl")).unwrap();
    let started = audit
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| l["verb"] == "start")
        .expect("process.start was audited");
    assert_eq!(started["decision"], "allow", "{started}");
    assert!(started["target"].as_str().unwrap().contains("python3 -m http.server"), "{started}");
    app.assert_nothing_left();
}

#[test]
fn a_failed_expectation_exits_1_naming_the_step_and_what_the_page_showed_with_a_screenshot() {
    needs_chromium!();
    let twice = "viewport = [640, 480]\n\n[[steps]]\nclick = \"#add\"\n\n[[steps]]\n\
                 expect-text = { selector = \"#count\", text = \"count: 2\" }\ntimeout-ms = 1500\n";
    let app = App::new(&[
        ("index.html", COUNTER),
        (".grove/config.toml", CONFIG),
        (".grove/scenarios/twice.toml", twice),
    ]);
    let run = app.grove(&["run", "evidence"]).expect(1);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(said.contains("scenario \"twice\" (.grove/scenarios/twice.toml), step 2"), "{said}");
    assert!(said.contains("expect #count to show \"count: 2\""), "{said}");
    assert!(said.contains("#count showed \"count: 1\""), "{said}");

    let manifest = app.manifest();
    let shots = entries(&manifest, "png");
    assert_eq!(shots.len(), 1, "{manifest:#}");
    assert!(shots[0]["caption"].as_str().unwrap().contains("twice: step 2 did not hold"), "{manifest:#}");
    assert_eq!(png_size(&app.file(&manifest, shots[0])), (640, 480));
    // The GIF shows how it came to fail.
    assert_eq!(entries(&manifest, "gif").len(), 1, "{manifest:#}");
    app.assert_nothing_left();
}

#[test]
fn an_app_that_never_becomes_ready_times_out_naming_the_url_and_its_last_output() {
    let config = "[evidence]\nserve = \"echo warming up the bundler; sleep 300\"\nready-timeout-ms = 1500\n";
    let app = App::new(&[
        ("index.html", COUNTER),
        (".grove/config.toml", config),
        (".grove/scenarios/counter.toml", CLICK_ONCE),
    ]);
    let started = Instant::now();
    let run = app.grove(&["run", "evidence"]).expect(1);
    assert!(started.elapsed() < Duration::from_secs(60), "{:?}", started.elapsed());
    assert!(run.stderr.contains("was not ready after 1500 ms"), "{}", run.stderr);
    assert!(run.stderr.contains("http://127.0.0.1:"), "{}", run.stderr);
    assert!(run.stderr.contains("/ never answered 200 (nothing answered)"), "{}", run.stderr);
    assert!(run.stderr.contains("warming up the bundler"), "{}", run.stderr);
    app.assert_nothing_left();
}

#[test]
fn an_app_that_crashes_is_reported_with_its_output() {
    let config =
        "[evidence]\nserve = \"echo starting; echo 'Error: Cannot find module express' >&2; exit 3\"\n";
    let app = App::new(&[
        ("index.html", COUNTER),
        (".grove/config.toml", config),
        (".grove/scenarios/counter.toml", CLICK_ONCE),
    ]);
    let run = app.grove(&["run", "evidence"]).expect(1);
    assert!(run.stderr.contains("exited with code 3 before it was ready"), "{}", run.stderr);
    assert!(run.stderr.contains("Error: Cannot find module express"), "{}", run.stderr);
    assert!(run.stderr.contains("starting"), "{}", run.stderr);
    app.assert_nothing_left();
}

#[test]
fn a_bad_scenario_or_configuration_exits_2_with_the_reason_and_starts_nothing() {
    let bad = "[[steps]]\nclick = \"#add\"\n\n[[steps]]\nclik = \"#add\"\n";
    let app = App::new(&[
        ("index.html", COUNTER),
        (".grove/config.toml", CONFIG),
        (".grove/scenarios/counter.toml", CLICK_ONCE),
        (".grove/scenarios/bad.toml", bad),
    ]);
    let run = app.grove(&["run", "evidence", "counter"]).expect(2);
    assert!(run.stderr.contains(".grove/scenarios/bad.toml: step 2: unknown key `clik`"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: usage: grove run evidence"), "{}", run.stderr);
    // Nothing started, nothing was added.
    let audit = std::fs::read_to_string(app.repo.path().join(".git/grove/audit.jsonl")).unwrap_or_default();
    assert!(!audit.contains("\"start\"") && !audit.contains("browser"), "{audit}");
    let list = app.grove(&["evidence", "--json"]).expect(0).json();
    assert_eq!(list["bundles"], serde_json::json!([]), "{list}");

    std::fs::remove_file(app.repo.path().join(".grove/scenarios/bad.toml")).unwrap();
    let run = app.grove(&["run", "evidence", "nosuch"]).expect(2);
    assert!(
        run.stderr.contains("no scenario \"nosuch\" in .grove/scenarios/ (there are: counter)"),
        "{}",
        run.stderr
    );
    std::fs::write(app.repo.path().join(".grove/config.toml"), "[design]\ndesigners = []\n").unwrap();
    let run = app.grove(&["run", "evidence"]).expect(2);
    assert!(run.stderr.contains("no [evidence] section in .grove/config.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("serve = \"python3 -m http.server $PORT\""), "{}", run.stderr);
    app.assert_nothing_left();
}

#[test]
fn with_before_a_session_gets_gifs_of_its_base_and_of_its_work() {
    needs_chromium!();
    // The base has a button that does nothing; the session makes it count.
    let app = App::new(&[
        ("index.html", NO_COUNTER),
        (".grove/config.toml", CONFIG),
        (".grove/scenarios/counter.toml", CLICK_ONCE),
    ]);
    app.grove(&["new", "count", "--task", "make the button count", "--skill", probe(), "--", "echo", "hi"])
        .expect(0);
    wait_final(|| app.cmd(), "count");
    let shown = app.grove(&["policy", "show", "--session", "count", "--json"]).expect(0).json();
    let worktree = PathBuf::from(shown["session"]["worktree"].as_str().unwrap());
    std::fs::write(worktree.join("index.html"), COUNTER).unwrap();

    let run = app.grove(&["run", "evidence", "--before", "--session", "count"]).expect(0);
    assert!(run.stdout.contains("before and after"), "{}\n{}", run.stdout, run.stderr);

    let manifest = {
        let named = app.grove(&["evidence", "count", "--json"]).expect(0).json();
        let mut m = named;
        m["name"] = "count".into();
        m
    };
    let gifs = entries(&manifest, "gif");
    let captions: Vec<&str> = gifs.iter().map(|g| g["caption"].as_str().unwrap()).collect();
    assert_eq!(captions.len(), 2, "{captions:?}");
    assert_eq!(captions[0], "counter (after)");
    assert!(captions[1].starts_with("counter (before, "), "{captions:?}");
    let last = |entry: &Value| gif_frames(&app.file(&manifest, entry)).2.last().cloned().unwrap();
    assert_ne!(last(gifs[0]), last(gifs[1]), "before and after end the same");
    let summary = String::from_utf8(app.file(&manifest, entries(&manifest, "markdown")[0])).unwrap();
    assert!(
        summary.contains("| counter | held (2 steps) | step 2 did not hold: #count showed \"count: 0\" |"),
        "{summary}"
    );

    // The copy of the base is gone, and git never saw it.
    assert!(!worktree.join(".evidence-before").exists());
    let status = Command::new("git").args(["status", "--porcelain"]).current_dir(&worktree).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&status.stdout), " M index.html\n");
    assert_nothing_left_in(&[app.repo.path(), &worktree, &app.tmp()]);
}

#[test]
fn propose_saves_the_models_scenarios_for_the_front_end_changes_and_runs_none() {
    let answer = "Two scenarios:\n\n```toml\nname = \"Counter counts\"\n\n[[steps]]\nclick = \"#add\"\n\
                  caption = \"Add one\"\n\n[[steps]]\nexpect-text = { selector = \"#count\", text = \"count: 1\" }\n```\n\n\
                  ```toml\nname = \"broken\"\n[[steps]]\nclick = \"#add\"\npress = \"Enter\"\n```\n";
    let lab = Lab::new(
        &[("index.html", NO_COUNTER), ("notes.md", "# notes\n"), (".grove/config.toml", CONFIG)],
        vec![Reply::anthropic().text(answer).into()],
    );
    std::fs::write(lab.root().join("index.html"), COUNTER).unwrap();
    std::fs::write(lab.root().join("notes.md"), "# notes\nsecret plans\n").unwrap();

    let run = lab.grove(&["run", "evidence", "--propose"]).expect(0);
    assert!(run.stdout.contains("proposed 1 scenario"), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(".grove/scenarios/proposed/counter-counts.toml"), "{}", run.stdout);
    assert!(run.stdout.contains("Nothing was run"), "{}", run.stdout);
    assert!(
        run.stdout.contains("step 1: a step does one thing; this one has click and press"),
        "{}",
        run.stdout
    );
    let saved = lab.read(".grove/scenarios/proposed/counter-counts.toml");
    assert!(saved.starts_with("# Proposed by `grove run evidence --propose`"), "{saved}");
    assert!(saved.contains("expect-text = { selector = \"#count\", text = \"count: 1\" }"), "{saved}");
    assert!(!lab.root().join(".grove/scenarios/proposed/broken.toml").exists());

    // The model saw the page's change, and nothing else of the diff.
    let asked = lab.requests()[0].body.to_string();
    assert!(asked.contains("index.html") && asked.contains("textContent"), "{asked}");
    assert!(!asked.contains("secret plans"), "{asked}");
    // Nothing ran: no program, no browser.
    let audit = std::fs::read_to_string(lab.root().join(".git/grove/audit.jsonl")).unwrap();
    assert!(!audit.contains("\"process\"") && !audit.contains("\"browser\""), "{audit}");

    // A proposal is never run unasked: the scenarios run are the kept ones.
    let run = lab.grove(&["run", "evidence"]).expect(2);
    assert!(run.stderr.contains("no scenarios in .grove/scenarios/"), "{}", run.stderr);
}

#[test]
fn designer_check_pictures_each_changed_page_before_and_after() {
    needs_chromium!();
    let config = format!("{CONFIG}\n[design]\ndesigners = [\"dana@example.com\"]\npages = [\"/\"]\n");
    let app = App::new(&[
        ("index.html", COUNTER),
        ("about.html", "<!doctype html><title>About</title><h1 class=\"title\">About us</h1>"),
        ("style.css", "h1 { color: black }\n"),
        (".grove/config.toml", &config),
    ]);
    let repo = app.repo.path();
    std::fs::write(repo.join("style.css"), "h1 { color: rebeccapurple }\n").unwrap();
    std::fs::write(
        repo.join("about.html"),
        "<!doctype html><title>About</title><h1 class=\"title big\">About us, anew</h1>",
    )
    .unwrap();
    grove_tests::commit_all(&git2::Repository::open(repo).unwrap(), "a new look");

    // No sign-off: the check fails, and the pictures are there to judge by.
    let run = app.grove(&["run", "designer-check", "--base", "HEAD~1"]).expect(1);
    assert!(run.stdout.contains("Pictures in the evidence bundle"), "{}\n{}", run.stdout, run.stderr);
    let manifest = app.manifest();
    let mut captions: Vec<&str> =
        entries(&manifest, "png").iter().map(|e| e["caption"].as_str().unwrap()).collect();
    captions.sort();
    assert_eq!(
        captions,
        [
            "designer-check: / (after)",
            "designer-check: / (before)",
            "designer-check: /about.html (after)",
            "designer-check: /about.html (before)",
        ]
    );
    let pngs = entries(&manifest, "png");
    let after = pngs.iter().find(|e| e["caption"] == "designer-check: /about.html (after)").unwrap();
    let before = pngs.iter().find(|e| e["caption"] == "designer-check: /about.html (before)").unwrap();
    assert_eq!(png_size(&app.file(&manifest, after)), (1280, 800));
    assert_ne!(app.file(&manifest, after), app.file(&manifest, before), "the change shows");
    assert!(!repo.join(".designer-check-before").exists(), "the base's copy is removed");
    app.assert_nothing_left();

    // --no-pictures leaves them out.
    let again = app.grove(&["run", "designer-check", "--base", "HEAD~1", "--no-pictures"]).expect(1);
    assert!(!again.stdout.contains("Pictures"), "{}", again.stdout);
}
