//! Files and lines by language: every file under the scope, read once.

use std::collections::BTreeMap;

use grove_sdk::prelude::*;
use serde::Serialize;

use crate::languages;
use crate::lines::{self, LineCount};

/// Files larger than this are skipped unread: they are data or generated,
/// and reading them would only cost the guest memory.
pub const MAX_FILE: u64 = 4 << 20;
/// Report progress once per this many files.
const PROGRESS_EVERY: usize = 200;

/// What one language adds up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LanguageStats {
    pub language: &'static str,
    pub files: u64,
    pub lines: u64,
    pub blank: u64,
    pub bytes: u64,
}

/// Sums over every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub files: u64,
    pub lines: u64,
    pub bytes: u64,
    /// Binary, too large or unreadable files, not counted in the others.
    pub skipped: u64,
}

/// The languages, most lines first, and how many files were skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Census {
    pub languages: Vec<LanguageStats>,
    pub skipped: u64,
}

impl Census {
    pub fn totals(&self) -> Totals {
        let mut t = Totals { files: 0, lines: 0, bytes: 0, skipped: self.skipped };
        for l in &self.languages {
            t.files += l.files;
            t.lines += l.lines;
            t.bytes += l.bytes;
        }
        t
    }

    /// Languages actually recognized, `Other` left out.
    pub fn known_languages(&self) -> usize {
        self.languages.iter().filter(|l| l.language != languages::OTHER).count()
    }
}

/// Read `files` (from `workspace::glob`) and count them.
pub fn take(files: &[workspace::Entry]) -> Census {
    let mut tally = Tally::default();
    let total = files.len() as u64;
    for (i, file) in files.iter().enumerate() {
        match read(file) {
            Some(bytes) => tally.add(&file.path, &bytes),
            None => tally.skipped += 1,
        }
        let done = i + 1;
        if done.is_multiple_of(PROGRESS_EVERY) || done == files.len() {
            log::progress("reading files", done as u64, total);
        }
    }
    tally.finish()
}

/// The file's bytes, or `None` to skip it: too large, binary, or gone
/// since the glob. The size the glob saw is checked first so a huge file
/// is never pulled into the guest's memory.
fn read(file: &workspace::Entry) -> Option<Vec<u8>> {
    let path = &file.path;
    let skip = |why: &str| {
        log::debug(&format!("skipping {path}: {why}"));
        None
    };
    if file.size > MAX_FILE {
        return skip("larger than 4 MiB");
    }
    match workspace::read(path) {
        // It may have grown between the glob and the read.
        Ok(bytes) if bytes.len() as u64 > MAX_FILE => skip("larger than 4 MiB"),
        Ok(bytes) if lines::is_binary(&bytes) => skip("binary"),
        Ok(bytes) => Some(bytes),
        Err(e) => skip(e.message()),
    }
}

/// Running sums while files are read.
#[derive(Debug, Default)]
struct Tally {
    by_language: BTreeMap<&'static str, LanguageStats>,
    skipped: u64,
}

impl Tally {
    fn add(&mut self, path: &str, bytes: &[u8]) {
        let language = languages::detect(path, bytes);
        let LineCount { lines, blank } = lines::count(bytes);
        let entry = self.by_language.entry(language).or_insert(LanguageStats {
            language,
            files: 0,
            lines: 0,
            blank: 0,
            bytes: 0,
        });
        entry.files += 1;
        entry.lines += lines;
        entry.blank += blank;
        entry.bytes += bytes.len() as u64;
    }

    fn finish(self) -> Census {
        let mut languages: Vec<_> = self.by_language.into_values().collect();
        // Most lines first; the map's name order breaks ties (stable sort).
        languages.sort_by_key(|l| std::cmp::Reverse(l.lines));
        Census { languages, skipped: self.skipped }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_by_language_most_lines_first() {
        let mut t = Tally::default();
        t.add("a.rs", b"fn a() {}\n\nfn b() {}\n");
        t.add("b.rs", b"x\n");
        t.add("README.md", b"# hi\n");
        t.add("LICENSE", b"");
        t.add("c.py", b"y\n");
        t.skipped = 2;
        let census = t.finish();
        let names: Vec<_> = census.languages.iter().map(|l| l.language).collect();
        assert_eq!(names, ["Rust", "Markdown", "Python", "Other"]);
        assert_eq!(
            census.languages[0],
            LanguageStats { language: "Rust", files: 2, lines: 4, blank: 1, bytes: 23 }
        );
        assert_eq!(census.known_languages(), 3);
        assert_eq!(census.totals(), Totals { files: 5, lines: 6, bytes: 30, skipped: 2 });
    }
}
