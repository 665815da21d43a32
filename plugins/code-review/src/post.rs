//! `--post`: the findings as line comments of one review on the branch's
//! open pull request, through the `review` capability (the host leaves out
//! lines the diff does not show and comments already posted).

use grove_review::{Review, comment};
use grove_sdk::prelude::*;
use grove_sdk::review;

/// Post `review`'s findings; one line saying what was posted.
pub fn post(review_done: &Review) -> Result<String> {
    let Some(pr) = review::find(None)? else {
        return Err(Error::failed(
            "there is no open pull request of this branch to post on: open one with `grove pr NAME`",
        ));
    };
    let comments: Vec<review::LineComment> = review_done
        .findings
        .iter()
        .filter_map(|f| {
            Some(review::LineComment { path: f.path.clone(), line: f.line?, body: comment::text(f) })
        })
        .collect();
    let body = format!("grove's code review: {} with a line.", count(comments.len(), "finding"));
    let posted = review::post_review(pr.number, &body, &comments)?;
    Ok(format!(
        "posted {} on #{} ({} posted before, {} outside the diff)",
        count(posted.comments as usize, "comment"),
        pr.number,
        posted.already,
        posted.outside
    ))
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}
