//! Policy rules: a verdict for the actions that match all of a rule's
//! matchers, and what the gate asks them.

use globset::{GlobBuilder, GlobMatcher};
use regex::Regex;

use super::{HostPattern, Origin};
use crate::gate::level::Access;
use crate::gate::mode::Verdict;

/// The capabilities a rule can name (the WIT interfaces that reach the gate).
pub const CAPABILITIES: [&str; 10] =
    ["workspace", "process", "git", "http", "model", "sessions", "browser", "review", "notify", "ui"];

/// One action as the policy sees it.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// The skill's identity: a built-in's name, `name@sha256:…` for an
    /// installed skill, `file:/path@sha256:…` for a file run by path.
    pub skill: &'a str,
    pub capability: &'a str,
    /// The whole command line, path or URL.
    pub target: &'a str,
    /// Each simple command's words, wrappers such as `sudo` and `env` peeled.
    pub commands: &'a [Vec<String>],
    /// Paths touched: worktree-relative when inside it, else absolute.
    pub paths: &'a [(String, Access)],
    pub hosts: &'a [String],
}

impl<'a> Query<'a> {
    /// A query with no commands, paths or hosts.
    pub fn new(skill: &'a str, capability: &'a str, target: &'a str) -> Self {
        Query { skill, capability, target, commands: &[], paths: &[], hosts: &[] }
    }
}

/// The first matching rule for each verdict, strongest layer first. The
/// gate applies them: deny wins, then ask, then allow.
#[derive(Debug, Clone, Copy, Default)]
pub struct Matches<'p> {
    pub deny: Option<&'p Rule>,
    pub ask: Option<&'p Rule>,
    pub allow: Option<&'p Rule>,
}

impl<'p> Matches<'p> {
    /// The rule that decides: deny, else ask, else allow.
    pub fn decisive(&self) -> Option<&'p Rule> {
        self.deny.or(self.ask).or(self.allow)
    }

    fn slot(&mut self, verdict: Verdict) -> &mut Option<&'p Rule> {
        match verdict {
            Verdict::Deny => &mut self.deny,
            Verdict::Ask => &mut self.ask,
            Verdict::Allow => &mut self.allow,
        }
    }

    fn full(&self) -> bool {
        self.deny.is_some() && self.ask.is_some() && self.allow.is_some()
    }
}

/// First matches per verdict among `rules`, in order.
pub(super) fn matching<'p>(rules: &'p [Rule], q: &Query<'_>) -> Matches<'p> {
    let mut m = Matches::default();
    for rule in rules {
        let slot = m.slot(rule.verdict);
        if slot.is_none() && rule.matches(q) {
            *slot = Some(rule);
            if m.full() {
                break;
            }
        }
    }
    m
}

/// Whether a rule's `skill = "…"` names the skill of identity `id`: the
/// whole identity, or all of it but its digest. So `review` matches the
/// built-in and an installed `review@sha256:…`, `file:/abs/x.wasm` matches
/// that file whatever its digest, and a file claiming the name `review`
/// (`file:/…@sha256:…`) matches no rule written for the name.
pub fn names_skill(rule: &str, id: &str) -> bool {
    id == rule || id.strip_prefix(rule).is_some_and(|rest| rest.starts_with("@sha256:"))
}

/// A command prefix, matched word by word against each simple command.
#[derive(Debug, Clone)]
pub struct CommandPrefix {
    text: String,
    words: Vec<String>,
}

