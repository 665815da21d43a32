//! `code-review`: reviews a diff (the working changes, a session since it
//! started, or everything since `--base REF`) for secrets, debugging left
//! behind, large and binary files, code changed without tests, lockfiles
//! changed without their manifest, and a few risky constructs per
//! language. The verdict fails on any error, and with `--strict` on any
//! warning.
//!
//! The rules live in the `grove-review` library (tested natively); this
//! skill reads the diff, runs them and reports.

mod options;

use grove_diff::FileDiff;
use grove_review::{Changes, Review, Rules, report};
use grove_sdk::changes::Base;
use grove_sdk::prelude::*;

use grove_sdk::Format;
use options::Options;

struct CodeReview;

impl Skill for CodeReview {
    const MANIFEST: Manifest = Manifest::new(
        "code-review",
        "Reviews a diff for secrets, debug leftovers, large or binary files, untested code, lockfile-only changes and risky constructs",
    )
    .usage(options::USAGE)
    .permissions(&[permission::WORKSPACE_READ, permission::GIT_READ, permission::UI]);

    fn run(invocation: Invocation) -> Result<Outcome> {
        let options = Options::parse(&invocation)?;
        let base = Base::choose(&invocation, options.base.clone())?;
        let text = base.diff()?;
        let diff = grove_diff::parse(&text);
        let changes = Changes::new(&diff, size_in_worktree);
        // Every reviewer's findings merge into one review: the rules today;
        // a model-written review joins this list.
        let review = Review::run(base.label().to_string(), base.describe(), &changes, &[&Rules]);
        let caption = format!("code-review: {}", report::text::summary(&review, options.strict));
        grove_sdk::bundle::keep_report(&caption, &report::json::render(&review));
        Ok(outcome(&review, &options))
    }
}

grove_sdk::export!(CodeReview);

/// The size of a binary file in the worktree: the diff does not show it.
/// A text file's size comes from its added lines, with no host call.
fn size_in_worktree(file: &FileDiff<'_>) -> Option<u64> {
    if !file.binary || file.is_deleted() {
        return None;
    }
    workspace::stat(&file.path).ok().map(|meta| meta.size)
}

fn outcome(review: &Review, options: &Options) -> Outcome {
    let summary = report::text::summary(review, options.strict);
    let mut outcome =
        if review.passes(options.strict) { Outcome::ok(summary) } else { Outcome::fail(summary) };
    match options.format {
        Format::Text => {
            let markdown = report::text::markdown(review);
            if !markdown.is_empty() {
                outcome = outcome.with_report(markdown);
            }
        }
        Format::Json => outcome = outcome.with_data(report::json::render(review)),
        Format::Sarif => outcome = outcome.with_data(report::sarif::render(review)),
    }
    outcome
}
