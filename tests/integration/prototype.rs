//! `/prototype` against a scripted model on loopback (the real Messages
//! wire format): strategies planned with a near duplicate left out and
//! replaced, five sub-sessions run in parallel with the agent, the
//! comparison page (loaded in real headless Chromium where it is
//! installed), and `grove prototype pick` keeping one.

use std::path::{Path, PathBuf};

use grove_tests::model_server::Reply;
use serde_json::json;

use crate::support::Lab;

/// Five distinct strategies, and one that only rewords the first.
const ALPHA: (&str, &str) =
    ("Alpha-Canvas", "Draw the counter on a canvas element and repaint it on each click");
const ALPHA_AGAIN: (&str, &str) =
    ("Canvas repaint", "Repaint the counter on each click, drawing it on a canvas element");
const OTHERS: [(&str, &str); 4] = [
    ("Beta-Server", "Keep the count on a small server with a JSON endpoint the page fetches"),
    ("Gamma-Storage", "Persist the count in localStorage and restore it when the page loads"),
    ("Delta-Worker", "Count in a web worker that posts messages back to the page"),
    ("Epsilon-Svg", "Render the digits as SVG paths updated by a reducer"),
];

fn proposal(strategies: &[(&str, &str)]) -> Reply {
    let list: Vec<_> = strategies
        .iter()
        .map(|(title, approach)| {
            json!({ "title": title, "approach": approach, "tradeoffs": "<b>fast</b> but plain", "risks": "few" })
        })
        .collect();
    Reply::anthropic().tool_use("plan", "propose_strategies", json!({ "strategies": list })).into()
}

/// The lab: the planner's two answers, and each variant's own script (the
/// agent writes one file and says so; Delta's model call is refused).
fn lab() -> Lab {
    let lab = Lab::new(&[("README.md", "# counter\n")], Vec::new());
    let first = [ALPHA, OTHERS[0], ALPHA_AGAIN, OTHERS[1], OTHERS[2]];
    lab.server.route("Propose exactly", vec![proposal(&first), proposal(&[OTHERS[3]])]);
    for (title, _) in [ALPHA, OTHERS[0], OTHERS[1], OTHERS[3]] {
        let file = format!("{}.rs", title.to_lowercase().replace('-', "_"));
        let content = match title {
            t if t == ALPHA.0 => "fn draw() { dbg!(1); }\n",
            // Nested past simplify's limit: a finding on its card.
            t if t == OTHERS[3].0 => {
                "fn svg(n: u32) {\n    if n > 0 {\n        if n > 1 {\n            if n > 2 {\n                if n > 3 {\n                    if n > 4 {\n                        println!(\"deep\");\n                    }\n                }\n            }\n        }\n    }\n}\n"
            }
            _ => "fn count() {}\n",
        };
        lab.server.route(
            format!("{title}: "),
            vec![
                Reply::anthropic()
                    .tool_use("w", "write_file", json!({ "path": file, "content": content }))
                    .into(),
                Reply::anthropic().text(format!("Built {title}.")).into(),
            ],
        );
    }
    let refused = json!({"type": "error", "error": {"type": "invalid_request_error", "message": "no"}});
    lab.server.route(format!("{}: ", OTHERS[2].0), vec![Reply::status(400, refused)]);
    lab
}

/// The HTML reports the run saved.
fn reports(root: &Path) -> Vec<PathBuf> {
    let dir = root.join(".git/grove/reports");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "html")).collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

fn session_names(lab: &Lab) -> Vec<String> {
    let rows = lab.grove(&["ls", "--json"]).expect(0).json();
    let mut names: Vec<String> =
        rows.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect();
    names.sort();
    names
}

