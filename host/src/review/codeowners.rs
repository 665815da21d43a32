//! `CODEOWNERS`: who reviews which files. As GitHub reads it: the first of
//! `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`; each line a
//! gitignore-style pattern and its owners; the last line that matches a
//! path wins (an entry with no owners leaves the path unowned).
//!
//! Patterns become globs (`globset`, `*` not crossing `/`): one without a
//! slash but at its end matches at any depth; a leading `/` or a slash in
//! the middle anchors it at the root; a pattern names a folder's contents
//! as well as itself.

use std::collections::BTreeSet;

use globset::{GlobBuilder, GlobMatcher};

/// Where GitHub looks, in order.
pub const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// The parsed file.
#[derive(Debug, Default)]
pub struct CodeOwners {
    rules: Vec<Rule>,
}

#[derive(Debug)]
struct Rule {
    matchers: Vec<GlobMatcher>,
    owners: Vec<String>,
}

/// The reviewers to request: people by login, teams by slug.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reviewers {
    pub users: BTreeSet<String>,
    pub teams: BTreeSet<String>,
}

impl CodeOwners {
    /// Parse the file's text; lines that are not rules are skipped.
    pub fn parse(text: &str) -> CodeOwners {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.split_once(" #").map_or(line, |(rule, _)| rule).trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(pattern) = parts.next() else { continue };
            let owners: Vec<String> = parts.map(str::to_string).collect();
            let Some(matchers) = matchers(pattern) else { continue };
            rules.push(Rule { matchers, owners });
        }
        CodeOwners { rules }
    }

    /// The owners of `path` (relative, `/`-separated): the last rule that
    /// matches.
    pub fn owners_of(&self, path: &str) -> &[String] {
        self.rules
            .iter()
            .rev()
            .find(|rule| rule.matchers.iter().any(|m| m.is_match(path)))
            .map_or(&[], |rule| rule.owners.as_slice())
    }

    /// The reviewers of `paths`: `@login` a user, `@org/team` a team (by
    /// its slug); e-mail owners have no login and are left out.
    pub fn reviewers<'p>(&self, paths: impl IntoIterator<Item = &'p str>) -> Reviewers {
        let mut out = Reviewers::default();
        for path in paths {
            for owner in self.owners_of(path) {
                let Some(name) = owner.strip_prefix('@') else { continue };
                match name.split_once('/') {
                    Some((_, team)) => out.teams.insert(team.to_string()),
                    None => out.users.insert(name.to_string()),
                };
            }
        }
        out
    }
}

/// The globs a gitignore-style pattern stands for, `*` not crossing `/`.
fn matchers(pattern: &str) -> Option<Vec<GlobMatcher>> {
    let folder = pattern.ends_with('/');
    let trimmed = pattern.trim_end_matches('/');
    let anchored = trimmed.starts_with('/') || trimmed.contains('/');
    let trimmed = trimmed.trim_start_matches('/');
    if trimmed.is_empty() {
        return None;
    }
    let base = if anchored { trimmed.to_string() } else { format!("**/{trimmed}") };
    let mut globs = vec![format!("{base}/**")];
    if !folder {
        globs.push(base);
    }
    globs
        .iter()
        .map(|g| Some(GlobBuilder::new(g).literal_separator(true).build().ok()?.compile_matcher()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
# Everything, unless a later rule says otherwise.
*       @acme/core
*.js    @js-owner    # scripts
/docs/  @docs-writer
apps/   @apps-owner
/build/logs/ @ops
src/db/**/migrations @dba dba@example.com
web/*.css @designer
vendor/ 
";

    fn owners(path: &str) -> Vec<String> {
        CodeOwners::parse(FILE).owners_of(path).to_vec()
    }

    #[test]
    fn the_last_matching_rule_wins() {
        assert_eq!(owners("README.md"), ["@acme/core"]);
        assert_eq!(owners("src/deep/app.js"), ["@js-owner"]);
        assert_eq!(owners("docs/guide/intro.md"), ["@docs-writer"]);
        // Not anchored: a folder called apps anywhere.
        assert_eq!(owners("services/apps/main.go"), ["@apps-owner"]);
        assert_eq!(owners("build/logs/today.log"), ["@ops"]);
        assert_eq!(owners("src/build/logs/x"), ["@acme/core"], "anchored at the root");
        assert_eq!(owners("src/db/a/b/migrations/001.sql"), ["@dba", "dba@example.com"]);
        assert_eq!(owners("web/site.css"), ["@designer"]);
        assert_eq!(owners("web/themes/dark.css"), ["@acme/core"], "`*` does not cross a folder");
        assert!(owners("vendor/lib.c").is_empty(), "no owners: unowned");
    }

    #[test]
    fn reviewers_are_users_and_teams() {
        let reviewers = CodeOwners::parse(FILE).reviewers(["src/db/x/migrations/1.sql", "README.md", "a.js"]);
        assert_eq!(reviewers.users.into_iter().collect::<Vec<_>>(), ["dba", "js-owner"]);
        assert_eq!(reviewers.teams.into_iter().collect::<Vec<_>>(), ["core"]);
    }
}
