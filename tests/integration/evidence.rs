//! The evidence bundle: skills add to it through the `evidence` interface,
//! the host names and writes the files, `grove evidence` lists it and
//! writes one page of it.

use std::path::Path;
use std::time::Duration;

use crate::support::{grove, grove_cmd, probe};

/// The bundles of the repository at `dir`.
fn bundles(dir: &Path) -> Vec<String> {
    let list = grove(dir, &["evidence", "--json"]).expect(0).json();
    list["bundles"].as_array().unwrap().iter().map(|b| b.as_str().unwrap().to_string()).collect()
}

#[test]
fn a_skill_adds_evidence_and_grove_shows_it() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let d = dir.path();
    assert!(grove(d, &["evidence"]).expect(0).stdout.contains("no evidence yet"));
    let hostile = "after <script>alert(1)</script> \u{1b}]0;pwned\u{7}";
    grove(d, &["run", probe(), "evidence", "png", hostile, "pixels"]).expect(0);
    let names = bundles(d);
    assert_eq!(names.len(), 1, "{names:?}");
    let name = &names[0];
    assert!(name.starts_with("run-") && name.ends_with("-probe"), "{name}");

    let manifest = grove(d, &["evidence", name, "--json"]).expect(0).json();
    let entry = &manifest["entries"][0];
    assert_eq!(entry["kind"], "png");
    assert_eq!(entry["skill"], "probe");
    assert_eq!(entry["size"], 8 + "pixels".len());
    let file = entry["file"].as_str().unwrap();
    assert!(file.starts_with("001-after-script-alert-1-script") && file.ends_with(".png"), "{file}");
    assert!(d.join(".git/grove/evidence").join(name).join(file).is_file());

    // The listing is text a terminal shows as text.
    let listed = grove(d, &["evidence", name]).expect(0).stdout;
    assert!(listed.contains("png") && !listed.contains('\u{1b}'), "{listed}");

    // One page, the image inline, nothing of the skill's able to run.
    let page = grove(d, &["evidence", name, "--html"]).expect(0).stdout;
    let html = std::fs::read_to_string(page.trim()).unwrap();
    assert!(html.contains("data:image/png;base64,") && html.contains("&lt;script&gt;"), "{html}");
    assert!(!html.contains("<script>") && !html.contains('\u{1b}'), "{html}");

    // Content that is not what its kind says is refused, and nothing is added.
    let run = grove(d, &["run", probe(), "evidence", "gif", "fake", "not a gif"]).expect(2);
    assert!(run.stderr.contains("the content is not gif"), "{}", run.stderr);
}

#[test]
fn an_unknown_bundle_is_a_clear_error() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let run = grove(dir.path(), &["evidence", "nope"]).expect(2);
    assert!(run.stderr.contains("no evidence bundle named `nope`"), "{}", run.stderr);
    assert!(run.stderr.contains("grove evidence` lists"), "{}", run.stderr);
}

/// A grove killed while it adds evidence leaves a manifest that reads, and
/// every file it lists is there whole.
#[test]
fn a_killed_run_leaves_no_torn_manifest() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let home = tempfile::tempdir().unwrap();
    let mut child = grove_cmd(dir.path(), home.path())
        .args(["run", probe(), "evidence-n", "100000"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let root = dir.path().join(".git/grove/evidence");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let count = std::fs::read_dir(&root)
            .into_iter()
            .flatten()
            .flatten()
            .next()
            .map(|b| std::fs::read_dir(b.path()).map(|files| files.count()).unwrap_or(0));
        if count.unwrap_or(0) > 20 || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let name = &bundles(dir.path())[0];
    let manifest = grove(dir.path(), &["evidence", name, "--json"]).expect(0).json();
    let entries = manifest["entries"].as_array().unwrap();
    assert!(entries.len() > 5, "{}", entries.len());
    for e in entries {
        let bytes = std::fs::read(root.join(name).join(e["file"].as_str().unwrap())).unwrap();
        assert_eq!(bytes, b"# note");
    }
}

#[test]
fn code_review_and_designer_check_keep_their_reports_in_the_bundle() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let d = dir.path();
    std::fs::write(d.join("lib.rs"), "fn f() { dbg!(1); }\n").unwrap();
    grove(d, &["run", "code-review"]).expect(0);
    grove(d, &["run", "designer-check"]).expect(0);
    let head = String::from_utf8(
        std::process::Command::new("git").args(["rev-parse", "HEAD"]).current_dir(d).output().unwrap().stdout,
    )
    .unwrap();
    let mut kept = Vec::new();
    for name in bundles(d) {
        let manifest = grove(d, &["evidence", &name, "--json"]).expect(0).json();
        for entry in manifest["entries"].as_array().unwrap() {
            assert_eq!(entry["kind"], "json");
            assert_eq!(entry["commit"].as_str(), Some(head.trim()));
            let report = std::fs::read_to_string(
                d.join(".git/grove/evidence").join(&name).join(entry["file"].as_str().unwrap()),
            )
            .unwrap();
            serde_json::from_str::<serde_json::Value>(&report).expect("the report is JSON");
            kept.push(format!("{} {}", entry["skill"].as_str().unwrap(), entry["caption"].as_str().unwrap()));
        }
    }
    kept.sort();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept[0].starts_with("code-review code-review: "), "{kept:?}");
    assert!(kept[1].starts_with("designer-check designer-check: "), "{kept:?}");
}
