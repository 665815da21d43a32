//! The layers together: narrowing, locking, defaults, errors with places.

use std::path::PathBuf;
use std::time::Duration;

use super::*;
use crate::gate::mode::{Mode, Verdict};

const ENTERPRISE: &str = "/etc/grove/policy.toml";
const USER: &str = "/home/me/.config/grove/policy.toml";
const PROJECT: &str = "/repo/.grove/policy.toml";

fn layers(
    enterprise: Option<&str>,
    user: Option<&str>,
    project: Option<&str>,
) -> Vec<(Layer, PathBuf, String)> {
    [
        (Layer::Enterprise, ENTERPRISE, enterprise),
        (Layer::User, USER, user),
        (Layer::Project, PROJECT, project),
    ]
    .into_iter()
    .filter_map(|(layer, file, text)| Some((layer, PathBuf::from(file), text?.to_string())))
    .collect()
}

fn policy(enterprise: Option<&str>, user: Option<&str>, project: Option<&str>) -> Policy {
    Policy::from_layers(layers(enterprise, user, project)).unwrap_or_else(|e| panic!("{e}"))
}

fn error(layer: Layer, text: &str) -> String {
    let file = match layer {
        Layer::Enterprise => ENTERPRISE,
        Layer::User => USER,
        Layer::Project => PROJECT,
    };
    Policy::from_layers(vec![(layer, file.into(), text.into())]).unwrap_err().to_string()
}

fn warnings(p: &Policy) -> Vec<String> {
    p.warnings().iter().map(Warning::to_string).collect()
}

fn process(commands: &[Vec<String>]) -> Query<'_> {
    Query { commands, ..Query::new("agent", "process", "") }
}

fn cmd(line: &str) -> Vec<Vec<String>> {
    vec![line.split_whitespace().map(str::to_string).collect()]
}

#[test]
fn builtin_defaults() {
    let p = Policy::builtin();
    assert_eq!(p.max_mode(), &Setting { value: Mode::Bypass, origin: None });
    assert_eq!(p.mode(None), ModeChoice { mode: Mode::Auto, asked: Mode::Auto, capped_by: None });
    assert_eq!(p.mode(Some(Mode::Bypass)).mode, Mode::Bypass);
    assert_eq!(p.approval_timeout().value, Duration::from_secs(600));
    assert!(p.rules().is_empty() && p.warnings().is_empty());
    assert_eq!(p.host("example.com"), HostVerdict::Unlisted);
    // No files at all is the same as the built-in policy.
    let empty = policy(None, None, None);
    assert_eq!(empty.mode(None).mode, Mode::Auto);
}

#[test]
fn every_value_remembers_its_file_and_line() {
    let user = "# mine\nmax_mode = \"auto\"\n\ndefault_mode = \"manual\"\napproval_timeout = 30\n\
                [hosts]\nallow = [\n  \"api.github.com\",\n]\n\n[[rules]]\nverdict = \"allow\"\ncommand = \"cargo test\"\n";
    let p = policy(None, Some(user), None);
    let at = |o: &Option<Origin>| o.as_ref().map(|o| (o.layer, o.file.to_str().unwrap().to_string(), o.line));
    assert_eq!(at(&p.max_mode().origin), Some((Layer::User, USER.into(), 2)));
    assert_eq!(at(&p.default_mode().origin), Some((Layer::User, USER.into(), 4)));
    assert_eq!(at(&p.approval_timeout().origin), Some((Layer::User, USER.into(), 5)));
    assert_eq!(p.approval_timeout().value, Duration::from_secs(30));
    assert!(
        matches!(p.host("api.github.com"), HostVerdict::Allowed(o) if o.line == 8 && o.layer == Layer::User)
    );
    assert_eq!(p.rules()[0].origin().line, 11);
    assert_eq!(p.rules()[0].matchers(), vec![("command", "cargo test")]);
    assert_eq!(p.files(), &[(Layer::User, PathBuf::from(USER))]);
}

