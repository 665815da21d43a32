//! What a scan found, ranked, in the shape every report is written from.

use serde::Serialize;

/// Where one copy, function or file is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CloneKind {
    /// The same text, token for token.
    Exact,
    /// The same code with other names or literals.
    Renamed,
}

/// One piece of code and its copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clone {
    pub kind: CloneKind,
    pub language: &'static str,
    /// Lines of one copy (the first).
    pub lines: u32,
    /// Tokens every copy has in common.
    pub tokens: u32,
    /// Lines a refactoring could remove: every copy but one.
    pub duplicated_lines: u32,
    pub locations: Vec<Location>,
    /// The first lines of the first copy.
    pub fragment: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeadKind {
    Function,
    File,
}

/// Code that may be unused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadCode {
    pub kind: DeadKind,
    pub language: &'static str,
    pub path: String,
    /// The function's name, or the file's.
    pub name: String,
    pub line: u32,
    pub reason: String,
}

/// A function too long or too deeply nested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionShape {
    pub language: &'static str,
    pub path: String,
    pub name: String,
    pub start_line: u32,
    pub end_line: u32,
    pub lines: u32,
    pub depth: u32,
    /// Where the deepest block starts.
    pub depth_line: u32,
}

/// The limits a scan applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    pub min_lines: u32,
    pub min_tokens: u32,
    pub max_lines: u32,
    pub max_depth: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        // jscpd's defaults for clones, so numbers compare.
        Thresholds { min_lines: 5, min_tokens: 50, max_lines: 80, max_depth: 4 }
    }
}

/// Everything one scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    pub files: u64,
    pub lines: u64,
    pub tokens: u64,
    /// Files left out (generated, minified, binary, unreadable).
    pub skipped: u64,
    pub clones: Vec<Clone>,
    pub dead_code: Vec<DeadCode>,
    pub long_functions: Vec<FunctionShape>,
    pub deep_nesting: Vec<FunctionShape>,
}

impl Findings {
    pub fn count(&self) -> usize {
        self.clones.len() + self.dead_code.len() + self.long_functions.len() + self.deep_nesting.len()
    }

    pub fn duplicated_lines(&self) -> u64 {
        self.clones.iter().map(|c| c.duplicated_lines as u64).sum()
    }

    pub fn clones_of(&self, kind: CloneKind) -> usize {
        self.clones.iter().filter(|c| c.kind == kind).count()
    }

    /// Most to gain first: the clones removing the most lines, the longest
    /// functions, the deepest nesting; then by place, so output is stable.
    pub fn rank(&mut self) {
        self.clones.sort_by(|a, b| {
            b.duplicated_lines
                .cmp(&a.duplicated_lines)
                .then(b.tokens.cmp(&a.tokens))
                .then_with(|| a.locations[0].path.cmp(&b.locations[0].path))
                .then(a.locations[0].start_line.cmp(&b.locations[0].start_line))
        });
        self.long_functions.sort_by(|a, b| {
            b.lines.cmp(&a.lines).then_with(|| a.path.cmp(&b.path)).then(a.start_line.cmp(&b.start_line))
        });
        self.deep_nesting.sort_by(|a, b| {
            b.depth
                .cmp(&a.depth)
                .then(b.lines.cmp(&a.lines))
                .then_with(|| a.path.cmp(&b.path))
                .then(a.start_line.cmp(&b.start_line))
        });
        self.dead_code.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
    }

    /// Keep only findings that touch a path `keep` accepts (the files a
    /// change touched); a clone is kept when any of its copies is.
    pub fn retain_paths(&mut self, keep: impl Fn(&str) -> bool) {
        self.clones.retain(|c| c.locations.iter().any(|l| keep(&l.path)));
        self.dead_code.retain(|d| keep(&d.path));
        self.long_functions.retain(|f| keep(&f.path));
        self.deep_nesting.retain(|f| keep(&f.path));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clone(lines: u32, copies: usize, path: &str) -> Clone {
        Clone {
            kind: CloneKind::Exact,
            language: "Rust",
            lines,
            tokens: lines * 10,
            duplicated_lines: lines * (copies as u32 - 1),
            locations: (0..copies)
                .map(|i| Location { path: format!("{path}{i}"), start_line: 1, end_line: lines })
                .collect(),
            fragment: String::new(),
        }
    }

    fn shape(path: &str, lines: u32, depth: u32) -> FunctionShape {
        FunctionShape {
            language: "Go",
            path: path.into(),
            name: "f".into(),
            start_line: 1,
            end_line: lines,
            lines,
            depth,
            depth_line: 1,
        }
    }

    #[test]
    fn ranks_most_duplicated_lines_first() {
        let mut f = Findings {
            clones: vec![clone(10, 2, "a"), clone(8, 3, "b"), clone(30, 2, "c")],
            long_functions: vec![shape("x", 90, 1), shape("y", 200, 1)],
            deep_nesting: vec![shape("x", 10, 5), shape("y", 10, 7)],
            ..Findings::default()
        };
        f.rank();
        let order: Vec<u32> = f.clones.iter().map(|c| c.duplicated_lines).collect();
        assert_eq!(order, [30, 16, 10]);
        assert_eq!(f.long_functions[0].path, "y");
        assert_eq!(f.deep_nesting[0].depth, 7);
        assert_eq!(f.duplicated_lines(), 56);
        assert_eq!(f.count(), 7);
    }

    #[test]
    fn keeps_clones_touching_a_kept_path() {
        let mut f = Findings {
            clones: vec![clone(10, 2, "a"), clone(10, 2, "b")],
            long_functions: vec![shape("a0", 100, 1), shape("z", 100, 1)],
            ..Findings::default()
        };
        f.retain_paths(|p| p == "a1" || p == "a0");
        assert_eq!(f.clones.len(), 1);
        assert_eq!(f.long_functions.len(), 1);
    }
}
