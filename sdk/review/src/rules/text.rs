//! Reading one line of source without parsing the language: comments,
//! string literals, the key a value is assigned to, words of an
//! identifier. Good enough for rules that look at single added lines.

use crate::input::Added;
use crate::paths::Lang;

/// A byte of an identifier.
pub fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Where `needle` occurs in `hay` not preceded by an identifier byte or
/// a `.` (so `eval(` finds `eval(x)` but not `retrieval(x)` or `m.eval(x)`).
pub fn find_call(hay: &str, needle: &str) -> Option<usize> {
    hay.match_indices(needle).map(|(i, _)| i).find(|&i| {
        let before = hay.as_bytes()[..i].last().copied();
        !before.is_some_and(|b| is_ident(b) || b == b'.' || b == b'$')
    })
}

/// Whether `word` occurs in `hay` as a whole word.
pub fn has_word(hay: &str, word: &str) -> bool {
    hay.match_indices(word).any(|(i, _)| {
        let bytes = hay.as_bytes();
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + word.len()).copied();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The line-comment markers of a language.
fn markers(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::Rust
        | Lang::Go
        | Lang::Java
        | Lang::Kotlin
        | Lang::CSharp
        | Lang::C
        | Lang::Swift
        | Lang::Scala => &["//", "/*"],
        Lang::Js => &["//", "/*", "{/*", "<!--"],
        Lang::Php => &["//", "#", "/*"],
        Lang::Python | Lang::Ruby | Lang::Shell | Lang::Docker | Lang::Make | Lang::Config => &["#"],
        Lang::Docs => &[],
        Lang::Other => &["//", "#", "/*", "<!--", "--"],
    }
}

/// One pass over a line: the line with the insides of its string
/// literals blanked, and where its comment starts (the first comment
/// marker outside a string). A line inside a block comment (`* text`) is
/// all comment.
fn scan(lang: Lang, line: &str) -> (Vec<u8>, Option<usize>) {
    let markers = markers(lang);
    let bytes = line.as_bytes();
    let trimmed = line.trim_start();
    if markers.contains(&"/*") && (trimmed.starts_with("* ") || trimmed == "*") {
        return (bytes.to_vec(), Some(line.len() - trimmed.len()));
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Every marker starts with one of these: most bytes need no look.
        if matches!(b, b'/' | b'#' | b'{' | b'<' | b'-')
            && markers.iter().any(|m| bytes[i..].starts_with(m.as_bytes()))
        {
            return (out, Some(i));
        }
        // Rust: a raw string (r"…", r#"…"#), whole if it ends on this line.
        if lang == Lang::Rust && b == b'r' && !bytes[..i].last().is_some_and(|&p| is_ident(p)) {
            let hashes = bytes[i + 1..].iter().take_while(|&&c| c == b'#').count();
            if bytes.get(i + 1 + hashes) == Some(&b'"') {
                let open = i + 2 + hashes;
                let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
                let end =
                    bytes[open..].windows(close.len()).position(|w| w == close.as_slice()).map(|p| open + p);
                let end = end.unwrap_or(bytes.len());
                out.extend_from_slice(&bytes[i..open]);
                out.extend(std::iter::repeat_n(b' ', end - open));
                out.extend_from_slice(&bytes[end..(end + close.len()).min(bytes.len())]);
                i = (end + close.len()).min(bytes.len());
                continue;
            }
        }
        // Rust: a char literal ('x', '\n', '"'); otherwise a lifetime.
        if b == b'\'' && lang == Lang::Rust {
            let len = match bytes.get(i + 1) {
                Some(b'\\') => bytes[i + 2..].iter().position(|&c| c == b'\'').map(|p| p + 3),
                Some(_) if bytes.get(i + 2) == Some(&b'\'') => Some(3),
                _ => None,
            }
            .unwrap_or(1);
            out.extend(std::iter::repeat_n(b' ', len));
            i += len;
            continue;
        }
        out.push(b);
        i += 1;
        if !(b == b'"' || b == b'`' || (b == b'\'' && lang != Lang::Rust)) {
            continue;
        }
        while i < bytes.len() && bytes[i] != b {
            let step = (if bytes[i] == b'\\' { 2 } else { 1 }).min(bytes.len() - i);
            out.extend(std::iter::repeat_n(b' ', step));
            i += step;
        }
        if i < bytes.len() {
            out.push(b);
            i += 1;
        }
    }
    (out, None)
}

/// Where the comment on this line starts, if it has one.
#[cfg(test)]
pub fn comment_start(lang: Lang, line: &str) -> Option<usize> {
    scan(lang, line).1
}

/// One added line, read once for all the line rules: its code with the
/// insides of string literals blanked (a call named in a string, such as a
/// test's input, is not a call) and where its comment starts.
#[derive(Debug)]
pub struct View<'a> {
    pub added: Added<'a>,
    pub lang: Lang,
    bare: String,
    comment: Option<usize>,
}

