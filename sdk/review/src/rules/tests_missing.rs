//! Code changed and no test changed with it. One finding for the whole
//! diff, on the code file with the most added lines.

use grove_diff::Kind;

use crate::input::{Changes, File};
use crate::paths::{self, Lang};
use crate::review::{Finding, Severity};

pub const RULE: &str = "tests/missing";

pub fn check(changes: &Changes<'_>, out: &mut Vec<Finding>) {
    if changes.files.iter().any(changes_tests) {
        return;
    }
    let mut code: Vec<&File<'_>> = changes.files.iter().filter(|f| needs_tests(f)).collect();
    if code.is_empty() {
        return;
    }
    code.sort_by_key(|f| std::cmp::Reverse(f.diff.additions()));
    let first = code[0];
    let names: Vec<&str> = code.iter().take(3).map(|f| f.path()).collect();
    let more = if code.len() > 3 { format!(" and {} more", code.len() - 3) } else { String::new() };
    out.push(Finding::new(
        first.path(),
        first.first_added_line(),
        Severity::Warning,
        RULE,
        format!(
            "{} changed ({}{more}) but no test did: add or update a test for the new behaviour",
            grove_sdk::text::count(code.len(), "code file"),
            names.join(", "),
        ),
    ));
}

/// A test file, or a Rust file with a changed line in a test module.
fn changes_tests(file: &File<'_>) -> bool {
    file.test
        || (file.lang == Lang::Rust
            && file.lines_in_context().any(|l| l.test && l.line.kind != Kind::Context))
}

/// Code whose change ought to come with a test: added lines in a
/// language with tests, outside tests, examples, scripts and generated
/// code.
fn needs_tests(file: &File<'_>) -> bool {
    file.lang.is_code()
        && !file.test
        && !file.diff.is_deleted()
        && !paths::is_support_code(file.path())
        && file.diff.additions() > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::fixtures::{modified, new_file};
    use crate::rules::testing::hits;

    fn missing(diff: &str) -> Vec<Option<u32>> {
        hits(diff).into_iter().filter(|(r, _)| *r == RULE).map(|(_, l)| l).collect()
    }

    #[test]
    fn code_without_tests_is_flagged_once() {
        let diff =
            new_file("src/a.rs", "fn a() {}\n") + &modified("src/b.rs", "", " x\n+fn b() {}\n+fn c() {}\n");
        assert_eq!(missing(&diff), [Some(2)], "on the file with the most added lines");
        let findings = crate::rules::testing::findings(&diff);
        let f = findings.iter().find(|f| f.rule == RULE).unwrap();
        assert_eq!(f.path, "src/b.rs");
        assert!(f.message.contains("2 code files changed (src/b.rs, src/a.rs)"), "{}", f.message);
    }

    #[test]
    fn any_test_change_satisfies_it() {
        for test in [
            new_file("tests/a.rs", "#[test] fn t() {}\n"),
            new_file("pkg/a_test.go", "package a\n"),
            new_file("app/test_views.py", "def test_x(): pass\n"),
            new_file("web/a.test.ts", "it('x', () => {})\n"),
            modified("src/lib.rs", "mod tests {", " fn t() {\n+    assert!(true);\n }\n"),
            modified("src/lib.rs", "", " #[cfg(test)]\n mod tests {\n-    old();\n+    new();\n"),
        ] {
            let diff = new_file("src/a.rs", "fn a() {}\n") + &test;
            assert!(missing(&diff).is_empty(), "{test}");
        }
    }

    #[test]
    fn docs_config_examples_and_deletions_need_no_tests() {
        for other in [
            new_file("README.md", "# x\n"),
            new_file("config.yaml", "a: 1\n"),
            new_file("examples/demo.rs", "fn main() {}\n"),
            new_file("host/build.rs", "fn main() {}\n"),
            modified("src/a.rs", "", "-fn gone() {}\n"),
        ] {
            assert!(missing(&other).is_empty(), "{other}");
        }
    }
}
