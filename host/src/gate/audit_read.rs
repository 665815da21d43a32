//! Reading the audit log back, one line at a time, so a log of any size
//! reads in constant memory.
//!
//! The log is written by many processes and may end in a torn line (a
//! crash mid-write) or hold garbage: such a line is skipped and counted,
//! never an error. Lines from older grove versions (no `mode`, `level` or
//! `reasons`; an optional `reason`) read as well.
//!
//! Most lines a filter asks about are rejected before they are parsed: the
//! writer is `serde_json`, so a record whose `skill` is `agent` holds the
//! exact text `"agent"`, and its `time` comes first. A line that passes
//! these cheap tests is parsed and checked in full.

use std::io::{self, BufRead};
use std::time::{Duration, SystemTime};

use serde::Deserialize;

/// One audit line as read back.
#[derive(Debug, Clone, Deserialize)]
pub struct AuditEntry {
    pub time: String,
    pub skill: String,
    /// Who the skill was (`name@sha256:…`, `file:/path@sha256:…`); absent
    /// from older lines, whose `skill` was all there was.
    #[serde(default)]
    pub skill_id: Option<String>,
    #[serde(default)]
    pub session: Option<String>,
    pub capability: String,
    pub verb: String,
    pub target: String,
    #[serde(default)]
    pub permission: Option<String>,
    /// Absent from lines written before modes existed.
    #[serde(default)]
    pub mode: Option<String>,
    /// Absent from lines written before the classifier existed.
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub reasons: Vec<String>,
    /// The single reason older lines carried instead of `reasons`.
    #[serde(default)]
    pub reason: Option<String>,
    pub decision: String,
    #[serde(default)]
    pub decided_by: Option<String>,
    #[serde(default)]
    pub approval: Option<i64>,
    /// The line as stored (a JSON object), without its newline.
    #[serde(skip)]
    line: String,
}

impl AuditEntry {
    /// Parse one line; `None` if it is not a whole audit record.
    pub fn parse(line: &str) -> Option<AuditEntry> {
        let line = line.trim_end();
        let mut entry: AuditEntry = serde_json::from_str(line).ok()?;
        entry.line = line.to_string();
        Some(entry)
    }

    /// The record exactly as stored: one JSON object.
    pub fn json(&self) -> &str {
        &self.line
    }

    /// Why it was decided: the riskiest reason, or an old line's reason.
    pub fn first_reason(&self) -> Option<&str> {
        self.reasons.first().or(self.reason.as_ref()).map(String::as_str)
    }
}

/// Which records to keep. Empty keeps all.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub session: Option<String>,
    /// At or after this time.
    pub since: Option<SystemTime>,
    pub skill: Option<String>,
    /// `allow` or `deny`.
    pub decision: Option<String>,
    /// A capability (`process`), or a capability and verb (`process.run`).
    pub capability: Option<String>,
}

impl Filter {
    /// Does `entry` pass every condition?
    pub fn matches(&self, entry: &AuditEntry) -> bool {
        let is = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        let capability = self.capability.as_deref().is_none_or(|c| match c.split_once('.') {
            Some((capability, verb)) => entry.capability == capability && entry.verb == verb,
            None => entry.capability == c,
        });
        let session = self.session.as_deref().is_none_or(|s| entry.session.as_deref() == Some(s));
        let since = self.since.is_none_or(|since| parse_time(&entry.time).is_some_and(|t| t >= since));
        // A skill is named as policy rules name it: a built-in's or an
        // installed skill's name, or a file's `file:/path`; never a name a
        // file claimed in its manifest.
        let skill = self.skill.as_deref().is_none_or(|want| match &entry.skill_id {
            Some(id) => crate::gate::policy::names_skill(want, id),
            None => entry.skill == want,
        });
        skill && is(&self.decision, &entry.decision) && capability && session && since
    }

    /// Texts every matching line contains: each wanted value as a JSON
    /// string (a skill's without its closing quote: `skill_id` may go on
    /// with a digest).
    fn needles(&self) -> Vec<String> {
        let capability = self.capability.as_deref().map(|c| match c.split_once('.') {
            Some((capability, verb)) => vec![capability, verb],
            None => vec![c],
        });
        let json = |v: &str| serde_json::to_string(v).expect("a string serializes");
        let skill = self.skill.as_deref().map(|s| {
            let mut needle = json(s);
            needle.pop();
            needle
        });
        [self.session.as_deref(), self.decision.as_deref()]
            .into_iter()
            .flatten()
            .chain(capability.into_iter().flatten())
            .map(json)
            .chain(skill)
            .collect()
    }
}

