//! Making untrusted text safe to print. A model's answer or a program's
//! output may carry terminal escape sequences (clear the screen, set the
//! window title, rewrite the clipboard through OSC 52, move the cursor to
//! paint over an approval prompt) or bidirectional overrides that make
//! code read differently from what it is. None of that reaches a terminal
//! or a page as a control: each control character is shown as what it is
//! (`\x1b`, `\x07`, `\u{202e}`), so an attempt is visible rather than
//! silently gone, and a lone carriage return (which would let a line
//! overwrite itself) becomes a line break. Colour and style sequences
//! (`ESC [ … m`), which build tools print all the time and which cannot move
//! anything, are dropped whole.

use std::borrow::Cow;
use std::fmt::Write;

/// `text` with nothing left that a terminal would act on: newlines and
/// tabs stay, every other control is spelled out.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\u{1b}' if is_style(&chars) => skip_style(&mut chars),
            c if unsafe_char(c) => show(&mut out, c),
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

/// A control spelled out: `\x1b` for C0 and C1 controls, `\u{202e}` for the rest.
fn show(out: &mut String, c: char) {
    let _ = match u32::from(c) {
        n @ 0..=0xff => write!(out, "\\x{n:02x}"),
        n => write!(out, "\\u{{{n:x}}}"),
    };
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Whether the ESC just read starts a well-formed colour or style sequence:
/// `[`, parameters (digits, `;`, `:`), then `m`.
fn is_style(chars: &Chars<'_>) -> bool {
    let mut ahead = chars.clone();
    if ahead.next() != Some('[') {
        return false;
    }
    for c in ahead {
        match c {
            'm' => return true,
            '0'..='9' | ';' | ':' => {}
            _ => return false,
        }
    }
    false
}

fn skip_style(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if c == 'm' {
            return;
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
    fn attacks_on_the_terminal_are_shown_not_obeyed() {
        let attacks = [
            ("\u{1b}[2J\u{1b}[Hclean", r"\x1b[2J\x1b[Hclean"),
            ("title\u{1b}]0;pwned\u{7}!", r"title\x1b]0;pwned\x07!"),
            ("clip\u{1b}]52;c;ZWNobyBoaQ==\u{1b}\\board", r"clip\x1b]52;c;ZWNobyBoaQ==\x1b\board"),
            ("\u{1b}[1A\u{1b}[2Kapproved", r"\x1b[1A\x1b[2Kapproved"),
            ("a\u{9b}31mb", r"a\x9b31mb"),
            ("x\u{9d}8;;http://evil\u{9c}y", r"x\x9d8;;http://evil\x9cy"),
            ("bell\u{7}\u{8}\u{0}", r"bell\x07\x08\x00"),
            ("safe\rEVIL", "safe\nEVIL"),
            ("line\r\nnext", "line\nnext"),
            ("if admin \u{202e}{ }\u{2066}", r"if admin \u{202e}{ }\u{2066}"),
            ("unterminated \u{1b}]0;title", r"unterminated \x1b]0;title"),
            ("\u{1b}(0box", r"\x1b(0box"),
            // Colour is styling: dropped whole, the text kept.
            ("\u{1b}[1;32mok\u{1b}[0m done", "ok done"),
            // Conceal is styling too, and goes with the rest.
            ("\u{1b}[8mhidden\u{1b}[m", "hidden"),
        ];
        for (attack, shown) in attacks {
            let out = sanitize(attack);
            assert_eq!(out, shown, "{attack:?}");
            assert!(!out.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{attack:?}");
        }
    }
}