#[test]
fn the_ceiling_is_the_lowest_max_mode_and_caps_the_default() {
    let p =
        policy(Some("max_mode = \"manual\"\n"), Some("max_mode = \"auto\"\ndefault_mode = \"auto\"\n"), None);
    assert_eq!(p.max_mode().value, Mode::Manual);
    assert_eq!(p.max_mode().origin.as_ref().unwrap().layer, Layer::Enterprise);
    let choice = p.mode(None);
    assert_eq!((choice.mode, choice.asked), (Mode::Manual, Mode::Auto));
    assert_eq!(choice.capped_by.unwrap().file, PathBuf::from(ENTERPRISE));
    let asked = p.mode(Some(Mode::Bypass));
    assert_eq!((asked.mode, asked.asked), (Mode::Manual, Mode::Bypass));
    let lower = p.mode(Some(Mode::Plan));
    assert_eq!(lower, ModeChoice { mode: Mode::Plan, asked: Mode::Plan, capped_by: None });
    // The user's default above the enterprise ceiling is capped, and said so.
    assert!(
        warnings(&p)
            .iter()
            .any(|w| w.starts_with(&format!("{USER}:1: max_mode = \"auto\" is above \"manual\"")))
    );
    assert!(warnings(&p).iter().any(|w| w.contains("default_mode = \"auto\" is above \"manual\"")));

    // A project may lower the ceiling and the default.
    let p = policy(None, None, Some("max_mode = \"plan\"\ndefault_mode = \"plan\"\n"));
    assert_eq!(p.mode(Some(Mode::Bypass)).mode, Mode::Plan);
    assert_eq!(p.mode(None).mode, Mode::Plan);
    assert!(p.warnings().is_empty(), "{:?}", warnings(&p));
}

#[test]
fn the_strongest_layer_that_sets_the_default_wins() {
    let p = policy(Some("default_mode = \"manual\"\n"), Some("default_mode = \"auto\"\n"), None);
    assert_eq!(p.mode(None).mode, Mode::Manual);
    assert_eq!(p.default_mode().origin.as_ref().unwrap().layer, Layer::Enterprise);
    let p = policy(None, Some("default_mode = \"bypass\"\n"), None);
    assert_eq!(p.mode(None).mode, Mode::Bypass, "the user may choose bypass by default");
    let p = policy(Some("approval_timeout = 60\n"), Some("approval_timeout = 6000\n"), None);
    assert_eq!(p.approval_timeout().value, Duration::from_secs(60));
}

#[test]
fn a_project_file_cannot_widen_anything() {
    let project = "max_mode = \"bypass\"\ndefault_mode = \"bypass\"\n\n[hosts]\nallow = [\"evil.example.com\"]\n\
                   deny = [\"pastebin.com\"]\n\n[[rules]]\nverdict = \"allow\"\ncommand = \"curl\"\n\n\
                   [[rules]]\nverdict = \"deny\"\ncommand = \"rm\"\n";
    let p = policy(None, Some("max_mode = \"auto\"\n"), Some(project));
    assert_eq!(p.max_mode().value, Mode::Auto);
    assert_eq!(p.mode(None).mode, Mode::Auto, "the project's bypass default is ignored");
    assert_eq!(p.mode(Some(Mode::Bypass)).mode, Mode::Auto);
    assert_eq!(p.host("evil.example.com"), HostVerdict::Unlisted);
    assert!(matches!(p.host("pastebin.com"), HostVerdict::Denied(o) if o.layer == Layer::Project));
    let curl = cmd("curl https://evil.example.com");
    assert!(p.matching(&process(&curl)).allow.is_none());
    let rm = cmd("rm -rf target");
    assert_eq!(p.matching(&process(&rm)).deny.unwrap().origin().line, 12, "its deny rules stand");

    let w = warnings(&p);
    assert_eq!(w.len(), 4, "{w:#?}");
    assert!(
        w[0].starts_with(&format!("{PROJECT}:1: max_mode = \"bypass\" is above \"auto\", the most {USER}:1"))
    );
    assert!(w[1].starts_with(&format!("{PROJECT}:2: default_mode = \"bypass\" ignored")));
    assert!(w[2].starts_with(&format!("{PROJECT}:5: hosts.allow \"evil.example.com\" ignored")));
    assert!(w[3].starts_with(&format!("{PROJECT}:8: allow rule ignored")));

    // With no other layer, the repository still cannot raise the default past auto.
    let p = policy(None, None, Some("default_mode = \"bypass\"\n"));
    assert_eq!(p.mode(None).mode, Mode::Auto);
    assert_eq!(p.warnings().len(), 1);
    // Nor above a user's lower default.
    let p = policy(None, Some("default_mode = \"manual\"\n"), Some("default_mode = \"auto\"\n"));
    assert_eq!(p.mode(None).mode, Mode::Manual);
    assert_eq!(p.warnings().len(), 1);
}

