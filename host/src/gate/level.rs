//! How risky an action is, and why: the classifier's answer.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A risk level. Ordered: a higher level is riskier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Reads inside the worktree: nothing changes.
    Safe,
    /// Routine work inside the worktree: builds, tests, edits, commits.
    Low,
    /// Worth a human's glance: installs, unknown programs, pushes, egress.
    Medium,
    /// Hard to undo or reaches beyond the worktree.
    High,
    /// Destroys, exfiltrates or escalates: never runs in auto mode.
    Critical,
}

impl Level {
    pub const ALL: [Level; 5] = [Level::Safe, Level::Low, Level::Medium, Level::High, Level::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Safe => "safe",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: the rule that fired, its level, and the part of the
/// action that triggered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// A stable, machine-readable rule name such as `git.push.force`.
    pub rule: &'static str,
    pub level: Level,
    /// What triggered it, for a human: "`git push --force origin main` rewrites …".
    pub detail: String,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.detail)
    }
}

/// Whether an action touches a path for reading or for writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// What the classifier found out about an action besides its level: the
/// programs, paths and hosts it involves. Policy rules match on these.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Every simple command, wrappers (`sudo`, `env`, `xargs`…) peeled, as
    /// its words; words computed at run time appear as written.
    pub commands: Vec<Vec<String>>,
    /// Paths touched, relative to the worktree when inside it, else absolute.
    pub paths: Vec<(String, Access)>,
    /// Hosts reached over the network.
    pub hosts: Vec<String>,
}

/// The classifier's verdict on one action.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub level: Level,
    /// True when the action changes nothing: plan mode allows only these.
    pub read_only: bool,
    pub reasons: Vec<Reason>,
    pub facts: Facts,
}

impl Default for Assessment {
    fn default() -> Self {
        Assessment { level: Level::Safe, read_only: true, reasons: Vec::new(), facts: Facts::default() }
    }
}

impl Assessment {
    /// Record a finding and raise the level to it. Findings of medium and
    /// above count as changes: plan mode refuses them.
    pub fn raise(&mut self, level: Level, rule: &'static str, detail: impl Into<String>) {
        self.level = self.level.max(level);
        if level >= Level::Medium {
            self.read_only = false;
        }
        self.reasons.push(Reason { rule, level, detail: detail.into() });
    }

    /// Record that the action writes, without raising the level past low.
    pub fn writes(&mut self) {
        self.read_only = false;
        self.level = self.level.max(Level::Low);
    }

    /// The reasons worth showing, riskiest first: those at the final level,
    /// then the rest; a read-only action with no findings says so.
    pub fn sorted_reasons(&self) -> Vec<&Reason> {
        let mut out: Vec<&Reason> = self.reasons.iter().collect();
        out.sort_by_key(|r| std::cmp::Reverse(r.level));
        out.dedup_by(|a, b| a.rule == b.rule && a.detail == b.detail);
        out
    }

    /// Merge another assessment (of a part of the same action) into this one.
    pub fn absorb(&mut self, other: Assessment) {
        self.level = self.level.max(other.level);
        self.read_only &= other.read_only;
        self.reasons.extend(other.reasons);
        self.facts.commands.extend(other.facts.commands);
        self.facts.paths.extend(other.facts.paths);
        self.facts.hosts.extend(other.facts.hosts);
    }
}
