//! Who is on call on a day, from a rota file: shifts of dates and people.
//!
//! ```toml
//! [[shift]]
//! from = 2025-06-02        # the first day (a TOML date, or "2025-06-02")
//! to = 2025-06-08          # the last day; without one, until a later shift starts
//! who = "alice"            # a login, a CODEOWNERS entry, an e-mail or "#channel"
//! ```
//!
//! The shift for today wins: of those that cover the day, the one that
//! started last (so a one-day swap written over a week's shift wins).

use std::path::Path;

use serde::Deserialize;

use super::error::Error;

/// A day, as `(year, month, day)`: ordered as days are.
pub type Day = (i32, u32, u32);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RotaFile {
    #[serde(default)]
    shift: Vec<Shift>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shift {
    from: toml::Value,
    to: Option<toml::Value>,
    who: String,
}

/// Who the rota at `path` says is on call on `day`; `None` when no shift
/// covers it.
pub fn on_call(path: &Path, day: Day) -> Result<Option<String>, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::File { path: path.into(), source })?;
    on_call_in(&text, day).map_err(|message| Error::Config { path: path.into(), message })
}

fn on_call_in(text: &str, day: Day) -> Result<Option<String>, String> {
    let rota: RotaFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut best: Option<(Day, String)> = None;
    for (n, shift) in rota.shift.iter().enumerate() {
        let at = |what: &str, value: &toml::Value| {
            parse_day(value).ok_or_else(|| format!("shift {}: `{what}` is not a date (YYYY-MM-DD)", n + 1))
        };
        let from = at("from", &shift.from)?;
        let to = shift.to.as_ref().map(|to| at("to", to)).transpose()?;
        if shift.who.trim().is_empty() {
            return Err(format!("shift {}: `who` is empty", n + 1));
        }
        let covers = from <= day && to.is_none_or(|to| day <= to);
        if covers && best.as_ref().is_none_or(|(started, _)| from >= *started) {
            best = Some((from, shift.who.trim().to_string()));
        }
    }
    Ok(best.map(|(_, who)| who))
}

/// A TOML date (`2025-06-02`) or a string spelling one.
fn parse_day(value: &toml::Value) -> Option<Day> {
    let text = match value {
        toml::Value::Datetime(dt) => {
            let date = dt.date?;
            return Some((date.year.into(), date.month.into(), date.day.into()));
        }
        toml::Value::String(s) => s.trim(),
        _ => return None,
    };
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok().filter(|m| (1..=12).contains(m))?;
    let day = parts.next()?.parse().ok().filter(|d| (1..=31).contains(d))?;
    Some((year, month, day))
}

/// Today, in the local time zone.
pub fn today() -> Day {
    let now = libc::time_t::try_from(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs(),
    )
    .unwrap_or_default();
    // SAFETY: `localtime_r` writes only into the `tm` we own, and reads
    // the time zone files, which nothing of grove changes while it runs.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&now, &mut tm);
        tm
    };
    (tm.tm_year + 1900, (tm.tm_mon + 1) as u32, tm.tm_mday as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROTA: &str = r##"
[[shift]]
from = 2025-06-02
to = 2025-06-08
who = "alice"

[[shift]]
from = "2025-06-04"
to = "2025-06-04"
who = "bob@example.com"

[[shift]]
from = 2025-06-09
who = "#platform"
"##;

    #[test]
    fn the_shift_for_the_day_wins() {
        assert_eq!(on_call_in(ROTA, (2025, 6, 1)).unwrap(), None);
        assert_eq!(on_call_in(ROTA, (2025, 6, 2)).unwrap().as_deref(), Some("alice"));
        assert_eq!(on_call_in(ROTA, (2025, 6, 4)).unwrap().as_deref(), Some("bob@example.com"));
        assert_eq!(on_call_in(ROTA, (2025, 6, 8)).unwrap().as_deref(), Some("alice"));
        assert_eq!(on_call_in(ROTA, (2026, 1, 1)).unwrap().as_deref(), Some("#platform"));
    }

    #[test]
    fn mistakes_name_the_shift() {
        let e = on_call_in("[[shift]]\nfrom = \"June\"\nwho = \"a\"\n", (2025, 1, 1)).unwrap_err();
        assert!(e.contains("shift 1") && e.contains("from"), "{e}");
        assert!(on_call_in("[[shift]]\nfrom = 2025-01-01\nwho = \"a\"\nwhom = 1\n", (2025, 1, 1)).is_err());
        let (y, m, d) = today();
        assert!(y >= 2024 && (1..=12).contains(&m) && (1..=31).contains(&d));
    }
}
