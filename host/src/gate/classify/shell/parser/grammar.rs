//! The grammar: lists, and-or lists, pipelines, commands, and the compound
//! commands (`if`, loops, `case`, `[[ … ]]`, functions) flattened into the
//! commands they may run.

use super::{ParseError, Parser, Stop, is_meta};
use crate::gate::classify::shell::{AndOr, Command, List, Part, Pipeline, Simple, Word};

const RESERVED_TRANSPARENT: [&str; 10] =
    ["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!"];

impl Parser<'_> {
    pub(super) fn list(&mut self, stop: Stop) -> Result<List, ParseError> {
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
        // `for x in a b; do`: the `;` or newline is left for the list. The
        // loop's variable takes each word in turn.
        let variable = match words.as_slice() {
            [name, keyword, ..] if !is_case && keyword.is_bare("in") => Some(name.source()),
            _ => None,
        };
        let assigns = match variable {
            Some(name) => words.into_iter().skip(2).map(|w| (name.clone(), w)).collect(),
            None => words.into_iter().map(|w| (String::new(), w)).collect(),
        };
        let simple = Simple { words: Vec::new(), assigns, redirects: Vec::new() };
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
