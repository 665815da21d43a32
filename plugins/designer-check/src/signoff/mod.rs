//! Sign-offs: claims that a designer reviewed the design changes, where
//! each comes from, and whether it counts.
//!
//! Every source turns what it reads into [`Claim`]s; [`judge`] decides on
//! each the same way, whatever its source. Today the sources are commit
//! trailers and the sign-off file. A pull-request approval, a reply to a
//! Slack message or the adversarial design draft's verdict would be new
//! [`Source`] variants with a module each that produces claims.

pub mod file;
pub mod trailer;

use std::collections::{BTreeMap, BTreeSet};

use crate::identity::{Designers, Identity};

/// Where a claim comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A `Design-Reviewed-by:` trailer on a commit between the base and HEAD.
    Trailer { commit: String, summary: String },
    /// A line of the sign-off file.
    File { path: String, line: usize },
}

/// How much of the work a claim covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Covers {
    /// The work up to and including this commit (an id or a prefix of one).
    UpTo(String),
    /// The work committed by the end of this day, in seconds since the
    /// Unix epoch (UTC).
    Until(i64),
    /// Everything: the claim names no commit or date.
    Everything,
}

/// Someone said a designer reviewed the design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub who: Identity,
    pub source: Source,
    pub covers: Covers,
}

/// What a commit between the base and HEAD touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub id: String,
    /// Commit time, seconds since the Unix epoch.
    pub time: i64,
    pub files: Vec<String>,
}

/// The history the claims are judged against.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The commits after the base.
    pub commits: Vec<Commit>,
    /// For each commit a claim names: the ids of the commits after the
    /// base that it contains (itself and its ancestors). The rest came
    /// after it, or beside it on another branch: work it did not cover.
    /// Commit times cannot tell this: commits made in the same second
    /// have no order.
    pub contains: BTreeMap<String, BTreeSet<String>>,
    /// Paths with uncommitted changes.
    pub uncommitted: BTreeSet<String>,
}

impl History {
    /// The commit after the base that `short` names.
    pub fn find(&self, short: &str) -> Option<&Commit> {
        self.commits.iter().find(|c| is_prefix(short, &c.id))
    }
}

/// The decision on one claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// It counts: the designer it names.
    Accepted { designer: String },
    /// The person is not on the designers list.
    NotADesigner,
    /// Design files changed after what the claim covers.
    Stale { changed: Vec<String> },
    /// The commit it names is not between the base and HEAD.
    UnknownCommit,
}

impl Judgement {
    pub fn accepted(&self) -> bool {
        matches!(self, Judgement::Accepted { .. })
    }

    /// Why a claim does not count, in words.
    pub fn reason(&self) -> Option<String> {
        match self {
            Judgement::Accepted { .. } => None,
            Judgement::NotADesigner => Some("not on the designers list in .grove/config.toml".into()),
            Judgement::Stale { changed } => {
                Some(format!("design files changed after it: {}", changed.join(", ")))
            }
            Judgement::UnknownCommit => Some("the commit it names is not among the changes reviewed".into()),
        }
    }
}

/// Decide on `claim`: it counts when it names a designer and no design
/// file (`design_paths`) changed after what it covers.
pub fn judge(
    claim: &Claim,
    designers: &Designers,
    design_paths: &BTreeSet<&str>,
    history: &History,
) -> Judgement {
    let Some(designer) = designers.find(&claim.who) else { return Judgement::NotADesigner };
    let later: Vec<&Commit> = match &claim.covers {
        Covers::Everything => Vec::new(),
        Covers::UpTo(id) => {
            let Some(signed) = history.find(id) else { return Judgement::UnknownCommit };
            let empty = BTreeSet::new();
            let contained = history.contains.get(&signed.id).unwrap_or(&empty);
            history.commits.iter().filter(|c| c.id != signed.id && !contained.contains(&c.id)).collect()
        }
        Covers::Until(end) => history.commits.iter().filter(|c| c.time > *end).collect(),
    };
    let mut changed: BTreeSet<&str> = later
        .iter()
        .flat_map(|c| c.files.iter())
        .map(String::as_str)
        .filter(|p| design_paths.contains(p))
        .collect();
    // Uncommitted work comes after any commit.
    if matches!(claim.covers, Covers::UpTo(_)) {
        changed.extend(history.uncommitted.iter().map(String::as_str).filter(|p| design_paths.contains(p)));
    }
    if changed.is_empty() {
        Judgement::Accepted { designer: designer.to_string() }
    } else {
        Judgement::Stale { changed: changed.into_iter().map(String::from).collect() }
    }
}

