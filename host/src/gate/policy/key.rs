//! The top-level keys an enterprise policy can lock.

use std::fmt;
use std::str::FromStr;

/// A key of a policy file that the enterprise layer may lock, so the user
/// and project layers cannot set it at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    MaxMode,
    DefaultMode,
    ApprovalTimeout,
    Hosts,
    Rules,
    Sandbox,
}

impl Key {
    pub const ALL: [Key; 6] =
        [Key::MaxMode, Key::DefaultMode, Key::ApprovalTimeout, Key::Hosts, Key::Rules, Key::Sandbox];

    pub fn as_str(self) -> &'static str {
        match self {
            Key::MaxMode => "max_mode",
            Key::DefaultMode => "default_mode",
            Key::ApprovalTimeout => "approval_timeout",
            Key::Hosts => "hosts",
            Key::Rules => "rules",
            Key::Sandbox => "sandbox",
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Key {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Key::ALL.into_iter().find(|k| k.as_str() == s).ok_or(())
    }
}