/// Reads matching entries from a log, line by line.
///
/// At the end of the input, a last line without its newline is kept: it
/// may still be being written. [`Reader::next_entry`] resumes it when more
/// arrives (following a log); [`Reader::finish`] judges it as it is.
#[derive(Debug)]
pub struct Reader<R> {
    input: R,
    filter: Filter,
    needles: Vec<String>,
    /// The line being read; a partial line between calls at the end.
    buf: Vec<u8>,
    /// Bytes of the input consumed, the partial line included.
    offset: u64,
    malformed: u64,
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R, filter: Filter) -> Self {
        let needles = filter.needles();
        Reader { input, filter, needles, buf: Vec::new(), offset: 0, malformed: 0 }
    }

    /// The next matching entry, or `None` at the current end of the input.
    /// Call again after the input grew to read on.
    pub fn next_entry(&mut self) -> io::Result<Option<AuditEntry>> {
        loop {
            let n = self.input.read_until(b'\n', &mut self.buf)?;
            self.offset += n as u64;
            if self.buf.last() != Some(&b'\n') {
                // The end: keep the partial line, if any, for later.
                return Ok(None);
            }
            let entry = self.judge();
            self.buf.clear();
            if entry.is_some() {
                return Ok(entry);
            }
        }
    }

    /// At the end of the input, for good: the last line, if it has no
    /// newline but is a whole matching record (written as it was read),
    /// else `None`, counted as malformed if it is torn.
    pub fn finish(&mut self) -> Option<AuditEntry> {
        let entry = self.judge();
        self.buf.clear();
        entry
    }

    /// Lines skipped as torn or malformed so far. Lines that a filter
    /// rejects before parsing are counted only if they are visibly broken
    /// (not `{…}`).
    pub fn malformed(&self) -> u64 {
        self.malformed
    }

    /// Bytes of the input consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The line in `buf` as an entry, if it is one and it matches.
    fn judge(&mut self) -> Option<AuditEntry> {
        let Ok(line) = std::str::from_utf8(&self.buf) else {
            self.malformed += 1;
            return None;
        };
        let line = line.trim();
        if line.is_empty() {
            return None;
        }
        if !self.cheap_match(line) {
            if !(line.starts_with('{') && line.ends_with('}')) {
                self.malformed += 1;
            }
            return None;
        }
        match AuditEntry::parse(line) {
            Some(entry) => Some(entry).filter(|e| self.filter.matches(e)),
            None => {
                self.malformed += 1;
                None
            }
        }
    }

    /// Could `line` match, judging by its text alone?
    fn cheap_match(&self, line: &str) -> bool {
        if !self.needles.iter().all(|n| line.contains(n.as_str())) {
            return false;
        }
        match (self.filter.since, leading_time(line).and_then(parse_time)) {
            (Some(since), Some(time)) => time >= since,
            _ => true,
        }
    }
}