#[test]
fn the_user_layer_may_allow() {
    let user =
        "[hosts]\nallow = [\"*.internal.example.com\"]\n[[rules]]\nverdict = \"allow\"\ncommand = \"curl\"\n";
    let p = policy(None, Some(user), None);
    assert!(matches!(p.host("ci.internal.example.com"), HostVerdict::Allowed(_)));
    let curl = cmd("curl -s x");
    assert!(p.matching(&process(&curl)).allow.is_some());
    assert!(p.warnings().is_empty());
}

#[test]
fn locked_keys_are_ignored_below_the_enterprise_layer() {
    let enterprise = "max_mode = \"auto\"\nlocked = [\"rules\", \"hosts\", \"default_mode\"]\n\
                      [hosts]\ndeny = [\"*.ngrok.io\"]\n";
    let user = "default_mode = \"manual\"\n[hosts]\nallow = [\"x.ngrok.io\"]\n[[rules]]\nverdict = \"allow\"\ncapability = \"http\"\n";
    let project = "[[rules]]\nverdict = \"deny\"\ncapability = \"git\"\n";
    let p = policy(Some(enterprise), Some(user), Some(project));
    assert!(matches!(p.host("x.ngrok.io"), HostVerdict::Denied(o) if o.layer == Layer::Enterprise));
    assert!(p.hosts().allowed().is_empty());
    assert!(p.rules().is_empty());
    assert_eq!(p.mode(None).mode, Mode::Auto, "the user's default is locked out");
    assert_eq!(
        p.locked().iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        [Key::Rules, Key::Hosts, Key::DefaultMode]
    );
    let w = warnings(&p);
    assert_eq!(w.len(), 4, "{w:#?}");
    assert_eq!(w[0], format!("{USER}:1: `default_mode` is locked by {ENTERPRISE}:2; ignored"));
    assert!(w[1].starts_with(&format!("{USER}:2: `hosts` is locked")));
    assert!(w[2].starts_with(&format!("{USER}:4: `rules` is locked")));
    assert!(w[3].starts_with(&format!("{PROJECT}:1: `rules` is locked")));

    // Only the enterprise layer locks.
    let p = policy(None, Some("locked = [\"rules\"]\n"), Some(project));
    assert_eq!(p.rules().len(), 1);
    assert!(warnings(&p)[0].contains("honored only in the enterprise policy"));
}

#[test]
fn deny_wins_across_layers_and_rules_come_strongest_first() {
    let enterprise = "[[rules]]\nverdict = \"deny\"\ncommand = \"git push\"\nreason = \"CI pushes\"\n";
    let user = "[[rules]]\nverdict = \"allow\"\ncapability = \"process\"\n[[rules]]\nverdict = \"ask\"\ncommand = \"git\"\n\
                [hosts]\nallow = [\"github.com\"]\n";
    let project = "[[rules]]\nverdict = \"deny\"\ncommand = \"git\"\n[hosts]\ndeny = [\"github.com\"]\n";
    let p = policy(Some(enterprise), Some(user), Some(project));
    let push = cmd("git push origin main");
    let m = p.matching(&process(&push));
    assert_eq!(m.deny.unwrap().origin().layer, Layer::Enterprise, "the strongest layer's deny comes first");
    assert_eq!(m.deny.unwrap().reason(), Some("CI pushes"));
    assert_eq!(m.ask.unwrap().origin().layer, Layer::User);
    assert_eq!(m.allow.unwrap().origin().layer, Layer::User);
    assert_eq!(m.decisive().unwrap().verdict(), Verdict::Deny);
    let ls = cmd("ls");
    let m = p.matching(&process(&ls));
    assert!(m.deny.is_none() && m.ask.is_none());
    assert_eq!(m.decisive().unwrap().verdict(), Verdict::Allow);
    assert!(
        matches!(p.host("github.com"), HostVerdict::Denied(o) if o.layer == Layer::Project),
        "a deny in any layer wins over an allow"
    );
}

