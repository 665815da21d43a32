//! Parse the unified diff that grove's `git::diff` returns (git's
//! `diff --git` format, as libgit2 prints it) into files, hunks and lines,
//! each line with its number in the new file.
//!
//! The parser borrows line text from the diff, so a diff of many thousand
//! lines is read in one pass without copying it. It is forgiving: a header
//! it does not know is skipped, and a hunk that ends early ends there.
//!
//! ```
//! let text = "diff --git a/x.txt b/x.txt\n--- a/x.txt\n+++ b/x.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+three\n";
//! let diff = grove_diff::parse(text);
//! let added: Vec<_> = diff.files[0].added().map(|l| (l.new, l.text)).collect();
//! assert_eq!(added, [(2, "three")]);
//! ```

mod header;
mod quote;

use header::Header;

/// Every file of one diff, in the order git printed them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff<'a> {
    pub files: Vec<FileDiff<'a>>,
}

/// What happened to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// New in the diff, untracked files included.
    Added,
    Deleted,
    Modified,
    Renamed,
    Copied,
}

/// One file's changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff<'a> {
    /// The path in the new tree; for a deleted file, the path it had.
    pub path: String,
    /// Where a renamed or copied file came from.
    pub old_path: Option<String>,
    pub status: Status,
    /// git printed "Binary files … differ" instead of hunks.
    pub binary: bool,
    pub hunks: Vec<Hunk<'a>>,
}

/// One `@@ -a,b +c,d @@` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk<'a> {
    pub old_start: u32,
    pub old_count: u32,
    pub new_start: u32,
    pub new_count: u32,
    /// What git printed after the second `@@`: usually the enclosing
    /// function or block (`fn main() {`, `mod tests {`), or empty.
    pub section: &'a str,
    pub lines: Vec<Line<'a>>,
}

/// Whether a line is kept, added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Context,
    Added,
    Removed,
}

/// One line of a hunk, without its `+`/`-`/` ` prefix or line ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    pub kind: Kind,
    pub text: &'a str,
    /// The line's number in the new file. A removed line has none there,
    /// so it gets the number of the new line that now stands where it was:
    /// where a reviewer would comment on the removal.
    pub new: u32,
    /// The line's number in the old file; 0 for an added line.
    pub old: u32,
}

impl<'a> FileDiff<'a> {
    /// Every line of every hunk.
    pub fn lines(&self) -> impl Iterator<Item = &Line<'a>> {
        self.hunks.iter().flat_map(|h| h.lines.iter())
    }

    /// The lines this diff adds.
    pub fn added(&self) -> impl Iterator<Item = &Line<'a>> {
        self.lines().filter(|l| l.kind == Kind::Added)
    }

    /// The lines this diff adds or removes.
    pub fn changed(&self) -> impl Iterator<Item = &Line<'a>> {
        self.lines().filter(|l| l.kind != Kind::Context)
    }

    /// Number of added lines.
    pub fn additions(&self) -> usize {
        self.added().count()
    }

    /// Number of removed lines.
    pub fn deletions(&self) -> usize {
        self.lines().filter(|l| l.kind == Kind::Removed).count()
    }

    /// True when the file is gone after the diff.
    pub fn is_deleted(&self) -> bool {
        self.status == Status::Deleted
    }
}

impl Diff<'_> {
    /// The file at `path` (its new path), if the diff touches it.
    pub fn file(&self, path: &str) -> Option<&FileDiff<'_>> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// Parse a unified diff. Text before the first `diff --git` line is