/// The `time` of a line as the writer lays it out (`{"time":"…",`), or `None`.
fn leading_time(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(r#"{"time":""#)?;
    Some(&rest[..rest.find('"')?])
}

/// An RFC 3339 time: `2026-11-25T18:40:01Z`, with any fraction of a
/// second, `Z` or an offset (`+01:00`), or no zone (UTC); a space may
/// stand for the `T`. A bare date is its midnight, UTC.
pub fn parse_time(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    if s.len() == "2026-11-25".len() {
        return humantime::parse_rfc3339_weak(&format!("{s}T00:00:00")).ok();
    }
    let b = s.as_bytes();
    let n = b.len();
    // humantime knows only `Z` (and ignores an offset after a fraction):
    // apply an offset here.
    if n >= 25 && matches!(b[n - 6], b'+' | b'-') && b[n - 3] == b':' && s.is_char_boundary(n - 6) {
        let digits = |i: usize| -> Option<u64> {
            let d = s.get(i..i + 2)?;
            if d.bytes().all(|c| c.is_ascii_digit()) { d.parse().ok() } else { None }
        };
        let offset = Duration::from_secs(digits(n - 5)? * 3600 + digits(n - 2)? * 60);
        let local = humantime::parse_rfc3339_weak(&s[..n - 6]).ok()?;
        return if b[n - 6] == b'+' { local.checked_sub(offset) } else { local.checked_add(offset) };
    }
    let s = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    humantime::parse_rfc3339_weak(s).ok()
}

/// `--since`: a time ([`parse_time`]) or a duration back from `now`
/// (`10m`, `2h`, `1d`, `1h 30m`).
pub fn parse_since(s: &str, now: SystemTime) -> Result<SystemTime, String> {
    if let Some(time) = parse_time(s) {
        return Ok(time);
    }
    match humantime::parse_duration(s.trim()) {
        Ok(ago) => Ok(now.checked_sub(ago).unwrap_or(SystemTime::UNIX_EPOCH)),
        Err(_) => Err(format!(
            "`{s}` is neither a time (2026-11-25T18:40:00Z) nor a duration back from now (10m, 2h, 1d)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    const NEW: &str = r#"{"time":"2026-11-25T18:40:01.123Z","skill":"agent","session":"fix","capability":"process","verb":"run","target":"git push","permission":"process","mode":"auto","level":"medium","reasons":["git.push: pushes to a remote","mode.auto: medium asks"],"decision":"deny","decided_by":"human:deny","approval":7}"#;
    const OLD: &str = r#"{"time":"2026-11-20T09:00:00.000Z","skill":"probe","capability":"workspace","verb":"read","target":"README.md","permission":"workspace:read","decision":"allow","decided_by":"grants"}"#;
    const OLD_DENIED: &str = r#"{"time":"2026-11-20T09:00:01.000Z","skill":"probe","capability":"process","verb":"run","target":"true","permission":"process","decision":"deny","reason":"`process` was not granted","decided_by":"grants"}"#;

    fn at(s: &str) -> SystemTime {
        parse_time(s).unwrap()
    }

    fn read_all(log: &str, filter: Filter) -> (Vec<AuditEntry>, u64) {
        let mut reader = Reader::new(Cursor::new(log.as_bytes().to_vec()), filter);
        let mut out = Vec::new();
        while let Some(e) = reader.next_entry().unwrap() {
            out.push(e);
        }
        out.extend(reader.finish());
        (out, reader.malformed())
    }

    fn log() -> String {
        format!("{OLD}\n{OLD_DENIED}\n{NEW}\n")
    }

    #[test]
    fn reads_new_and_old_lines_as_stored() {
        let (entries, malformed) = read_all(&log(), Filter::default());
        assert_eq!(malformed, 0);
        assert_eq!(entries.len(), 3);
        let [old, old_denied, new] = &entries[..] else { unreachable!() };
        assert_eq!(old.level, None);
        assert_eq!(old.first_reason(), None);
        assert_eq!(old_denied.first_reason(), Some("`process` was not granted"));
        assert_eq!(new.session.as_deref(), Some("fix"));
        assert_eq!(new.level.as_deref(), Some("medium"));
        assert_eq!(new.approval, Some(7));
        assert_eq!(new.first_reason(), Some("git.push: pushes to a remote"));
        assert_eq!(new.json(), NEW);
    }

    #[test]
    fn filters_each_field() {
        let count = |filter: Filter| read_all(&log(), filter).0.len();
        let with = |f: fn(&mut Filter)| {
            let mut filter = Filter::default();
            f(&mut filter);
            count(filter)
        };
        assert_eq!(with(|f| f.session = Some("fix".into())), 1);
        assert_eq!(with(|f| f.session = Some("fi".into())), 0);
        assert_eq!(with(|f| f.skill = Some("probe".into())), 2);
        assert_eq!(with(|f| f.decision = Some("deny".into())), 2);
        assert_eq!(with(|f| f.decision = Some("allow".into())), 1);
        assert_eq!(with(|f| f.capability = Some("process".into())), 2);
        assert_eq!(with(|f| f.capability = Some("process.run".into())), 2);
        assert_eq!(with(|f| f.capability = Some("process.read".into())), 0);
        assert_eq!(with(|f| f.capability = Some("workspace".into())), 1);
        assert_eq!(with(|f| f.since = Some(at("2026-11-20T09:00:00.5Z"))), 2);
        assert_eq!(with(|f| f.since = Some(at("2026-11-25T18:40:01.123Z"))), 1);
        assert_eq!(with(|f| f.since = Some(at("2026-11-26"))), 0);
        let mut both =
            Filter { skill: Some("probe".into()), decision: Some("deny".into()), ..Filter::default() };
        assert_eq!(count(both.clone()), 1);
        both.session = Some("fix".into());
        assert_eq!(count(both), 0);
    }

    #[test]
    fn a_value_in_another_field_passes_the_cheap_test_but_not_the_filter() {
        // `"deny"` appears in the target: the cheap test lets it through, the parse says no.
        let line = OLD.replace(r#""target":"README.md""#, r#""target":"deny""#);
        let filter = Filter { decision: Some("deny".into()), ..Filter::default() };
        assert_eq!(read_all(&format!("{line}\n"), filter).0.len(), 0);
    }

    #[test]
    fn garbage_and_torn_lines_are_skipped_and_counted() {
        let log = format!(
            "{OLD}\nnot json at all\n\n{{\"time\":\"2026-\n{{\"a\":1}}\n\u{0}\u{ff}\n{NEW}\n{{\"time\":\"2026-11-25T18:41"
        );
        let (entries, malformed) = read_all(&log, Filter::default());
        assert_eq!(entries.iter().map(|e| e.skill.as_str()).collect::<Vec<_>>(), ["probe", "agent"]);
        // garbage, torn, an object that is no record, NUL garbage, the torn last line.
        assert_eq!(malformed, 5);
    }

    #[test]
    fn invalid_utf8_is_skipped() {
        let mut log = Vec::new();
        writeln!(log, "{OLD}").unwrap();
        log.extend_from_slice(b"{\"time\":\"\xff\xfe\"}\n");
        writeln!(log, "{NEW}").unwrap();
        let mut reader = Reader::new(Cursor::new(log), Filter::default());
        assert!(reader.next_entry().unwrap().is_some());
        assert!(reader.next_entry().unwrap().is_some());
        assert!(reader.next_entry().unwrap().is_none());
        assert_eq!(reader.malformed(), 1);
    }

    #[test]
    fn rejected_lines_count_only_when_visibly_broken() {
        let filter = Filter { skill: Some("agent".into()), ..Filter::default() };
        let log = format!("{OLD}\n{{\"time\":\"2026-\n{NEW}\n");
        let (entries, malformed) = read_all(&log, filter);
        assert_eq!(entries.len(), 1);
        assert_eq!(malformed, 1);
    }

    #[test]
    fn a_whole_last_line_without_newline_is_read_at_the_finish() {
        let (entries, malformed) = read_all(&format!("{OLD}\n{NEW}"), Filter::default());
        assert_eq!(entries.len(), 2);
        assert_eq!(malformed, 0);
    }

    #[test]
    fn a_line_being_written_waits_for_its_newline() {
        // A file that grows while it is followed.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, format!("{OLD}\n")).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let mut reader = Reader::new(io::BufReader::new(file), Filter::default());
        assert!(reader.next_entry().unwrap().is_some());
        assert!(reader.next_entry().unwrap().is_none());

        let mut writer = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        let (head, tail) = NEW.split_at(40);
        writer.write_all(head.as_bytes()).unwrap();
        assert!(reader.next_entry().unwrap().is_none(), "half a line is not a record yet");
        assert_eq!(reader.malformed(), 0);
        writer.write_all(format!("{tail}\n").as_bytes()).unwrap();
        let entry = reader.next_entry().unwrap().expect("the whole line");
        assert_eq!(entry.json(), NEW);
        assert_eq!(reader.malformed(), 0);
        assert_eq!(reader.offset(), std::fs::metadata(&path).unwrap().len());

        // A torn line ended by the next writer's newline: skipped, then on.
        writer.write_all(b"{\"time\":\"2026-").unwrap();
        assert!(reader.next_entry().unwrap().is_none());
        writer.write_all(format!("\n{OLD}\n").as_bytes()).unwrap();
        assert_eq!(reader.next_entry().unwrap().unwrap().json(), OLD);
        assert_eq!(reader.malformed(), 1);
    }

    #[test]
    fn times_parse_in_their_rfc_3339_forms() {
        let t = at("2026-11-25T18:40:01Z");
        assert_eq!(at("2026-11-25T18:40:01.000Z"), t);
        assert_eq!(at("2026-11-25 18:40:01"), t);
        assert_eq!(at("2026-11-25T18:40:01"), t);
        assert_eq!(at("2026-11-25T19:40:01+01:00"), t);
        assert_eq!(at("2026-11-25T19:40:01.000+01:00"), t);
        assert_eq!(at("2026-11-25T16:10:01-02:30"), t);
        assert_eq!(at("2026-11-25T18:40:01.5Z"), t + Duration::from_millis(500));
        assert_eq!(at("2026-11-25"), at("2026-11-25T00:00:00Z"));
        for bad in ["", "yesterday", "2026-13-01", "2026-11-25T25:00:00Z", "2026-11-25T18:40:01+1:00"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn since_is_a_time_or_a_duration_back() {
        let now = at("2026-11-25T18:40:00Z");
        assert_eq!(parse_since("10m", now).unwrap(), at("2026-11-25T18:30:00Z"));
        assert_eq!(parse_since("2h", now).unwrap(), at("2026-11-25T16:40:00Z"));
        assert_eq!(parse_since("1d", now).unwrap(), at("2026-11-24T18:40:00Z"));
        assert_eq!(parse_since("1h 30m", now).unwrap(), at("2026-11-25T17:10:00Z"));
        assert_eq!(parse_since("2026-11-01T00:00:00Z", now).unwrap(), at("2026-11-01"));
        let e = parse_since("last week", now).unwrap_err();
        assert!(e.contains("neither a time"), "{e}");
    }
}
