//! The rules of grove's code review, as a library: findings on a unified
//! diff (secrets, debugging left behind, large and binary files, code
//! changed without tests, lockfiles changed without their manifest, risky
//! constructs per language) and the reports made of them. The `code-review`
//! skill runs them on the diff it is asked about; `prototype` on each
//! variant's.
//!
//! The rules read text and return findings, so they are tested natively;
//! nothing here calls the host but [`paths`]' language lookup.

pub mod comment;
pub mod input;
pub mod model;
pub mod paths;
pub mod report;
pub mod review;
pub mod rules;

pub use input::Changes;
pub use review::{Finding, Review, Severity, Summary};
pub use rules::Rules;

/// The rules' review of `diff_text`, labelled `label` and described as
/// `described`; binary files' sizes unknown.
pub fn review_diff(label: &str, described: &str, diff_text: &str) -> Review {
    let diff = grove_diff::parse(diff_text);
    let changes = Changes::new(&diff, |_| None);
    Review::run(label.to_string(), described.to_string(), &changes, &[&Rules])
}