impl CommandPrefix {
    pub fn new(text: &str) -> Result<Self, String> {
        let words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
        if words.is_empty() {
            return Err("`command` is empty".into());
        }
        Ok(CommandPrefix { text: text.to_string(), words })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `command` starts with these words. The program is compared
    /// by its file name unless the rule names a path, so `curl` also
    /// matches `/usr/bin/curl`.
    pub fn is_prefix_of(&self, command: &[String]) -> bool {
        let Some((program, args)) = command.split_first() else { return false };
        let (want, rest) = self.words.split_first().expect("a prefix has a word");
        let program =
            if want.contains('/') { program.as_str() } else { program.rsplit('/').next().unwrap_or(program) };
        program == want && args.len() >= rest.len() && args.iter().zip(rest).all(|(a, w)| a == w)
    }
}

/// A glob over the paths an action touches. Without a `/` it matches a
/// file name at any depth (`*.pem`, `.env`); with one it matches the whole
/// path, and `*` stays within one folder (`infra/**`, `/etc/**`).
#[derive(Debug, Clone)]
pub struct PathPattern {
    text: String,
    matcher: GlobMatcher,
}

impl PathPattern {
    pub fn new(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("`path` is empty".into());
        }
        let trimmed = text.strip_prefix("./").unwrap_or(text);
        let glob = if trimmed.contains('/') { trimmed.to_string() } else { format!("**/{trimmed}") };
        let glob =
            GlobBuilder::new(&glob).literal_separator(true).build().map_err(|e| e.kind().to_string())?;
        Ok(PathPattern { text: text.to_string(), matcher: glob.compile_matcher() })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn is_match(&self, path: &str) -> bool {
        self.matcher.is_match(path.strip_prefix("./").unwrap_or(path))
    }
}

/// A policy rule: a verdict for every action that all its matchers match.
#[derive(Debug, Clone)]
pub struct Rule {
    pub(super) verdict: Verdict,
    pub(super) capability: Option<String>,
    pub(super) command: Option<CommandPrefix>,
    pub(super) pattern: Option<Regex>,
    pub(super) path: Option<PathPattern>,
    pub(super) host: Option<HostPattern>,
    pub(super) skill: Option<String>,
    pub(super) reason: Option<String>,
    pub(super) origin: Origin,
}

impl Rule {
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Why, in the words of whoever wrote the rule.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The matchers it has, as written: `("command", "git push")`, …
    pub fn matchers(&self) -> Vec<(&'static str, &str)> {
        [
            ("skill", self.skill.as_deref()),
            ("capability", self.capability.as_deref()),
            ("command", self.command.as_ref().map(CommandPrefix::as_str)),
            ("pattern", self.pattern.as_ref().map(Regex::as_str)),
            ("path", self.path.as_ref().map(PathPattern::as_str)),
            ("host", self.host.as_ref().map(HostPattern::as_str)),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name, value?)))
        .collect()
    }

    /// Whether every matcher the rule has matches `q`; the cheap ones first.
    pub fn matches(&self, q: &Query<'_>) -> bool {
        self.skill.as_ref().is_none_or(|s| names_skill(s, q.skill))
            && self.capability.as_ref().is_none_or(|c| c == q.capability)
            && self.command.as_ref().is_none_or(|c| q.commands.iter().any(|cmd| c.is_prefix_of(cmd)))
            && self.path.as_ref().is_none_or(|p| q.paths.iter().any(|(path, _)| p.is_match(path)))
            && self.host.as_ref().is_none_or(|h| q.hosts.iter().any(|host| h.is_match(host)))
            && self.pattern.as_ref().is_none_or(|r| r.is_match(q.target))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Layer;
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    fn rule(verdict: Verdict, line: usize) -> Rule {
        Rule {
            verdict,
            capability: None,
            command: None,
            pattern: None,
            path: None,
            host: None,
            skill: None,
            reason: None,
            origin: Origin { layer: Layer::User, file: "policy.toml".into(), line },
        }
    }

    #[test]
    fn command_prefixes_match_word_by_word() {
        let p = CommandPrefix::new("git  push").unwrap();
        assert!(p.is_prefix_of(&words("git push")));
        assert!(p.is_prefix_of(&words("git push --force origin main")));
        assert!(p.is_prefix_of(&words("/usr/bin/git push")));
        assert!(!p.is_prefix_of(&words("git pushy")));
        assert!(!p.is_prefix_of(&words("git")));
        assert!(!p.is_prefix_of(&words("git status push")));
        assert!(!p.is_prefix_of(&[]));
        let abs = CommandPrefix::new("/opt/bin/tool").unwrap();
        assert!(abs.is_prefix_of(&words("/opt/bin/tool x")));
        assert!(!abs.is_prefix_of(&words("tool x")));
        assert!(CommandPrefix::new("  ").is_err());
    }

    #[test]
    fn path_globs_anchor_only_when_they_name_a_folder() {
        let infra = PathPattern::new("infra/**").unwrap();
        assert!(infra.is_match("infra/main.tf"));
        assert!(infra.is_match("infra/prod/main.tf"));
        assert!(!infra.is_match("src/infra/main.tf"));
        let pem = PathPattern::new("*.pem").unwrap();
        assert!(pem.is_match("key.pem"));
        assert!(pem.is_match("secrets/deep/key.pem"));
        assert!(pem.is_match("/home/me/key.pem"));
        assert!(!pem.is_match("key.pem.txt"));
        let one = PathPattern::new("src/*.rs").unwrap();
        assert!(one.is_match("src/main.rs"));
        assert!(!one.is_match("src/a/main.rs"), "`*` stays within a folder");
        let etc = PathPattern::new("/etc/**").unwrap();
        assert!(etc.is_match("/etc/passwd"));
        assert!(PathPattern::new("src/[a-").is_err());
    }

    #[test]
    fn a_rule_matches_when_all_its_matchers_do() {
        let commands = [words("cd infra"), words("terraform apply -auto-approve")];
        let paths = [("infra/main.tf".to_string(), Access::Read)];
        let hosts = ["registry.terraform.io".to_string()];
        let q = Query {
            skill: "agent",
            capability: "process",
            target: "cd infra && terraform apply -auto-approve",
            commands: &commands,
            paths: &paths,
            hosts: &hosts,
        };
        let mut r = rule(Verdict::Deny, 1);
        r.capability = Some("process".into());
        r.command = Some(CommandPrefix::new("terraform apply").unwrap());
        r.pattern = Some(Regex::new(r"terraform\s+apply").unwrap());
        r.path = Some(PathPattern::new("infra/**").unwrap());
        r.host = Some(HostPattern::new("*.terraform.io").unwrap());
        r.skill = Some("agent".into());
        assert!(r.matches(&q));

        type Spoil = fn(&mut Rule);
        let each: [(&str, Spoil); 6] = [
            ("skill", |r| r.skill = Some("other".into())),
            ("capability", |r| r.capability = Some("git".into())),
            ("command", |r| r.command = Some(CommandPrefix::new("terraform destroy").unwrap())),
            ("pattern", |r| r.pattern = Some(Regex::new("destroy").unwrap())),
            ("path", |r| r.path = Some(PathPattern::new("src/**").unwrap())),
            ("host", |r| r.host = Some(HostPattern::new("github.com").unwrap())),
        ];
        for (name, spoil) in each {
            let mut r = r.clone();
            spoil(&mut r);
            assert!(!r.matches(&q), "a rule whose {name} does not match must not match");
        }

        // A list matcher needs something to match: no commands, no match.
        let bare = Query::new("agent", "process", "terraform apply");
        let mut cmd = rule(Verdict::Deny, 1);
        cmd.command = Some(CommandPrefix::new("terraform").unwrap());
        assert!(!cmd.matches(&bare));
    }

    #[test]
    fn a_skill_is_named_by_its_identity_not_its_claimed_name() {
        assert!(names_skill("review", "review"));
        assert!(names_skill("review", "review@sha256:ab12"));
        assert!(!names_skill("review", "reviewer"));
        assert!(!names_skill("review", "file:/tmp/review.wasm@sha256:ab12"));
        assert!(names_skill("file:/tmp/review.wasm", "file:/tmp/review.wasm@sha256:ab12"));
        assert!(names_skill("file:/tmp/review.wasm@sha256:ab12", "file:/tmp/review.wasm@sha256:ab12"));
        assert!(!names_skill("file:/tmp/review.wasm@sha256:cd34", "file:/tmp/review.wasm@sha256:ab12"));
    }

    #[test]
    fn first_match_per_verdict_in_order() {
        let mut allow = rule(Verdict::Allow, 1);
        allow.capability = Some("process".into());
        let mut deny1 = rule(Verdict::Deny, 2);
        deny1.skill = Some("agent".into());
        let mut deny2 = rule(Verdict::Deny, 3);
        deny2.capability = Some("process".into());
        let mut ask = rule(Verdict::Ask, 4);
        ask.capability = Some("git".into());
        let rules = [allow, deny1, deny2, ask];
        let m = matching(&rules, &Query::new("agent", "process", "ls"));
        assert_eq!(m.allow.map(|r| r.origin.line), Some(1));
        assert_eq!(m.deny.map(|r| r.origin.line), Some(2));
        assert!(m.ask.is_none());
        assert_eq!(m.decisive().map(|r| r.verdict), Some(Verdict::Deny));
        let m = matching(&rules, &Query::new("other", "process", "ls"));
        assert_eq!(m.deny.map(|r| r.origin.line), Some(3));
        assert!(matching(&rules, &Query::new("other", "ui", "x")).decisive().is_none());
    }
}