#[test]
fn five_distinct_strategies_run_in_parallel_are_compared_and_one_is_picked() {
    let lab = lab();
    let run = lab.grove(&["run", "prototype", "Add a counter button", "--json"]).expect(0);
    let data = run.json();
    assert_eq!(data["run"], "proto-add-a-counter-button", "{}", run.stdout);
    let rejected = &data["rejected"];
    assert_eq!(rejected[0]["title"], ALPHA_AGAIN.0, "{rejected}");
    assert_eq!(rejected[0]["like"], ALPHA.0, "{rejected}");
    let variants = data["variants"].as_array().unwrap();
    let titles: Vec<&str> = variants.iter().map(|v| v["strategy"]["title"].as_str().unwrap()).collect();
    assert_eq!(titles, [ALPHA.0, OTHERS[0].0, OTHERS[1].0, OTHERS[2].0, OTHERS[3].0]);
    let passed: Vec<bool> = variants.iter().map(|v| v["passed"].as_bool().unwrap()).collect();
    assert_eq!(passed, [true, true, true, false, true], "{}", run.stdout);
    assert!(
        variants[0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "debug/dbg-macro" || f["message"].as_str().unwrap_or("").contains("dbg!")),
        "{}",
        variants[0]
    );
    assert_eq!(variants[1]["files"], 1);
    let simpler = variants[4]["simpler"].as_array().unwrap();
    assert!(
        simpler
            .iter()
            .any(|f| f["path"] == "epsilon_svg.rs" && f["message"].as_str().unwrap().contains("nests")),
        "simplify's findings on the variant's files: {simpler:?}\n{}",
        run.stderr
    );
    assert_eq!(variants[1]["simpler"], serde_json::json!([]));
    assert_eq!(lab.server.remaining(), 0, "every variant asked the model its own script");
    let planning: Vec<_> =
        lab.requests().into_iter().filter(|r| r.raw_body.contains("Propose exactly")).collect();
    assert_eq!(planning.len(), 2);
    assert!(planning[1].raw_body.contains("Propose exactly 1 strategies"), "a replacement was asked for");

    // The sub-sessions are real sessions, one per strategy.
    let names = session_names(&lab);
    assert_eq!(names, (1..=5).map(|n| format!("proto-add-a-counter-button-{n}")).collect::<Vec<_>>());

    // One page, a card per variant, nothing of the model's able to run.
    let pages = reports(lab.root());
    assert_eq!(pages.len(), 1, "{pages:?}");
    let html = std::fs::read_to_string(&pages[0]).unwrap();
    assert_eq!(html.matches("<article class=\"card\"").count(), 5);
    assert_eq!(html.matches("badge pass").count(), 4);
    assert!(html.contains("<b>simplify</b> <code>epsilon_svg.rs:"), "simplify's findings are on the card");
    assert!(html.contains("&lt;b&gt;fast&lt;/b&gt;") && !html.contains("<b>fast"), "tradeoffs are escaped");
    assert!(!html.contains("<script"), "the page runs no script");
    look_at(&pages[0]);

    // A variant that does not exist is a clear error; nothing changes.
    let wrong = lab.grove(&["prototype", "pick", "proto-add-a-counter-button", "9"]).expect(2);
    assert!(
        wrong.stderr.contains("has no variant 9") && wrong.stderr.contains("1, 2, 3, 4, 5"),
        "{}",
        wrong.stderr
    );
    assert_eq!(session_names(&lab).len(), 5);

    // Pick the server one: merged into main, the others removed, the choice kept.
    let pick = lab
        .grove(&["prototype", "pick", "proto-add-a-counter-button", "2", "--note", "simplest to test"])
        .expect(0);
    assert!(pick.stdout.contains("picked variant 2"), "{}", pick.stdout);
    assert!(lab.root().join("beta_server.rs").is_file(), "the chosen variant's work is merged");
    assert!(!lab.root().join("gamma_storage.rs").exists());
    assert_eq!(session_names(&lab), ["proto-add-a-counter-button-2"]);
    let choice: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            lab.root().join(".git/grove/prototype/proto-add-a-counter-button/choice.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!((choice["picked"].as_u64(), choice["note"].as_str()), (Some(2), Some("simplest to test")));
    assert_eq!(choice["removed"].as_array().unwrap().len(), 4);
}

#[test]
fn a_prototype_run_in_a_session_spawns_its_variants_under_it() {
    let lab = lab();
    lab.grove(&["new", "web", "--skill", "prototype", "--task", "Add a counter button", "--mode", "auto"])
        .expect(0);
    let web = lab.wait_final("web");
    assert_eq!(web["state"], "done", "{web}");
    let rows = lab.grove(&["ls", "--json"]).expect(0).json();
    let rows = rows.as_array().unwrap();
    let children: Vec<&serde_json::Value> = rows.iter().filter(|r| r["name"] != "web").collect();
    assert_eq!(children.len(), 5, "{rows:?}");
    for child in &children {
        assert_eq!(child["parent"], "web", "{child}");
    }
    // Drawn under their parent, too.
    let tree = lab.grove(&["ls"]).expect(0).stdout;
    let at = |name: &str| tree.find(name).unwrap_or_else(|| panic!("{name} in {tree}"));
    assert!(children.iter().all(|c| at(c["name"].as_str().unwrap()) > at("web ")), "{tree}");
    // Removing the parent removes its variants (their work is unmerged:
    // refused without --force).
    lab.grove(&["rm", "web", "--yes"]).expect(2);
    assert_eq!(lab.grove(&["ls", "--json"]).expect(0).json().as_array().unwrap().len(), 6);
    lab.grove(&["rm", "web", "--yes", "--force"]).expect(0);
    assert_eq!(lab.grove(&["ls", "--json"]).expect(0).json(), serde_json::json!([]));
}

#[test]
fn too_few_or_too_many_variants_and_no_task_are_usage_errors() {
    let lab = Lab::new(&[("README.md", "hi\n")], Vec::new());
    let run = lab.grove(&["run", "prototype", "x", "--variants", "1"]).expect(2);
    assert!(run.stderr.contains("compare 2 to 8 variants"), "{}", run.stderr);
    let run = lab.grove(&["run", "prototype"]).expect(2);
    assert!(run.stderr.contains("what should the variants build?"), "{}", run.stderr);
    assert_eq!(lab.requests().len(), 0);
}

/// The page in real headless Chromium, where it is installed: no console
/// errors, and a screenshot kept beside the test binaries to look at.
fn look_at(page: &Path) {
    if grove::browser::find().is_err() {
        eprintln!("SKIPPED: chromium is not installed; the page was not loaded in a browser");
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        use std::sync::Arc;
        use std::time::Duration;
        let browser = grove::browser::Browser::start(
            Arc::new(|_: &str, _: &str| Ok(())),
            Arc::new(|_: &str, _: &str| {}),
            None,
        )
        .await
        .unwrap();
        let tab =
            grove::browser::Page::open(&browser, grove::browser::Viewport { width: 1600, height: 1000 })
                .await
                .unwrap();
        tab.goto(&format!("file://{}", page.display()), Duration::from_secs(30)).await.unwrap();
        assert_eq!(tab.console_errors(), Vec::<String>::new());
        let png = tab.screenshot(true).await.unwrap();
        let keep = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("prototype-compare.png");
        std::fs::write(&keep, png).unwrap();
        eprintln!("the comparison page: {}", keep.display());
    });
}

