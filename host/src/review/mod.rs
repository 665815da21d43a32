//! Handing a session's work to review on GitHub: a pull request that
//! carries its evidence.
//!
//! `settings` (where, with what token) ▸ `github` (the REST client) ▸
//! `handoff::prepare` (what the session shows: `page`, `verdicts`,
//! `codeowners`, `findings`) ▸ `to_github::hand_off` (push with `push`,
//! the evidence with `evidence_branch`, open or update, reviewers,
//! statuses, review comments) or `local::write` (the same page, offline).
//! Both hand back a [`Handoff`], what a notifier is called with.
//! `grove pr` (`cli/pr.rs`) and the `review` capability (`caps/review.rs`)
//! are built on these; the token stays in `settings` and `github`.

pub mod codeowners;
pub mod design;
pub mod evidence_branch;
pub mod findings;
pub mod github;
pub mod handoff;
pub mod local;
pub mod page;
pub mod repo_name;
pub mod settings;
pub mod to_github;
pub mod token;
pub mod verdicts;

pub use handoff::{Handoff, HandoffError, Options, Prepared, Related, SessionInfo};
pub use settings::Settings;
