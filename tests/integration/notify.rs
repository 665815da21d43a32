//! Slack notifications against a server on 127.0.0.1 that speaks the Web
//! API's wire format: the hand-off of a pull request (`grove notify
//! handoff`), `grove notify test`, and the `notify` capability through
//! the probe guest, on real repositories.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use grove_tests::slack_server::SlackServer;
use tempfile::TempDir;

use crate::support::{Run, grove_cmd, grove_with, probe};

/// The bot token the server accepts.
pub const TOKEN: &str = "xoxb-4812-test-Vq93-very-secret";

/// The smallest GIF: one white pixel.
pub const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

/// A repository with a `[notify]` routing, a private home, and Slack.
pub(crate) struct Lab {
    repo: TempDir,
    home: TempDir,
    pub(crate) slack: SlackServer,
}

impl Lab {
    pub(crate) fn new(routing: &str) -> Lab {
        let config = format!("{routing}\n[design]\ndesigners = []\n");
        let lab = Lab {
            repo: grove_tests::repo_with(&[("README.md", "# app\n"), (".grove/config.toml", &config)]),
            home: tempfile::tempdir().unwrap(),
            slack: SlackServer::start(TOKEN),
        };
        lab.slack.add_channel("general");
        lab
    }

    pub(crate) fn root(&self) -> &Path {
        self.repo.path()
    }

    /// `grove` with the token and the server's URL.
    fn cmd(&self) -> Command {
        let mut cmd = grove_cmd(self.root(), self.home.path());
        cmd.env("SLACK_BOT_TOKEN", TOKEN).env("GROVE_SLACK_API", self.slack.url());
        cmd
    }

    pub(crate) fn grove(&self, args: &[&str]) -> Run {
        grove_with(self.cmd(), args, None)
    }
}

