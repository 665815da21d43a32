//! Where a session is in its life.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// queued ▸ running ▸ waiting-approval ▸ done / failed / cancelled, and
/// interrupted when the process running it died.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Queued,
    Running,
    WaitingApproval,
    Done,
    Failed,
    Cancelled,
    Interrupted,
}

impl State {
    pub const ALL: [State; 7] = [
        State::Queued,
        State::Running,
        State::WaitingApproval,
        State::Done,
        State::Failed,
        State::Cancelled,
        State::Interrupted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Running => "running",
            State::WaitingApproval => "waiting-approval",
            State::Done => "done",
            State::Failed => "failed",
            State::Cancelled => "cancelled",
            State::Interrupted => "interrupted",
        }
    }

    /// Nothing will change it any more without the human (resume, rm).
    pub fn is_final(self) -> bool {
        matches!(self, State::Done | State::Failed | State::Cancelled | State::Interrupted)
    }

    /// A process is (or should be) working on it.
    pub fn is_active(self) -> bool {
        matches!(self, State::Running | State::WaitingApproval)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for State {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        State::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown session state {s:?}"))
    }
}