#[test]
fn errors_say_file_line_and_column() {
    use Layer::*;
    let cases: [(&str, &str); 13] = [
        ("max_mode = \"auto\"\nmax_mode = \"plan\"\n", "2:1: duplicate key"),
        ("max_mode = auto\n", "1:12: string values must be quoted"),
        ("\n\nbogus = 1\n", "3:1: unknown field `bogus`"),
        ("[[rules]]\nverdict = \"deny\"\ncommand = \"x\"\nfoo = 1\n", "4:1: unknown field `foo`"),
        (
            "[[rules]]\nverdict = \"deny\"\npattern = \"terraform\\\\s+(apply\"\n",
            "3:11: invalid regex `terraform\\s+(apply`: unclosed group",
        ),
        ("[[rules]]\nverdict = \"deny\"\npath = \"src/[a-\"\n", "3:8: invalid glob `src/[a-`"),
        ("[hosts]\ndeny = [\"ok.com\", \"a{b\"]\n", "2:19: invalid glob `a{b`"),
        (
            "[[rules]]\nverdict = \"maybe\"\nskill = \"x\"\n",
            "2:11: unknown verdict `maybe` (known: allow, ask, deny)",
        ),
        ("max_mode = \"yolo\"\n", "1:12: unknown mode `yolo` (known: plan, manual, auto, bypass)"),
        ("[[rules]]\nverdict = \"deny\"\ncapability = \"shell\"\n", "3:14: unknown capability `shell`"),
        ("x = 1\n\n[[rules]]\nverdict = \"deny\"\nreason = \"?\"\n", "1:1: unknown field `x`"),
        ("approval_timeout = -5\n", "1:20: invalid value: integer `-5`"),
        ("\napproval_timeout = 99999999999\n", "2:20: approval_timeout is at most 604800 seconds"),
    ];
    for (text, want) in cases {
        let got = error(User, text);
        assert!(got.starts_with(&format!("{USER}:{want}")), "{text:?}\n got: {got}\nwant: {USER}:{want}");
    }
    let empty = error(Project, "\n[[rules]]\nverdict = \"deny\"\nreason = \"?\"\n");
    assert_eq!(
        empty,
        format!(
            "{PROJECT}:2:1: a rule needs at least one of capability, command, pattern, path, host, skill"
        )
    );
    let missing = error(Project, "[[rules]]\ncommand = \"x\"\n");
    assert_eq!(missing, format!("{PROJECT}:1:1: missing field `verdict`"));
    let lock = error(Enterprise, "locked = [\"rules\", \"everything\"]\n");
    assert!(lock.starts_with(&format!("{ENTERPRISE}:1:20: unknown key `everything`")), "{lock}");
}

#[test]
fn an_error_in_any_layer_fails_the_load_and_check_reports_them_all() {
    let broken =
        "[[rules]]\nverdict = \"deny\"\npattern = \"(\"\n[[rules]]\nverdict = \"nope\"\nskill = \"x\"\n";
    let all = layers(Some("max_mode = \"auto\"\n"), None, Some(broken));
    let e = Policy::from_layers(all.clone()).unwrap_err();
    assert_eq!(e.file(), PathBuf::from(PROJECT));
    assert_eq!(e.location().unwrap().line, 3);
    assert!(matches!(e, PolicyError::Invalid { problem: Problem::BadRegex { .. }, .. }));
    let report = check_layers(all);
    let lines: Vec<usize> = report.errors.iter().map(|e| e.location().unwrap().line).collect();
    assert_eq!(lines, [3, 5]);
}

