//! One policy file: its TOML shape, read with spans, checked and compiled
//! into a [`LayerFile`] that still has to be merged with the other layers.

use std::path::Path;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::Requirement;
use super::location::Lines;
use super::rule::{CAPABILITIES, CommandPrefix, PathPattern};
use super::{HostPattern, Key, Layer, Location, Origin, PolicyError, Problem, Rule};
use crate::gate::mode::{Mode, Verdict};

/// The file as written. Every key is optional; unknown keys are errors.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    max_mode: Option<Spanned<String>>,
    default_mode: Option<Spanned<String>>,
    approval_timeout: Option<Spanned<u64>>,
    sandbox: Option<Spanned<String>>,
    locked: Option<Spanned<Vec<Spanned<String>>>>,
    hosts: Option<Spanned<RawHosts>>,
    rules: Option<Vec<Spanned<RawRule>>>,
    /// Who may publish skills and where they come from: read by
    /// `skill::install::trust`, and only from the enterprise layer.
    skills: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHosts {
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    verdict: Spanned<String>,
    capability: Option<Spanned<String>>,
    command: Option<Spanned<String>>,
    pattern: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    host: Option<Spanned<String>>,
    skill: Option<Spanned<String>>,
    reason: Option<String>,
}

/// A longer wait is a mistake, and would overflow a deadline.
const MAX_APPROVAL_TIMEOUT: u64 = 7 * 24 * 3600;

/// A value and where it was written.
#[derive(Debug, Clone)]
pub(super) struct Entry<T> {
    pub value: T,
    pub origin: Origin,
    pub column: usize,
}

/// One layer's file, valid on its own; what it may do among the other
/// layers is decided by the merge.
#[derive(Debug)]
pub(super) struct LayerFile {
    pub layer: Layer,
    pub max_mode: Option<Entry<Mode>>,
    pub default_mode: Option<Entry<Mode>>,
    pub approval_timeout: Option<Entry<u64>>,
    pub sandbox: Option<Entry<Requirement>>,
    pub locked: Option<Entry<Vec<Key>>>,
    pub hosts: Option<HostsTable>,
    pub rules: Vec<Entry<Rule>>,
}

/// The `[hosts]` table: where it starts, and its entries.
#[derive(Debug)]
pub(super) struct HostsTable {
    pub at: Entry<()>,
    pub allow: Vec<Entry<HostPattern>>,
    pub deny: Vec<Entry<HostPattern>>,
}

/// Turns spans into origins and collects the problems of one file.
struct Reader<'a> {
    layer: Layer,
    file: &'a Path,
    lines: Lines<'a>,
    errors: &'a mut Vec<PolicyError>,
}

impl Reader<'_> {
    fn at(&self, span: std::ops::Range<usize>) -> (Origin, usize) {
        let (line, column) = self.lines.line_col(span.start);
        (Origin { layer: self.layer, file: self.file.to_path_buf(), line }, column)
    }

    fn entry<T>(&self, value: T, span: std::ops::Range<usize>) -> Entry<T> {
        let (origin, column) = self.at(span);
        Entry { value, origin, column }
    }

    fn error(&mut self, span: std::ops::Range<usize>, problem: Problem) {
        let (line, column) = self.lines.line_col(span.start);
        let at = Location { file: self.file.to_path_buf(), line, column };
        self.errors.push(PolicyError::Invalid { at, problem });
    }

    /// Check a value against a parser, recording the error at its span.
    fn check<T>(&mut self, s: &Spanned<String>, parse: impl FnOnce(&str) -> Result<T, Problem>) -> Option<T> {
        match parse(s.get_ref()) {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(s.span(), e);
                None
            }
        }
    }

    fn mode(&mut self, s: Option<Spanned<String>>) -> Option<Entry<Mode>> {
        let s = s?;
        let mode = self.check(&s, |v| {
            v.parse::<Mode>().map_err(|_| Problem::unknown("mode", v, Mode::ALL.map(Mode::as_str)))
        })?;
        Some(self.entry(mode, s.span()))
    }

    fn hosts(&mut self, list: Vec<Spanned<String>>) -> Vec<Entry<HostPattern>> {
        list.into_iter()
            .filter_map(|s| {
                let pattern = self.check(&s, |v| {
                    HostPattern::new(v).map_err(|message| Problem::BadGlob { glob: v.into(), message })
                })?;
                Some(self.entry(pattern, s.span()))
            })
            .collect()
    }

    /// Check an optional matcher; `ok` turns false when it is invalid.
    fn matcher<T>(
        &mut self,
        s: &Option<Spanned<String>>,
        ok: &mut bool,
        parse: impl FnOnce(&str) -> Result<T, Problem>,
    ) -> Option<T> {
        let value = self.check(s.as_ref()?, parse);
        *ok &= value.is_some();
        value
    }

    fn rule(&mut self, raw: Spanned<RawRule>) -> Option<Entry<Rule>> {
        let span = raw.span();
        let raw = raw.into_inner();
        let given = [&raw.capability, &raw.command, &raw.pattern, &raw.path, &raw.host, &raw.skill];
        if given.iter().all(|f| f.is_none()) {
            self.error(span, Problem::EmptyRule);
            return None;
        }
        let verdict = self.check(&raw.verdict, |v| match v {
            "allow" => Ok(Verdict::Allow),
            "ask" => Ok(Verdict::Ask),
            "deny" => Ok(Verdict::Deny),
            _ => Err(Problem::unknown("verdict", v, ["allow", "ask", "deny"])),
        });
        let mut ok = verdict.is_some();
        let capability = self.matcher(&raw.capability, &mut ok, |v| {
            CAPABILITIES
                .contains(&v)
                .then(|| v.to_string())
                .ok_or_else(|| Problem::unknown("capability", v, CAPABILITIES))
        });
        let command =
            self.matcher(&raw.command, &mut ok, |v| CommandPrefix::new(v).map_err(Problem::Invalid));
        let pattern = self.matcher(&raw.pattern, &mut ok, |v| {
            Regex::new(v).map_err(|e| Problem::BadRegex { pattern: v.into(), message: regex_message(&e) })
        });
        let path = self.matcher(&raw.path, &mut ok, |v| {
            PathPattern::new(v).map_err(|message| Problem::BadGlob { glob: v.into(), message })
        });
        let host = self.matcher(&raw.host, &mut ok, |v| {
            HostPattern::new(v).map_err(|message| Problem::BadGlob { glob: v.into(), message })
        });
        let skill = self.matcher(&raw.skill, &mut ok, |v| {
            if v.is_empty() { Err(Problem::Invalid("`skill` is empty".into())) } else { Ok(v.to_string()) }
        });
        let verdict = verdict.filter(|_| ok)?;
        let (origin, column) = self.at(span);
        let rule = Rule {
            verdict,
            capability,
            command,
            pattern,
            path,
            host,
            skill,
            reason: raw.reason,
            origin: origin.clone(),
        };
        Some(Entry { value: rule, origin, column })
    }
}

