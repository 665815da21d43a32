//! Session names: what a user types becomes a slug that is at once a folder
//! name, the id of git's admin folder and the last part of a branch name,
//! so it must be safe as all three.

use super::WorktreeError;

/// Longest slug: long enough for a sentence-like name, short enough for
/// paths and branch lists.
pub const MAX_LEN: usize = 64;

/// The namespace of grove's branches.
pub const BRANCH_PREFIX: &str = "grove/";

/// Names git gives special meaning to as refs or files in a git dir.
const RESERVED: &[&str] = &[
    "head",
    "fetch_head",
    "orig_head",
    "merge_head",
    "cherry_pick_head",
    "revert_head",
    "rebase_head",
    "bisect_head",
    "auto_merge",
];

/// Slug `name` (trim; lowercase; each run of whitespace or slashes becomes one
/// `-`) and check the result. See [`super::Worktrees::slug`].
pub fn slug(name: &str) -> Result<String, WorktreeError> {
    let mut slug = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.trim().chars() {
        if c.is_whitespace() || c == '/' || c == '\\' {
            if !in_separator {
                slug.push('-');
            }
            in_separator = true;
        } else {
            slug.extend(c.to_lowercase());
            in_separator = false;
        }
    }
    check(&slug).map_err(|why| WorktreeError::InvalidName { name: name.to_string(), why })?;
    Ok(slug)
}

/// The branch a session's worktree is on.
pub fn branch_for(slug: &str) -> String {
    format!("{BRANCH_PREFIX}{slug}")
}

/// Why `slug` cannot be used, in words a user can act on.
fn check(slug: &str) -> Result<(), String> {
    if slug.is_empty() {
        return Err("it is empty; give the session a name such as `fix-login`".into());
    }
    if let Some(c) = slug.chars().find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '.' | '_' | '-')) {
        return Err(format!("{c:?} is not allowed; use letters, digits, '.', '_' and '-'"));
    }
    if slug.len() > MAX_LEN {
        return Err(format!("it is {} characters long; the limit is {MAX_LEN}", slug.len()));
    }
    if slug.starts_with('.') || slug.starts_with('-') {
        return Err(format!("it starts with {:?}; start with a letter or a digit", &slug[..1]));
    }
    if slug.contains("..") {
        return Err("it contains \"..\"".into());
    }
    if slug.ends_with('.') || slug.ends_with(".lock") {
        return Err("git does not allow branch names ending in '.' or \".lock\"".into());
    }
    if RESERVED.contains(&slug) {
        return Err(format!("{slug:?} is reserved by git; pick another name"));
    }
    let branch = branch_for(slug);
    if !git2::Branch::name_is_valid(&branch).unwrap_or(false) {
        return Err(format!("git does not accept {branch:?} as a branch name"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(name: &str) -> String {
        match slug(name) {
            Err(WorktreeError::InvalidName { name: n, why }) => {
                assert_eq!(n, name);
                why
            }
            other => panic!("{name:?} should be refused, got {other:?}"),
        }
    }

    #[test]
    fn slugs_spaces_slashes_and_case() {
        assert_eq!(slug("Fix Login").unwrap(), "fix-login");
        assert_eq!(slug("  feature/Auth  flow ").unwrap(), "feature-auth-flow");
        assert_eq!(slug("a//b").unwrap(), "a-b");
        assert_eq!(slug("v1.2_rc-3").unwrap(), "v1.2_rc-3");
        assert_eq!(slug("x").unwrap(), "x");
        assert_eq!(slug(&"a".repeat(MAX_LEN)).unwrap().len(), MAX_LEN);
    }

    #[test]
    fn refuses_bad_names_with_reasons() {
        assert!(why("").contains("empty"));
        assert!(why("   ").contains("empty"));
        assert!(why("..").contains("starts with \".\""));
        assert!(why("a/../b").contains("\"..\""));
        assert!(why("a..b").contains("\"..\""));
        assert!(why(&"a".repeat(MAX_LEN + 1)).contains("65 characters long; the limit is 64"));
        assert!(why(".hidden").contains("starts with"));
        assert!(why("-x").contains("starts with \"-\""));
        assert!(why("/x").contains("starts with \"-\""));
        assert!(why("a:b").contains("':' is not allowed"));
        assert!(why("naïve").contains("'ï' is not allowed"));
        assert!(why("x~1").contains("'~'"));
        assert!(why("x.lock").contains(".lock"));
        assert!(why("x.").contains("ending in '.'"));
        assert!(why("HEAD").contains("reserved"));
        assert!(why("Orig_Head").contains("reserved"));
    }

    #[test]
    fn branch_names() {
        assert_eq!(branch_for("fix-login"), "grove/fix-login");
        for name in ["a", "a.b", "a_b", "0", "a-b.c_d"] {
            assert!(git2::Branch::name_is_valid(&branch_for(&slug(name).unwrap())).unwrap());
        }
    }
}
