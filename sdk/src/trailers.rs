//! Trailers: the `Key: value` lines that end a commit message
//! (`Signed-off-by:`, `Co-authored-by:`, `Reviewed-by:`), read the way
//! `git interpret-trailers` finds them. Pair with `git::commit_message`.

/// One trailer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailer {
    /// The key as written, e.g. `Signed-off-by`. Compare keys without
    /// regard to case, as git does: see [`Trailer::is`].
    pub key: String,
    /// The value, trimmed, with continuation lines joined by a space.
    pub value: String,
}

impl Trailer {
    /// Whether the key is `key`, ignoring case.
    pub fn is(&self, key: &str) -> bool {
        self.key.eq_ignore_ascii_case(key)
    }
}

/// The trailers of a commit message: its last paragraph, when that is not
/// the subject and every line of it is a trailer or continues one.
pub fn parse(message: &str) -> Vec<Trailer> {
    let lines: Vec<&str> = message.lines().map(|l| l.trim_end()).filter(|l| !l.starts_with('#')).collect();
    let end = lines.iter().rposition(|l| !l.is_empty()).map_or(0, |i| i + 1);
    let Some(start) = lines[..end].iter().rposition(|l| l.is_empty()).map(|i| i + 1) else {
        // One paragraph: the subject, which never holds trailers.
        return Vec::new();
    };
    let mut trailers: Vec<Trailer> = Vec::new();
    for line in &lines[start..end] {
        if line.starts_with([' ', '\t']) {
            match trailers.last_mut() {
                Some(last) => {
                    last.value.push(' ');
                    last.value.push_str(line.trim());
                }
                None => return Vec::new(),
            }
        } else if let Some(trailer) = trailer(line) {
            trailers.push(trailer);
        } else if !line.starts_with("(cherry picked from commit ") {
            // A line of prose: this paragraph is the body, not trailers.
            return Vec::new();
        }
    }
    trailers
}

/// `Key: value`, where the key is letters, digits and dashes.
fn trailer(line: &str) -> Option<Trailer> {
    let (key, value) = line.split_once(':')?;
    let key = key.trim_end();
    let valid = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    valid.then(|| Trailer { key: key.to_string(), value: value.trim().to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(message: &str) -> Vec<(String, String)> {
        parse(message).into_iter().map(|t| (t.key, t.value)).collect()
    }

    #[test]
    fn the_last_paragraph_holds_the_trailers() {
        let message = "Restyle the button\n\nThe body: it says why.\n\nSigned-off-by: A <a@x.org>\nDesign-Reviewed-by: Dana Designer\n  <dana@example.com>\n";
        assert_eq!(
            keys(message),
            [
                ("Signed-off-by".into(), "A <a@x.org>".into()),
                ("Design-Reviewed-by".into(), "Dana Designer <dana@example.com>".into())
            ]
        );
        assert!(parse(message)[1].is("design-reviewed-BY"));
    }

    #[test]
    fn prose_and_subjects_are_not_trailers() {
        assert!(parse("Fix: the thing\n").is_empty());
        assert!(parse("Subject\n\nNote: this is prose.\nIt goes on.\n").is_empty());
        assert!(parse("Subject\n\nReviewed-by: x\n\nMore prose after.\n").is_empty());
        assert!(parse("Subject\n\nSee http://x: no\n").is_empty());
        assert_eq!(
            keys("Subject\n\nAcked-by: b\n(cherry picked from commit abc)\n\n"),
            [("Acked-by".into(), "b".into())]
        );
    }
}
