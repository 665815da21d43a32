//! `grove pr`, the `review` capability and `code-review --model`, on real
//! repositories: a local bare repository as `origin`, the GitHub REST test
//! server (`grove_tests::github_server`) as the API, real sessions, real
//! skills. What the server received is what is asserted on.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use grove_tests::git_https::GitHttps;
use grove_tests::github_server::{GITHUB_VARS, GitHubServer};
use grove_tests::model_server::Reply;
use serde_json::json;
use tempfile::TempDir;

use crate::support::{Lab, Run, grove_cmd, grove_with, probe, wait_final};

/// The token the server accepts. Not in any real token's form.
const TOKEN: &str = "test-token-Vq83-for-the-github-server";
/// What a GIF of the session shows.
const GIF: &str = "GIF89a the button turns green";

/// A repository whose `origin` is a bare repository the server reads, a
/// private home, and the server.
pub(crate) struct Hub {
    dir: TempDir,
    /// The folder holding the bare repository `shop.git`.
    bare: TempDir,
    pub(crate) home: TempDir,
    pub(crate) server: GitHubServer,
    /// The branch the repository starts on (the server's default).
    main: String,
}

impl Hub {
    pub(crate) fn new() -> Hub {
        Hub::with(&[])
    }

    /// A hub whose repository holds `files` beside the usual ones (a file
    /// of the same path replaces the usual one).
    pub(crate) fn with(files: &[(&str, &str)]) -> Hub {
        let mut all = vec![
            ("README.md", "# shop\n"),
            ("CODEOWNERS", "*        @lead\n/web/    @web-lead @acme/frontend\n"),
            (".grove/config.toml", "[github]\nrepo = \"acme/shop\"\n"),
            ("web/app.js", "export function go() {\n  return 1;\n}\n"),
        ];
        all.retain(|(path, _)| !files.iter().any(|(given, _)| given == path));
        all.extend_from_slice(files);
        let dir = grove_tests::repo_with(&all);
        let bare = tempfile::tempdir().unwrap();
        let shop = bare.path().join("shop.git");
        git2::Repository::init_bare(&shop).unwrap();
        let repo = git2::Repository::open(dir.path()).unwrap();
        repo.remote("origin", shop.to_str().unwrap()).unwrap();
        let main = repo.head().unwrap().shorthand().unwrap().to_string();
        git(dir.path(), &["push", "-q", "origin", &main]);
        let server = GitHubServer::start("acme", "shop", TOKEN, Some(shop));
        server.set_default_branch(&main);
        Hub { dir, bare, home: tempfile::tempdir().unwrap(), server, main }
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `grove`, pointed at the server with the token.
    pub(crate) fn cmd(&self) -> Command {
        let mut cmd = grove_cmd(self.root(), self.home.path());
        for var in GITHUB_VARS {
            cmd.env_remove(var);
        }
        cmd.env("GROVE_GITHUB_API", self.server.url()).env("GH_TOKEN", TOKEN);
        cmd
    }

    pub(crate) fn grove(&self, args: &[&str]) -> Run {
        grove_with(self.cmd(), args, None)
    }

    /// `grove` with Slack set up too.
    fn with_slack(&self, slack: &grove_tests::slack_server::SlackServer) -> Command {
        let mut cmd = self.cmd();
        cmd.env("SLACK_BOT_TOKEN", crate::notify::TOKEN).env("GROVE_SLACK_API", slack.url());
        cmd
    }

    /// Session `name`: a GIF in its evidence (the probe adds it), a change
    /// committed in its worktree with a debug line at web/app.js:3, and the
    /// code review of it in its evidence too.
    pub(crate) fn session(&self, name: &str) -> PathBuf {
        let run = self.grove(&[
            "new",
            name,
            "--task",
            "Make the button green",
            "--skill",
            probe(),
            "--allow",
            "ui",
            "--",
            "evidence",
            "gif",
            "the button works",
            GIF,
        ]);
        run.expect(0);
        let row = wait_final(|| self.cmd(), name);
        assert_eq!(row["state"], "done", "{row}");
        let worktree = PathBuf::from(row["path"].as_str().unwrap());
        grove_tests::write(
            &worktree,
            "web/app.js",
            "export function go() {\n  const green = true;\n  console.log('here');\n  return green;\n}\n",
        );
        let repo = git2::Repository::open(&worktree).unwrap();
        grove_tests::commit_all(&repo, "Green button");
        self.grove(&["run", "code-review", "--session", name]).expect(0);
        worktree
    }

    pub(crate) fn bare(&self) -> git2::Repository {
        git2::Repository::open_bare(self.bare.path().join("shop.git")).unwrap()
    }

    /// The bytes of `path` on `branch` of the bare repository.
    pub(crate) fn on_remote(&self, branch: &str, path: &str) -> Option<Vec<u8>> {
        let bare = self.bare();
        let tree = bare.find_reference(&format!("refs/heads/{branch}")).ok()?.peel_to_tree().ok()?;
        let entry = tree.get_path(Path::new(path)).ok()?;
        Some(bare.find_blob(entry.id()).ok()?.content().to_vec())
    }

    pub(crate) fn remote_branch(&self, branch: &str) -> Option<String> {
        let bare = self.bare();
        let id = bare.find_reference(&format!("refs/heads/{branch}")).ok()?.target()?;
        Some(id.to_string())
    }
}

pub(crate) fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git").args(args).current_dir(dir).output().expect("git is installed");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn head_of(worktree: &Path) -> String {
    git2::Repository::open(worktree).unwrap().head().unwrap().target().unwrap().to_string()
}

