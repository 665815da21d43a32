//! Named functions found in a file's tokens, with their extent, how deeply
//! their blocks nest, and whether they are private enough that nothing
//! outside the code simplify reads could call them.
//!
//! Found without a parser: by the words that start a function (`fn`,
//! `func`, `function`, `def`), and in Java, C, C++, C# and JS classes by
//! the shape `name(…) {`. Good enough for hints, and it never fails.

mod braces;
mod indent;

use crate::lang::{Family, Lang};
use crate::lex::Tok;

/// One named function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    /// `lex::hash` of the name, to count references to it.
    pub name_hash: u32,
    pub start_line: u32,
    pub end_line: u32,
    /// Deepest block nesting inside the body (the body itself is 0; a
    /// nested function's blocks count for it, not for this one).
    pub depth: u32,
    /// Where that depth is first reached.
    pub depth_line: u32,
    /// Only code beside it could call it: not public, exported, a trait
    /// method, a test or an entry point. A dead-code candidate.
    pub private: bool,
}

impl Function {
    pub fn lines(&self) -> u32 {
        self.end_line - self.start_line + 1
    }
}

/// The functions of one file, in order of their start.
pub fn find(lang: Lang, src: &[u8], toks: &[Tok]) -> Vec<Function> {
    let mut out = match lang.family() {
        Family::Python => indent::find(src, toks),
        _ => braces::find(lang, src, toks),
    };
    out.sort_by_key(|f| f.start_line);
    out
}

#[cfg(test)]
pub(crate) fn find_in(path: &str, src: &str) -> Vec<Function> {
    let lang = Lang::detect(path).unwrap();
    let mut toks = Vec::new();
    crate::lex::tokenize(lang, src.as_bytes(), &mut toks);
    find(lang, src.as_bytes(), &toks)
}
