//! Every file's tokens laid end to end in three flat arrays (normalized
//! code, hash of the raw text, line), so clone detection walks plain
//! memory instead of one allocation per file or per token.

use std::ops::Range;

use crate::lang::Lang;
use crate::lex::{self, Tok};

/// One file that was read and tokenized.
#[derive(Debug)]
pub struct File {
    pub path: String,
    pub lang: Lang,
    pub text: Vec<u8>,
    /// Its tokens, as indices into the corpus arrays.
    pub tokens: Range<u32>,
    pub lines: u32,
}

#[derive(Debug, Default)]
pub struct Corpus {
    pub files: Vec<File>,
    /// Normalized code per token: `ID`, `LIT`, or the text's hash.
    pub norm: Vec<u32>,
    /// Hash of the token's own text: equal runs are exact copies.
    pub raw: Vec<u32>,
    /// Line of each token.
    pub line: Vec<u32>,
}

impl Corpus {
    /// Add a file and its tokens; returns its index.
    pub fn push(&mut self, path: String, lang: Lang, text: Vec<u8>, toks: &[Tok]) -> usize {
        let start = self.norm.len() as u32;
        self.reserve(toks.len());
        for t in toks {
            let raw = lex::hash(t.text(&text));
            self.raw.push(raw);
            self.norm.push(lex::normalize(t.kind, raw));
            self.line.push(t.line);
        }
        let lines = count_lines(&text);
        self.files.push(File { path, lang, text, tokens: start..self.norm.len() as u32, lines });
        self.files.len() - 1
    }

    /// Room for `tokens` more tokens.
    pub fn reserve(&mut self, tokens: usize) {
        self.norm.reserve(tokens);
        self.raw.reserve(tokens);
        self.line.reserve(tokens);
    }

    /// The file holding token `tok`.
    pub fn file_of(&self, tok: u32) -> usize {
        self.files.partition_point(|f| f.tokens.end <= tok)
    }

    pub fn total_lines(&self) -> u64 {
        self.files.iter().map(|f| f.lines as u64).sum()
    }

    /// Up to `max_lines` lines of `file` from `start_line`, at most
    /// `max_chars` characters: a preview of a clone.
    pub fn excerpt(
        &self,
        file: usize,
        start_line: u32,
        end_line: u32,
        max_lines: u32,
        max_chars: usize,
    ) -> String {
        let text = &self.files[file].text;
        let mut line = 1u32;
        let mut from = 0;
        if start_line > 1 {
            for (i, &b) in text.iter().enumerate() {
                if b == b'\n' {
                    line += 1;
                    if line == start_line {
                        from = i + 1;
                        break;
                    }
                }
            }
        }
        let last = end_line.min(start_line + max_lines.saturating_sub(1));
        let mut to = from;
        let mut at = start_line;
        while to < text.len() {
            if text[to] == b'\n' {
                if at == last {
                    break;
                }
                at += 1;
            }
            to += 1;
        }
        let mut out = String::from_utf8_lossy(&text[from..to]).into_owned();
        if out.chars().count() > max_chars {
            out = out.chars().take(max_chars).collect::<String>();
            out.push('…');
        }
        out
    }
}

/// Lines as an editor numbers them: a last line without `\n` counts.
pub fn count_lines(text: &[u8]) -> u32 {
    let newlines = text.iter().filter(|&&b| b == b'\n').count() as u32;
    newlines + u32::from(!text.is_empty() && !text.ends_with(b"\n"))
}

/// A corpus of in-memory files, for tests.
#[cfg(test)]
pub fn of(files: &[(&str, &str)]) -> Corpus {
    let mut c = Corpus::default();
    let mut toks = Vec::new();
    for (path, text) in files {
        let lang = Lang::detect(path).expect("a known language");
        lex::tokenize(lang, text.as_bytes(), &mut toks);
        c.push(path.to_string(), lang, text.as_bytes().to_vec(), &toks);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lex::ID;

    #[test]
    fn files_lie_end_to_end() {
        let c = of(&[("a.rs", "fn a() {}\n"), ("b.py", "x = 1\ny = 2\n")]);
        assert_eq!(c.files[0].tokens, 0..6);
        assert_eq!(c.files[1].tokens, 6..12);
        assert_eq!((c.file_of(0), c.file_of(5), c.file_of(6), c.file_of(11)), (0, 0, 1, 1));
        assert_eq!(c.norm[1], ID);
        assert_eq!(c.line[9], 2);
        assert_eq!(c.total_lines(), 3);
    }

    #[test]
    fn excerpts_are_bounded() {
        let c = of(&[("a.py", "a = 1\nb = 2\nc = 3\nd = 4\n")]);
        assert_eq!(c.excerpt(0, 2, 4, 2, 100), "b = 2\nc = 3");
        assert_eq!(c.excerpt(0, 1, 1, 5, 3), "a =…");
        assert_eq!(c.excerpt(0, 4, 4, 5, 100), "d = 4");
    }

    #[test]
    fn lines_are_counted_as_editors_do() {
        assert_eq!(count_lines(b""), 0);
        assert_eq!(count_lines(b"a"), 1);
        assert_eq!(count_lines(b"a\n"), 1);
        assert_eq!(count_lines(b"a\nb"), 2);
    }
}
