//! Redirects and here-docs: the operator, its target word, and a
//! here-doc's body read from the lines after the command.

use super::{ParseError, Parser};
use crate::gate::classify::shell::{Part, RedirOp, Redirect, Word};

impl Parser<'_> {
    pub(super) fn redirects(&mut self) -> Result<Vec<Redirect>, ParseError> {
        let mut out = Vec::new();
        loop {
            self.blanks();
            match self.redirect()? {
                Some(r) => out.push(r),
                None => return Ok(out),
            }
        }
    }

    /// A redirect at the cursor, if there is one.
    pub(super) fn redirect(&mut self) -> Result<Option<Redirect>, ParseError> {
        let start = self.pos;
        let mut fd = None;
        let digits = self.b[self.pos..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && matches!(self.peek_at(digits), Some(b'<' | b'>')) {
            fd = self.src[self.pos..self.pos + digits].parse().ok();
            self.pos += digits;
        }
        if self.starts("<(") || self.starts(">(") {
            self.pos = start;
            return Ok(None);
        }
        let op = if self.starts("&>>") {
            self.pos += 3;
            RedirOp::Append
        } else if self.starts("&>") {
            self.pos += 2;
            RedirOp::Out
        } else if self.starts("<<<") {
            self.pos += 3;
            RedirOp::HereString
        } else if self.starts("<<") {
            self.pos += 2;
            let strip = self.peek() == Some(b'-');
            if strip {
                self.pos += 1;
            }
            return self.heredoc(fd, strip).map(Some);
        } else if self.starts("<>") {
            self.pos += 2;
            RedirOp::ReadWrite
        } else if self.starts("<&") || self.starts(">&") {
            self.pos += 2;
            RedirOp::Dup
        } else if self.starts(">>") {
            self.pos += 2;
            RedirOp::Append
        } else if self.starts(">|") {
            self.pos += 2;
            RedirOp::Out
        } else if self.starts(">") {
            self.pos += 1;
            RedirOp::Out
        } else if self.starts("<") {
            self.pos += 1;
            RedirOp::In
        } else {
            self.pos = start;
            return Ok(None);
        };
        self.blanks();
        let target = self.word()?;
        if target.0.is_empty() {
            return Err(self.error("a redirect needs a target"));
        }
        // `>& file` (not a descriptor) sends both streams to the file.
        let op = match (op, target.literal(&|_| None)) {
            (RedirOp::Dup, Some(t)) if !t.bytes().all(|c| c.is_ascii_digit() || c == b'-') => RedirOp::Out,
            (op, _) => op,
        };
        Ok(Some(Redirect { fd, op, target, body: None }))
    }

    /// `<<DELIM`: the body is the lines after the current one, up to DELIM.
    fn heredoc(&mut self, fd: Option<u32>, strip_tabs: bool) -> Result<Redirect, ParseError> {
        self.blanks();
        let delim_word = self.word()?;
        if delim_word.0.is_empty() {
            return Err(self.error("a here-doc needs a delimiter"));
        }
        let quoted = delim_word.0.iter().any(|p| matches!(p, Part::Quoted(_)));
        let delim = delim_word.source();
        let body_start = match self.heredoc_next {
            Some(at) => at,
            None => {
                self.b[self.pos..].iter().position(|&c| c == b'\n').map_or(self.b.len(), |i| self.pos + i + 1)
            }
        };
        let mut line_start = body_start;
        let (body_end, after) = loop {
            if line_start >= self.b.len() {
                break (self.b.len(), self.b.len());
            }
            let line_end = self.b[line_start..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(self.b.len(), |i| line_start + i);
            let line = &self.src[line_start..line_end];
            let line = if strip_tabs { line.trim_start_matches('\t') } else { line };
            if line == delim {
                break (line_start, (line_end + 1).min(self.b.len()));
            }
            line_start = line_end + 1;
        };
        self.heredoc_next = Some(after);
        let text = &self.src[body_start.min(body_end)..body_end];
        let body = if quoted { Word(vec![Part::Quoted(text.to_string())]) } else { self.expand_text(text)? };
        Ok(Redirect { fd, op: RedirOp::HereDoc, target: delim_word, body: Some(body) })
    }

    /// Text that undergoes expansion like a double-quoted string (an
    /// unquoted here-doc body).
    fn expand_text(&mut self, text: &str) -> Result<Word, ParseError> {
        let mut sub = Parser {
            src: text,
            b: text.as_bytes(),
            pos: 0,
            depth: self.depth,
            heredoc_next: None,
            case_depth: 0,
        };
        let mut parts = Vec::new();
        sub.double_quoted_until(None, &mut parts)?;
        Ok(Word(parts))
    }
}