impl<'a> View<'a> {
    pub fn new(lang: Lang, added: Added<'a>) -> View<'a> {
        let (bytes, comment) = scan(lang, added.text());
        // Only ASCII bytes are replaced, by spaces, so this is UTF-8 unless
        // an escape split a character; lossy covers that.
        let bare = String::from_utf8_lossy(&bytes).into_owned();
        View { added, lang, bare, comment }
    }

    pub fn text(&self) -> &'a str {
        self.added.text()
    }

    /// The code with its comment cut off and string insides blanked.
    pub fn bare(&self) -> &str {
        &self.bare
    }

    /// The code with its comment cut off, strings as they are.
    pub fn code(&self) -> &'a str {
        let text = self.text();
        self.comment.map_or(text, |i| &text[..i])
    }

    /// The comment, from its marker on.
    pub fn comment(&self) -> Option<&'a str> {
        self.comment.map(|i| &self.text()[i..])
    }

    /// Whether the whole line is a comment (commented-out code included).
    pub fn is_comment(&self) -> bool {
        self.comment.is_some_and(|i| self.text()[..i].trim().is_empty())
    }
}

/// A string literal on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Literal<'a> {
    /// Byte offset of the opening quote.
    pub start: usize,
    pub value: &'a str,
}

/// The quoted strings on a line: `"…"`, `'…'` and `` `…` ``, with
/// backslash escapes skipped. A string still open at the end of the line
/// runs to the end.
pub fn literals(line: &str) -> Vec<Literal<'_>> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let q = bytes[i];
        if q != b'"' && q != b'\'' && q != b'`' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < bytes.len() && bytes[i] != q {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        let end = i.min(bytes.len());
        out.push(Literal { start, value: &line[start + 1..end] });
        i = end + 1;
    }
    out
}

/// The name a value at byte `at` is assigned to: `key = "v"`,
/// `"key": "v"`, `key: v`, `key => "v"`, `key := "v"`, `--key "v"`.
/// `None` when what precedes is not an assignment (a call, a comparison).
pub fn key_before(line: &str, at: usize) -> Option<&str> {
    let bytes = line.as_bytes();
    let mut i = at;
    let skip_space = |i: &mut usize| {
        while *i > 0 && bytes[*i - 1].is_ascii_whitespace() {
            *i -= 1;
        }
    };
    skip_space(&mut i);
    // The separator, one of = : => := ?= (not == != <= >=).
    let sep_end = i;
    while i > 0 && matches!(bytes[i - 1], b'=' | b':' | b'>' | b'?') {
        i -= 1;
    }
    let sep = &line[i..sep_end];
    if !matches!(sep, "=" | ":" | "=>" | ":=" | "?=" | "||=") {
        return None;
    }
    if sep == "=" && i > 0 && matches!(bytes[i - 1], b'!' | b'<' | b'>' | b'=') {
        return None;
    }
    skip_space(&mut i);
    // A key in brackets (`ENV['key']`), quoted (`"key": …`) or both.
    if i > 0 && bytes[i - 1] == b']' {
        i -= 1;
    }
    if i > 0 && matches!(bytes[i - 1], b'"' | b'\'') {
        i -= 1;
    }
    let end = i;
    while i > 0 && (is_ident(bytes[i - 1]) || matches!(bytes[i - 1], b'-' | b'.')) {
        i -= 1;
    }
    let key = line[i..end].trim_start_matches(['-', '.']);
    (!key.is_empty()).then_some(key)
}

