//! Debugging left behind in added lines: prints, `dbg!`, breakpoints,
//! and TODO / FIXME / XXX comments. Only lines the diff adds are looked
//! at: what was there before is not this change's doing.

use super::text::{self, View, find_call, has_word};
use crate::input::{Added, File};
use crate::paths::{self, Lang};
use crate::review::{Finding, Severity};

pub const CONSOLE: &str = "debug/console";
pub const DEBUGGER: &str = "debug/breakpoint";
pub const DBG: &str = "debug/dbg";
pub const PRINT: &str = "debug/print";
pub const TODO: &str = "debug/todo";

/// Calls that are debugging wherever they appear, by language.
const ALWAYS: &[(Lang, &str, &str, &str)] = &[
    (Lang::Js, "console.log(", CONSOLE, "console.log"),
    (Lang::Js, "console.debug(", CONSOLE, "console.debug"),
    (Lang::Js, "console.trace(", CONSOLE, "console.trace"),
    (Lang::Js, "console.dir(", CONSOLE, "console.dir"),
    (Lang::Rust, "dbg!(", DBG, "dbg!"),
    (Lang::Python, "breakpoint(", DEBUGGER, "breakpoint()"),
    (Lang::Python, "pdb.set_trace(", DEBUGGER, "pdb.set_trace()"),
    (Lang::Python, "ipdb.set_trace(", DEBUGGER, "ipdb.set_trace()"),
    (Lang::Ruby, "binding.pry", DEBUGGER, "binding.pry"),
    (Lang::Ruby, "binding.irb", DEBUGGER, "binding.irb"),
    (Lang::Ruby, "byebug", DEBUGGER, "byebug"),
    (Lang::Php, "var_dump(", CONSOLE, "var_dump"),
    (Lang::Php, "print_r(", CONSOLE, "print_r"),
];

/// Check one added line; `library` from [`prints_are_debugging`] for its file.
pub fn check_line(file: &File<'_>, view: &View<'_>, library: bool, out: &mut Vec<Finding>) {
    let (path, lang, added) = (file.path(), view.lang, &view.added);
    if let Some(what) = todo(view) {
        out.push(finding(path, added, Severity::Info, TODO, format!("{what} left in")));
    }
    if view.is_comment() {
        return;
    }
    let code = view.bare();
    if let Some(&(_, _, rule, what)) =
        ALWAYS.iter().find(|(l, call, _, _)| *l == lang && find_call(code, call).is_some())
    {
        out.push(finding(path, added, Severity::Warning, rule, format!("{what} added")));
        return;
    }
    if lang == Lang::Js && is_debugger_statement(code) {
        out.push(finding(path, added, Severity::Warning, DEBUGGER, "debugger statement added".into()));
        return;
    }
    if library
        && !added.test
        && let Some(what) = print_call(lang, code)
        && !(lang == Lang::Python && under_main_guard(added))
    {
        out.push(finding(path, added, Severity::Info, PRINT, format!("{what} in library code: debugging?")));
    }
}

fn finding(
    path: &str,
    added: &Added<'_>,
    severity: Severity,
    rule: &'static str,
    message: String,
) -> Finding {
    Finding::new(path, Some(added.number()), severity, rule, message)
}

/// `TODO`, `FIXME` or `XXX` in the line's comment, or Rust's `todo!()`.
fn todo(view: &View<'_>) -> Option<&'static str> {
    if view.lang == Lang::Docs {
        return None;
    }
    if view.lang == Lang::Rust && find_call(view.bare(), "todo!(").is_some() {
        return Some("todo!()");
    }
    let comment = view.comment()?;
    [("TODO", "a TODO comment"), ("FIXME", "a FIXME comment"), ("XXX", "an XXX comment")]
        .into_iter()
        .find(|(w, _)| has_word(comment, w))
        .map(|(_, what)| what)
}

/// `debugger;` as a statement, not a word in a string.
fn is_debugger_statement(code: &str) -> bool {
    let t = code.trim();
    t == "debugger" || t == "debugger;" || t.starts_with("debugger;") || t.ends_with("; debugger;")
}

/// Files where a print is likely debugging rather than the program's
/// output: library code, not entry points, scripts, tools or tests.
pub fn prints_are_debugging(path: &str, lang: Lang) -> bool {
    let name = paths::file_name(path);
    let in_dir = |dirs: &[&str]| path.split('/').rev().skip(1).any(|d| dirs.contains(&d));
    let entry_point = match lang {
        Lang::Rust => name == "main.rs" || in_dir(&["bin"]),
        Lang::Python => name == "__main__.py" || name == "cli.py",
        Lang::Go => name == "main.go" || in_dir(&["cmd"]),
        Lang::Java => name == "Main.java",
        _ => return false,
    };
    !entry_point
        && !paths::is_test(path)
        && !paths::is_support_code(path)
        && !in_dir(&["tools", "bin", "cli"])
}

/// A print to standard output or error, by language.
fn print_call(lang: Lang, code: &str) -> Option<&'static str> {
    let calls: &[(&str, &str)] = match lang {
        Lang::Rust => &[("println!(", "println!"), ("eprintln!(", "eprintln!"), ("print!(", "print!")],
        Lang::Python => &[("print(", "print()")],
        Lang::Go => {
            &[("fmt.Println(", "fmt.Println"), ("fmt.Printf(", "fmt.Printf"), ("fmt.Print(", "fmt.Print")]
        }
        Lang::Java => &[
            ("System.out.println(", "System.out.println"),
            ("System.err.println(", "System.err.println"),
            ("printStackTrace(", "printStackTrace()"),
        ],
        _ => return None,
    };
    let call = |needle: &str| {
        // Go and Java calls are qualified: `fmt.` and `System.` are part of
        // the needle, so only the start of the needle needs a boundary.
        code.match_indices(needle).any(|(i, _)| {
            let before = code.as_bytes()[..i].last().copied();
            !before
                .is_some_and(|b| text::is_ident(b) || (b == b'.' && !needle.starts_with("printStackTrace")))
        })
    };
    calls.iter().find(|(needle, _)| call(needle)).map(|&(_, what)| what)
}

