//! A few constructs per language that deserve a second look when added:
//! Rust `unwrap()` outside tests and `unsafe`; JavaScript `eval`; Python's
//! bare `except:`; a download piped into a shell.

use super::text::{self, View, find_call, has_word};
use crate::input::{Added, File};
use crate::paths::Lang;
use crate::review::{Finding, Severity};

pub const RUST_UNWRAP: &str = "rust/unwrap";
pub const RUST_UNSAFE: &str = "rust/unsafe";
pub const JS_EVAL: &str = "js/eval";
pub const PY_BARE_EXCEPT: &str = "python/bare-except";
pub const SHELL_PIPE: &str = "shell/pipe-to-shell";

/// Check one added line.
pub fn check_line(file: &File<'_>, view: &View<'_>, out: &mut Vec<Finding>) {
    if view.is_comment() {
        return;
    }
    let hit = match view.lang {
        Lang::Rust => rust(view.bare(), &view.added),
        Lang::Js => js(view.bare()),
        Lang::Python => python(view.bare()),
        // Commands live in strings here (`run: "curl … | sh"`).
        Lang::Shell | Lang::Docker | Lang::Make | Lang::Config | Lang::Other => pipe_to_shell(view.code()),
        _ => None,
    };
    if let Some((severity, rule, message)) = hit {
        out.push(Finding::new(file.path(), Some(view.added.number()), severity, rule, message.into()));
    }
}

type Hit = (Severity, &'static str, &'static str);

fn rust(code: &str, added: &Added<'_>) -> Option<Hit> {
    if is_unsafe(code) && !explained(added) {
        return Some((
            Severity::Warning,
            RUST_UNSAFE,
            "unsafe code added: say in a `// SAFETY:` comment why it is sound",
        ));
    }
    (!added.test && code.contains(".unwrap()")).then_some((
        Severity::Info,
        RUST_UNWRAP,
        "unwrap() outside tests panics on the error case: handle it, or expect() with why it cannot fail",
    ))
}

/// Whether a `SAFETY:` comment says why: on the line itself, or in the
/// comments (and attributes) right above it.
fn explained(added: &Added<'_>) -> bool {
    if added.text().contains("SAFETY:") {
        return true;
    }
    for line in added.before() {
        let t = line.trim_start();
        if !(t.starts_with("//") || t.starts_with("/*") || t.starts_with('*') || t.starts_with("#[")) {
            return false;
        }
        if t.contains("SAFETY:") {
            return true;
        }
    }
    false
}

/// `unsafe {`, `unsafe fn`, `unsafe impl`, `unsafe extern`, `unsafe trait`.
fn is_unsafe(code: &str) -> bool {
    code.match_indices("unsafe").any(|(i, _)| {
        let before = code.as_bytes()[..i].last().copied();
        let rest = code[i + "unsafe".len()..].trim_start();
        let starts_item = ["{", "fn ", "impl", "extern", "trait "].iter().any(|w| rest.starts_with(w));
        !before.is_some_and(|b| text::is_ident(b) || b == b'"') && starts_item
    })
}

fn js(code: &str) -> Option<Hit> {
    (find_call(code, "eval(").is_some() || code.contains("new Function(")).then_some((
        Severity::Warning,
        JS_EVAL,
        "eval runs a string as code: an injection risk, and slow",
    ))
}

fn python(code: &str) -> Option<Hit> {
    let t = code.trim();
    (t == "except:" || t.starts_with("except:") || t == "except :").then_some((
        Severity::Warning,
        PY_BARE_EXCEPT,
        "bare `except:` also catches KeyboardInterrupt and SystemExit: name the exceptions",
    ))
}

