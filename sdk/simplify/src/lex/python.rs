//! Python: `#` comments, prefixed and triple-quoted strings, and where
//! each logical line starts, since indentation is Python's block structure.

use super::{Kind, Tok, is_ident_byte, is_ident_start, number_end, punct_len};
use crate::lang::Lang;

const THREE: &[&[u8; 3]] = &[b"**=", b"//=", b">>=", b"<<=", b"..."];
const TWO: &[&[u8; 2]] = &[
    b"->", b":=", b"==", b"!=", b"<=", b">=", b"**", b"//", b"<<", b">>", b"+=", b"-=", b"*=", b"/=", b"%=",
    b"&=", b"|=", b"^=", b"@=",
];

pub fn lex(src: &[u8], out: &mut Vec<Tok>) {
    let mut i = 0;
    let mut line = 1u32;
    // Brackets open: newlines inside them do not end the logical line.
    let mut depth = 0usize;
    let mut at_line_start = true;
    let push = |out: &mut Vec<Tok>, kind, start: usize, end: usize, line, first: &mut bool| {
        out.push(Tok { kind, line_start: *first, line, start: start as u32, end: end as u32 });
        *first = false;
    };
    while i < src.len() {
        let b = src[i];
        match b {
            b'\n' => {
                line += 1;
                i += 1;
                if depth == 0 {
                    at_line_start = true;
                }
            }
            b' ' | b'\t' | b'\r' | 0x0c => {
                i += 1;
                while i < src.len() && matches!(src[i], b' ' | b'\t') {
                    i += 1;
                }
            }
            // A continued line is not a new logical line.
            b'\\' if src.get(i + 1) == Some(&b'\n') => {
                i += 2;
                line += 1;
            }
            b'\\' if src.get(i + 1) == Some(&b'\r') && src.get(i + 2) == Some(&b'\n') => {
                i += 3;
                line += 1;
            }
            b'#' => i = src[i..].iter().position(|&b| b == b'\n').map_or(src.len(), |n| i + n),
            b'"' | b'\'' => {
                let (end, lines) = string(src, i);
                push(out, Kind::Literal, i, end, line, &mut at_line_start);
                line += lines;
                i = end;
            }
            b'0'..=b'9' => {
                let end = number_end(src, i);
                push(out, Kind::Literal, i, end, line, &mut at_line_start);
                i = end;
            }
            b'.' if src.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let end = number_end(src, i);
                push(out, Kind::Literal, i, end, line, &mut at_line_start);
                i = end;
            }
            _ if is_ident_start(b) => {
                let mut end = i;
                while end < src.len() && is_ident_byte(src[end]) {
                    end += 1;
                }
                let word = &src[i..end];
                if matches!(src.get(end), Some(b'"' | b'\'')) && is_string_prefix(word) {
                    let (stop, lines) = string(src, end);
                    push(out, Kind::Literal, i, stop, line, &mut at_line_start);
                    line += lines;
                    i = stop;
                    continue;
                }
                let kind = if Lang::Python.is_keyword(word) { Kind::Keyword } else { Kind::Ident };
                push(out, kind, i, end, line, &mut at_line_start);
                i = end;
            }
            _ => {
                let len = punct_len(&src[i..], THREE, TWO);
                match b {
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                push(out, Kind::Punct, i, i + len, line, &mut at_line_start);
                i += len;
            }
        }
    }
}

/// `r`, `b`, `f`, `u` and their pairs, in either case.
fn is_string_prefix(word: &[u8]) -> bool {
    word.len() <= 2 && word.iter().all(|b| matches!(b.to_ascii_lowercase(), b'r' | b'b' | b'f' | b'u'))
}

/// End of the string whose quote is at `q` (after any prefix), and how many
/// newlines it holds. Triple-quoted strings span lines; others end at an
/// unescaped newline if their quote never comes.
fn string(src: &[u8], q: usize) -> (usize, u32) {
    let quote = src[q];
    let triple = src.get(q + 1) == Some(&quote) && src.get(q + 2) == Some(&quote);
    let mut i = if triple { q + 3 } else { q + 1 };
    let mut lines = 0;
    while i < src.len() {
        let b = src[i];
        if b == b'\\' {
            if src.get(i + 1) == Some(&b'\n') {
                lines += 1;
            }
            i += 2;
            continue;
        }
        if b == quote {
            if !triple {
                return (i + 1, lines);
            }
            if src.get(i + 1) == Some(&quote) && src.get(i + 2) == Some(&quote) {
                return (i + 3, lines);
            }
        }
        if b == b'\n' {
            if !triple {
                return (i, lines);
            }
            lines += 1;
        }
        i += 1;
    }
    (src.len(), lines)
}

#[cfg(test)]
mod tests {
    use crate::lang::Lang;
    use crate::lex::tests::{lex, texts};
    use crate::lex::{Kind, Tok, tokenize};

    #[test]
    fn strings_comments_and_prefixes() {
        let t = texts(Lang::Python, "x = rb'a\\'' + f\"{y}\"  # note\ns = '''a\n'b'\n'''\n");
        assert_eq!(t, ["x", "=", "rb'a\\''", "+", "f\"{y}\"", "s", "=", "'''a\n'b'\n'''"]);
        let toks = lex(Lang::Python, "a = '''\n\n'''\nb");
        assert_eq!(toks.last().unwrap().2, 4);
        assert_eq!(toks[0].0, Kind::Ident);
        assert_eq!(lex(Lang::Python, "def")[0].0, Kind::Keyword);
    }

    #[test]
    fn logical_lines_start_outside_brackets() {
        let src = "def f(a,\n      b):\n    return a + \\\n        b\n";
        let mut toks: Vec<Tok> = Vec::new();
        tokenize(Lang::Python, src.as_bytes(), &mut toks);
        let starts: Vec<_> =
            toks.iter().filter(|t| t.line_start).map(|t| (t.line, t.text(src.as_bytes()))).collect();
        assert_eq!(starts, [(1, &b"def"[..]), (3, &b"return"[..])]);
        assert_eq!(toks.last().unwrap().line, 4);
    }
}