/// A Python line inside `if __name__ == "__main__":`, as far as the hunk
/// shows: the nearest less-indented line above it is that guard.
fn under_main_guard(added: &Added<'_>) -> bool {
    let indent = |s: &str| s.len() - s.trim_start().len();
    let own = indent(added.text());
    added
        .before()
        .filter(|l| !l.trim().is_empty())
        .find(|l| indent(l) < own)
        .is_some_and(|l| l.trim_start().starts_with("if __name__"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::fixtures::modified;
    use crate::rules::testing::{hits, line_hits};

    #[test]
    fn debug_calls_by_language() {
        assert_eq!(line_hits("web/app.ts", "const a = 1;\nconsole.log(a);\n"), [(CONSOLE, 2)]);
        assert_eq!(line_hits("web/app.jsx", "  debugger;\n"), [(DEBUGGER, 1)]);
        assert_eq!(line_hits("src/lib.rs", "let x = dbg!(y);\n"), [(DBG, 1)]);
        assert_eq!(line_hits("app/models.py", "import pdb; pdb.set_trace()\n"), [(DEBUGGER, 1)]);
        assert_eq!(line_hits("app/models.rb", "binding.pry\n"), [(DEBUGGER, 1)]);
        assert_eq!(line_hits("src/Foo.java", "System.out.println(x);\n"), [(PRINT, 1)]);
        assert_eq!(line_hits("pkg/server.go", "fmt.Println(\"here\")\n"), [(PRINT, 1)]);
    }

    #[test]
    fn prints_only_in_library_code() {
        assert_eq!(line_hits("src/parser.rs", "    println!(\"{x:?}\");\n"), [(PRINT, 1)]);
        assert!(line_hits("src/main.rs", "    println!(\"hello\");\n").is_empty());
        assert!(line_hits("src/bin/tool.rs", "    println!(\"hello\");\n").is_empty());
        assert!(line_hits("tests/cli.rs", "    println!(\"hello\");\n").is_empty());
        assert!(line_hits("cmd/server/main.go", "fmt.Println(\"up\")\n").is_empty());
        assert!(line_hits("app/__main__.py", "print('hi')\n").is_empty());
        assert_eq!(line_hits("app/util.py", "def f():\n    print(x)\n"), [(PRINT, 2)]);
        let guarded = "def f():\n    pass\n\nif __name__ == \"__main__\":\n    print(f())\n";
        assert!(line_hits("app/util.py", guarded).is_empty());
        // Rust tests inside a library file: the hunk is in `mod tests`.
        let in_tests =
            modified("src/lib.rs", "mod tests {", "     fn t() {\n+        println!(\"{x}\");\n     }\n");
        assert!(hits(&in_tests).iter().all(|(rule, _)| *rule != PRINT), "{:?}", hits(&in_tests));
    }

    #[test]
    fn only_added_lines_count() {
        let diff = modified(
            "web/app.ts",
            "",
            "-console.log(old);\n console.log(kept);\n+const x = 1;\n+// console.log(commented);\n",
        );
        assert!(hits(&diff).iter().all(|(rule, _)| *rule != CONSOLE), "{:?}", hits(&diff));
        let diff = modified("web/app.ts", "", " const a = 1;\n+console.log(a);\n");
        assert!(hits(&diff).contains(&(CONSOLE, Some(2))));
    }

    #[test]
    fn todos_in_comments() {
        assert_eq!(line_hits("src/a.ts", "x(); // TODO: handle errors\n"), [(TODO, 1)]);
        assert_eq!(line_hits("a.py", "# FIXME later\n"), [(TODO, 1)]);
        assert_eq!(line_hits("src/a.rs", "fn f() { todo!() }\n"), [(TODO, 1)]);
        assert_eq!(line_hits("src/a.c", " * XXX: racy\n"), [(TODO, 1)]);
        assert!(line_hits("src/a.ts", "const mask = \"XXX-XXX\";\n").is_empty());
        assert!(line_hits("NOTES.md", "- TODO: write docs\n").is_empty());
        assert!(line_hits("src/a.ts", "const todos = loadTodos(); // TODOS list\n").is_empty());
    }

    #[test]
    fn calls_named_in_strings_are_not_calls() {
        assert!(line_hits("src/rules.rs", "const CALLS: &[&str] = &[\"dbg!(\", \"todo!(\"];\n").is_empty());
        assert!(line_hits("web/a.test.ts", "expect(lint(\"console.log(x)\")).toBe(1);\n").is_empty());
    }

    #[test]
    fn lookalikes_are_not_debugging() {
        assert!(line_hits("web/app.ts", "const debuggerEnabled = false;\n").is_empty());
        assert!(line_hits("web/app.ts", "logger.console.log2(x);\n").is_empty());
        assert!(line_hits("web/app.ts", "const s = \"use debugger; to stop\";\n").is_empty());
    }
}
