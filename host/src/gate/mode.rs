//! Permission modes: how the classifier's level becomes a decision.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::level::{Assessment, Level};

/// How much runs without a human. Ordered from the strictest to the most
/// permissive, so a policy's ceiling is a plain `min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Read-only: anything that writes or runs a non-read-only command is denied.
    Plan,
    /// Ask for everything except reads.
    Manual,
    /// Safe and low run; medium and high ask; critical is denied.
    Auto,
    /// Everything runs except what a policy rule denies.
    Bypass,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::Plan, Mode::Manual, Mode::Auto, Mode::Bypass];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Plan => "plan",
            Mode::Manual => "manual",
            Mode::Auto => "auto",
            Mode::Bypass => "bypass",
        }
    }

    /// The verdict this mode gives an assessment, before policy rules.
    pub fn verdict(self, a: &Assessment) -> Verdict {
        match self {
            Mode::Bypass => Verdict::Allow,
            _ if a.level == Level::Critical => Verdict::Deny,
            Mode::Plan if a.read_only && a.level <= Level::Low => Verdict::Allow,
            Mode::Plan => Verdict::Deny,
            Mode::Manual if a.read_only && a.level <= Level::Low => Verdict::Allow,
            Mode::Manual => Verdict::Ask,
            Mode::Auto if a.level <= Level::Low => Verdict::Allow,
            Mode::Auto => Verdict::Ask,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A mode name that is not one of [`Mode::ALL`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown mode `{0}` (known: plan, manual, auto, bypass)")]
pub struct UnknownMode(pub String);

impl FromStr for Mode {
    type Err = UnknownMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mode::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| UnknownMode(s.to_string()))
    }
}

/// What happens to an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allow,
    Ask,
    Deny,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Ask => "ask",
            Verdict::Deny => "deny",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(level: Level, read_only: bool) -> Assessment {
        Assessment { level, read_only, ..Assessment::default() }
    }

    #[test]
    fn each_mode_maps_levels_as_documented() {
        use Verdict::*;
        let cases = [
            (at(Level::Safe, true), [Allow, Allow, Allow, Allow]),
            (at(Level::Low, false), [Deny, Ask, Allow, Allow]),
            (at(Level::Low, true), [Allow, Allow, Allow, Allow]),
            (at(Level::Medium, false), [Deny, Ask, Ask, Allow]),
            (at(Level::High, false), [Deny, Ask, Ask, Allow]),
            (at(Level::Critical, false), [Deny, Deny, Deny, Allow]),
        ];
        for (a, want) in cases {
            let got = Mode::ALL.map(|m| m.verdict(&a));
            assert_eq!(got, want, "{a:?}");
        }
    }

    #[test]
    fn modes_are_ordered_from_strict_to_permissive() {
        assert!(Mode::Plan < Mode::Manual && Mode::Manual < Mode::Auto && Mode::Auto < Mode::Bypass);
        assert_eq!("auto".parse::<Mode>().unwrap(), Mode::Auto);
        assert!("yolo".parse::<Mode>().is_err());
    }
}