/// `curl … | sh`, `wget -O- … | sudo bash`.
fn pipe_to_shell(code: &str) -> Option<Hit> {
    if !(has_word(code, "curl") || has_word(code, "wget")) {
        return None;
    }
    let shells = ["sh", "bash", "zsh", "dash", "ksh"];
    let piped = code.split('|').skip(1).any(|stage| {
        let mut words = stage.split_whitespace().skip_while(|w| matches!(*w, "sudo" | "-E" | "env"));
        words.next().is_some_and(|w| {
            let w = w.trim_matches(|c: char| "\"'`;)".contains(c));
            shells.contains(&w.rsplit('/').next().unwrap_or(w))
        })
    });
    piped.then_some((
        Severity::Warning,
        SHELL_PIPE,
        "a download piped into a shell runs whatever the server sends: download, check, then run",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::fixtures::modified;
    use crate::rules::testing::{hits, line_hits};

    #[test]
    fn rust_rules() {
        assert_eq!(line_hits("src/lib.rs", "let v = parse(s).unwrap();\n"), [(RUST_UNWRAP, 1)]);
        assert_eq!(line_hits("src/lib.rs", "    unsafe { ptr.read() }\n"), [(RUST_UNSAFE, 1)]);
        assert_eq!(line_hits("src/lib.rs", "pub unsafe fn f() {}\n"), [(RUST_UNSAFE, 1)]);
        // Explained unsafe code is fine: a SAFETY comment above or beside it.
        let explained = "// SAFETY: the pointer is valid for reads;\n// it came from a live Vec.\nunsafe { ptr.read() }\n";
        assert!(line_hits("src/lib.rs", explained).is_empty());
        assert!(line_hits("src/lib.rs", "unsafe { ptr.read() } // SAFETY: checked above\n").is_empty());
        let far = "// SAFETY: about something else\nlet x = 1;\nunsafe { ptr.read() }\n";
        assert_eq!(line_hits("src/lib.rs", far), [(RUST_UNSAFE, 3)]);
        assert!(line_hits("tests/it.rs", "let v = parse(s).unwrap();\n").is_empty());
        assert!(line_hits("src/lib.rs", "#![deny(unsafe_op_in_unsafe_fn)]\n").is_empty());
        assert!(line_hits("src/lib.rs", "// unsafe { not code }\n").is_empty());
        assert!(line_hits("src/lib.rs", "let s = \"unsafe { }\";\n").is_empty());
        let in_tests = modified("src/lib.rs", "mod tests {", "+    let v = parse(s).unwrap();\n");
        assert!(!hits(&in_tests).iter().any(|(r, _)| *r == RUST_UNWRAP));
    }

    #[test]
    fn js_python_and_shell_rules() {
        assert_eq!(line_hits("web/a.js", "const f = eval(src);\n"), [(JS_EVAL, 1)]);
        assert_eq!(line_hits("web/a.ts", "const f = new Function(src);\n"), [(JS_EVAL, 1)]);
        assert!(line_hits("web/a.ts", "model.eval(x); retrieval(y);\n").is_empty());
        assert_eq!(line_hits("app/a.py", "try:\n    f()\nexcept:\n    pass\n"), [(PY_BARE_EXCEPT, 3)]);
        assert!(line_hits("app/a.py", "except ValueError:\n").is_empty());
        assert_eq!(line_hits("install.sh", "curl -fsSL https://x.example/i | sh\n"), [(SHELL_PIPE, 1)]);
        assert_eq!(
            line_hits("Dockerfile", "RUN wget -qO- https://x.example/i | sudo -E bash -\n"),
            [(SHELL_PIPE, 1)]
        );
        assert!(line_hits("install.sh", "curl -fsSL https://x.example/i | tar xz\n").is_empty());
        assert!(line_hits("README.md", "curl -fsSL https://x.example/i | sh\n").is_empty());
        assert_eq!(
            line_hits(".github/workflows/ci.yml", "  - run: \"curl -sSf https://x.example/i | sh\"\n"),
            [(SHELL_PIPE, 1)]
        );
        // Inside a program's own strings it is data, not a command.
        assert!(line_hits("src/lib.rs", "let cmd = \"curl x | sh\";\n").is_empty());
    }
}
