//! What the rules look at: each changed file of the diff with what its
//! path says about it, worked out once.

use grove_diff::{Diff, FileDiff, Hunk, Kind, Line, Status};

use crate::paths::{self, Lang};

/// A comment on a line that holds a deliberate example (a fake key in a
/// test, say) keeps every line rule off it.
pub const IGNORE_MARKER: &str = "grove:ignore";

/// The diff under review.
#[derive(Debug)]
pub struct Changes<'a> {
    pub files: Vec<File<'a>>,
}

/// One changed file.
#[derive(Debug)]
pub struct File<'a> {
    pub diff: &'a FileDiff<'a>,
    pub lang: Lang,
    /// A test, fixture or snapshot by its path.
    pub test: bool,
    /// Its size in the worktree, when the caller looked (added and binary
    /// files); `None` otherwise.
    pub size: Option<u64>,
}

/// A line of a hunk (an added one, mostly), with where it sits.
#[derive(Debug, Clone, Copy)]
pub struct Added<'a> {
    pub line: &'a Line<'a>,
    pub hunk: &'a Hunk<'a>,
    /// Its index in `hunk.lines`, to look at the lines before it.
    pub index: usize,
    /// Test code: a test file, or a Rust hunk inside `mod tests`.
    pub test: bool,
}

impl<'a> Changes<'a> {
    /// Classify every file of `diff`; `size` gives a file's size in the
    /// worktree when it is worth asking.
    pub fn new(diff: &'a Diff<'a>, mut size: impl FnMut(&FileDiff<'_>) -> Option<u64>) -> Changes<'a> {
        let files = diff
            .files
            .iter()
            .map(|d| File { diff: d, lang: Lang::of(&d.path), test: paths::is_test(&d.path), size: size(d) })
            .collect();
        Changes { files }
    }
}

impl<'a> File<'a> {
    pub fn path(&self) -> &'a str {
        &self.diff.path
    }

    /// New in this diff (untracked files included).
    pub fn is_new(&self) -> bool {
        self.diff.status == Status::Added
    }

    /// Every line of every hunk, with whether it is test code: all of a
    /// test file; in Rust, what follows `#[cfg(test)]`, `mod tests` or
    /// `#[test]` in its hunk, or all of a hunk git places in `mod tests`.
    pub fn lines_in_context(&self) -> impl Iterator<Item = Added<'a>> + '_ {
        let rust = self.lang == Lang::Rust;
        self.diff.hunks.iter().flat_map(move |hunk| {
            let mut test = self.test || (rust && is_test_marker(hunk.section));
            hunk.lines.iter().enumerate().map(move |(index, line)| {
                test = test || (rust && line.kind != Kind::Removed && is_test_marker(line.text));
                Added { line, hunk, index, test }
            })
        })
    }

    /// The added lines, minus those marked [`IGNORE_MARKER`].
    pub fn added(&self) -> impl Iterator<Item = Added<'a>> + '_ {
        self.lines_in_context().filter(|a| a.line.kind == Kind::Added && !a.line.text.contains(IGNORE_MARKER))
    }

    /// The first added line's number, where a file-level finding points.
    pub fn first_added_line(&self) -> Option<u32> {
        self.diff.added().next().map(|l| l.new)
    }
}

impl<'a> Added<'a> {
    pub fn text(&self) -> &'a str {
        self.line.text
    }

    pub fn number(&self) -> u32 {
        self.line.new
    }

    /// The lines before this one in its hunk, nearest first, that are in
    /// the new file (context and added).
    pub fn before(&self) -> impl Iterator<Item = &'a str> {
        self.hunk.lines[..self.index].iter().rev().filter(|l| l.kind != Kind::Removed).map(|l| l.text)
    }
}

/// A Rust line that starts test code.
fn is_test_marker(s: &str) -> bool {
    s.contains("#[cfg(test)]") || s.contains("#[test]") || s.contains("mod tests") || s.contains("mod test ")
}

#[cfg(test)]
pub mod fixtures {
    //! Diffs built from file contents, for the rules' tests.

    /// A diff adding `text` as the new file `path`.
    pub fn new_file(path: &str, text: &str) -> String {
        let lines: Vec<&str> = text.lines().collect();
        let mut out = format!(
            "diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{} @@\n",
            lines.len()
        );
        for line in lines {
            out.push('+');
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// A diff of `path` whose one hunk, starting at line 1, is `body`
    /// written with `+`/`-`/` ` prefixes.
    pub fn modified(path: &str, section: &str, body: &str) -> String {
        let old = body.lines().filter(|l| !l.starts_with('+')).count();
        let new = body.lines().filter(|l| !l.starts_with('-')).count();
        format!(
            "diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -1,{old} +1,{new} @@ {section}\n{body}"
        )
    }
}
