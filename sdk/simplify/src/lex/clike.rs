//! One scanner for the brace languages: Rust, JavaScript and TypeScript,
//! Go, Java, C, C++ and C#. They share comments, strings and operators
//! closely enough; where they differ (Rust lifetimes and raw strings, JS
//! template and regex literals, Go raw strings, C++ and C# string
//! prefixes) the language decides.

use super::{Kind, Tok, is_ident_byte, is_ident_start, number_end, punct_len, utf8_len};
use crate::lang::Lang;

const THREE: &[&[u8; 3]] =
    &[b">>=", b"<<=", b"...", b"===", b"!==", b"**=", b"&&=", b"||=", b"??=", b"<=>", b"..=", b">>>", b"->*"];
const TWO: &[&[u8; 2]] = &[
    b"==", b"!=", b"<=", b">=", b"&&", b"||", b"++", b"--", b"+=", b"-=", b"*=", b"/=", b"%=", b"&=", b"|=",
    b"^=", b"<<", b">>", b"->", b"=>", b"::", b"..", b"?.", b"??", b"**", b":=", b"<-",
];

pub fn lex(lang: Lang, src: &[u8], out: &mut Vec<Tok>) {
    Scanner { lang, src, i: 0, line: 1, out }.run();
}

struct Scanner<'a> {
    lang: Lang,
    src: &'a [u8],
    i: usize,
    line: u32,
    out: &'a mut Vec<Tok>,
}

