//! `code-review`: reviews a diff (the working changes, a session since it
//! started, or everything since `--base REF`) for secrets, debugging left
//! behind, large and binary files, code changed without tests, lockfiles
//! changed without their manifest, and a few risky constructs per
//! language. The verdict fails on any error, and with `--strict` on any
//! warning.
//!
//! The rules live in the `grove-review` library (tested natively); this
//! skill reads the diff, runs them and reports. `--model` adds the deep
//! model tier's own review (only its findings on lines of the diff, none a
//! rule already made); `--post` posts every finding with a line on the
//! branch's pull request.

mod model_review;
mod options;
mod post;

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
    .permissions(&[
        permission::WORKSPACE_READ,
        permission::GIT_READ,
        permission::UI,
        permission::MODEL,
        permission::REVIEW,
    ]);

    fn run(invocation: Invocation) -> Result<Outcome> {
        let options = Options::parse(&invocation)?;
        let base = Base::choose(&invocation, options.base.clone())?;
        let text = base.diff()?;
        let diff = grove_diff::parse(&text);
        let changes = Changes::new(&diff, size_in_worktree);
        // Every reviewer's findings merge into one review: the rules, then
        // the model's (kept only where the rules found nothing).
        let mut review = Review::run(base.label().to_string(), base.describe(), &changes, &[&Rules]);
        let model = if options.model {
            let model = model_review::review(&text, &diff, &review.findings)?;
            review.findings.extend(model.kept.findings.iter().cloned());
            review.findings.sort_by(|a, b| (a.severity, &a.path, a.line).cmp(&(b.severity, &b.path, b.line)));
            Some(model)
        } else {
            None
        };
        let caption = format!("code-review: {}", report::text::summary(&review, options.strict));
        grove_sdk::bundle::keep_report(&caption, &json_report(&review, model.as_ref()));
        let posted = if options.post { Some(post::post(&review)?) } else { None };
        Ok(outcome(&review, model.as_ref(), posted, &options))
    }
}

/// The JSON report, with what the model's review cost when there was one.
fn json_report(review: &Review, model: Option<&model_review::ModelReview>) -> String {
    let json = report::json::render(review);
    match model {
        None => json,
        Some(model) => {
            let mut value: serde_json::Value = serde_json::from_str(&json).expect("the report is JSON");
            value["model"] = model.json();
            value.to_string()
        }
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

fn outcome(
    review: &Review,
    model: Option<&model_review::ModelReview>,
    posted: Option<String>,
    options: &Options,
) -> Outcome {
    let mut summary = report::text::summary(review, options.strict);
    for line in model.map(|m| m.line()).into_iter().chain(posted) {
        summary.push('\n');
        summary.push_str(&line);
    }
    let mut outcome =
        if review.passes(options.strict) { Outcome::ok(summary) } else { Outcome::fail(summary) };
    match options.format {
        Format::Text => {
            let markdown = report::text::markdown(review);
            if !markdown.is_empty() {
                outcome = outcome.with_report(markdown);
            }
        }
        Format::Json => outcome = outcome.with_data(json_report(review, model)),
        Format::Sarif => outcome = outcome.with_data(report::sarif::render(review)),
    }
    outcome
}
