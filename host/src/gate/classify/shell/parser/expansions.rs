//! Expansions: `$NAME` and `${…}`, `$(…)` and backticks, `$((…))`, and
//! `$'…'` with its C escapes decoded.

use super::{MAX_DEPTH, ParseError, Parser, Stop, parse_at_depth};
use crate::gate::classify::shell::Part;

impl Parser<'_> {
    /// `$…` at the cursor.
    pub(super) fn dollar(&mut self, parts: &mut Vec<Part>) -> Result<(), ParseError> {
        self.pos += 1;
        match self.peek() {
            Some(b'(') if self.peek_at(1) == Some(b'(') => {
                let inner = self.arithmetic(2)?;
                parts.extend(inner);
                parts.push(Part::Arith);
            }
            Some(b'(') => {
                self.pos += 1;
                self.enter()?;
                let list = self.list(Stop::Paren)?;
                self.depth -= 1;
                self.pos += 1;
                parts.push(Part::Subst(list));
            }
            Some(b'{') => {
                let open = self.pos;
                let mut depth = 0usize;
                let close = loop {
                    match self.peek() {
                        None => return Err(self.error("unterminated `${`")),
                        Some(b'{') => depth += 1,
                        Some(b'}') => {
                            depth -= 1;
                            if depth == 0 {
                                break self.pos;
                            }
                        }
                        Some(b'\\') => self.pos += 1,
                        _ => {}
                    }
                    self.pos += 1;
                };
                self.pos = close + 1;
                let inner = &self.src[open + 1..close];
                let name_len = inner.bytes().take_while(|c| c.is_ascii_alphanumeric() || *c == b'_').count();
                let name_len = if name_len == 0 && !inner.is_empty() { 1 } else { name_len };
                let name = inner[..name_len.min(inner.len())].to_string();
                // `${X:-$(cmd)}` may run a command: look inside operators.
                if name_len < inner.len() {
                    let mut sub = Parser {
                        src: inner,
                        b: inner.as_bytes(),
                        pos: name_len,
                        depth: self.depth + 1,
                        heredoc_next: None,
                        case_depth: 0,
                    };
                    let mut inner_parts = Vec::new();
                    sub.double_quoted_until(None, &mut inner_parts)?;
                    parts.extend(inner_parts.into_iter().filter(|p| matches!(p, Part::Subst(_))));
                }
                // `${X:?}` and `${X?msg}` are X or an error: X all the same.
                let rest = &inner[name_len.min(inner.len())..];
                let plain = rest.is_empty() || rest.starts_with(":?") || rest.starts_with('?');
                parts.push(Part::Param { plain, name });
            }
            Some(b'\'') => {
                self.pos += 1;
                let text = self.ansi_c()?;
                parts.push(Part::Quoted(text));
            }
            Some(b'"') => {
                self.pos += 1;
                self.double_quoted_until(Some(b'"'), parts)?;
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let len = self.b[self.pos..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                parts.push(Part::Param { name: self.src[self.pos..self.pos + len].to_string(), plain: true });
                self.pos += len;
            }
            Some(c) if c.is_ascii_digit() || b"@*#?$!-".contains(&c) => {
                parts.push(Part::Param { name: (c as char).to_string(), plain: true });
                self.pos += 1;
            }
            _ => parts.push(Part::Bare("$".into())),
        }
        Ok(())
    }

    /// Skip `((…))` (or `$((…))`, cursor on the first `(`), keeping the
    /// command substitutions inside: they run.
    pub(super) fn arithmetic(&mut self, opening: usize) -> Result<Vec<Part>, ParseError> {
        self.pos += opening;
        let mut depth = opening;
        let mut substitutions = Vec::new();
        while depth > 0 {
            match self.peek() {
                None => return Err(self.error("unterminated arithmetic")),
                Some(b'$' | b'`') if self.peek_at(1) != Some(b'(') || self.peek_at(2) != Some(b'(') => {
                    let mut parts = Vec::new();
                    if self.peek() == Some(b'`') {
                        self.backtick(&mut parts)?;
                    } else {
                        self.dollar(&mut parts)?;
                    }
                    substitutions.extend(parts.into_iter().filter(|p| matches!(p, Part::Subst(_))));
                    continue;
                }
                Some(b'(') => depth += 1,
                Some(b')') => depth -= 1,
                _ => {}
            }
            self.pos += 1;
        }
        Ok(substitutions)
    }

    /// `` `…` ``: the text up to the closing backtick, unescaped, parsed.
    pub(super) fn backtick(&mut self, parts: &mut Vec<Part>) -> Result<(), ParseError> {
        self.pos += 1;
        let mut inner = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated backquote")),
                Some(b'`') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') if matches!(self.peek_at(1), Some(b'`' | b'\\' | b'$')) => {
                    inner.push(self.b[self.pos + 1] as char);
                    self.pos += 2;
                }
                Some(_) => {
                    let ch = self.src[self.pos..].chars().next().unwrap_or('\u{fffd}');
                    inner.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
        if self.depth + 1 > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        let list =
            parse_at_depth(&inner, self.depth + 1).map_err(|e| ParseError { offset: self.pos, ..e })?;
        parts.push(Part::Subst(list));
        Ok(())
    }

    /// `$'…'`: C escapes decoded, so `$'\x72\x6d'` is seen as `rm`.
    fn ansi_c(&mut self) -> Result<String, ParseError> {
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(c) = self.peek() else { return Err(self.error("unterminated $'")) };
            self.pos += 1;
            match c {
                b'\'' => break,
                b'\\' => {
                    let Some(e) = self.peek() else { return Err(self.error("unterminated $'")) };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'a' => out.push(7),
                        b'b' => out.push(8),
                        b'e' | b'E' => out.push(27),
                        b'f' => out.push(12),
                        b'v' => out.push(11),
                        b'x' => {
                            let n = self.radix_digits(16, 2);
                            out.push(n as u8);
                        }
                        b'u' | b'U' => {
                            let n = self.radix_digits(16, if e == b'u' { 4 } else { 8 });
                            let ch = char::from_u32(n).unwrap_or('\u{fffd}');
                            out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                        }
                        b'0'..=b'7' => {
                            self.pos -= 1;
                            let n = self.radix_digits(8, 3);
                            out.push(n as u8);
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn radix_digits(&mut self, radix: u32, max: usize) -> u32 {
        let mut n = 0u32;
        for _ in 0..max {
            match self.peek().and_then(|c| (c as char).to_digit(radix)) {
                Some(d) => {
                    n = n * radix + d;
                    self.pos += 1;
                }
                None => break,
            }
        }
        n
    }
}
