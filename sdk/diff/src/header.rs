//! The lines of a file's header: `diff --git`, `new file mode`,
//! `rename from`, `--- a/x`, `+++ b/x`, `Binary files … differ`, and the
//! `@@ … @@` line that opens a hunk.

use crate::quote::unquote;

/// A header line that says something about the file.
#[derive(Debug, PartialEq, Eq)]
pub enum Header {
    NewFile,
    DeletedFile,
    RenameFrom(String),
    RenameTo(String),
    CopyFrom(String),
    CopyTo(String),
    /// `--- a/x`; `None` for `/dev/null`.
    Old(Option<String>),
    /// `+++ b/x`; `None` for `/dev/null`.
    New(Option<String>),
    /// `Binary files a/x and b/x differ`; `None` for `/dev/null`.
    Binary {
        old: Option<String>,
        new: Option<String>,
    },
}

pub fn parse(line: &str) -> Option<Header> {
    if line.starts_with("new file mode") {
        return Some(Header::NewFile);
    }
    if line.starts_with("deleted file mode") {
        return Some(Header::DeletedFile);
    }
    let path = |rest: &str| unquote(rest);
    if let Some(rest) = line.strip_prefix("rename from ") {
        return Some(Header::RenameFrom(path(rest)));
    }
    if let Some(rest) = line.strip_prefix("rename to ") {
        return Some(Header::RenameTo(path(rest)));
    }
    if let Some(rest) = line.strip_prefix("copy from ") {
        return Some(Header::CopyFrom(path(rest)));
    }
    if let Some(rest) = line.strip_prefix("copy to ") {
        return Some(Header::CopyTo(path(rest)));
    }
    if let Some(rest) = line.strip_prefix("--- ") {
        return Some(Header::Old(side(rest, "a/")));
    }
    if let Some(rest) = line.strip_prefix("+++ ") {
        return Some(Header::New(side(rest, "b/")));
    }
    let rest = line.strip_prefix("Binary files ")?.strip_suffix(" differ")?;
    let (old, new) = split_pair(rest, " and ")?;
    Some(Header::Binary { old: side(old, "a/"), new: side(new, "b/") })
}

/// A path after `---`/`+++`: unquoted, prefix dropped, `None` for
/// `/dev/null`. git ends a path holding spaces with a tab there.
fn side(raw: &str, prefix: &str) -> Option<String> {
    let raw = raw.strip_suffix('\t').unwrap_or(raw);
    if raw == "/dev/null" {
        return None;
    }
    let path = unquote(raw);
    Some(path.strip_prefix(prefix).map(str::to_string).unwrap_or(path))
}

/// Split `a/x and b/x` (or `a/x b/x`) where `sep` may also occur inside
/// the paths: git prints the same path on both sides unless the file was
/// renamed, so try the middle first.
fn split_pair<'s>(s: &'s str, sep: &str) -> Option<(&'s str, &'s str)> {
    if s.starts_with('"') {
        let end = closing_quote(s)?;
        return Some((&s[..=end], s[end + 1..].strip_prefix(sep)?));
    }
    if s.len() > sep.len() && (s.len() - sep.len()).is_multiple_of(2) {
        let half = (s.len() - sep.len()) / 2;
        if s.is_char_boundary(half)
            && s[half..].starts_with(sep)
            && s[..half].get(2..) == s[half + sep.len()..].get(2..)
        {
            return Some((&s[..half], &s[half + sep.len()..]));
        }
    }
    s.split_once(sep)
}

/// Index of the quote that closes the one `s` starts with.
fn closing_quote(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The paths of `diff --git a/x b/y`, for files whose header has no
/// `---`/`+++` lines (binary files, mode changes, empty new files).
pub fn paths_of_git_line(rest: &str) -> (Option<String>, Option<String>) {
    match split_pair(rest, " ") {
        Some((old, new)) => (side(old, "a/"), side(new, "b/")),
        None => (None, None),
    }
}

/// `@@ -a,b +c,d @@ section`.
#[derive(Debug, PartialEq, Eq)]
pub struct HunkHeader<'a> {
    pub old_start: u32,
    pub old_count: u32,
    pub new_start: u32,
    pub new_count: u32,
    pub section: &'a str,
}

pub fn hunk(line: &str) -> Option<HunkHeader<'_>> {
    let rest = line.strip_prefix("@@ -")?;
    let (ranges, section) = rest.split_once(" @@")?;
    let (old, new) = ranges.split_once(" +")?;
    let (old_start, old_count) = range(old)?;
    let (new_start, new_count) = range(new)?;
    Some(HunkHeader { old_start, old_count, new_start, new_count, section: section.trim_start() })
}

/// `12,3` or `12` (a count of one).
fn range(s: &str) -> Option<(u32, u32)> {
    match s.split_once(',') {
        Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
        None => Some((s.parse().ok()?, 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers() {
        assert_eq!(
            hunk("@@ -1,3 +1,4 @@ fn main() {"),
            Some(HunkHeader {
                old_start: 1,
                old_count: 3,
                new_start: 1,
                new_count: 4,
                section: "fn main() {"
            })
        );
        assert_eq!(
            hunk("@@ -0,0 +1 @@"),
            Some(HunkHeader { old_start: 0, old_count: 0, new_start: 1, new_count: 1, section: "" })
        );
        assert_eq!(hunk("@@@ -1,2 -1,2 +1,3 @@@"), None);
        assert_eq!(hunk("@@ -x +1 @@"), None);
    }

    #[test]
    fn paths_in_headers() {
        assert_eq!(
            paths_of_git_line("a/src/a b.rs b/src/a b.rs"),
            (Some("src/a b.rs".into()), Some("src/a b.rs".into()))
        );
        assert_eq!(
            paths_of_git_line("a/old.txt b/new.txt"),
            (Some("old.txt".into()), Some("new.txt".into()))
        );
        assert_eq!(
            paths_of_git_line(r#""a/t\303\251.txt" "b/t\303\251.txt""#),
            (Some("té.txt".into()), Some("té.txt".into()))
        );
        assert_eq!(parse("--- /dev/null"), Some(Header::Old(None)));
        assert_eq!(parse("+++ b/with space.txt\t"), Some(Header::New(Some("with space.txt".into()))));
        assert_eq!(
            parse("Binary files /dev/null and b/logo and icon.png differ"),
            Some(Header::Binary { old: None, new: Some("logo and icon.png".into()) })
        );
        assert_eq!(
            parse("Binary files a/x.png and b/x.png differ"),
            Some(Header::Binary { old: Some("x.png".into()), new: Some("x.png".into()) })
        );
        assert_eq!(parse("index 83db48f..bf269f4 100644"), None);
    }
}
