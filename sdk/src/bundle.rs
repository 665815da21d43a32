//! Adding to the session's evidence bundle, where the person who decides
//! about the session looks beside the diff.

use crate::bindings::grove::skill::evidence::{self, Kind};
use crate::bindings::grove::skill::git;

/// Add a report (`json`) to the bundle, captioned `caption`, as showing the
/// commit checked out now. The report is a by-product of the skill's real
/// answer: a run that cannot add it (outside a repository, or with the
/// `ui` permission withheld) still answers, and says why in its log.
pub fn keep_report(caption: &str, json: &str) {
    let commit = git::head().ok().and_then(|head| head.commit);
    if let Err(e) = evidence::add(Kind::Json, caption, json.as_bytes(), commit.as_deref()) {
        crate::log::warn(&format!("the report was not added to the evidence bundle: {e}"));
    }
}
