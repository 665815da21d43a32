//! What each variant came to: its state and summary, cost and time, diff
//! and diff stat, the review rules' and simplify's findings on its diff (its
//! preview is taken after, by `preview.rs`).

use grove_review::Finding;
use grove_sdk::prelude::*;
use grove_sdk::sessions::{self, Info, State};
use serde::Serialize;

use crate::plan::Strategy;
use crate::preview::Preview;
use crate::simpler::Simpler;

/// The most of a variant's diff kept for the comparison page.
const DIFF_SHOWN: usize = 200 * 1024;

#[derive(Debug, Serialize)]
pub struct Variant {
    /// 1-based, as `grove prototype pick` takes it.
    pub number: usize,
    pub session: String,
    /// The variant's branch, where its work is.
    #[serde(skip)]
    pub branch: String,
    pub strategy: Strategy,
    pub state: &'static str,
    /// With a check: whether it passed; without one, whether it finished.
    pub passed: bool,
    pub summary: String,
    pub cost_usd: f64,
    pub elapsed_ms: Option<u64>,
    pub files: usize,
    pub added: usize,
    pub removed: usize,
    pub findings: Vec<Finding>,
    /// `simplify`'s findings on the files it changed.
    pub simpler: Vec<Simpler>,
    pub diff: String,
    pub diff_clipped: bool,
    #[serde(skip)]
    pub preview: Preview,
}

pub fn state_name(state: State) -> &'static str {
    match state {
        State::Queued => "queued",
        State::Running => "running",
        State::WaitingApproval => "waiting-approval",
        State::Done => "done",
        State::Failed => "failed",
        State::Cancelled => "cancelled",
        State::Interrupted => "interrupted",
    }
}

pub fn variant(number: usize, strategy: Strategy, info: Info) -> Result<Variant> {
    let diff = sessions::diff(&info.name)?;
    let parsed = grove_diff::parse(&diff);
    let (added, removed) =
        parsed.files.iter().fold((0, 0), |(a, r), f| (a + f.additions(), r + f.deletions()));
    let review = grove_review::review_diff(&info.name, "the variant's changes", &diff);
    let simpler = crate::simpler::findings(&info.name, &parsed);
    let clipped = diff.len() > DIFF_SHOWN;
    let shown = if clipped {
        let mut end = DIFF_SHOWN;
        while !diff.is_char_boundary(end) {
            end -= 1;
        }
        diff[..end].to_string()
    } else {
        diff.clone()
    };
    Ok(Variant {
        number,
        session: info.name,
        branch: info.branch,
        strategy,
        state: state_name(info.state),
        passed: info.state == State::Done,
        summary: info.summary.unwrap_or_default(),
        cost_usd: info.cost_usd,
        elapsed_ms: info.elapsed_ms,
        files: parsed.files.len(),
        added,
        removed,
        findings: review.findings,
        simpler,
        diff: shown,
        diff_clipped: clipped,
        preview: Preview::default(),
    })
}
