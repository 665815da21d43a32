//! Tokenizers: one hand-written scanner for the C-like languages and one
//! for Python. They drop comments and whitespace, keep every token's line,
//! and tell names, reserved words, literals and punctuation apart, which is
//! all clone detection and the function finders need. No parser: a
//! tokenizer is fast, never fails, and reads code that does not compile.

mod clike;
mod python;

use crate::lang::{Family, Lang};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A name the programmer chose: normalized to `ID`.
    Ident,
    /// A reserved word: kept.
    Keyword,
    /// A string, character, number or regex literal: normalized to `LIT`.
    Literal,
    /// An operator or delimiter: kept.
    Punct,
}

/// One token: where it is, not a copy of its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    pub kind: Kind,
    /// Python only: the first token of a logical line (outside brackets),
    /// whose column is that line's indentation.
    pub line_start: bool,
    /// 1-based line of the token's first character.
    pub line: u32,
    /// Byte range in the source.
    pub start: u32,
    pub end: u32,
}

impl Tok {
    pub fn text<'s>(&self, src: &'s [u8]) -> &'s [u8] {
        &src[self.start as usize..self.end as usize]
    }

    /// Whether this is the punctuation or reserved word `s`.
    pub fn is(&self, src: &[u8], s: &str) -> bool {
        matches!(self.kind, Kind::Punct | Kind::Keyword) && self.text(src) == s.as_bytes()
    }

    /// Whether this is the name `s`.
    pub fn is_ident(&self, src: &[u8], s: &str) -> bool {
        self.kind == Kind::Ident && self.text(src) == s.as_bytes()
    }
}

/// Tokenize `src` into `out`, which is cleared first (so one buffer serves
/// every file).
pub fn tokenize(lang: Lang, src: &[u8], out: &mut Vec<Tok>) {
    out.clear();
    // About one token per four bytes of code: reserve once, not per push.
    out.reserve(src.len() / 4);
    match lang.family() {
        Family::Python => python::lex(src, out),
        _ => clike::lex(lang, src, out),
    }
}

/// Normalized code of a name: every name is the same `ID`.
pub const ID: u32 = 1;
/// Normalized code of a literal: every literal is the same `LIT`.
pub const LIT: u32 = 2;

/// A 32-bit hash of a token's text (FxHash-style, eight bytes a step).
pub fn hash(bytes: &[u8]) -> u32 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = (h.rotate_left(5) ^ u64::from_le_bytes(c.try_into().expect("eight bytes"))).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(buf)).wrapping_mul(K);
    }
    (h ^ (h >> 29) ^ (h >> 47)) as u32
}

/// The normalized code of a token whose text hashes to `raw`: names and
/// literals lose their text, reserved words and punctuation keep it.
pub fn normalize(kind: Kind, raw: u32) -> u32 {
    match kind {
        Kind::Ident => ID,
        Kind::Literal => LIT,
        // Stay clear of the two codes above.
        Kind::Keyword | Kind::Punct => raw | 4,
    }
}

/// Bytes that may continue a name (ASCII letters, digits, `_`, `$`, and
/// any byte of a multi-byte UTF-8 character, so non-English names work).
#[inline]
pub(crate) fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

#[inline]
pub(crate) fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b >= 0x80
}

/// End of a number starting at `i`: digits, letters (hex digits, suffixes,
/// exponents), `_`, a `.` followed by a digit, and the sign after an
/// exponent of a decimal number.
pub(crate) fn number_end(src: &[u8], mut i: usize) -> usize {
    let start = i;
    let hex = src.get(i) == Some(&b'0') && matches!(src.get(i + 1), Some(b'x' | b'X'));
    while i < src.len() {
        let b = src[i];
        let part = b.is_ascii_alphanumeric()
            || b == b'_'
            || (b == b'.' && src.get(i + 1).is_some_and(u8::is_ascii_digit))
            || ((b == b'+' || b == b'-') && !hex && i > start && matches!(src[i - 1], b'e' | b'E'));
        if !part {
            break;
        }
        i += 1;
    }
    i
}

/// Length of the longest operator at the start of `rest` from `ops`
/// (longest first), else 1.
pub(crate) fn punct_len(rest: &[u8], three: &[&[u8; 3]], two: &[&[u8; 2]]) -> usize {
    // Every operator of two or three characters has one of these second:
    // most punctuation is answered without a search.
    let second = rest.get(1).copied().unwrap_or(b' ');
    if !matches!(second, b'=' | b'&' | b'|' | b'+' | b'-' | b'<' | b'>' | b':' | b'.' | b'?' | b'*' | b'/') {
        return utf8_len(rest[0]);
    }
    if rest.len() >= 3 && three.iter().any(|op| rest[..3] == op[..]) {
        3
    } else if rest.len() >= 2 && two.iter().any(|op| rest[..2] == op[..]) {
        2
    } else {
        // One character, whole: a stray non-ASCII byte must not split one.
        utf8_len(rest[0])
    }
}

/// Bytes in the UTF-8 character led by `b` (1 for a stray continuation byte).
pub(crate) fn utf8_len(b: u8) -> usize {
    match b {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `(kind, text, line)` of every token, for readable assertions.
    pub fn lex(lang: Lang, src: &str) -> Vec<(Kind, String, u32)> {
        let mut out = Vec::new();
        tokenize(lang, src.as_bytes(), &mut out);
        out.iter()
            .map(|t| (t.kind, String::from_utf8_lossy(t.text(src.as_bytes())).into_owned(), t.line))
            .collect()
    }

    pub fn texts(lang: Lang, src: &str) -> Vec<String> {
        lex(lang, src).into_iter().map(|(_, t, _)| t).collect()
    }

    #[test]
    fn hash_tells_texts_apart() {
        assert_ne!(hash(b"a"), hash(b"b"));
        assert_ne!(hash(b"ab"), hash(b"ab\0"));
        assert_ne!(hash(b"abcdefgh"), hash(b"abcdefgi"));
        assert_eq!(hash(b"identifier_x"), hash(b"identifier_x"));
    }

    #[test]
    fn normalization_keeps_only_structure() {
        assert_eq!(normalize(Kind::Ident, hash(b"x")), normalize(Kind::Ident, hash(b"y")));
        assert_eq!(normalize(Kind::Literal, hash(b"1")), LIT);
        let plus = normalize(Kind::Punct, hash(b"+"));
        assert!(plus != ID && plus != LIT);
        assert_ne!(plus, normalize(Kind::Punct, hash(b"-")));
    }

    #[test]
    fn numbers() {
        for n in ["0x1F", "1_000", "1.5e-3", "10u32", "3.0f64", "7"] {
            assert_eq!(number_end(n.as_bytes(), 0), n.len(), "{n}");
        }
        assert_eq!(number_end(b"0..10", 0), 1);
        assert_eq!(number_end(b"0x1e-2", 0), 4);
    }
}
