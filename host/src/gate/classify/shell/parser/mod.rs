//! The parser: one cursor over the bytes, recursive descent, no separate
//! lexer (quoting and substitutions nest, so words need the parser).
//!
//! This file holds the cursor and its moves; what it reads is split by
//! concern: the [`grammar`] of commands, [`words`] and their quoting,
//! [`expansions`], and [`redirects`] with here-docs.

mod expansions;
mod grammar;
mod redirects;
#[cfg(test)]
mod tests;
mod words;

use super::List;

/// Substitutions, subshells and groups nested deeper than this are
/// refused: nothing legitimate needs it, and recursion must stay bounded.
const MAX_DEPTH: usize = 32;

/// Why a line could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {offset})")]
pub struct ParseError {
    pub message: &'static str,
    pub offset: usize,
}

/// Parse a command line (or a whole script).
pub fn parse(src: &str) -> Result<List, ParseError> {
    parse_at_depth(src, 0)
}

fn parse_at_depth(src: &str, depth: usize) -> Result<List, ParseError> {
    let mut p = Parser { src, b: src.as_bytes(), pos: 0, depth, heredoc_next: None, case_depth: 0 };
    let list = p.list(Stop::End)?;
    if p.pos < p.b.len() {
        return Err(p.error("unexpected `)`"));
    }
    Ok(list)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    End,
    Paren,
    Brace,
}

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    depth: usize,
    /// Where the next here-doc body starts and the line after the bodies
    /// resumes: set by `<<`, consumed at the end of the line.
    heredoc_next: Option<usize>,
    case_depth: usize,
}

fn is_meta(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')')
}

impl<'a> Parser<'a> {
    fn error(&self, message: &'static str) -> ParseError {
        ParseError { message, offset: self.pos }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.b.get(self.pos + n).copied()
    }

    fn starts(&self, s: &str) -> bool {
        self.b[self.pos..].starts_with(s.as_bytes())
    }

    fn blanks(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' if self.peek_at(1) == Some(b'\n') => self.pos += 2,
                b'#' => self.comment(),
                _ => break,
            }
        }
    }

    fn comment(&mut self) {
        while let Some(c) = self.peek() {
            if c == b'\n' {
                break;
            }
            self.pos += 1;
        }
    }

    /// Consume a newline, jumping over here-doc bodies that follow it.
    fn newline(&mut self) {
        self.pos += 1;
        if let Some(after) = self.heredoc_next.take() {
            self.pos = self.pos.max(after);
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH { Err(self.error("nested too deeply")) } else { Ok(()) }
    }

    /// The bare word at the cursor if it is exactly `word` (a keyword).
    fn at_keyword(&self, word: &str) -> bool {
        self.starts(word) && self.peek_at(word.len()).is_none_or(|c| is_meta(c) || c == b'}' && word == "}")
    }
}
