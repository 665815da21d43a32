//! `code-review` and `designer-check` on real repositories: planted
//! secrets in the working changes and in commits, hashes that must stay
//! quiet, SARIF checked against the 2.1.0 schema, design changes with and
//! without a designer's sign-off, and both skills in a session.
//!
//! Tokens are put together at run time so that this file holds none in a
//! scannable form: a review of this repository stays clean.

use std::path::Path;

use serde_json::Value;

use crate::support::{Run, grove, grove_cmd, grove_with, wait_final};

/// `prefix` and `body` as one token.
fn token(prefix: &str, body: &str) -> String {
    format!("{prefix}{body}")
}

fn aws_key_id() -> String {
    token("AKIA", "Z7Q2XK4M3N8P5R6T")
}

fn github_token() -> String {
    token("ghp_", "8cK2mQ9xW4vT7zL1nR5pY3sA6dF0hJ2kG4bN")
}

fn private_key() -> String {
    format!(
        "-----BEGIN RSA {} KEY-----\nMIIEowIBAAKCAQEA7Vq\n-----END RSA {} KEY-----\n",
        "PRIVATE", "PRIVATE"
    )
}

/// Stage everything, deletions included, and commit on HEAD.
fn commit(dir: &Path, message: &str) {
    let repo = git2::Repository::open(dir).unwrap();
    let mut index = repo.index().unwrap();
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).unwrap();
    index.update_all(["*"], None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("Dev", "dev@example.com").unwrap();
    let parent = repo.head().unwrap().peel_to_commit().unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &[&parent]).unwrap();
}

fn head(dir: &Path) -> String {
    git2::Repository::open(dir).unwrap().head().unwrap().target().unwrap().to_string()
}

fn findings(run: &Run) -> Vec<Value> {
    run.json()["findings"].as_array().unwrap_or_else(|| panic!("no findings in {}", run.stdout)).clone()
}

/// The finding of `rule` at `path`, if there is one.
fn finding<'f>(all: &'f [Value], path: &str, rule: &str) -> Option<&'f Value> {
    all.iter().find(|f| f["path"] == path && f["rule"] == rule)
}

