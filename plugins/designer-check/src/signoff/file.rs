//! Claims from the sign-off file (`.grove/design-signoff` unless the
//! configuration names another): one per line, the designer, then the
//! commit they reviewed or the day they did.
//!
//! ```text
//! # who reviewed the design changes
//! Dana Designer <dana@example.com> 3f2a9c1
//! sam@example.com 2026-11-25
//! ```
//!
//! A line may start with `Design-Reviewed-by:` as a trailer does. A line
//! with a commit covers the work up to that commit; with a date, the work
//! committed by the end of that day (UTC); with neither, whatever is there.

use super::{Claim, Covers, Source};
use crate::identity::Identity;

pub fn claims(path: &str, text: &str) -> Vec<Claim> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let line = strip_key(line);
            let mut words: Vec<&str> = line.split_whitespace().collect();
            let mut covers = Covers::Everything;
            // The commit or the date comes last; never take the address.
            while let Some(last) = words.last().filter(|_| words.len() > 1) {
                if let Some(end) = end_of_day(last) {
                    covers = Covers::Until(end);
                } else if is_commit(last) {
                    covers = Covers::UpTo(last.to_string());
                } else {
                    break;
                }
                words.pop();
            }
            let who = Identity::parse(&words.join(" "));
            Some(Claim { who, source: Source::File { path: path.to_string(), line: i + 1 }, covers })
        })
        .collect()
}

fn strip_key(line: &str) -> &str {
    match line.split_once(':') {
        Some((key, rest)) if key.eq_ignore_ascii_case(super::trailer::KEY) => rest.trim(),
        _ => line,
    }
}

/// 7 to 40 hex digits.
fn is_commit(word: &str) -> bool {
    (7..=40).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `YYYY-MM-DD` as the last second of that day, UTC.
fn end_of_day(word: &str) -> Option<i64> {
    let mut parts = word.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + 86_399)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_with_commits_dates_or_neither() {
        let text = "# sign-offs\n\nDana Designer <dana@example.com> 3f2a9c1\nsam@example.com 2026-11-25\nDesign-Reviewed-by: Pat Doe\n";
        let found = claims(".grove/design-signoff", text);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].who.to_string(), "Dana Designer <dana@example.com>");
        assert_eq!(found[0].covers, Covers::UpTo("3f2a9c1".into()));
        assert_eq!(found[0].source, Source::File { path: ".grove/design-signoff".into(), line: 3 });
        assert_eq!(found[1].who.email.as_deref(), Some("sam@example.com"));
        assert_eq!(found[1].covers, Covers::Until(1_795_651_199));
        assert_eq!(found[2].who.name.as_deref(), Some("Pat Doe"));
        assert_eq!(found[2].covers, Covers::Everything);
    }

    #[test]
    fn dates() {
        assert_eq!(end_of_day("1970-01-01"), Some(86_399));
        assert_eq!(end_of_day("2000-03-01"), Some(951_868_800 + 86_399));
        assert_eq!(end_of_day("2026-13-01"), None);
        assert_eq!(end_of_day("26-1-1"), None);
    }
}
