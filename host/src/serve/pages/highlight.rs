//! A tiny syntax highlighter for the diff, done here so the page needs no
//! script library: one line at a time, it marks comments, strings,
//! numbers and keywords of the language a file's extension names. It
//! knows nothing of a construct that spans lines (a block comment, a
//! multi-line string): a diff shows pieces of files anyway, and a wrong
//! colour costs nothing. Its output is escaped HTML.

use std::fmt::Write;

use crate::serve::html::escape;

/// What the highlighter knows of a language.
#[derive(Debug, PartialEq, Eq)]
pub struct Lang {
    keywords: &'static [&'static str],
    /// What starts a comment that runs to the end of the line.
    line_comment: &'static [&'static str],
    /// Whether `'` quotes a string (not in Rust, where it starts a lifetime).
    single_quotes: bool,
    backticks: bool,
}

const RUST: Lang = Lang {
    keywords: &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
        "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
        "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
        "where", "while",
    ],
    line_comment: &["//"],
    single_quotes: false,
    backticks: false,
};

const PYTHON: Lang = Lang {
    keywords: &[
        "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
        "except", "False", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "None",
        "nonlocal", "not", "or", "pass", "raise", "return", "True", "try", "while", "with", "yield",
    ],
    line_comment: &["#"],
    single_quotes: true,
    backticks: false,
};

const SCRIPT: Lang = Lang {
    keywords: &[
        "async",
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "default",
        "delete",
        "do",
        "else",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "from",
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "of",
        "return",
        "static",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "type",
        "typeof",
        "undefined",
        "var",
        "void",
        "while",
        "yield",
    ],
    line_comment: &["//"],
    single_quotes: true,
    backticks: true,
};

const GO: Lang = Lang {
    keywords: &[
        "break",
        "case",
        "chan",
        "const",
        "continue",
        "default",
        "defer",
        "else",
        "fallthrough",
        "false",
        "for",
        "func",
        "go",
        "goto",
        "if",
        "import",
        "interface",
        "map",
        "nil",
        "package",
        "range",
        "return",
        "select",
        "struct",
        "switch",
        "true",
        "type",
        "var",
    ],
    line_comment: &["//"],
    single_quotes: true,
    backticks: true,
};

const C_LIKE: Lang = Lang {
    keywords: &[
        "auto",
        "bool",
        "break",
        "case",
        "char",
        "class",
        "const",
        "continue",
        "default",
        "do",
        "double",
        "else",
        "enum",
        "extends",
        "extern",
        "false",
        "final",
        "float",
        "for",
        "if",
        "implements",
        "import",
        "int",
        "interface",
        "long",
        "namespace",
        "new",
        "null",
        "nullptr",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "short",
        "signed",
        "static",
        "struct",
        "switch",
        "template",
        "this",
        "throw",
        "true",
        "try",
        "typedef",
        "union",
        "unsigned",
        "using",
        "var",
        "virtual",
        "void",
        "volatile",
        "while",
    ],
    line_comment: &["//"],
    single_quotes: true,
    backticks: false,
};

const SHELL: Lang = Lang {
    keywords: &[
        "case", "do", "done", "elif", "else", "esac", "export", "fi", "for", "function", "if", "in", "local",
        "return", "then", "until", "while",
    ],
    line_comment: &["#"],
    single_quotes: true,
    backticks: true,
};

const DATA: Lang = Lang {
    keywords: &["true", "false", "null", "yes", "no"],
    line_comment: &["#"],
    single_quotes: true,
    backticks: false,
};

/// The language of `path`, by its extension; `None` for plain text.
pub fn lang_of(path: &str) -> Option<&'static Lang> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    Some(match ext.as_str() {
        "rs" => &RUST,
        "py" | "pyi" => &PYTHON,
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" => &SCRIPT,
        "go" => &GO,
        "c" | "h" | "cc" | "cpp" | "hpp" | "java" | "cs" | "kt" | "swift" | "scala" => &C_LIKE,
        "sh" | "bash" | "zsh" => &SHELL,
        "toml" | "yaml" | "yml" | "json" | "ini" | "cfg" => &DATA,
        _ if name == "Makefile" || name == "Dockerfile" => &SHELL,
        _ => return None,
    })
}

/// One line of code as escaped HTML, its tokens marked with classes `c`
/// (comment), `s` (string), `n` (number) and `k` (keyword).
pub fn line(lang: Option<&Lang>, text: &str) -> String {
    let Some(lang) = lang else { return escape(text) };
    let mut out = String::with_capacity(text.len() + 32);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map_or(text.len(), |(b, _)| *b);
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let rest = &text[start..];
        if lang.line_comment.iter().any(|p| rest.starts_with(p)) {
            mark(&mut out, "c", rest);
            break;
        }
        let quote = c == '"' || (c == '\'' && lang.single_quotes) || (c == '`' && lang.backticks);
        if quote {
            let mut j = i + 1;
            while j < chars.len() && chars[j].1 != c {
                j += if chars[j].1 == '\\' { 2 } else { 1 };
            }
            let end = at((j + 1).min(chars.len()));
            mark(&mut out, "s", &text[start..end]);
            i = j + 1;
            continue;
        }
        if c.is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && (chars[j].1.is_ascii_alphanumeric() || matches!(chars[j].1, '.' | '_')) {
                j += 1;
            }
            mark(&mut out, "n", &text[start..at(j)]);
            i = j;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let mut j = i;
            while j < chars.len() && (chars[j].1.is_alphanumeric() || chars[j].1 == '_') {
                j += 1;
            }
            let word = &text[start..at(j)];
            if lang.keywords.contains(&word) {
                mark(&mut out, "k", word);
            } else {
                out.push_str(&escape(word));
            }
            i = j;
            continue;
        }
        out.push_str(&escape(&text[start..at(i + 1)]));
        i += 1;
    }
    out
}

fn mark(out: &mut String, class: &str, text: &str) {
    let _ = write!(out, "<span class=\"{class}\">{}</span>", escape(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_marked_by_the_files_language() {
        let rust = lang_of("src/main.rs");
        assert_eq!(
            line(rust, "let x = \"a\\\"b\"; // 42 <b>"),
            "<span class=\"k\">let</span> x = <span class=\"s\">&quot;a\\&quot;b&quot;</span>; \
             <span class=\"c\">// 42 &lt;b&gt;</span>"
        );
        assert_eq!(line(rust, "fn f<'a>(n: u8) {"), "<span class=\"k\">fn</span> f&lt;&#39;a&gt;(n: u8) {");
        assert_eq!(
            line(lang_of("a.py"), "x = 0x1f  # hi"),
            "x = <span class=\"n\">0x1f</span>  <span class=\"c\"># hi</span>"
        );
        assert_eq!(line(lang_of("notes.txt"), "<let>"), "&lt;let&gt;");
    }

    #[test]
    fn an_unclosed_string_or_hostile_text_stays_escaped() {
        let out = line(lang_of("a.js"), "s = '<script>alert(1)</script>");
        assert!(!out.contains("<script>") && out.contains("&lt;script&gt;"), "{out}");
        let out = line(lang_of("a.js"), "\"\\");
        assert_eq!(out, "<span class=\"s\">&quot;\\</span>");
        let out = line(lang_of("a.sh"), "echo \u{1b}]0;x\u{7}");
        assert!(!out.chars().any(char::is_control), "{out:?}");
        assert!(out.contains("\\x1b]") && out.contains("x\\x07"), "{out}");
    }
}
