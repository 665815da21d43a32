//! The findings written out three ways: a one-line summary with a markdown
//! report for people, JSON for scripts, SARIF for code-scanning tools.

pub mod json;
pub mod sarif;
pub mod text;

use grove_simplify::findings::{Findings, Thresholds};

/// What was scanned, for the words around the findings.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The folder, `.` for the workspace root.
    pub root: String,
    /// `Some` when only files changed against a base were reported: the
    /// base, or `HEAD` for uncommitted changes.
    pub diff: Option<String>,
    pub thresholds: Thresholds,
}

/// `1,234`: digits grouped by three from the right.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let lead = match digits.len() % 3 {
        0 => 3,
        r => r,
    };
    let groups = std::iter::once(&digits[..lead])
        .chain(digits.as_bytes()[lead..].chunks(3).map(|g| std::str::from_utf8(g).expect("ASCII digits")));
    groups.collect::<Vec<_>>().join(",")
}

/// `1 clone`, `2 clones`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n as u64), if n == 1 { one } else { many })
}

/// Share of duplicated lines in all lines read, in percent.
pub fn duplication_percent(f: &Findings) -> f64 {
    if f.lines == 0 { 0.0 } else { (f.duplicated_lines() as f64 * 1000.0 / f.lines as f64).round() / 10.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(count(1, "clone", "clones"), "1 clone");
        assert_eq!(count(1200, "clone", "clones"), "1,200 clones");
        let f = Findings { lines: 1000, ..Findings::default() };
        assert_eq!(duplication_percent(&f), 0.0);
    }
}