/// The offline demo in `examples/prototype-demo`: its app, the task, and
/// the cassettes a run replays (the planner's, then one per variant).
pub(crate) mod demo {
    use super::*;

    pub const TASK: &str = "Add a button that counts clicks to the page";

    pub fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/prototype-demo")
    }

    /// Each strategy and the page its variant writes.
    pub fn variants() -> Vec<(&'static str, &'static str, &'static str, String)> {
        let page = |body: &str| {
            format!(
                "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Counter</title></head>\n<body>\n  <h1>Counter</h1>\n{body}\n</body>\n</html>\n"
            )
        };
        vec![
            (
                "Inline handler",
                "An onclick attribute on the button increments a global and writes it into the paragraph",
                "Smallest change; globals and inline script do not scale",
                page(
                    "  <p id=\"count\">0</p>\n  <button onclick=\"count.textContent = ++window.n || (window.n = 1)\">Count</button>",
                ),
            ),
            (
                "Module with event listener",
                "A script module looks the button up, keeps the count in a closure and listens for clicks",
                "No globals, testable; one more file to read",
                page(
                    "  <p id=\"count\">0</p>\n  <button id=\"inc\">Count</button>\n  <script type=\"module\">\n    let n = 0;\n    const out = document.querySelector('#count');\n    document.querySelector('#inc').addEventListener('click', () => { out.textContent = ++n; });\n  </script>",
                ),
            ),
            (
                "Persisted in localStorage",
                "Store the count in localStorage so it survives reloads, restoring it when the page loads",
                "Remembers across visits; state outlives what the user expects",
                page(
                    "  <p id=\"count\"></p>\n  <button id=\"inc\">Count</button>\n  <script>\n    const out = document.querySelector('#count');\n    let n = Number(localStorage.getItem('count') || 0);\n    out.textContent = n;\n    document.querySelector('#inc').onclick = () => localStorage.setItem('count', out.textContent = ++n);\n  </script>",
                ),
            ),
            (
                "Form submission, no script",
                "A form posts to the same page with the count in the query string; the server-free page reads nothing and works without JavaScript",
                "Works with scripts off; every click reloads the page",
                page(
                    "  <form><input type=\"hidden\" name=\"n\" value=\"1\"><button>Count</button></form>\n  <p>Counted once the form is sent.</p>",
                ),
            ),
            (
                "Web component",
                "A custom <click-counter> element encapsulates its button and count in a shadow root",
                "Reusable and isolated; heavier for a single button",
                page(
                    "  <click-counter></click-counter>\n  <script>\n    customElements.define('click-counter', class extends HTMLElement {\n      connectedCallback() {\n        const root = this.attachShadow({ mode: 'open' });\n        root.innerHTML = '<button>Count</button> <output>0</output>';\n        let n = 0;\n        root.querySelector('button').onclick = () => { root.querySelector('output').value = ++n; };\n      }\n    });\n  </script>",
                ),
            ),
        ]
    }

    /// A repository holding the demo's app, as a user would start.
    pub fn repo() -> tempfile::TempDir {
        let read = |file: &str| std::fs::read_to_string(dir().join("app").join(file)).unwrap();
        grove_tests::repo_with(&[
            ("index.html", &read("index.html")),
            (".grove/config.toml", &read(".grove/config.toml")),
        ])
    }
}