#[test]
fn a_session_becomes_a_pull_request_that_carries_its_evidence() {
    let hub = Hub::new();
    let worktree = hub.session("green");
    let head = head_of(&worktree);

    let run = hub.grove(&["pr", "green", "--reviewer", "carol", "--json"]).expect(0);
    let json = run.json();
    assert_eq!(json["number"], 1, "{json}");
    assert_eq!(json["created"], true);
    assert_eq!(json["url"], format!("{}/acme/shop/pull/1", hub.server.url()));
    assert!(run.stderr.contains("grove pr: pushing grove/green to origin"), "{}", run.stderr);

    // The branch and the evidence are on the remote.
    assert_eq!(hub.remote_branch("grove/green").as_deref(), Some(head.as_str()));
    let gif =
        hub.on_remote("grove-evidence", "green/001-the-button-works.gif").expect("the GIF is published");
    assert_eq!(gif, GIF.as_bytes());
    assert!(hub.on_remote("grove-evidence", "green/manifest.json").is_none(), "only the evidence files");

    // The body: task, verdicts, the diff stat, the GIF inline from the evidence branch.
    let pulls = hub.server.pulls();
    assert_eq!(pulls.len(), 1);
    let pull = &pulls[0];
    assert_eq!(
        (pull.head.as_str(), pull.base.as_str(), pull.head_sha.as_str()),
        ("grove/green", hub.main.as_str(), head.as_str())
    );
    assert_eq!(pull.title, "Make the button green");
    let gif_url = format!("{}/acme/shop/raw/grove-evidence/green/001-the-button-works.gif", hub.server.url());
    assert!(pull.body.contains(&format!("![the button works]({gif_url})")), "{}", pull.body);
    assert!(pull.body.contains("> Make the button green"), "{}", pull.body);
    assert!(pull.body.contains("| `grove/code-review` | ✅ pass |"), "{}", pull.body);
    assert!(pull.body.contains("| `web/app.js` | 3 | 1 |"), "{}", pull.body);
    // The link is served: the raw file is the GIF.
    let raw = crate::serve::Http::fetch(&gif_url);
    assert_eq!((raw.status, raw.body.as_str()), (200, GIF));

    // Reviewers: CODEOWNERS of the changed file (last rule wins) and --reviewer.
    assert_eq!(pull.reviewers, ["web-lead", "carol"]);
    assert_eq!(pull.teams, ["frontend"]);

    // A status per verdict, on the head.
    let statuses = hub.server.statuses();
    let contexts: Vec<(&str, &str)> =
        statuses.iter().map(|s| (s.context.as_str(), s.state.as_str())).collect();
    assert_eq!(contexts, [("grove/checks", "success"), ("grove/code-review", "success")]);
    assert!(statuses.iter().all(|s| s.sha == head));

    // The findings with a line, as comments of one review on their lines.
    let comments = hub.server.line_comments();
    let placed: Vec<(&str, u32, &str)> =
        comments.iter().map(|c| (c.path.as_str(), c.line, c.side.as_str())).collect();
    assert_eq!(placed, [("web/app.js", 2, "RIGHT"), ("web/app.js", 3, "RIGHT")], "{comments:?}");
    assert!(comments[1].body.contains("`debug/console`") && comments[1].body.contains("<!-- grove:finding "));
    assert!(comments[0].body.contains("`tests/missing`"));
    assert_eq!(hub.server.reviews().len(), 1);

    // GitHub's headers on every request.
    for request in hub.server.requests().iter().filter(|r| !r.path.contains("/raw/")) {
        assert_eq!(request.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
        assert_eq!(request.header("accept"), Some("application/vnd.github+json"));
        assert_eq!(request.header("x-github-api-version"), Some("2022-11-28"));
        assert!(request.header("user-agent").is_some_and(|ua| ua.starts_with("grove/")));
    }

    // Again: the same pull request, updated; nothing posted twice.
    let again = hub.grove(&["pr", "green", "--json"]).expect(0).json();
    assert_eq!((again["number"].as_u64(), again["created"].as_bool()), (Some(1), Some(false)));
    assert_eq!(hub.server.pulls().len(), 1);
    assert_eq!(hub.server.line_comments().len(), 2, "no repeated comment");
    assert_eq!(hub.server.reviews().len(), 1, "no empty review");
    let patched = hub.server.writes().iter().filter(|r| r.method == "PATCH").count();
    assert_eq!(patched, 1);
}

#[test]
fn a_missing_or_revoked_token_changes_nothing() {
    let hub = Hub::new();
    let worktree = hub.session("green");
    let head = head_of(&worktree);
    let before = hub.grove(&["ls", "--json"]).expect(0).json();

    let mut cmd = hub.cmd();
    cmd.env_remove("GH_TOKEN");
    let run = grove_with(cmd, &["pr", "green"], None).expect(2);
    assert!(run.stderr.contains("there is no GitHub token"), "{}", run.stderr);
    assert!(run.stderr.contains("set GH_TOKEN"), "{}", run.stderr);
    assert!(run.stdout.is_empty());

    hub.server.revoke();
    let run = hub.grove(&["pr", "green"]).expect(2);
    assert!(run.stderr.contains("Bad credentials"), "{}", run.stderr);
    assert!(run.stderr.contains("revoked"), "{}", run.stderr);
    assert!(!run.stderr.contains(TOKEN), "{}", run.stderr);

    // Nothing pushed, nothing changed, the session as it was.
    assert_eq!(hub.remote_branch("grove/green"), None);
    assert_eq!(hub.remote_branch("grove-evidence"), None);
    assert!(hub.server.writes().is_empty(), "{:?}", hub.server.writes());
    assert_eq!(head_of(&worktree), head);
    assert_eq!(hub.grove(&["ls", "--json"]).expect(0).json(), before);
}

#[test]
fn a_rate_limit_with_retry_after_is_waited_out() {
    let hub = Hub::new();
    hub.session("green");
    hub.server.rate_limit_next(429, 1);
    let started = Instant::now();
    hub.grove(&["pr", "green"]).expect(0);
    assert!(started.elapsed() >= Duration::from_secs(1));
    let requests = hub.server.requests();
    assert_eq!(requests[0].path, requests[1].path, "the refused request was sent again");
    assert_eq!(hub.server.pulls().len(), 1);
}

#[test]
fn the_local_backend_writes_the_page_grove_serve_shows() {
    let hub = Hub::new();
    hub.session("green");
    let mut cmd = hub.cmd();
    cmd.env_remove("GH_TOKEN").env_remove("GROVE_GITHUB_API");
    let run = grove_with(cmd, &["pr", "green", "--backend", "local", "--reviewer", "carol"], None).expect(0);
    let index = PathBuf::from(run.stdout.trim());
    let markdown = std::fs::read_to_string(&index).unwrap();
    assert!(markdown.starts_with("# Make the button green\n"), "{markdown}");
    assert!(markdown.contains("![the button works](evidence/001-the-button-works.gif)"), "{markdown}");
    assert_eq!(
        std::fs::read(index.parent().unwrap().join("evidence/001-the-button-works.gif")).unwrap(),
        GIF.as_bytes()
    );
    assert!(hub.server.requests().is_empty(), "offline");
    assert_eq!(hub.remote_branch("grove/green"), None);

    let served = crate::serve::Served::start(hub.cmd());
    let page = served.get("/pr/green");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("Make the button green"), "{}", page.body);
    assert!(page.body.contains("<img src=\"/pr/green/evidence/001-the-button-works.gif\""), "{}", page.body);
    assert!(page.body.contains("<code>carol</code>"), "{}", page.body);
    assert!(page.body.contains("web/app.js:3"), "the review comment: {}", page.body);
    let gif = served.get("/pr/green/evidence/001-the-button-works.gif");
    assert_eq!((gif.status, gif.body.as_str()), (200, GIF));
    assert_eq!(served.get("/pr/nope").status, 404);
}