/// The lowercase words of an identifier: `apiKey`, `API_KEY`, `api-key`
/// and `config.api.key` all give `["api", "key"]`.
pub fn words(ident: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in ident.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A secret as a report may show it: enough to find it, not enough to
/// use it. Reports end up in CI logs and pull-request comments.
pub fn redact(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 12 {
        return "…".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view_of<T>(lang: Lang, line: &str, f: impl FnOnce(&View<'_>) -> T) -> T {
        let text = crate::input::fixtures::new_file("x", line);
        let diff = grove_diff::parse(&text);
        let changes = crate::input::Changes::new(&diff, |_| None);
        let added = changes.files[0].added().next().expect("one added line");
        f(&View::new(lang, added))
    }

    fn is_comment(lang: Lang, line: &str) -> bool {
        view_of(lang, line, |v| v.is_comment())
    }

    fn code(lang: Lang, line: &str) -> String {
        view_of(lang, line, |v| v.code().to_string())
    }

    fn bare_code(lang: Lang, line: &str) -> String {
        view_of(lang, line, |v| v.bare().to_string())
    }

    #[test]
    fn comments() {
        assert_eq!(comment_start(Lang::Js, r#"let a = "http://x"; // TODO"#), Some(20));
        assert_eq!(comment_start(Lang::Python, "x = '#not' # real"), Some(11));
        assert_eq!(comment_start(Lang::Rust, "fn f<'a>(x: &'a str) // c"), Some(21));
        assert!(is_comment(Lang::Rust, "    // println!(\"x\");"));
        assert!(is_comment(Lang::C, "   * continued"));
        assert!(!is_comment(Lang::Rust, "#[test]"));
        assert_eq!(code(Lang::Shell, "curl x | sh # why"), "curl x | sh ");
    }

    #[test]
    fn strings_blanked() {
        assert_eq!(bare_code(Lang::Rust, r#"f("dbg!(x)", '"', 'a'); // c"#), r#"f("       ",    ,    ); "#);
        assert_eq!(bare_code(Lang::Rust, "fn f<'a>(x: &'a str)"), "fn f< a>(x: & a str)");
        assert_eq!(bare_code(Lang::Js, r#"log('a\'b', "c")"#), r#"log('    ', " ")"#);
        assert_eq!(bare_code(Lang::Rust, r##"f(r#"dbg!("x")"#, 1) // c"##), r##"f(r#"         "#, 1) "##);
        assert_eq!(comment_start(Lang::Rust, r##"let s = r#"a // b"#; // c"##), Some(21));
        assert_eq!(bare_code(Lang::Rust, "for r in rs"), "for r in rs");
    }

    #[test]
    fn literals_and_keys() {
        let line = r#"    "api_key": "abc\"def", other = 'x'"#;
        let lits = literals(line);
        let values: Vec<_> = lits.iter().map(|l| l.value).collect();
        assert_eq!(values, ["api_key", r#"abc\"def"#, "x"]);
        assert_eq!(key_before(line, lits[1].start), Some("api_key"));
        assert_eq!(key_before(line, lits[2].start), Some("other"));
        assert_eq!(key_before(r#"password := "x""#, 12), Some("password"));
        assert_eq!(key_before(r#"'secret' => 'x'"#, 12), Some("secret"));
        assert_eq!(key_before(r#"if password == "x""#, 15), None);
        assert_eq!(key_before(r#"check("x")"#, 6), None);
        assert_eq!(key_before("ENV['TOKEN'] = 'x'", 15), Some("TOKEN"));
    }

    #[test]
    fn identifier_words() {
        assert_eq!(words("apiKey"), ["api", "key"]);
        assert_eq!(words("API_KEY"), ["api", "key"]);
        assert_eq!(words("config.db-password"), ["config", "db", "password"]);
        assert_eq!(words("clientSecret2"), ["client", "secret2"]);
    }

    #[test]
    fn calls_and_words() {
        assert_eq!(find_call("x = eval(y)", "eval("), Some(4));
        assert_eq!(find_call("retrieval(y); m.eval(z)", "eval("), None);
        assert!(has_word("// TODO: x", "TODO"));
        assert!(!has_word("TODOS", "TODO"));
        assert_eq!(redact("ABCDEFGHIJKLMNOPQRST"), "ABCD…ST");
        assert_eq!(redact("short"), "…");
    }
}
