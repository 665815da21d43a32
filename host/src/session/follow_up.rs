//! Follow-ups: steps a session's runner performs after its skill ends
//! well, in the session's own process, so that a session can be started
//! as "do this, then record the evidence, then open a draft pull request"
//! and finish without anyone running another command (`designer-check
//! --challenge` starts its challenge that way; `grove new --then` is the
//! same for the human).
//!
//! This file is what the store keeps: which steps, where each stands and,
//! for one that failed, why and the command that does it by hand. The
//! runner (`cli/session/follow_up.rs`) performs them: they run other
//! skills and the pull-request code, which the session layer does not
//! know.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One step after the skill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// Run the `evidence` skill on the session's worktree: the project's
    /// scenarios, into the session's own bundle.
    Evidence,
    /// Open the session's branch as a draft pull request, as `grove pr
    /// NAME --draft` does (linked to its parent's, when that has one).
    PrDraft,
}

impl Step {
    pub const ALL: [Step; 2] = [Step::Evidence, Step::PrDraft];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Evidence => "evidence",
            Step::PrDraft => "pr-draft",
        }
    }

    /// What the step is doing, for `grove ls` and the transcript.
    pub fn doing(self) -> &'static str {
        match self {
            Step::Evidence => "recording evidence",
            Step::PrDraft => "opening a draft pull request",
        }
    }

    /// The command that does the step by hand for session `name`.
    pub fn by_hand(self, name: &str) -> String {
        match self {
            Step::Evidence => format!("grove run evidence --session {name}"),
            Step::PrDraft => format!("grove pr {name} --draft"),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of [`Step::ALL`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown follow-up `{0}` (known: evidence, pr-draft)")]
pub struct UnknownStep(pub String);

impl FromStr for Step {
    type Err = UnknownStep;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Step::ALL.into_iter().find(|step| step.as_str() == s).ok_or_else(|| UnknownStep(s.to_string()))
    }
}

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// Not reached yet.
    Pending,
    Running,
    Done,
    /// It failed; the session's work is kept, and `note` says how to do
    /// it by hand.
    Failed,
    /// Not run: the skill did not end well, or the session was cancelled.
    Skipped,
}

/// One step and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub step: Step,
    pub state: Standing,
    /// What it came to: the pull request's address, or why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a failed step: the command that does it by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_hand: Option<String>,
}

impl FollowUp {
    /// The steps as a new session holds them: each pending, none twice.
    pub fn pending(steps: &[Step]) -> Vec<FollowUp> {
        let mut seen = Vec::new();
        for step in steps {
            if !seen.contains(step) {
                seen.push(*step);
            }
        }
        seen.into_iter()
            .map(|step| FollowUp { step, state: Standing::Pending, note: None, by_hand: None })
            .collect()
    }
}

/// What `grove ls` shows for the follow-ups beside the session's state:
/// the step under way, else the steps that failed. A step still marked
/// running in a session that no longer is (its runner died) shows as
/// interrupted: `grove resume` runs the steps again.
pub fn label(follow_ups: &[FollowUp], session_active: bool) -> Option<String> {
    if let Some(running) = follow_ups.iter().find(|f| f.state == Standing::Running) {
        return Some(if session_active {
            format!("then: {}", running.step)
        } else {
            format!("{} interrupted", running.step)
        });
    }
    let failed: Vec<&str> =
        follow_ups.iter().filter(|f| f.state == Standing::Failed).map(|f| f.step.as_str()).collect();
    (!failed.is_empty()).then(|| format!("{} failed", failed.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_parse_by_name_and_are_kept_once_in_order() {
        assert_eq!("pr-draft".parse::<Step>().unwrap(), Step::PrDraft);
        assert!("pr".parse::<Step>().unwrap_err().to_string().contains("known: evidence, pr-draft"));
        let steps = FollowUp::pending(&[Step::Evidence, Step::PrDraft, Step::Evidence]);
        assert_eq!(steps.iter().map(|f| f.step).collect::<Vec<_>>(), [Step::Evidence, Step::PrDraft]);
        let json = serde_json::to_string(&steps[1]).unwrap();
        assert_eq!(json, r#"{"step":"pr-draft","state":"pending"}"#);
        assert_eq!(Step::PrDraft.by_hand("a-challenge"), "grove pr a-challenge --draft");
    }

    #[test]
    fn the_label_names_the_step_under_way_else_those_that_failed() {
        let mut steps = FollowUp::pending(&Step::ALL);
        assert_eq!(label(&steps, true), None);
        steps[0].state = Standing::Running;
        assert_eq!(label(&steps, true).as_deref(), Some("then: evidence"));
        assert_eq!(label(&steps, false).as_deref(), Some("evidence interrupted"));
        steps[0].state = Standing::Done;
        steps[1].state = Standing::Failed;
        assert_eq!(label(&steps, false).as_deref(), Some("pr-draft failed"));
    }
}