#[test]
fn skills_reach_the_pull_request_through_the_review_capability() {
    let hub = Hub::new();
    hub.session("green");
    hub.grove(&["pr", "green"]).expect(0);
    // The probe posts one line comment (then a status, a comment, a file).
    let post = |path: &str, line: &str, body: &str| {
        let args = ["run", "--mode", "bypass", "--session", "green", "--allow", "review", probe()];
        hub.grove(&[&args[..], &["review-post", path, line, body]].concat()).expect(0)
    };
    let run = post("web/app.js", "2", "probe says <!-- grove:finding 0 -->");
    assert!(run.stdout.contains("posted=1 already=0 outside=0"), "{}", run.stdout);
    let comments = hub.server.line_comments();
    let probe_comment = comments.iter().find(|c| c.body.contains("probe says")).unwrap();
    assert_eq!((probe_comment.path.as_str(), probe_comment.line), ("web/app.js", 2));
    assert!(probe_comment.body.contains("&lt;!-- grove:finding 0"), "a skill cannot forge a marker");
    assert!(hub.server.statuses().iter().any(|s| s.context == "grove/probe" && s.state == "success"));
    assert_eq!(hub.server.issue_comments()[0].body, "hello from the probe");
    assert!(run.stdout.contains("/acme/shop/raw/grove-evidence/green/probe.txt"), "{}", run.stdout);
    assert_eq!(hub.on_remote("grove-evidence", "green/probe.txt").unwrap(), b"probe evidence");
    assert!(
        hub.on_remote("grove-evidence", "green/001-the-button-works.gif").is_some(),
        "the bundle's files stay"
    );

    // The same comment again is recognised; a line outside the diff is left out.
    let again = post("web/app.js", "2", "probe says <!-- grove:finding 0 -->");
    assert!(again.stdout.contains("posted=0 already=1 outside=0"), "{}", again.stdout);
    let far = post("README.md", "1", "far");
    assert!(far.stdout.contains("posted=0 already=0 outside=1"), "{}", far.stdout);

    // Without the permission, the gate refuses.
    let refused = hub.grove(&["run", "--session", "green", probe(), "review-post", "web/app.js", "2", "x"]);
    assert_ne!(refused.code, 0, "{refused:?}");
}