/// `short` names the commit `id` (at least 7 hex digits of it).
fn is_prefix(short: &str, id: &str) -> bool {
    short.len() >= 7 && id.len() >= short.len() && id[..short.len()].eq_ignore_ascii_case(short)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn designers() -> Designers {
        Designers::parse(&["Dana Designer <dana@example.com>"])
    }

    fn claim(who: &str, covers: Covers) -> Claim {
        Claim { who: Identity::parse(who), source: Source::File { path: "f".into(), line: 1 }, covers }
    }

    /// a1 <- b2 <- c3, all made in the same second: only ancestry orders them.
    fn history() -> History {
        let (a, b, c) = ("a1".repeat(20), "b2".repeat(20), "c3".repeat(20));
        let set = |ids: &[&String]| ids.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        History {
            commits: vec![
                Commit { id: b.clone(), time: 100, files: vec!["web/app.css".into()] },
                Commit { id: c.clone(), time: 100, files: vec!["src/api.ts".into()] },
                Commit { id: a.clone(), time: 100, files: vec!["web/app.css".into(), "src/api.ts".into()] },
            ],
            contains: BTreeMap::from([
                (a.clone(), set(&[&a])),
                (b.clone(), set(&[&a, &b])),
                (c.clone(), set(&[&a, &b, &c])),
            ]),
            uncommitted: BTreeSet::new(),
        }
    }

    const DANA: &str = "Dana Designer <dana@example.com>";

    fn judged(covers: Covers, h: &History) -> Judgement {
        judge(&claim(DANA, covers), &designers(), &BTreeSet::from(["web/app.css"]), h)
    }

    #[test]
    fn a_designer_up_to_a_commit_after_the_last_design_change() {
        let h = history();
        assert_eq!(judged(Covers::UpTo("b2b2b2b".into()), &h), Judgement::Accepted { designer: DANA.into() });
        assert!(judged(Covers::UpTo("c3c3c3c".into()), &h).accepted());
        // Signed at the first commit: the second changed the stylesheet again.
        assert_eq!(
            judged(Covers::UpTo("a1a1a1a1".into()), &h),
            Judgement::Stale { changed: vec!["web/app.css".into()] }
        );
        assert_eq!(judged(Covers::UpTo("ffffffff".into()), &h), Judgement::UnknownCommit);
        // Too short to name a commit.
        assert_eq!(judged(Covers::UpTo("b2b2".into()), &h), Judgement::UnknownCommit);
    }

    #[test]
    fn uncommitted_design_work_makes_a_commit_sign_off_stale() {
        let mut h = history();
        h.uncommitted.insert("web/app.css".into());
        assert!(matches!(judged(Covers::UpTo("c3c3c3c".into()), &h), Judgement::Stale { .. }));
        // A sign-off that names no commit covers what is there now.
        assert!(judged(Covers::Everything, &h).accepted());
    }

    #[test]
    fn dates_and_strangers() {
        let mut h = history();
        h.commits[0].time = 200;
        assert!(judged(Covers::Until(250), &h).accepted());
        assert!(matches!(judged(Covers::Until(150), &h), Judgement::Stale { .. }));
        let paths = BTreeSet::from(["web/app.css"]);
        let eve = judge(&claim("Eve <eve@example.com>", Covers::Everything), &designers(), &paths, &h);
        assert_eq!(eve, Judgement::NotADesigner);
        assert!(eve.reason().unwrap().contains("not on the designers list"));
    }
}