#[test]
fn code_review_finds_planted_secrets_in_the_working_changes() {
    let repo = grove_tests::repo_with(&[("src/app.py", "def main():\n    return 1\n")]);
    grove_tests::write(
        repo.path(),
        "src/app.py",
        &format!("def main():\n    return 1\n\nAWS_KEY = \"{}\"\nprint(AWS_KEY)\n", aws_key_id()),
    );
    // Untracked files are part of the working changes.
    grove_tests::write(repo.path(), "deploy/id_rsa", &private_key());
    grove_tests::write(repo.path(), ".env", &format!("APP_NAME=demo\nGITHUB_TOKEN={}\n", github_token()));
    grove_tests::write(repo.path(), "web/app.js", "export function go() {\n  console.log('here');\n}\n");

    let run = grove(repo.path(), &["run", "code-review", "--json"]).expect(1);
    let json = run.json();
    assert_eq!(json["base"], "HEAD");
    let all = findings(&run);
    let aws = finding(&all, "src/app.py", "secrets/aws-access-key-id").unwrap_or_else(|| panic!("{json:#}"));
    assert_eq!((aws["line"].as_u64(), aws["severity"].as_str()), (Some(4), Some("error")));
    assert!(!aws["message"].as_str().unwrap().contains(&aws_key_id()), "the key is not repeated: {aws}");
    let key = finding(&all, "deploy/id_rsa", "secrets/private-key").unwrap();
    assert_eq!((key["line"].as_u64(), key["severity"].as_str()), (Some(1), Some("error")));
    let gh = finding(&all, ".env", "secrets/github-token").unwrap();
    assert_eq!((gh["line"].as_u64(), gh["severity"].as_str()), (Some(2), Some("error")));
    let log = finding(&all, "web/app.js", "debug/console").unwrap();
    assert_eq!((log["line"].as_u64(), log["severity"].as_str()), (Some(2), Some("warning")));
    assert!(finding(&all, "src/app.py", "tests/missing").is_some(), "{json:#}");
    assert_eq!(json["summary"]["errors"], 3, "{json:#}");

    // The same review for people: a summary line and a table, exit 1.
    let run = grove(repo.path(), &["run", "code-review"]).expect(1);
    assert!(run.stdout.starts_with("3 errors, "), "{}", run.stdout);
    assert!(
        run.stdout.contains("| error | `src/app.py:4` | `secrets/aws-access-key-id` |"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(&github_token()), "{}", run.stdout);
}

#[test]
fn code_review_is_quiet_on_hashes_uuids_and_placeholders() {
    let repo = grove_tests::repo_with(&[("README.md", "# x\n")]);
    let lines = [
        "const COMMIT = \"3b51cb0a9f1e2d4c5b6a7980f1e2d3c4b5a69788\";",
        "const DIGEST = \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\";",
        "const ID = \"123e4567-e89b-12d3-a456-426614174000\";",
        "const SHORT = \"3b51cb0\";",
        "const API_KEY = process.env.API_KEY;",
        "const password = \"<your-password>\";",
        "const token = \"${GITHUB_TOKEN}\";",
        "const secret = \"changeme\";",
        "const mask = \"xxxxxxxxxxxxxxxx\";",
        "export { COMMIT, DIGEST, ID, SHORT, API_KEY, password, token, secret, mask };",
    ];
    grove_tests::write(repo.path(), "web/constants.ts", &(lines.join("\n") + "\n"));
    grove_tests::write(repo.path(), "web/constants.test.ts", "it('has constants', () => {});\n");
    grove_tests::write(repo.path(), "web/package.json", "{ \"name\": \"web\" }\n");
    grove_tests::write(
        repo.path(),
        "web/package-lock.json",
        "{\n  \"packages\": {\n    \"node_modules/left-pad\": {\n      \"version\": \"1.3.0\",\n      \"integrity\": \"sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQx/Km7ntAUx0ORvhBtqbf+nbtyn4TeO+7jO5LRzo/RF7cjWA==\"\n    }\n  }\n}\n",
    );
    grove_tests::write(
        repo.path(),
        "go.sum",
        "golang.org/x/text v0.3.0 h1:g61tztE5qeGQ89tm6NTjjM9VPIm088od1l6aSorWRWG=\n",
    );
    grove_tests::write(repo.path(), "go.mod", "module x\n");

    let run = grove(repo.path(), &["run", "code-review", "--json"]).expect(0);
    let all = findings(&run);
    let secrets: Vec<_> =
        all.iter().filter(|f| f["rule"].as_str().unwrap().starts_with("secrets/")).collect();
    assert!(secrets.is_empty(), "{secrets:#?}");
    assert_eq!(run.json()["summary"]["errors"], 0);
}

#[test]
fn code_review_over_commits_with_base_and_strict() {
    let repo = grove_tests::repo_with(&[("src/lib.rs", "pub fn one() -> u32 {\n    1\n}\n")]);
    let first = head(repo.path());
    grove_tests::write(
        repo.path(),
        "src/lib.rs",
        &format!("pub fn one() -> u32 {{\n    1\n}}\n\npub const KEY: &str = \"{}\";\n", github_token()),
    );
    commit(repo.path(), "add a key");

    // The worktree is clean: nothing to review against HEAD.
    let run = grove(repo.path(), &["run", "code-review"]).expect(0);
    assert!(run.stdout.starts_with("nothing to review"), "{}", run.stdout);

    // Against the first commit, the committed key shows.
    for base in [first.as_str(), "HEAD~1"] {
        let run = grove(repo.path(), &["run", "code-review", "--json", "--base", base]).expect(1);
        assert_eq!(run.json()["base"], base);
        let all = findings(&run);
        let gh = finding(&all, "src/lib.rs", "secrets/github-token").unwrap_or_else(|| panic!("{all:#?}"));
        assert_eq!(gh["line"], 5);
    }
    let run = grove(repo.path(), &["run", "code-review", "--base", "no-such-branch"]).expect(1);
    assert!(run.stderr.contains("no-such-branch"), "{}", run.stderr);

    // Warnings alone pass, unless --strict.
    grove_tests::write(repo.path(), "src/lib.rs", "pub fn one() -> u32 {\n    dbg!(1)\n}\n");
    let run = grove(repo.path(), &["run", "code-review", "--json"]).expect(0);
    assert!(finding(&findings(&run), "src/lib.rs", "debug/dbg").is_some(), "{}", run.stdout);
    let run = grove(repo.path(), &["run", "code-review", "--strict"]).expect(1);
    assert!(run.stdout.contains("--strict"), "{}", run.stdout);
}

#[test]
fn code_review_sarif_is_valid_sarif_2_1_0() {
    let repo = grove_tests::repo_with(&[("src/app.py", "x = 1\n")]);
    grove_tests::write(repo.path(), "src/app.py", &format!("x = 1\nkey = \"{}\"\n", aws_key_id()));
    grove_tests::write(repo.path(), "assets/my logo.png", "\u{0}\u{1}\u{2}binary\u{0}");
    let run = grove(repo.path(), &["run", "code-review", "--json", "--sarif"]).expect(1);
    let sarif = run.json();

    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the vendored schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}\n{sarif:#}", errors.join("\n"));

    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let aws = results.iter().find(|r| r["ruleId"] == "secrets/aws-access-key-id").unwrap();
    assert_eq!(aws["level"], "error");
    let location = &aws["locations"][0]["physicalLocation"];
    assert_eq!(
        (location["artifactLocation"]["uri"].as_str(), location["region"]["startLine"].as_u64()),
        (Some("src/app.py"), Some(2))
    );
    let binary = results.iter().find(|r| r["ruleId"] == "files/binary").unwrap();
    assert_eq!(binary["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "assets/my%20logo.png");

    // The schema is not a rubber stamp.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));

    let run = grove(repo.path(), &["run", "code-review", "--sarif"]).expect(2);
    assert!(run.stderr.contains("--json --sarif"), "{}", run.stderr);
}

const DESIGN_CONFIG: &str = "[design]\ndesigners = [\"Dana Designer <dana@example.com>\", \"sam@example.com\"]\ncomponents = [\"src/components/**\"]\n";

/// A repository with a stylesheet, a component and the design config.
fn design_repo(config: Option<&str>) -> tempfile::TempDir {
    let mut files = vec![
        ("web/app.css", "body { margin: 0; }\n"),
        ("src/components/Button.tsx", "export const Button = () => <button className=\"p-2\">Go</button>;\n"),
        ("src/api.ts", "export const get = (u: string) => fetch(u);\n"),
    ];
    if let Some(config) = config {
        files.push((".grove/config.toml", config));
    }
    grove_tests::repo_with(&files)
}

#[test]
fn designer_check_without_design_changes_or_configuration() {
    let repo = design_repo(Some(DESIGN_CONFIG));
    grove_tests::write(
        repo.path(),
        "src/api.ts",
        "export const get = (u: string) => fetch(u, { cache: 'no-store' });\n",
    );
    let run = grove(repo.path(), &["run", "designer-check"]).expect(0);
    assert!(run.stdout.starts_with("no design changes"), "{}", run.stdout);

    let repo = design_repo(None);
    grove_tests::write(repo.path(), "web/app.css", "body { margin: 0; padding: 4px; }\n");
    let run = grove(repo.path(), &["run", "designer-check", "--json"]).expect(1);
    let json = run.json();
    assert_eq!(json["verdict"], "not-configured");
    assert_eq!(json["changes"][0]["path"], "web/app.css");
    assert_eq!(json["changes"][0]["kind"], "stylesheet");
    assert_eq!(json["changes"][0]["line"], 1);
    let run = grove(repo.path(), &["run", "designer-check"]).expect(1);
    assert!(run.stdout.contains("no designers are configured"), "{}", run.stdout);
    assert!(run.stdout.contains("[design]\ndesigners = "), "{}", run.stdout);
}

#[test]
fn designer_check_with_and_without_a_designers_trailer() {
    let repo = design_repo(Some(DESIGN_CONFIG));
    let base = head(repo.path());
    grove_tests::write(
        repo.path(),
        "src/components/Button.tsx",
        "export const Button = () => <button className=\"p-4 rounded\">Go</button>;\n",
    );
    grove_tests::write(repo.path(), "web/app.css", "body { margin: 0; font-family: Inter; }\n");
    grove_tests::write(
        repo.path(),
        "public/icons/close.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    commit(repo.path(), "Restyle the button");

    // Missing: every design change listed, exit 1.
    let run = grove(repo.path(), &["run", "designer-check", "--json", "--base", &base]).expect(1);
    let json = run.json();
    assert_eq!(json["verdict"], "missing-sign-off", "{json:#}");
    let kinds: Vec<(String, String)> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["path"].as_str().unwrap().into(), c["kind"].as_str().unwrap().into()))
        .collect();
    for (path, kind) in [
        ("src/components/Button.tsx", "component"),
        ("src/components/Button.tsx", "class-names"),
        ("web/app.css", "stylesheet"),
        ("public/icons/close.svg", "icon"),
    ] {
        assert!(kinds.contains(&(path.into(), kind.into())), "{path} {kind} in {kinds:?}");
    }

    // A trailer by someone not on the list does not count, and says so.
    commit(repo.path(), "Looks fine\n\nDesign-Reviewed-by: Eve Example <eve@example.com>\n");
    let run = grove(repo.path(), &["run", "designer-check", "--json", "--base", &base]).expect(1);
    let signoff = &run.json()["signoffs"][0];
    assert_eq!(signoff["who"], "Eve Example <eve@example.com>");
    assert_eq!(signoff["counts"], false);
    assert!(signoff["reason"].as_str().unwrap().contains("not on the designers list"), "{signoff}");
    let run = grove(repo.path(), &["run", "designer-check", "--base", &base]).expect(1);
    assert!(run.stdout.contains("Eve Example <eve@example.com>"), "{}", run.stdout);
    assert!(run.stdout.contains("does not count: not on the designers list"), "{}", run.stdout);

    // The designer's trailer counts.
    commit(repo.path(), "Design review\n\nDesign-Reviewed-by: Dana Designer <dana@example.com>\n");
    let run = grove(repo.path(), &["run", "designer-check", "--base", &base]).expect(0);
    assert!(run.stdout.contains("signed off by Dana Designer <dana@example.com>"), "{}", run.stdout);

    // A design change after the sign-off needs another.
    grove_tests::write(repo.path(), "web/app.css", "body { margin: 0; font-family: serif; }\n");
    commit(repo.path(), "Serif after all");
    let run = grove(repo.path(), &["run", "designer-check", "--json", "--base", &base]).expect(1);
    let json = run.json();
    let dana = json["signoffs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["who"].as_str().unwrap().contains("Dana"))
        .unwrap();
    assert!(dana["reason"].as_str().unwrap().contains("web/app.css"), "{dana}");
}

#[test]
fn designer_check_with_a_signoff_file() {
    let repo = design_repo(Some(DESIGN_CONFIG));
    grove_tests::write(repo.path(), "web/app.css", "body { margin: 0; color: #222; }\n");
    grove_tests::write(repo.path(), "public/hero.png", "\u{0}PNG\u{0}\u{0}");
    let run = grove(repo.path(), &["run", "designer-check"]).expect(1);
    assert!(run.stdout.contains("with no designer's sign-off"), "{}", run.stdout);

    grove_tests::write(repo.path(), ".grove/design-signoff", "# design reviews\nsam@example.com\n");
    let run = grove(repo.path(), &["run", "designer-check", "--json"]).expect(0);
    let json = run.json();
    assert_eq!(json["verdict"], "signed-off");
    assert_eq!(json["signoffs"][0]["file"], ".grove/design-signoff");
    assert_eq!(json["signoffs"][0]["line"], 2);

    // Someone else's name in the file does not count.
    grove_tests::write(repo.path(), ".grove/design-signoff", "mallory@example.com\n");
    grove(repo.path(), &["run", "designer-check"]).expect(1);

    // A sign-off file tied to a commit covers what was committed up to it.
    let base = head(repo.path());
    commit(repo.path(), "Darker text");
    let reviewed = head(repo.path());
    grove_tests::write(
        repo.path(),
        ".grove/design-signoff",
        &format!("Dana Designer <dana@example.com> {}\n", &reviewed[..10]),
    );
    grove(repo.path(), &["run", "designer-check", "--base", &base]).expect(0);
    grove_tests::write(repo.path(), "web/app.css", "body { margin: 0; color: #000; }\n");
    let run = grove(repo.path(), &["run", "designer-check", "--base", &base]).expect(1);
    assert!(run.stdout.contains("design files changed after it: web/app.css"), "{}", run.stdout);
}

#[test]
fn both_skills_review_a_session_since_it_started() {
    let repo = grove_tests::repo_with(&[
        ("README.md", "# project\n"),
        // The sessions' first runs fail: a design config that does not parse,
        // and a project policy that refuses git reads.
        (".grove/config.toml", "[design\n"),
        (
            ".grove/policy.toml",
            "[[rules]]\nverdict = \"deny\"\ncapability = \"git\"\nskill = \"code-review\"\nreason = \"not yet\"\n",
        ),
    ]);
    let home = tempfile::tempdir().unwrap();
    let cmd = || grove_cmd(repo.path(), home.path());
    for (name, skill) in [("look", "designer-check"), ("rev", "code-review")] {
        grove_with(cmd(), &["new", name, "--task", "review", "--skill", skill], None).expect(0);
        let row = wait_final(cmd, name);
        assert_eq!(row["state"], "failed", "{row}");
    }

    // Work committed in each session's worktree after it started.
    let look = crate::support::session_row(cmd(), "look");
    let look = Path::new(look["path"].as_str().unwrap());
    grove_tests::write(look, ".grove/config.toml", DESIGN_CONFIG);
    grove_tests::write(look, "web/app.css", "a { color: red; }\n");
    commit(look, "Style links\n\nDesign-Reviewed-by: Dana Designer <dana@example.com>\n");

    let rev = crate::support::session_row(cmd(), "rev");
    let rev = Path::new(rev["path"].as_str().unwrap());
    // The user lifts the policy that held the review back (in their
    // checkout: a session's own copy is not what it is judged by).
    std::fs::remove_file(repo.path().join(".grove/policy.toml")).unwrap();
    grove_tests::write(rev, "src/keys.py", &format!("KEY = \"{}\"\n", aws_key_id()));
    commit(rev, "Add keys");

    for name in ["look", "rev"] {
        grove_with(cmd(), &["resume", name], None).expect(0);
    }
    let look = wait_final(cmd, "look");
    assert_eq!(look["state"], "done", "{look}");
    let summary = look["summary"].as_str().unwrap();
    assert!(
        summary.contains("signed off by Dana Designer") && summary.contains("session look since it started"),
        "{look}"
    );
    let rev = wait_final(cmd, "rev");
    assert_eq!(rev["state"], "failed", "{rev}");
    let summary = rev["summary"].as_str().unwrap_or_default();
    assert!(summary.starts_with("1 error") && summary.contains("session rev since it started"), "{rev}");
}

#[test]
fn designer_check_challenges_an_unsigned_design_with_a_session_that_drafts_another() {
    use grove_tests::model_server::Reply;
    let lab = crate::support::Lab::new(
        &[
            ("web/app.css", "body { margin: 0; }\n"),
            ("tokens.json", "{\"color\": {\"brand\": \"#0a7\"}}\n"),
            (".grove/config.toml", DESIGN_CONFIG),
            (".grove/design-guidance.md", "Prefer whitespace to borders.\n"),
        ],
        vec![Reply::anthropic().text("A calmer design, with whitespace instead of borders.").into()],
    );
    grove_tests::write(lab.root(), "web/app.css", "body { margin: 0; border: 4px solid red; }\n");
    let run = lab.grove(&["run", "designer-check", "--challenge"]).expect(1);
    assert!(run.stdout.contains("session `design-challenge` drafts a different design"), "{}", run.stdout);
    // Nobody is there to let it open a pull request: it starts without.
    assert!(run.stdout.contains("not allowed"), "{}", run.stdout);
    assert!(
        run.stdout.contains("open it by hand with `grove pr design-challenge --draft`"),
        "{}",
        run.stdout
    );
    let row = lab.wait_final("design-challenge");
    assert_eq!(row["state"], "done", "{row}");
    // The agent was asked for another design of the same change, with the
    // tokens and the designers' guidance.
    let asked = &lab.requests()[0].raw_body;
    for part in
        ["Draft a different design", "web/app.css (stylesheet, lines 1)", "tokens.json", "Prefer whitespace"]
    {
        assert!(asked.contains(part), "{part} not in {asked}");
    }
    // Without --challenge, or with a sign-off, nothing is started.
    lab.grove(&["run", "designer-check"]).expect(1);
    assert_eq!(lab.grove(&["ls", "--json"]).expect(0).json().as_array().unwrap().len(), 1);
}
