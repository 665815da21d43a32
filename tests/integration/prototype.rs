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
        let content = if title == ALPHA.0 { "fn draw() { dbg!(1); }\n" } else { "fn count() {}\n" };
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
