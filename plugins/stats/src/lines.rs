//! Counting the lines of one file's bytes.

/// How far into a file to look for a NUL byte: the heuristic git and most
/// tools use to tell binary files from text.
const BINARY_SNIFF: usize = 8 << 10;

/// Lines of one text file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineCount {
    /// Every line, including a last one without a newline.
    pub lines: u64,
    /// Lines holding nothing but whitespace.
    pub blank: u64,
}

/// True when the first 8 KiB hold a NUL byte.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(BINARY_SNIFF)].contains(&0)
}

/// Count lines and blank lines. Works on bytes, so text that is not UTF-8
/// (Latin-1 sources exist) is still counted; `\r\n` counts as one break.
pub fn count(bytes: &[u8]) -> LineCount {
    let mut result = LineCount::default();
    let mut rest = bytes;
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n');
        let line = &rest[..end.unwrap_or(rest.len())];
        result.lines += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            result.blank += 1;
        }
        rest = match end {
            Some(i) => &rest[i + 1..],
            None => &[],
        };
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lc(lines: u64, blank: u64) -> LineCount {
        LineCount { lines, blank }
    }

    #[test]
    fn counts_lines_with_and_without_a_final_newline() {
        assert_eq!(count(b""), lc(0, 0));
        assert_eq!(count(b"a"), lc(1, 0));
        assert_eq!(count(b"a\n"), lc(1, 0));
        assert_eq!(count(b"a\nb"), lc(2, 0));
        assert_eq!(count(b"\n"), lc(1, 1));
    }

    #[test]
    fn blank_lines_may_hold_whitespace() {
        assert_eq!(count(b"fn main() {\n\n    \t\n}\r\n\r\n"), lc(5, 3));
    }

    #[test]
    fn non_utf8_text_is_counted() {
        assert_eq!(count(b"caf\xe9\nna\xefve\n"), lc(2, 0));
    }

    #[test]
    fn nul_bytes_early_on_mean_binary() {
        assert!(!is_binary(b"plain text\n"));
        assert!(is_binary(b"\x7fELF\0\0\0"));
        let mut late = vec![b'a'; BINARY_SNIFF];
        late.push(0);
        assert!(!is_binary(&late));
    }
}