/// ignored; so is anything the parser does not recognise.
pub fn parse(text: &str) -> Diff<'_> {
    let mut files = Vec::new();
    let mut lines = text.lines().peekable();
    let mut current: Option<FileBuilder<'_>> = None;
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("diff --git ") {
            files.extend(current.take().map(FileBuilder::finish));
            current = Some(FileBuilder::new(header::paths_of_git_line(rest)));
            continue;
        }
        let Some(file) = current.as_mut() else { continue };
        if let Some(hunk) = header::hunk(line) {
            file.hunks.push(read_hunk(hunk, &mut lines));
            continue;
        }
        match header::parse(line) {
            Some(Header::NewFile) => file.status = Some(Status::Added),
            Some(Header::DeletedFile) => file.status = Some(Status::Deleted),
            Some(Header::RenameFrom(p)) => {
                file.old = Some(p);
                file.status = Some(Status::Renamed);
            }
            Some(Header::RenameTo(p)) => file.new = Some(p),
            Some(Header::CopyFrom(p)) => {
                file.old = Some(p);
                file.status = Some(Status::Copied);
            }
            Some(Header::CopyTo(p)) => file.new = Some(p),
            Some(Header::Old(p)) => match p {
                Some(p) => file.old = Some(p),
                None => file.status = Some(Status::Added),
            },
            Some(Header::New(p)) => match p {
                Some(p) => file.new = Some(p),
                None => file.status = Some(Status::Deleted),
            },
            Some(Header::Binary { old, new }) => {
                file.binary = true;
                if old.is_none() {
                    file.status = Some(Status::Added);
                }
                if new.is_none() {
                    file.status = Some(Status::Deleted);
                }
                file.old = file.old.take().or(old);
                file.new = file.new.take().or(new);
            }
            None => {}
        }
    }
    files.extend(current.map(FileBuilder::finish));
    Diff { files }
}

/// Read the lines of one hunk, by its counts: a content line that looks
/// like a header (`+++ x`, `diff --git`) is still content.
fn read_hunk<'a>(
    h: header::HunkHeader<'a>,
    lines: &mut std::iter::Peekable<std::str::Lines<'a>>,
) -> Hunk<'a> {
    let (mut old_left, mut new_left) = (h.old_count, h.new_count);
    let (mut old, mut new) = (h.old_start.max(1), h.new_start.max(1));
    // A hunk that adds to an empty file starts at 0; its first line is 1.
    if h.new_count == 0 {
        new = h.new_start + 1;
    }
    let mut out = Vec::with_capacity((h.old_count + h.new_count) as usize);
    while old_left > 0 || new_left > 0 {
        let Some(&raw) = lines.peek() else { break };
        let (kind, text) = match raw.as_bytes().first() {
            Some(b'+') if new_left > 0 => (Kind::Added, &raw[1..]),
            Some(b'-') if old_left > 0 => (Kind::Removed, &raw[1..]),
            Some(b' ') if old_left > 0 && new_left > 0 => (Kind::Context, &raw[1..]),
            // Some tools strip the space of an empty context line.
            None if old_left > 0 && new_left > 0 => (Kind::Context, ""),
            Some(b'\\') => {
                lines.next();
                continue;
            }
            // Anything else ends a hunk whose counts overstated it.
            _ => break,
        };
        lines.next();
        let text = text.strip_suffix('\r').unwrap_or(text);
        match kind {
            Kind::Added => {
                out.push(Line { kind, text, new, old: 0 });
                new += 1;
                new_left -= 1;
            }
            Kind::Removed => {
                out.push(Line { kind, text, new, old });
                old += 1;
                old_left -= 1;
            }
            Kind::Context => {
                out.push(Line { kind, text, new, old });
                old += 1;
                new += 1;
                old_left -= 1;
                new_left -= 1;
            }
        }
    }
    // "\ No newline at end of file" after the last line belongs here too.
    while lines.peek().is_some_and(|l| l.starts_with('\\')) {
        lines.next();
    }
    Hunk {
        old_start: h.old_start,
        old_count: h.old_count,
        new_start: h.new_start,
        new_count: h.new_count,
        section: h.section,
        lines: out,
    }
}

/// A file being read: what the headers said so far.
struct FileBuilder<'a> {
    old: Option<String>,
    new: Option<String>,
    status: Option<Status>,
    binary: bool,
    hunks: Vec<Hunk<'a>>,
}

impl<'a> FileBuilder<'a> {
    fn new((old, new): (Option<String>, Option<String>)) -> Self {
        FileBuilder { old, new, status: None, binary: false, hunks: Vec::new() }
    }

    fn finish(self) -> FileDiff<'a> {
        let status = self.status.unwrap_or(Status::Modified);
        let (path, old_path) = match status {
            Status::Deleted => (self.old.or(self.new).unwrap_or_default(), None),
            Status::Renamed | Status::Copied => (self.new.unwrap_or_default(), self.old),
            Status::Added | Status::Modified => (self.new.or(self.old).unwrap_or_default(), None),
        };
        FileDiff { path, old_path, status, binary: self.binary, hunks: self.hunks }
    }
}

#[cfg(test)]
mod tests;
