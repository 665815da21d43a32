//! Making untrusted text safe to print. A model's answer or a program's
//! output may carry terminal escape sequences (clear the screen, set the
//! window title, rewrite the clipboard through OSC 52, move the cursor to
//! paint over an approval prompt) or bidirectional overrides that make
//! code read differently from what it is. None of that reaches a terminal
//! or a page: escape sequences are dropped whole, other control characters
//! and bidi controls are dropped, and a lone carriage return (which would
//! let a line overwrite itself) becomes a line break.

use std::borrow::Cow;

/// `text` with nothing left that a terminal would act on: newlines and
/// tabs stay, every other control is gone.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\u{1b}' => skip_escape(&mut chars),
            // The 8-bit CSI and OSC introducers start sequences too.
            '\u{9b}' => skip_until_final(&mut chars),
            '\u{9d}' => skip_string(&mut chars),
            c if unsafe_char(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c)
}

/// Characters that reorder the text around them (the "Trojan Source" set).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After ESC: a CSI (`ESC [ … final`), a string (`ESC ] … BEL|ST`, and
/// DCS, SOS, PM, APC), or a two-character sequence.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_until_final(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // Character-set and similar sequences take one more character.
        Some('(' | ')' | '*' | '+' | '#' | '%' | ' ') => {
            chars.next();
        }
        _ => {}
    }
}

/// CSI parameters and intermediates run until a final byte in `@`..`~`.
fn skip_until_final(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) {
            return;
        }
        if !(' '..='?').contains(&c) {
            // Not a well-formed sequence: stop dropping at this character.
            return;
        }
    }
}

/// A control string ends at BEL, at ST (`ESC \` or U+009C), or at the end.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn plain_text_is_borrowed_as_it_is() {
        let text = "fn main() {\n\tprintln!(\"hé · ✓\");\n}";
        assert!(matches!(sanitize(text), std::borrow::Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn attacks_on_the_terminal_are_dropped() {
        let attacks = [
            ("\u{1b}[2J\u{1b}[Hclean", "clean"),
            ("title\u{1b}]0;pwned\u{7}!", "title!"),
            ("clip\u{1b}]52;c;ZWNobyBoaQ==\u{1b}\\board", "clipboard"),
            ("\u{1b}[1A\u{1b}[2Kapproved", "approved"),
            ("a\u{9b}31mb", "ab"),
            ("x\u{9d}8;;http://evil\u{9c}y", "xy"),
            ("bell\u{7}\u{8}\u{0}", "bell"),
            ("safe\rEVIL", "safe\nEVIL"),
            ("line\r\nnext", "line\nnext"),
            ("if admin \u{202e}{ }\u{2066}", "if admin { }"),
            ("unterminated \u{1b}]0;title", "unterminated "),
            ("\u{1b}(0box", "box"),
        ];
        for (attack, shown) in attacks {
            let out = sanitize(attack);
            assert_eq!(out, shown, "{attack:?}");
            assert!(!out.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{attack:?}");
        }
    }
}