/// What `date` says the day `when` is (`today`, `yesterday`), as YYYY-MM-DD.
fn day(when: &str) -> String {
    let out = Command::new("date").args(["-d", when, "+%F"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn a_reviewer_named_by_login_gets_a_dm_with_the_link_and_the_gif() {
    let lab =
        Lab::new("[notify.people]\nalice = \"alice@example.com\"\n\"@acme/web\" = \"web@example.com\"\n");
    let alice = lab.slack.add_user("alice@example.com", "alice");
    let bob = lab.slack.add_user("bob@example.com", "bob");
    std::fs::write(lab.root().join("demo.gif"), GIF).unwrap();
    let url = "https://github.com/acme/app/pull/12";
    let out = lab
        .grove(&[
            "notify",
            "handoff",
            url,
            "--reviewer",
            "alice",
            "--reviewer",
            "bob@example.com",
            "--gif",
            "demo.gif",
            "--json",
        ])
        .expect(0);
    let sent = out.json()["sent"].as_array().unwrap().clone();
    assert_eq!(sent.len(), 2, "{}", out.stdout);

    // Alice, named by her login: a direct message with the link, then the GIF in it.
    let dm = lab.slack.dm_of(&alice).expect("a direct message was opened with alice");
    let messages = lab.slack.messages_in(&dm);
    assert_eq!(messages.len(), 2, "{messages:?}");
    let link = "<https://github.com/acme/app/pull/12|#12>";
    assert!(messages[0].text.contains(link), "{:?}", messages[0].text);
    assert!(messages[0].blocks[0]["text"]["text"].as_str().unwrap().contains(link));
    let uploads = lab.slack.uploads();
    let upload = uploads.iter().find(|u| u.channel.as_deref() == Some(&dm)).unwrap();
    assert_eq!(upload.bytes, GIF, "the bytes arrived whole");
    assert_eq!((upload.filename.as_str(), upload.length), ("demo.gif", GIF.len() as u64));
    assert_eq!(messages[1].files, std::slice::from_ref(&upload.file_id));
    assert_eq!(upload.upload_authorization, None, "the token goes to the API only");
    // Bob, named by his e-mail: used as it is.
    let bob_dm = lab.slack.dm_of(&bob).unwrap();
    assert_eq!(lab.slack.messages_in(&bob_dm).len(), 2);

    // The three steps, in order, and the token on every call.
    let methods = lab.slack.methods();
    assert_eq!(
        &methods[..5],
        [
            "users.lookupByEmail",
            "conversations.open",
            "chat.postMessage",
            "files.getUploadURLExternal",
            "files.completeUploadExternal"
        ]
    );
    for call in lab.slack.calls() {
        assert_eq!(call.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
        assert_eq!(call.answer["ok"], true, "{call:?}");
        assert!(call.answer.get("warning").is_none(), "Slack warned: {call:?}");
    }
}

#[test]
fn a_person_nobody_mapped_is_named_and_nothing_is_sent() {
    let lab = Lab::new("[notify.people]\nalice = \"alice@example.com\"\n");
    lab.slack.add_user("alice@example.com", "alice");
    let out = lab
        .grove(&[
            "notify",
            "handoff",
            "https://github.com/acme/app/pull/3",
            "--reviewer",
            "alice",
            "--reviewer",
            "carol",
        ])
        .expect(2);
    assert!(out.stderr.contains("no e-mail is known for `carol`"), "{}", out.stderr);
    assert!(
        out.stderr.contains("[notify.people]") && out.stderr.contains(".grove/config.toml"),
        "{}",
        out.stderr
    );
    assert!(lab.slack.calls().is_empty(), "nothing was sent: {:?}", lab.slack.methods());
    // An e-mail Slack does not know is Slack's answer, with what to check.
    let out = lab.grove(&["notify", "test", "--to", "dora@example.com"]).expect(5);
    assert!(
        out.stderr.contains("users_not_found") && out.stderr.contains("[notify.people]"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_failing_check_pings_the_on_call_channel_and_todays_person_from_a_rota() {
    let lab = Lab::new("[notify]\non-call = \"#oncall\"\n");
    lab.slack.add_channel("oncall");
    let url = "https://github.com/acme/app/pull/7";
    lab.grove(&["notify", "handoff", url, "--failing-check", "tests", "--failing-check", "lint <!here>"])
        .expect(0);
    let messages = lab.slack.messages_in("oncall");
    assert_eq!(messages.len(), 1, "{messages:?}");
    let blocks: Vec<&str> =
        messages[0].blocks.as_array().unwrap().iter().map(|b| b["text"]["text"].as_str().unwrap()).collect();
    assert!(blocks[0].contains("<https://github.com/acme/app/pull/7|#7>"), "{blocks:?}");
    assert!(blocks[1].contains("• tests") && blocks[1].contains("• lint &lt;!here&gt;"), "{blocks:?}");

    // A rota: today's shift wins over yesterday's and over `on-call`.
    let rota = format!(
        "[[shift]]\nfrom = {y}\nwho = \"erin\"\n\n[[shift]]\nfrom = {t}\nto = {t}\nwho = \"dave\"\n",
        y = day("yesterday"),
        t = day("today")
    );
    grove_tests::write(lab.root(), ".grove/rota.toml", &rota);
    let routing = "[notify]\non-call = \"#oncall\"\nrota = \".grove/rota.toml\"\n[notify.people]\ndave = \"dave@example.com\"\nerin = \"erin@example.com\"\n";
    grove_tests::write(lab.root(), ".grove/config.toml", routing);
    let dave = lab.slack.add_user("dave@example.com", "dave");
    lab.slack.add_user("erin@example.com", "erin");
    lab.grove(&["notify", "handoff", url, "--failing-check", "tests"]).expect(0);
    let dm = lab.slack.dm_of(&dave).expect("today's person got a direct message");
    let told = lab.slack.messages_in(&dm);
    assert!(told[0].blocks[1]["text"]["text"].as_str().unwrap().contains("• tests"), "{told:?}");
    assert_eq!(lab.slack.messages_in("oncall").len(), 1, "the rota's person, not the channel");
    // Without anyone on call, a failing check is a setup error.
    grove_tests::write(lab.root(), ".grove/config.toml", "[notify]\n");
    let out = lab.grove(&["notify", "handoff", url, "--failing-check", "tests"]).expect(2);
    assert!(out.stderr.contains("nobody is on call") && out.stderr.contains("on-call = "), "{}", out.stderr);
}

#[test]
fn a_429_is_waited_out() {
    let lab = Lab::new("[notify]\non-call = \"#general\"\n");
    lab.slack.rate_limit("chat.postMessage", 1, 1);
    let started = Instant::now();
    let out = lab.grove(&["notify", "test", "--json"]).expect(0);
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured");
    assert_eq!(out.json()["destination"], "#general");
    let calls = lab.slack.calls();
    assert_eq!(calls.iter().map(|c| c.status).collect::<Vec<_>>(), [429, 200]);
    assert_eq!(lab.slack.messages_in("general").len(), 1);
    // Longer than grove waits: a clear error, at once.
    lab.slack.rate_limit("chat.postMessage", 1, 3600);
    let started = Instant::now();
    let out = lab.grove(&["notify", "test"]).expect(5);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(
        out.stderr.contains("rate-limiting chat.postMessage") && out.stderr.contains("3600s"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_missing_wrong_or_revoked_token_is_a_clear_error() {
    let lab = Lab::new("[notify]\non-call = \"#general\"\n");
    let mut cmd = lab.cmd();
    cmd.env_remove("SLACK_BOT_TOKEN");
    let out = grove_with(cmd, &["notify", "test"], None).expect(2);
    assert!(out.stderr.contains("no Slack token is set up"), "{}", out.stderr);
    assert!(out.stderr.contains("SLACK_BOT_TOKEN") && out.stderr.contains("[slack]"), "{}", out.stderr);
    assert!(lab.slack.calls().is_empty());

    let mut cmd = lab.cmd();
    cmd.env("SLACK_BOT_TOKEN", "xoxb-not-the-token");
    let out = grove_with(cmd, &["notify", "test"], None).expect(5);
    assert!(out.stderr.contains("the Slack token was refused: invalid_auth"), "{}", out.stderr);
    assert!(out.stderr.contains("hint:"), "{}", out.stderr);

    // The token in the user's config.toml works the same.
    lab.slack.revoke();
    grove_tests::write(lab.home.path(), "grove/config.toml", &format!("[slack]\ntoken = \"{TOKEN}\"\n"));
    let mut cmd = lab.cmd();
    cmd.env_remove("SLACK_BOT_TOKEN");
    let out = grove_with(cmd, &["notify", "test"], None).expect(5);
    assert!(out.stderr.contains("the Slack token was refused: token_revoked"), "{}", out.stderr);
    assert!(!out.stderr.contains(TOKEN) && !out.stdout.contains(TOKEN), "the token was shown");
    assert!(lab.slack.messages().is_empty());
}

#[test]
fn a_skills_message_arrives_escaped() {
    let lab = Lab::new("[notify]\non-call = \"#general\"\n");
    let attack = "done <!channel> see <https://evil.example|your PR> & <@U0GROVE0001>";
    let out = lab
        .grove(&["run", "--mode", "bypass", probe(), "--allow", "notify", "notify", "on-call", "", attack])
        .expect(0);
    assert!(out.stdout.starts_with("sent C"), "{}", out.stdout);
    assert!(out.stderr.contains("✉ told on-call (C"), "the transcript says so: {}", out.stderr);
    let messages = lab.slack.messages_in("general");
    assert_eq!(messages.len(), 1);
    let escaped = "done &lt;!channel&gt; see &lt;https://evil.example|your PR&gt; &amp; &lt;@U0GROVE0001&gt;";
    assert_eq!(messages[0].text, escaped);
    assert_eq!(messages[0].blocks[0]["text"]["text"], escaped);
    assert_eq!(messages[0].args["link_names"], false);
    assert_eq!(messages[0].args["unfurl_links"], false);
}

#[test]
fn the_capability_is_gated_and_shares_only_the_bundles_files() {
    let lab = Lab::new("[notify.people]\nalice = \"alice@example.com\"\n");
    let alice = lab.slack.add_user("alice@example.com", "alice");
    // Requested by the manifest, not granted: refused, and Slack never hears of it.
    let out = lab.grove(&["run", probe(), "notify", "channel", "general", "hi"]).expect(1);
    assert!(
        out.stderr.contains("`notify` was not granted (hint: rerun with --allow notify)"),
        "{}",
        out.stderr
    );
    assert!(lab.slack.calls().is_empty());
    // In plan mode nothing external happens, granted or not.
    let out = lab.grove(&[
        "run",
        "--mode",
        "plan",
        probe(),
        "--allow",
        "notify",
        "notify",
        "channel",
        "general",
        "hi",
    ]);
    assert_ne!(out.code, 0, "{}", out.stdout);
    assert!(lab.slack.calls().is_empty());
    // Granted, in auto mode: a message others see is asked about, and with
    // no one to ask, refused.
    let out =
        lab.grove(&["run", probe(), "--allow", "notify", "notify", "channel", "general", "hi"]).expect(1);
    assert!(out.stderr.contains("auto mode asks before medium actions"), "{}", out.stderr);
    assert!(lab.slack.calls().is_empty());
    let audit = std::fs::read_to_string(lab.root().join(".git/grove/audit.jsonl")).unwrap();
    let denied = audit.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()).filter(|l| {
        l["capability"] == "notify"
            && l["verb"] == "send"
            && l["decision"] == "deny"
            && l["target"] == "#general"
    });
    assert_eq!(denied.count(), 3, "{audit}");

    // Granted: a GIF of the bundle to alice, by the three steps.
    let out = lab
        .grove(&[
            "run",
            "--mode",
            "bypass",
            probe(),
            "--allow",
            "notify,ui",
            "notify-gif",
            "person",
            "alice",
            "the demo",
            "look <!here>",
        ])
        .expect(0);
    assert!(out.stdout.contains("shared "), "{}", out.stdout);
    let dm = lab.slack.dm_of(&alice).unwrap();
    let upload = &lab.slack.uploads()[0];
    assert_eq!((upload.channel.as_deref(), upload.bytes.as_slice()), (Some(dm.as_str()), GIF));
    assert_eq!(upload.title.as_deref(), Some("the demo"));
    assert_eq!(upload.initial_comment.as_deref(), Some("look &lt;!here&gt;"));
    // To a channel by name: its id is found page by page.
    lab.slack.page_size(1);
    let design = lab.slack.add_channel("design");
    let args = [
        "run",
        "--mode",
        "bypass",
        probe(),
        "--allow",
        "notify,ui",
        "notify-gif",
        "channel",
        "#design",
        "v2",
        "",
    ];
    lab.grove(&args).expect(0);
    let upload = lab.slack.uploads().pop().unwrap();
    assert_eq!(upload.channel.as_deref(), Some(design.as_str()));
    let lists: Vec<_> = lab.slack.calls().into_iter().filter(|c| c.method == "conversations.list").collect();
    assert_eq!(lists.len(), 2, "general, then design: {lists:?}");
    assert_eq!(lists[1].args["cursor"], lists[0].answer["response_metadata"]["next_cursor"]);
    // A name the bundle's manifest does not list is no file of it.
    for name in ["../../config", "manifest.json", "/etc/passwd"] {
        let out = lab.grove(&[
            "run",
            "--mode",
            "bypass",
            probe(),
            "--allow",
            "notify,ui",
            "notify-share",
            "person",
            "alice",
            name,
        ]);
        assert_eq!(out.code, 1, "{name}: {}", out.stdout);
        assert!(out.stderr.contains("holds no file"), "{name}: {}", out.stderr);
    }
    assert_eq!(lab.slack.uploads().len(), 2);
    // A person the project does not map: named, with the line to add.
    let out = lab
        .grove(&[
            "run",
            "--mode",
            "bypass",
            probe(),
            "--allow",
            "notify",
            "notify",
            "person",
            "mallory",
            "hi",
        ])
        .expect(1);
    assert!(out.stderr.contains("no e-mail is known for `mallory`"), "{}", out.stderr);
}
