//! Churn: which files recent commits touched most, and by how many people.

use std::collections::{BTreeSet, HashMap};

use grove_sdk::git::{CommitInfo, LogQuery};
use grove_sdk::prelude::*;
use grove_sdk::scope::Scope;
use serde::Serialize;

/// Lines added plus lines removed in one file over the commits looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChanges {
    pub path: String,
    pub changes: u64,
}

/// The history looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Churn {
    pub commits: usize,
    pub authors: usize,
    /// The files with the most changes, most first.
    pub top: Vec<FileChanges>,
    /// True when there were fewer commits than asked for: the whole history.
    #[serde(skip)]
    pub whole_history: bool,
}

/// Churn, or why there is none; the reason is shown in place of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum History {
    Churn(Churn),
    Unavailable(String),
}

/// Walk up to `max_commits` commits from HEAD that touch `scope`.
pub fn collect(scope: &Scope, max_commits: u32, top: usize) -> History {
    // Merges are left out: their churn repeats the commits they bring in.
    let mut query = LogQuery::new(max_commits).with_files().skip_merges();
    query.path = scope.as_option();
    // One long call with no progress of its own: show it as a single step,
    // which the terminal marks finished (a total of 0 would leave it open).
    log::progress("reading git history", 0, 1);
    let result = git::log(&query);
    log::progress("reading git history", 1, 1);
    match result {
        Ok(commits) if commits.is_empty() => History::Unavailable(match scope.as_option() {
            Some(dir) => format!("no commits touch {dir}"),
            None => "no commits yet".into(),
        }),
        Ok(commits) => History::Churn(aggregate(&commits, scope, top, max_commits)),
        // Churn is one part of the report: without it the rest still helps.
        Err(Error::NotFound(_)) => History::Unavailable("not a git repository".into()),
        Err(Error::Denied(_)) => History::Unavailable("not checked (git:read not granted)".into()),
        Err(e) => {
            log::warn(&format!("reading the git history failed: {}", e.message()));
            History::Unavailable(format!("unavailable ({})", e.message()))
        }
    }
}

/// Sum changes per file (within `scope`) and count distinct authors.
pub fn aggregate(commits: &[CommitInfo], scope: &Scope, top: usize, asked: u32) -> Churn {
    let mut per_file: HashMap<&str, u64> = HashMap::new();
    let mut authors = BTreeSet::new();
    for commit in commits {
        // The same person commits under one e-mail and, over the years,
        // several spellings of their name; the e-mail tells them apart best.
        let who = if commit.email.is_empty() { &commit.author } else { &commit.email };
        authors.insert(who.to_lowercase());
        for file in &commit.files {
            if scope.relative(&file.path).is_some() {
                *per_file.entry(&file.path).or_default() +=
                    u64::from(file.additions) + u64::from(file.deletions);
            }
        }
    }
    let mut files: Vec<_> = per_file
        .into_iter()
        .filter(|&(_, changes)| changes > 0)
        .map(|(path, changes)| FileChanges { path: path.to_string(), changes })
        .collect();
    files.sort_by(|a, b| b.changes.cmp(&a.changes).then_with(|| a.path.cmp(&b.path)));
    files.truncate(top);
    Churn {
        commits: commits.len(),
        authors: authors.len(),
        top: files,
        whole_history: commits.len() < asked as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use grove_sdk::git::FileChurn;

    fn commit(email: &str, files: &[(&str, u32, u32)]) -> CommitInfo {
        CommitInfo {
            id: String::new(),
            summary: String::new(),
            author: "Someone".into(),
            email: email.into(),
            time: 0,
            parents: 1,
            files: files
                .iter()
                .map(|&(path, additions, deletions)| FileChurn { path: path.into(), additions, deletions })
                .collect(),
        }
    }

    #[test]
    fn sums_changes_and_counts_authors() {
        let commits = [
            commit("a@x.org", &[("src/lib.rs", 10, 2), ("README.md", 1, 0)]),
            commit("A@x.org", &[("src/lib.rs", 3, 3), ("src/main.rs", 5, 0)]),
            commit("b@x.org", &[("src/main.rs", 1, 0), ("logo.png", 0, 0)]),
        ];
        let root = Scope::resolve("", None).unwrap();
        let churn = aggregate(&commits, &root, 2, 500);
        assert_eq!(churn.commits, 3);
        assert_eq!(churn.authors, 2);
        assert!(churn.whole_history);
        let top: Vec<_> = churn.top.iter().map(|f| (f.path.as_str(), f.changes)).collect();
        assert_eq!(top, [("src/lib.rs", 18), ("src/main.rs", 6)]);
    }

    #[test]
    fn keeps_to_the_scope() {
        let commits = [commit("a@x.org", &[("src/lib.rs", 1, 0), ("docs/a.md", 9, 9)])];
        let src = Scope::resolve("", Some("src")).unwrap();
        let churn = aggregate(&commits, &src, 10, 1);
        assert_eq!(churn.top, [FileChanges { path: "src/lib.rs".into(), changes: 1 }]);
        assert!(!churn.whole_history);
    }
}