#[test]
fn loading_reads_the_files_that_exist() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    assert_eq!(project_path(&root), root.join(".grove/policy.toml"));
    std::fs::create_dir_all(root.join(".grove")).unwrap();
    std::fs::write(project_path(&root), "[[rules]]\nverdict = \"deny\"\ncommand = \"rm\"\n").unwrap();
    let files = || {
        [
            (Layer::Enterprise, dir.path().join("absent.toml")),
            (Layer::User, dir.path().join("absent-too.toml")),
            (Layer::Project, project_path(&root)),
        ]
    };
    let p = Policy::load_files(files()).unwrap();
    assert_eq!(p.files(), &[(Layer::Project, project_path(&root))]);
    assert_eq!(p.rules().len(), 1);
    // A folder where the file should be is an error, not an absent layer.
    std::fs::remove_file(project_path(&root)).unwrap();
    std::fs::create_dir(project_path(&root)).unwrap();
    assert!(matches!(Policy::load_files(files()), Err(PolicyError::Read { .. })));
}

#[test]
fn a_realistic_policy_loads_every_part() {
    let user = "max_mode = \"auto\"\ndefault_mode = \"auto\"\napproval_timeout = 300\n\
                [hosts]\nallow = [\"api.github.com\", \"*.internal.example.com\", \"crates.io\"]\n\
                deny = [\"pastebin.com\", \"*.ngrok.io\"]\n\
                [[rules]]\nverdict = \"deny\"\ncommand = \"git push\"\nreason = \"CI only\"\n\
                [[rules]]\nverdict = \"deny\"\npattern = \"terraform\\\\s+apply\"\n\
                [[rules]]\nverdict = \"ask\"\npath = \"infra/**\"\n\
                [[rules]]\nverdict = \"allow\"\ncapability = \"process\"\ncommand = \"cargo test\"\n";
    // How fast it loads is the gate benchmark's business, not a test's.
    let policy = Policy::from_layers(layers(None, Some(user), None)).unwrap();
    assert_eq!(policy.rules().len(), 4);
}

#[test]
fn the_sandbox_is_required_unless_a_layer_allows_less_and_none_above_forbids_it() {
    use super::Requirement::{BestEffort, Required};
    assert_eq!(Policy::builtin().sandbox().value, Required);
    let loose = "sandbox = \"best-effort\"\n";
    let strict = "sandbox = \"required\"\n";
    // The user may allow running without a sandbox; a repository may not.
    let p = policy(None, Some(loose), None);
    assert_eq!(p.sandbox().value, BestEffort);
    assert_eq!(p.sandbox().origin.as_ref().unwrap().file, PathBuf::from(USER));
    let p = policy(None, None, Some(loose));
    assert_eq!(p.sandbox().value, Required);
    assert_eq!(
        warnings(&p),
        [format!("{PROJECT}:1: sandbox = \"best-effort\" ignored: \"required\" is required")]
    );
    // A repository may ask for more than the user allows.
    assert_eq!(policy(None, Some(loose), Some(strict)).sandbox().value, Required);
    // What the enterprise requires, the user cannot loosen; locked, the
    // user cannot even repeat it.
    let p = policy(Some(strict), Some(loose), None);
    assert_eq!(p.sandbox().value, Required);
    assert_eq!(p.warnings().len(), 1);
    let p = policy(Some("sandbox = \"best-effort\"\nlocked = [\"sandbox\"]\n"), None, Some(strict));
    assert_eq!(p.sandbox().value, BestEffort);
    assert!(warnings(&p)[0].contains("`sandbox` is locked"), "{:?}", warnings(&p));
    assert!(error(Layer::User, "sandbox = \"off\"\n").contains("required, best-effort"));
}

#[test]
fn only_the_enterprise_layer_says_who_publishes_skills() {
    let skills = "[skills]\nrequire-signature = true\n[skills.publishers]\nacme = \"RWS\"\n";
    let p = policy(Some(skills), None, None);
    assert!(p.warnings().is_empty());
    for layer in [Layer::User, Layer::Project] {
        let e = error(layer, skills);
        assert!(e.contains("[skills] belongs in the enterprise policy"), "{layer}: {e}");
    }
}