#[test]
fn the_github_token_never_reaches_the_guest_or_any_output() {
    let hub = Hub::new();
    hub.session("green");
    hub.grove(&["pr", "green"]).expect(0);
    let hide = |s: &str| s.bytes().map(|b| format!("{:02x}", b ^ 0x5a)).collect::<String>();
    let mut cmd = hub.cmd();
    cmd.env("GROVE_LOG", "trace");
    let run = grove_with(
        cmd,
        &["-vv", "run", "--session", "green", "--allow", "review", probe(), "review-scan", &hide(TOKEN)],
        None,
    )
    .expect(0);
    assert!(
        run.stdout.contains("pr=Some(") && run.stdout.contains("token-in-memory=false"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("TRACE") || run.stderr.contains("DEBUG"), "logging was on");
    assert!(!run.stderr.contains(TOKEN) && !run.stdout.contains(TOKEN), "the token was logged");
    // The scan is real: it finds what the guest itself holds.
    let control = hub
        .grove(&[
            "run",
            "--session",
            "green",
            "--allow",
            "review",
            probe(),
            "review-scan",
            &hide("review-scan"),
        ])
        .expect(0);
    assert!(control.stdout.contains("token-in-memory=true"), "{}", control.stdout);

    // Not in a pull request's body, a comment, or any file grove wrote.
    for pull in hub.server.pulls() {
        assert!(!pull.body.contains(TOKEN));
    }
    assert!(hub.server.line_comments().iter().all(|c| !c.body.contains(TOKEN)));
    let worktree = crate::support::session_row(hub.cmd(), "green")["path"].as_str().unwrap().to_string();
    crate::agent::assert_secret_kept(
        TOKEN,
        &[hub.root(), hub.home.path(), hub.bare.path(), Path::new(&worktree)],
    );
}

#[test]
fn a_model_written_review_keeps_only_findings_on_lines_of_the_diff() {
    let lab = Lab::new(
        &[("src/lib.rs", "pub fn total(items: &[u32]) -> u32 {\n    items.iter().sum()\n}\n")],
        vec![],
    );
    grove_tests::write(
        lab.root(),
        "src/lib.rs",
        "pub fn total(items: &[u32]) -> u32 {\n    let mut sum = 0;\n    for i in 0..items.len() - 1 {\n        sum += items[i];\n    }\n    dbg!(sum);\n    sum\n}\n",
    );
    let finding = |line: u32, message: &str| json!({"path": "src/lib.rs", "line": line, "severity": "error", "message": message, "suggestion": "iterate with `for item in items`"});
    lab.server.push(
        Reply::anthropic()
            .tool_use(
                "toolu_1",
                "report_findings",
                json!({"findings": [
                    finding(3, "the loop skips the last item"),
                    finding(40, "a line the diff does not show"),
                    json!({"path": "src/other.rs", "line": 1, "severity": "warning", "message": "a file the diff does not touch"}),
                    finding(6, "the same line a rule found"),
                ]}),
            )
            .usage(1200, 300)
            .into(),
    );
    let run = lab.grove(&["run", "code-review", "--model", "--json"]);
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    let by_model: Vec<&serde_json::Value> = findings.iter().filter(|f| f["rule"] == "model/review").collect();
    assert_eq!(by_model.len(), 1, "{json:#}");
    assert_eq!((by_model[0]["line"].as_u64(), by_model[0]["severity"].as_str()), (Some(3), Some("error")));
    assert_eq!(by_model[0]["suggestion"], "iterate with `for item in items`");
    assert!(
        findings.iter().any(|f| f["rule"] == "debug/dbg" && f["line"] == 6),
        "the rule's own finding: {json:#}"
    );
    assert_eq!(json["model"]["kept"], 1);
    assert_eq!(json["model"]["outside_the_diff"], 2);
    assert_eq!(json["model"]["duplicates"], 1);
    assert_eq!(json["model"]["output_tokens"], 300);
    assert_eq!(run.code, 1, "the model's error fails the review: {}", run.stderr);
    // The deep tier was asked, with the diff and the tool.
    let request = &lab.requests()[0];
    assert_eq!(request.body["tools"][0]["name"], "report_findings");
    assert!(request.body["messages"][0]["content"].to_string().contains("for i in 0..items.len() - 1"));
}

#[test]
fn code_review_posts_the_models_findings_on_the_sessions_pull_request() {
    let hub = Hub::new();
    hub.session("green");
    hub.grove(&["pr", "green"]).expect(0);
    assert_eq!(hub.server.line_comments().len(), 2, "the rules' findings, posted by grove pr");

    let model = grove_tests::model_server::ModelServer::start(vec![
        Reply::anthropic()
            .tool_use(
                "toolu_1",
                "report_findings",
                json!({"findings": [
                    {"path": "web/app.js", "line": 4, "severity": "warning", "message": "`green` is always true", "suggestion": "compute it"},
                    {"path": "web/app.js", "line": 9, "severity": "warning", "message": "past the end of the file"},
                ]}),
            )
            .into(),
    ]);
    let mut cmd = hub.cmd();
    for var in grove_tests::model_server::PROVIDER_VARS {
        cmd.env_remove(var);
    }
    cmd.env("ANTHROPIC_BASE_URL", model.url()).env("ANTHROPIC_API_KEY", crate::support::KEY);
    let run = grove_with(
        cmd,
        &["run", "--mode", "bypass", "code-review", "--session", "green", "--model", "--post"],
        None,
    )
    .expect(0);
    // The rules' comments are recognised as posted: the same text grove pr
    // posts; only the model's new one goes up.
    assert!(
        run.stdout.contains("posted 1 comment on #1 (2 posted before, 0 outside the diff)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("model review ("), "the cost is told: {}", run.stdout);
    let comments = hub.server.line_comments();
    assert_eq!(comments.len(), 3);
    let by_model = &comments[2];
    assert_eq!((by_model.path.as_str(), by_model.line), ("web/app.js", 4));
    assert!(
        by_model.body.contains("(the model's review)") && by_model.body.contains("Suggestion: compute it"),
        "{}",
        by_model.body
    );
    assert_eq!(hub.server.reviews().len(), 2);
}

#[test]
fn a_skill_pushes_only_the_branch_it_works_on() {
    let hub = Hub::new();
    hub.session("green");
    // The user's own main moves on locally; a skill must not publish it.
    grove_tests::write(hub.root(), "NOTES.md", "not for the remote yet\n");
    grove_tests::commit_all(&git2::Repository::open(hub.root()).unwrap(), "local only");
    let origin_main = hub.remote_branch(&hub.main);
    let open = |head: &str| {
        let args = [
            "run",
            "--mode",
            "bypass",
            "--session",
            "green",
            "--allow",
            "review",
            probe(),
            "review-open",
            "t",
            "b",
            head,
        ];
        hub.grove(&args)
    };
    let attack = open(&hub.main);
    assert_ne!(attack.code, 0, "{attack:?}");
    assert!(attack.stdout.contains("not `") || attack.stderr.contains("not `"), "{attack:?}");
    assert_eq!(hub.remote_branch(&hub.main), origin_main, "main was not pushed");
    assert!(hub.server.pulls().is_empty());

    // Its own branch it may open, and opening again updates.
    let first = open("").expect(0);
    assert!(first.stdout.contains("#1 created=true"), "{}", first.stdout);
    assert!(hub.remote_branch("grove/green").is_some());
    let second = open("grove/green").expect(0);
    assert!(second.stdout.contains("#1 created=false"), "{}", second.stdout);
    assert_eq!(hub.server.pulls().len(), 1);
}

#[test]
fn the_reviewers_hear_of_it_on_slack_with_the_first_gif() {
    use crate::notify::TOKEN as SLACK_TOKEN;
    let hub = Hub::new();
    let routing = "[github]\nrepo = \"acme/shop\"\n\n[notify]\non-call = \"#oncall\"\n\n[notify.people]\n\
                   web-lead = \"wl@example.com\"\ncarol = \"carol@example.com\"\n\"acme/frontend\" = \"#frontend\"\n";
    grove_tests::write(hub.root(), ".grove/config.toml", routing);
    git(hub.root(), &["commit", "-qam", "routing"]);
    let slack = grove_tests::slack_server::SlackServer::start(SLACK_TOKEN);
    let lead = slack.add_user("wl@example.com", "wl");
    let carol = slack.add_user("carol@example.com", "carol");
    slack.add_channel("frontend");
    slack.add_channel("oncall");
    hub.session("green");

    let run =
        grove_with(hub.with_slack(&slack), &["pr", "green", "--reviewer", "carol", "--json"], None).expect(0);
    let json = run.json();
    let notified = json["notified"].as_array().unwrap_or_else(|| panic!("{json}"));
    assert_eq!(notified.len(), 3, "{json}");
    let link = format!("<{}/acme/shop/pull/1|#1>", hub.server.url());
    for user in [&lead, &carol] {
        let dm = slack.dm_of(user).expect("a direct message");
        let messages = slack.messages_in(&dm);
        assert!(messages[0].text.contains(&link), "{messages:?}");
        let upload = slack.uploads().into_iter().find(|u| u.channel.as_deref() == Some(&dm)).unwrap();
        assert_eq!(upload.bytes, GIF.as_bytes(), "the first GIF of the evidence");
    }

    // --no-notify tells nobody; without a Slack token nobody is told either.
    let before = slack.messages().len();
    let quiet = grove_with(hub.with_slack(&slack), &["pr", "green", "--no-notify", "--json"], None).expect(0);
    assert_eq!(quiet.json()["notified"], serde_json::Value::Null);
    hub.grove(&["pr", "green", "--json"]).expect(0);
    assert_eq!(slack.messages().len(), before);

    // A revoked Slack token: the pull request stays, the error says how to tell them again.
    slack.revoke();
    let failed = grove_with(hub.with_slack(&slack), &["pr", "green"], None);
    assert_ne!(failed.code, 0);
    assert!(failed.stdout.contains("/acme/shop/pull/1"), "the address first: {}", failed.stdout);
    assert!(failed.stderr.contains("grove notify handoff"), "{}", failed.stderr);
    assert_eq!(hub.server.pulls().len(), 1);
}

#[test]
fn a_design_change_without_a_sign_off_fails_its_status_is_listed_and_the_designers_are_asked() {
    use crate::notify::TOKEN as SLACK_TOKEN;
    let hub = Hub::new();
    let config = "[github]\nrepo = \"acme/shop\"\n\n[design]\ndesigners = [\"Dana Designer <dana@example.com>\"]\n\n\
                  [notify]\non-call = \"#oncall\"\n\n[notify.people]\nweb-lead = \"wl@example.com\"\n\"acme/frontend\" = \"#frontend\"\n";
    grove_tests::write(hub.root(), ".grove/config.toml", config);
    git(hub.root(), &["commit", "-qam", "designers"]);
    let slack = grove_tests::slack_server::SlackServer::start(SLACK_TOKEN);
    let dana = slack.add_user("dana@example.com", "dana");
    slack.add_user("wl@example.com", "wl");
    slack.add_channel("frontend");
    slack.add_channel("oncall");
    let worktree = hub.session("look");
    grove_tests::write(&worktree, "web/app.css", "button { color: rebeccapurple }\n");
    grove_tests::commit_all(&git2::Repository::open(&worktree).unwrap(), "A purple button");
    hub.grove(&["run", "designer-check", "--session", "look"]).expect(1);

    let run = grove_with(hub.with_slack(&slack), &["pr", "look", "--json"], None).expect(0);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(said.contains("grove pr: design changes without a sign-off"), "{said}");

    let design: Vec<_> =
        hub.server.statuses().into_iter().filter(|s| s.context == "design/sign-off").collect();
    assert_eq!(design.len(), 1, "{:?}", hub.server.statuses());
    assert_eq!(design[0].state, "failure");
    let comments = hub.server.issue_comments();
    let listed =
        comments.iter().find(|c| c.body.contains("Design sign-off needed")).expect("the design comment");
    assert!(listed.body.contains("| `web/app.css` | stylesheet |"), "{}", listed.body);

    // Dana is asked directly, with the link.
    let dm = slack.dm_of(&dana).expect("a direct message to the designer");
    let messages = slack.messages_in(&dm);
    assert!(messages[0].text.contains("without a designer's sign-off"), "{messages:?}");
    assert!(messages[0].text.contains("/acme/shop/pull/1"), "{messages:?}");

    // The challenge: another design of the same change, drafted in a
    // sub-session, opened as a draft linked both ways.
    let model = grove_tests::model_server::ModelServer::start(vec![
        Reply::anthropic()
            .tool_use(
                "w",
                "write_file",
                json!({"path": "web/app.css", "content": "button { color: #0a7 }\n"}),
            )
            .into(),
        Reply::anthropic().tool_use("c", "commit", json!({"message": "A calmer button"})).into(),
        Reply::anthropic().text("A calmer green button from the tokens.").into(),
    ]);
    let with_model = || {
        let mut cmd = hub.cmd();
        cmd.env("ANTHROPIC_BASE_URL", model.url()).env("ANTHROPIC_API_KEY", crate::support::KEY);
        cmd
    };
    // The user lets designer-check open the draft without asking; the
    // challenge's runner opens it once the draft is done.
    let allow = "[[rules]]\nverdict = \"allow\"\nskill = \"designer-check\"\ncapability = \"review\"\n";
    grove_tests::write(hub.home.path(), "grove/policy.toml", allow);
    let check =
        grove_with(with_model(), &["run", "designer-check", "--session", "look", "--challenge"], None);
    assert!(check.stdout.contains("session `look-challenge`"), "{}{}", check.stdout, check.stderr);
    let row = wait_final(with_model, "look-challenge");
    assert_eq!((row["state"].as_str(), row["parent"].as_str()), (Some("done"), Some("look")), "{row}");
    assert_eq!(row["follow_ups"][0]["step"], "pr-draft", "{row}");
    assert!(row["follow_ups"][0]["note"].as_str().unwrap().ends_with("/acme/shop/pull/2"), "{row}");
    let pulls = hub.server.pulls();
    let challenge = pulls.iter().find(|p| p.number == 2).unwrap();
    assert!(challenge.draft, "opened as a draft");
    assert!(challenge.body.contains("An alternative to #1"), "{}", challenge.body);
    let linked = hub.server.issue_comments();
    assert!(
        linked.iter().any(|c| c.number == 1 && c.body.contains("An alternative to this pull request: #2")),
        "{linked:?}"
    );
}

/// `origin` of the hub's repository moved to an HTTPS URL of the same bare
/// repository, served by git's own smart HTTP; `grove` trusting its
/// certificate the way git is told to.
fn over_https(hub: &Hub, locked: bool) -> (GitHttps, Command) {
    let https =
        if locked { GitHttps::start_locked(hub.bare.path()) } else { GitHttps::start(hub.bare.path()) };
    git2::Repository::open(hub.root()).unwrap().remote_set_url("origin", &https.url("shop.git")).unwrap();
    let mut cmd = hub.cmd();
    cmd.env("GIT_SSL_CAINFO", https.ca_file());
    (https, cmd)
}

#[test]
fn grove_pr_pushes_to_an_https_remote_with_the_users_git() {
    let hub = Hub::new();
    let worktree = hub.session("green");
    let head = head_of(&worktree);
    let (_https, cmd) = over_https(&hub, false);

    let run = grove_with(cmd, &["pr", "green", "--json"], None).expect(0);
    assert_eq!(run.json()["created"], true, "{}", run.stderr);
    assert_eq!(hub.remote_branch("grove/green").as_deref(), Some(head.as_str()));
    assert_eq!(
        hub.on_remote("grove-evidence", "green/001-the-button-works.gif").as_deref(),
        Some(GIF.as_bytes())
    );
}

#[test]
fn a_remote_that_wants_a_password_fails_at_once_with_a_hint() {
    let hub = Hub::new();
    let worktree = hub.session("green");
    let head = head_of(&worktree);
    let (_https, cmd) = over_https(&hub, true);

    let started = Instant::now();
    let run = grove_with(cmd, &["pr", "green"], None);
    assert_ne!(run.code, 0, "{}", run.stderr);
    // git was told never to prompt: no hang waiting for a password.
    assert!(started.elapsed() < Duration::from_secs(60), "{:?}", started.elapsed());
    assert!(run.stderr.contains(" origin` failed: could not read Username"), "{}", run.stderr);
    assert!(run.stderr.contains("gh auth setup-git"), "{}", run.stderr);
    // Nothing opened, the session's work as it was.
    assert!(hub.server.pulls().is_empty());
    assert_eq!(head_of(&worktree), head);
}