impl Scanner<'_> {
    fn run(&mut self) {
        let src = self.src;
        while self.i < src.len() {
            let b = src[self.i];
            match b {
                b'\n' => {
                    self.line += 1;
                    self.i += 1;
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => {
                    // Indentation comes in runs: skip the run at once.
                    self.i += 1;
                    while self.i < src.len() && matches!(src[self.i], b' ' | b'\t') {
                        self.i += 1;
                    }
                }
                b'/' if src.get(self.i + 1) == Some(&b'/') => self.skip_line(),
                b'/' if src.get(self.i + 1) == Some(&b'*') => self.skip_block_comment(),
                b'"' => self.quoted(self.i, b'"'),
                b'\'' => self.apostrophe(),
                b'`' if matches!(self.lang, Lang::JavaScript | Lang::TypeScript | Lang::Go) => {
                    self.backtick()
                }
                b'/' if self.regex_allowed() => self.regex(),
                b'0'..=b'9' => self.number(self.i),
                b'.' if src.get(self.i + 1).is_some_and(u8::is_ascii_digit) => self.number(self.i),
                b'@' | b'$' if self.lang == Lang::CSharp && src.get(self.i + 1) == Some(&b'"') => {
                    let start = self.i;
                    self.i += 1;
                    self.quoted(start, b'"');
                }
                _ if is_ident_start(b) => self.word(),
                _ => {
                    let len = punct_len(&src[self.i..], THREE, TWO);
                    self.push(Kind::Punct, self.i, self.i + len, self.line);
                    self.i += len;
                }
            }
        }
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize, line: u32) {
        self.out.push(Tok { kind, line_start: false, line, start: start as u32, end: end as u32 });
    }

    fn skip_line(&mut self) {
        self.i = memchr(b'\n', &self.src[self.i..]).map_or(self.src.len(), |n| self.i + n);
    }

    /// `/* … */`, nested in Rust.
    fn skip_block_comment(&mut self) {
        let src = self.src;
        let nests = self.lang == Lang::Rust;
        let mut depth = 0usize;
        while self.i < src.len() {
            match (src[self.i], src.get(self.i + 1)) {
                (b'/', Some(b'*')) if depth == 0 || nests => {
                    depth += 1;
                    self.i += 2;
                }
                (b'*', Some(b'/')) => {
                    self.i += 2;
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                (b'\n', _) => {
                    self.line += 1;
                    self.i += 1;
                }
                _ => self.i += 1,
            }
        }
    }

    /// A string from `start` whose opening `quote` is at `self.i`. Only
    /// Rust strings may span lines; elsewhere an unescaped newline ends a
    /// broken one, so one stray quote cannot swallow the rest of the file.
    fn quoted(&mut self, start: usize, quote: u8) {
        let line = self.line;
        let src = self.src;
        let multiline = self.lang == Lang::Rust || (self.lang == Lang::CSharp && src[start] == b'@');
        let escapes = !(self.lang == Lang::CSharp && src[start] == b'@');
        self.i += 1;
        while self.i < src.len() {
            let b = src[self.i];
            if b == b'\\' && escapes {
                if src.get(self.i + 1) == Some(&b'\n') {
                    self.line += 1;
                }
                self.i += 2;
                continue;
            }
            if b == quote {
                self.i += 1;
                break;
            }
            if b == b'\n' {
                if !multiline {
                    break;
                }
                self.line += 1;
            }
            self.i += 1;
        }
        self.i = self.i.min(src.len());
        self.push(Kind::Literal, start, self.i, line);
    }

    /// `'`: a character literal, or in Rust also a lifetime or label.
    fn apostrophe(&mut self) {
        let src = self.src;
        let start = self.i;
        if matches!(self.lang, Lang::JavaScript | Lang::TypeScript) {
            return self.quoted(start, b'\'');
        }
        if self.lang == Lang::Rust {
            let next = src.get(start + 1).copied().unwrap_or(0);
            let after = start + 1 + utf8_len(next);
            let is_char = next == b'\\' || src.get(after) == Some(&b'\'');
            if !is_char && is_ident_start(next) {
                let mut end = start + 1;
                while end < src.len() && is_ident_byte(src[end]) {
                    end += 1;
                }
                self.push(Kind::Ident, start, end, self.line);
                self.i = end;
                return;
            }
        }
        self.quoted(start, b'\'')
    }

    /// A JS template literal or a Go raw string.
    fn backtick(&mut self) {
        let src = self.src;
        let (start, line) = (self.i, self.line);
        let escapes = self.lang != Lang::Go;
        self.i += 1;
        while self.i < src.len() {
            match src[self.i] {
                b'\\' if escapes => {
                    if src.get(self.i + 1) == Some(&b'\n') {
                        self.line += 1;
                    }
                    self.i += 2;
                    continue;
                }
                b'`' => {
                    self.i += 1;
                    break;
                }
                b'\n' => self.line += 1,
                _ => {}
            }
            self.i += 1;
        }
        self.i = self.i.min(src.len());
        self.push(Kind::Literal, start, self.i, line);
    }

    /// In JS a `/` starts a regex where a value is expected: at the start,
    /// after an operator or `(`, or after `return`-like words.
    fn regex_allowed(&self) -> bool {
        if !matches!(self.lang, Lang::JavaScript | Lang::TypeScript) {
            return false;
        }
        let Some(prev) = self.out.last() else { return true };
        let text = prev.text(self.src);
        match prev.kind {
            Kind::Ident | Kind::Literal => false,
            Kind::Keyword => !matches!(text, b"this" | b"super" | b"true" | b"false" | b"null"),
            Kind::Punct => !matches!(text, b")" | b"]" | b"}" | b"++" | b"--"),
        }
    }

    /// `/…/flags`; if the line ends first it was a division after all.
    fn regex(&mut self) {
        let src = self.src;
        let start = self.i;
        let mut i = start + 1;
        let mut class = false;
        while i < src.len() {
            match src[i] {
                b'\\' => i += 1,
                b'[' => class = true,
                b']' => class = false,
                b'/' if !class => break,
                b'\n' => {
                    self.push(Kind::Punct, start, start + 1, self.line);
                    self.i = start + 1;
                    return;
                }
                _ => {}
            }
            i += 1;
        }
        i = (i + 1).min(src.len());
        while i < src.len() && src[i].is_ascii_alphabetic() {
            i += 1;
        }
        self.push(Kind::Literal, start, i, self.line);
        self.i = i;
    }

    fn number(&mut self, start: usize) {
        let end = number_end(self.src, start);
        self.push(Kind::Literal, start, end, self.line);
        self.i = end;
    }

    /// A name or reserved word, or a prefixed string (`r"…"`, `b'x'`,
    /// `u8"…"`, `L"…"`).
    fn word(&mut self) {
        let src = self.src;
        let start = self.i;
        let mut end = start;
        while end < src.len() && is_ident_byte(src[end]) {
            end += 1;
        }
        let word = &src[start..end];
        let next = src.get(end).copied();
        if self.lang == Lang::Rust
            && matches!(word, b"r" | b"br" | b"cr")
            && matches!(next, Some(b'"' | b'#'))
        {
            if self.rust_raw_string(start, end) {
                return;
            }
        } else if self.lang == Lang::Rust && matches!(word, b"b" | b"c") && matches!(next, Some(b'"' | b'\''))
        {
            self.i = end;
            return self.quoted(start, next.unwrap_or(b'"'));
        } else if matches!(self.lang, Lang::C | Lang::Cpp)
            && matches!(word, b"L" | b"u" | b"U" | b"u8" | b"R" | b"LR" | b"uR" | b"UR" | b"u8R")
            && next == Some(b'"')
        {
            self.i = end;
            if word.ends_with(b"R") {
                return self.cpp_raw_string(start);
            }
            return self.quoted(start, b'"');
        }
        let kind = if self.lang.is_keyword(word) { Kind::Keyword } else { Kind::Ident };
        self.push(kind, start, end, self.line);
        self.i = end;
    }

    /// `r#"…"#` with any number of `#`; false if it was no raw string.
    fn rust_raw_string(&mut self, start: usize, after_prefix: usize) -> bool {
        let src = self.src;
        let mut i = after_prefix;
        while src.get(i) == Some(&b'#') {
            i += 1;
        }
        if src.get(i) != Some(&b'"') {
            return false;
        }
        let hashes = i - after_prefix;
        let line = self.line;
        i += 1;
        while i < src.len() {
            if src[i] == b'"' && src[i + 1..].iter().take(hashes).filter(|&&b| b == b'#').count() == hashes {
                i += 1 + hashes;
                break;
            }
            if src[i] == b'\n' {
                self.line += 1;
            }
            i += 1;
        }
        self.i = i.min(src.len());
        self.push(Kind::Literal, start, self.i, line);
        true
    }

    /// `R"delim(…)delim"`, the opening quote at `self.i`.
    fn cpp_raw_string(&mut self, start: usize) {
        let src = self.src;
        let line = self.line;
        let open = self.i + 1;
        let paren = src[open..].iter().position(|&b| b == b'(' || b == b'\n').map_or(src.len(), |n| open + n);
        let mut close = Vec::with_capacity(paren - open + 2);
        close.push(b')');
        close.extend_from_slice(&src[open..paren.min(src.len())]);
        close.push(b'"');
        let body = paren.min(src.len());
        let end = src[body..]
            .windows(close.len())
            .position(|w| w == close)
            .map_or(src.len(), |n| body + n + close.len());
        self.line += src[start..end].iter().filter(|&&b| b == b'\n').count() as u32;
        self.i = end;
        self.push(Kind::Literal, start, end, line);
    }
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

#[cfg(test)]
mod tests {
    use crate::lang::Lang;
    use crate::lex::Kind;
    use crate::lex::tests::{lex, texts};

    #[test]
    fn skips_comments_and_keeps_lines() {
        let toks = lex(Lang::C, "int a; // x\n/* y\n z */ b = 1;\n");
        let lines: Vec<_> = toks.iter().map(|(_, t, l)| (t.as_str(), *l)).collect();
        assert_eq!(lines, [("int", 1), ("a", 1), (";", 1), ("b", 3), ("=", 3), ("1", 3), (";", 3)]);
        assert_eq!(toks[0].0, Kind::Keyword);
        assert_eq!(toks[1].0, Kind::Ident);
    }

    #[test]
    fn rust_strings_lifetimes_and_nested_comments() {
        let src = "fn f<'a>(x: &'a str) -> char { /* a /* b */ c */ let s = r#\"q\"x\"#; 'z' }";
        let t = texts(Lang::Rust, src);
        assert!(t.contains(&"'a".to_string()), "{t:?}");
        assert!(t.contains(&"r#\"q\"x\"#".to_string()), "{t:?}");
        assert!(t.contains(&"'z'".to_string()), "{t:?}");
        assert!(!t.iter().any(|s| s == "c" || s == "b"), "{t:?}");
        let t = texts(Lang::Rust, "let s = \"a\nb\"; x");
        assert_eq!(t, ["let", "s", "=", "\"a\nb\"", ";", "x"]);
        assert_eq!(lex(Lang::Rust, "let s = \"a\nb\"; x")[5].2, 2);
        assert_eq!(texts(Lang::Rust, "b'x' b\"y\" '\\n'"), ["b'x'", "b\"y\"", "'\\n'"]);
        assert_eq!(texts(Lang::Rust, "0..10"), ["0", "..", "10"]);
    }

    #[test]
    fn js_templates_and_regexes() {
        let t = texts(Lang::JavaScript, "const r = /a\\/b[/]/g; let x = a / b / c; s = `x ${y}\n` ;");
        assert!(t.contains(&"/a\\/b[/]/g".to_string()), "{t:?}");
        assert_eq!(t.iter().filter(|s| *s == "/").count(), 2, "{t:?}");
        assert!(t.contains(&"`x ${y}\n`".to_string()), "{t:?}");
        assert_eq!(texts(Lang::TypeScript, "x === 'it''s'"), ["x", "===", "'it'", "'s'"]);
    }

    #[test]
    fn go_raw_strings_and_cpp_prefixes() {
        assert_eq!(texts(Lang::Go, "s := `a\\`"), ["s", ":=", "`a\\`"]);
        assert_eq!(
            texts(Lang::Cpp, "auto s = u8\"x\" + R\"d(a)\"b)d\";"),
            ["auto", "s", "=", "u8\"x\"", "+", "R\"d(a)\"b)d\"", ";"]
        );
        assert_eq!(texts(Lang::CSharp, "var p = @\"C:\\x\";"), ["var", "p", "=", "@\"C:\\x\"", ";"]);
    }

    #[test]
    fn broken_strings_end_at_the_line() {
        let toks = lex(Lang::Java, "String s = \"oops;\nint x;");
        assert_eq!(toks.last().unwrap().1, ";");
        assert_eq!(toks.last().unwrap().2, 2);
    }

    #[test]
    fn operators_are_whole() {
        assert_eq!(texts(Lang::Rust, "a::b->c=>d..=e"), ["a", "::", "b", "->", "c", "=>", "d", "..=", "e"]);
        assert_eq!(texts(Lang::Cpp, "x>>=1"), ["x", ">>=", "1"]);
    }
}
