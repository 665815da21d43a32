//! Words: bare text, quotes and escapes, and the tilde, cut into the parts
//! that, concatenated, make one argument.

use super::{ParseError, Parser, Stop, is_meta};
use crate::gate::classify::shell::{Part, Word};

impl Parser<'_> {
    /// One word, possibly empty when the cursor is at a delimiter.
    pub(super) fn word(&mut self) -> Result<Word, ParseError> {
        let mut parts: Vec<Part> = Vec::new();
        let mut bare = String::new();
        let start = self.pos;
        if self.peek() == Some(b'~') {
            self.pos += 1;
            let user_len = self.b[self.pos..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
                .count();
            if self.peek_at(user_len).is_none_or(|c| c == b'/' || c == b':' || is_meta(c)) {
                parts.push(Part::Tilde(self.src[self.pos..self.pos + user_len].to_string()));
                self.pos += user_len;
            } else {
                self.pos = start;
            }
        }
        while let Some(c) = self.peek() {
            match c {
                b'<' | b'>' if self.peek_at(1) == Some(b'(') && self.pos == start => {
                    self.pos += 2;
                    self.enter()?;
                    let list = self.list(Stop::Paren)?;
                    self.depth -= 1;
                    self.pos += 1;
                    parts.push(Part::ProcSubst(list));
                }
                c if is_meta(c) => break,
                b'\\' => {
                    flush(&mut bare, &mut parts);
                    match self.peek_at(1) {
                        Some(b'\n') => self.pos += 2,
                        Some(_) => {
                            let ch = self.src[self.pos + 1..].chars().next().unwrap_or('\\');
                            parts.push(Part::Quoted(ch.to_string()));
                            self.pos += 1 + ch.len_utf8();
                        }
                        None => self.pos += 1,
                    }
                }
                b'\'' => {
                    flush(&mut bare, &mut parts);
                    self.pos += 1;
                    let end = self.find(b'\'').ok_or_else(|| self.error("unterminated single quote"))?;
                    parts.push(Part::Quoted(self.src[self.pos..end].to_string()));
                    self.pos = end + 1;
                }
                b'"' => {
                    flush(&mut bare, &mut parts);
                    self.pos += 1;
                    self.double_quoted_until(Some(b'"'), &mut parts)?;
                }
                b'$' => {
                    flush(&mut bare, &mut parts);
                    self.dollar(&mut parts)?;
                }
                b'`' => {
                    flush(&mut bare, &mut parts);
                    self.backtick(&mut parts)?;
                }
                _ => {
                    let ch = self.src[self.pos..].chars().next().unwrap_or('\u{fffd}');
                    bare.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
        flush(&mut bare, &mut parts);
        Ok(Word(parts))
    }

    fn find(&self, c: u8) -> Option<usize> {
        self.b[self.pos..].iter().position(|&x| x == c).map(|i| self.pos + i)
    }

    /// The inside of `"…"` (up to `end`, consumed), or of an unquoted
    /// here-doc body (to the end of the text).
    pub(super) fn double_quoted_until(
        &mut self,
        end: Option<u8>,
        parts: &mut Vec<Part>,
    ) -> Result<(), ParseError> {
        let mut text = String::new();
        loop {
            let Some(c) = self.peek() else {
                if end.is_some() {
                    return Err(self.error("unterminated double quote"));
                }
                break;
            };
            if Some(c) == end {
                self.pos += 1;
                break;
            }
            match c {
                b'\\' if matches!(self.peek_at(1), Some(b'$' | b'`' | b'"' | b'\\' | b'\n')) => {
                    if self.peek_at(1) != Some(b'\n') {
                        text.push(self.b[self.pos + 1] as char);
                    }
                    self.pos += 2;
                }
                b'$' => {
                    flush_quoted(&mut text, parts);
                    self.dollar(parts)?;
                }
                b'`' => {
                    flush_quoted(&mut text, parts);
                    self.backtick(parts)?;
                }
                _ => {
                    let ch = self.src[self.pos..].chars().next().unwrap_or('\u{fffd}');
                    text.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
        flush_quoted(&mut text, parts);
        Ok(())
    }
}

fn flush(bare: &mut String, parts: &mut Vec<Part>) {
    if !bare.is_empty() {
        parts.push(Part::Bare(std::mem::take(bare)));
    }
}

fn flush_quoted(text: &mut String, parts: &mut Vec<Part>) {
    if !text.is_empty() {
        parts.push(Part::Quoted(std::mem::take(text)));
    }
}
