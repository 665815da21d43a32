//! git quotes a path holding a quote, a backslash, a control character or
//! (by default) any non-ASCII byte: `"t\303\251.txt"`. Undo that.

/// The path `raw` stands for: as is unless it is quoted.
pub fn unquote(raw: &str) -> String {
    let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
        return raw.to_string();
    };
    let bytes = inner.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' || i + 1 == bytes.len() {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let escaped = bytes[i + 1];
        i += 2;
        out.push(match escaped {
            b'a' => 0x07,
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'v' => 0x0b,
            b'0'..=b'7' => {
                // Three octal digits: one byte of the UTF-8 encoding.
                let mut value = u32::from(escaped - b'0');
                for _ in 0..2 {
                    match bytes.get(i) {
                        Some(d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                value as u8
            }
            other => other,
        });
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::unquote;

    #[test]
    fn quoted_paths() {
        assert_eq!(unquote("plain/path.rs"), "plain/path.rs");
        assert_eq!(unquote(r#""a/t\303\251.txt""#), "a/té.txt");
        assert_eq!(unquote(r#""say \"hi\"\\.txt""#), "say \"hi\"\\.txt");
        assert_eq!(unquote(r#""tab\there""#), "tab\there");
    }
}