/// regex's errors span several lines (the pattern with a caret under it);
/// a diagnostic wants the one that says what is wrong.
fn regex_message(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .find_map(|l| l.strip_prefix("error: "))
        .map(str::to_string)
        .unwrap_or_else(|| text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Read one layer's file. Problems go to `errors`; what is valid is kept,
/// so `policy check` can report every problem of a file at once.
pub(super) fn parse(
    layer: Layer,
    file: &Path,
    text: &str,
    errors: &mut Vec<PolicyError>,
) -> Option<LayerFile> {
    let mut r = Reader { layer, file, lines: Lines::new(text), errors };
    let raw: Raw = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let message = e.message().trim().to_string();
            let problem = if message.starts_with("unknown field") {
                Problem::UnknownKey(message)
            } else {
                Problem::Syntax(message)
            };
            r.error(e.span().unwrap_or(0..0), problem);
            return None;
        }
    };
    let max_mode = r.mode(raw.max_mode);
    let default_mode = r.mode(raw.default_mode);
    let approval_timeout = raw.approval_timeout.and_then(|t| {
        if *t.get_ref() > MAX_APPROVAL_TIMEOUT {
            let problem = format!("approval_timeout is at most {MAX_APPROVAL_TIMEOUT} seconds (a week)");
            r.error(t.span(), Problem::Invalid(problem));
            return None;
        }
        Some(r.entry(*t.get_ref(), t.span()))
    });
    let sandbox = raw.sandbox.and_then(|s| {
        let value = r.check(&s, |v| {
            Requirement::parse(v).ok_or_else(|| {
                Problem::unknown("sandbox requirement", v, Requirement::ALL.map(Requirement::as_str))
            })
        })?;
        Some(r.entry(value, s.span()))
    });
    let locked = raw.locked.map(|l| {
        let span = l.span();
        let keys = l
            .into_inner()
            .iter()
            .filter_map(|k| {
                r.check(k, |v| {
                    v.parse::<Key>().map_err(|()| Problem::unknown("key", v, Key::ALL.map(Key::as_str)))
                })
            })
            .collect();
        r.entry(keys, span)
    });
    let hosts = raw.hosts.map(|h| {
        let at = r.entry((), h.span());
        let h = h.into_inner();
        HostsTable { at, allow: r.hosts(h.allow), deny: r.hosts(h.deny) }
    });
    if let Some(skills) = &raw.skills
        && layer != Layer::Enterprise
    {
        let why = "[skills] belongs in the enterprise policy; your own publisher keys go in config.toml";
        r.error(skills.span(), Problem::Invalid(why.into()));
    }
    let rules = raw.rules.unwrap_or_default().into_iter().filter_map(|raw| r.rule(raw)).collect();
    Some(LayerFile { layer, max_mode, default_mode, approval_timeout, sandbox, locked, hosts, rules })
}