/// Records the demo's cassettes against the scripted model server: run
/// with `cargo test -p grove --test integration record_the_prototype_demo
/// -- --ignored` after changing the demo or the prototype skill.
#[test]
#[ignore]
fn record_the_prototype_demo() {
    let lab = Lab::new(&[], Vec::new());
    let repo = demo::repo();
    let variants = demo::variants();
    let plan: Vec<(&str, &str)> = variants.iter().map(|(t, a, _, _)| (*t, *a)).collect();
    lab.server.route("Propose exactly", vec![proposal(&plan)]);
    for (title, _, _, page) in &variants {
        lab.server.route(
            format!("{title}: "),
            vec![
                Reply::anthropic()
                    .tool_use("w", "write_file", json!({ "path": "index.html", "content": page }))
                    .into(),
                Reply::anthropic().text(format!("Built the counter as “{title}”.")).into(),
            ],
        );
    }
    let cassette = demo::dir().join("demo.jsonl");
    let mut cmd = lab.cmd();
    cmd.current_dir(repo.path());
    let run = crate::support::grove_with(
        cmd,
        &["run", "prototype", "--record", cassette.to_str().unwrap(), demo::TASK],
        None,
    );
    run.expect(0);
    assert_eq!(lab.server.remaining(), 0);
}

#[test]
fn the_offline_demo_replays_five_variants_without_a_model() {
    let dir = demo::repo();
    let home = tempfile::tempdir().unwrap();
    // As the demo's README says: the app's server runs without asking.
    grove_tests::write(home.path(), "grove/policy.toml", crate::evidence_skill::ALLOW_THE_SERVER);
    let mut cmd = crate::support::grove_cmd(dir.path(), home.path());
    for var in grove_tests::model_server::PROVIDER_VARS {
        cmd.env_remove(var);
    }
    let cassette = demo::dir().join("demo.jsonl");
    let run = crate::support::grove_with(
        cmd,
        &["run", "prototype", "--replay", cassette.to_str().unwrap(), demo::TASK],
        None,
    )
    .expect(0);
    assert!(run.stdout.contains("5 variants of"), "{}", run.stdout);
    let pages = reports(dir.path());
    let html = std::fs::read_to_string(&pages[0]).unwrap();
    assert_eq!(html.matches("<article class=\"card\"").count(), 5);
    assert!(html.contains("Web component") && html.contains("customElements"), "the diffs are on the page");
    if !crate::support::chromium_installed() {
        eprintln!("SKIPPED: chromium is not installed; no previews to look at");
        return;
    }
    // With [evidence] configured, each card shows its variant's page, taken
    // from the variant's commit served on its own.
    let shots: Vec<&str> =
        html.split("<img class=\"shot\" alt=\"the variant's page\" src=\"").skip(1).collect();
    assert_eq!(shots.len(), 5, "a preview on every card: {}", run.stderr);
    use base64::Engine;
    let data = shots[0].split('"').next().unwrap().strip_prefix("data:image/png;base64,").unwrap();
    let png = base64::engine::general_purpose::STANDARD.decode(data).unwrap();
    let picture = image::load_from_memory(&png).unwrap();
    assert_eq!((picture.width(), picture.height()), (800, 500));
    assert!(!html.contains("No preview"), "{html}");
    let previews = std::fs::read_dir(dir.path().join(".git/grove/evidence")).unwrap().count();
    assert!(previews >= 1, "the previews are kept as evidence");
    assert!(!dir.path().join(".prototype-preview-1").exists(), "the copies are removed");
}
