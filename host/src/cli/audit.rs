//! `grove audit`: the gate's decisions, read back from the audit log.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fs::{File, Metadata};
use std::io::{BufReader, BufWriter, IsTerminal, StdoutLock, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

use clap::{Args, ValueEnum};

use super::{CliError, Exit};
use crate::gate::audit_read::{AuditEntry, Filter, Reader, parse_since};
use crate::paths::WorkspaceLocation;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this session's records.
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,

    /// Only records at or after TIME: an RFC 3339 time
    /// (`2026-11-25T18:00:00Z`, `2026-11-25`) or a duration back from now
    /// (`10m`, `2h`, `1d`).
    #[arg(long, value_name = "TIME", value_parser = since)]
    pub since: Option<SystemTime>,

    /// Only this skill's records.
    #[arg(long, value_name = "SKILL")]
    pub skill: Option<String>,

    /// Only the allowed, or only the denied, actions.
    #[arg(long)]
    pub decision: Option<DecisionArg>,

    /// Only this capability (`process`), or capability and verb
    /// (`process.run`).
    #[arg(long, value_name = "C")]
    pub capability: Option<String>,

    /// Only the newest N matching records.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,

    /// Print a JSON array of the records, each as stored (`time`, `skill`,
    /// `session`, `capability`, `verb`, `target`, `permission`, `mode`,
    /// `level`, `reasons`, `decision`, `decided_by`, `approval`). With
    /// --follow, one record per line instead.
    #[arg(long)]
    pub json: bool,

    /// Keep printing records as they are appended, until Ctrl-C.
    #[arg(long, short)]
    pub follow: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DecisionArg {
    Allow,
    Deny,
}

impl DecisionArg {
    fn as_str(self) -> &'static str {
        match self {
            DecisionArg::Allow => "allow",
            DecisionArg::Deny => "deny",
        }
    }
}

fn since(s: &str) -> Result<SystemTime, String> {
    parse_since(s, SystemTime::now())
}

/// How often `--follow` looks for new lines.
const POLL: Duration = Duration::from_millis(200);

pub fn audit(args: AuditArgs) -> Result<Exit, CliError> {
    let cwd =
        std::env::current_dir().map_err(|e| CliError::new(Exit::Host, format!("current folder: {e}")))?;
    let filtered = args.session.is_some()
        || args.since.is_some()
        || args.skill.is_some()
        || args.decision.is_some()
        || args.capability.is_some();
    let filter = Filter {
        session: args.session.as_deref().map(super::session::resolve_name),
        since: args.since,
        skill: args.skill,
        decision: args.decision.map(|d| d.as_str().to_string()),
        capability: args.capability,
    };
    let format = match (args.json, args.follow) {
        (false, _) => Format::Text(Layout::new()),
        (true, false) => Format::JsonArray { first: true },
        (true, true) => Format::JsonLines,
    };
    let mut printer = Printer {
        out: BufWriter::new(std::io::stdout().lock()),
        format,
        limit: args.limit,
        held: VecDeque::new(),
        broken: false,
        printed: 0,
    };

    let Some(path) = WorkspaceLocation::discover(&cwd).audit_log() else {
        eprintln!(
            "grove: no audit log: outside a repository it lives under $XDG_STATE_HOME or $HOME, \
             and neither is set (GROVE_AUDIT_LOG names one)"
        );
        printer.end_backlog();
        return Ok(Exit::Ok);
    };
    let mut log = match Log::open(&path, filter.clone()) {
        Ok(log) => log,
        Err(e) => return Err(read_error(&path, e)),
    };
    if log.is_none() {
        let waiting = if args.follow { "; waiting for one" } else { " (nothing audited there yet)" };
        eprintln!("grove: no audit log at {}{waiting}", path.display());
    }

    // The rotated files first, oldest first, then the log itself.
    for old in crate::gate::audit_rotate::rotated(&path) {
        let file = match File::open(&old) {
            Ok(file) => file,
            // Rotated out of the kept count since it was listed.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(read_error(&old, e)),
        };
        let mut reader = Reader::new(BufReader::with_capacity(1 << 16, file), filter.clone());
        while let Some(entry) = reader.next_entry().map_err(|e| read_error(&old, e))? {
            printer.push(entry);
            if printer.broken {
                return Ok(Exit::Ok);
            }
        }
        if let Some(last) = reader.finish() {
            printer.push(last);
        }
        report_malformed(&old, reader.malformed(), 0);
    }
    if let Some(log) = &mut log {
        while let Some(entry) = log.reader.next_entry().map_err(|e| read_error(&path, e))? {
            printer.push(entry);
            if printer.broken {
                return Ok(Exit::Ok);
            }
        }
        if !args.follow
            && let Some(last) = log.reader.finish()
        {
            printer.push(last);
        }
    }
    let mut reported = 0;
    if let Some(log) = &log {
        reported = report_malformed(&path, log.reader.malformed(), 0);
    }
    printer.end_backlog();
    if log.is_some() && printer.printed == 0 && !args.json && !args.follow {
        let matching = if filtered { "matching " } else { "" };
        eprintln!("grove: no {matching}records in {}", path.display());
    }
    if !args.follow {
        return Ok(Exit::Ok);
    }

    loop {
        if printer.broken {
            return Ok(Exit::Ok);
        }
        std::thread::sleep(POLL);
        let meta = match std::fs::metadata(&path) {
            Ok(meta) => meta,
            // Gone (moved away?): wait for the next one.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(read_error(&path, e)),
        };
        match &log {
            Some(open) if open.same_file(&meta) && meta.len() == open.reader.offset() => continue,
            // Grown: read on.
            Some(open) if open.same_file(&meta) && meta.len() > open.reader.offset() => {}
            // New, replaced or truncated: read it from the start. A log
            // rotated away is still open here: what was added to it before
            // it was renamed is read first.
            _ => {
                if let Some(old) = &mut log
                    && !old.same_file(&meta)
                {
                    while let Some(entry) = old.reader.next_entry().map_err(|e| read_error(&path, e))? {
                        printer.push(entry);
                    }
                }
                log = Log::open(&path, filter.clone()).map_err(|e| read_error(&path, e))?;
                reported = 0;
            }
        }
        let Some(open) = &mut log else { continue };
        while let Some(entry) = open.reader.next_entry().map_err(|e| read_error(&path, e))? {
            printer.push(entry);
        }
        reported = report_malformed(&path, open.reader.malformed(), reported);
        printer.flush();
    }
}

/// The log file being read, and which file it is.
struct Log {
    reader: Reader<BufReader<File>>,
    dev: u64,
    ino: u64,
}

impl Log {
    /// `None` if there is no log (yet).
    fn open(path: &Path, filter: Filter) -> std::io::Result<Option<Log>> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        let reader = Reader::new(BufReader::with_capacity(1 << 16, file), filter);
        Ok(Some(Log { reader, dev: meta.dev(), ino: meta.ino() }))
    }

    fn same_file(&self, meta: &Metadata) -> bool {
        meta.dev() == self.dev && meta.ino() == self.ino
    }
}

fn read_error(path: &Path, e: std::io::Error) -> CliError {
    CliError::new(Exit::Host, format!("reading the audit log {}: {e}", path.display()))
}

/// Say on stderr how many lines were skipped since `reported`; the new count.
fn report_malformed(path: &Path, malformed: u64, reported: u64) -> u64 {
    let n = malformed.saturating_sub(reported);
    if n > 0 {
        eprintln!("grove: skipped {} in {}", crate::text::count(n, "malformed line"), path.display());
    }
    malformed
}

enum Format {
    Text(Layout),
    /// One array; `first` until an element was written.
    JsonArray {
        first: bool,
    },
    /// One object per line, for --follow.
    JsonLines,
}

/// Prints entries as they come, held back only as far as --limit or the
/// text layout needs.
struct Printer {
    out: BufWriter<StdoutLock<'static>>,
    format: Format,
    /// Keep only the newest this many, until the backlog is printed.
    limit: Option<usize>,
    held: VecDeque<AuditEntry>,
    /// stdout is closed (`grove audit | head`): stop.
    broken: bool,
    /// Entries printed so far.
    printed: u64,
}

/// Text rows laid out together, so their columns line up; later rows
/// keep the widths and widen them if they must.
const BLOCK: usize = 512;

impl Printer {
    fn push(&mut self, entry: AuditEntry) {
        self.held.push_back(entry);
        match self.limit {
            Some(limit) => {
                if self.held.len() > limit {
                    self.held.pop_front();
                }
            }
            None if matches!(self.format, Format::Text(_)) && self.held.len() < BLOCK => {}
            None => self.print_held(),
        }
    }

    /// The backlog is read: print what was held, close the array, and
    /// from now on print everything.
    fn end_backlog(&mut self) {
        self.limit = None;
        self.print_held();
        if let Format::JsonArray { first } = self.format {
            let close = if first { "[]\n" } else { "\n]\n" };
            self.write(close.as_bytes());
        }
        self.flush();
    }

    fn flush(&mut self) {
        self.print_held();
        if self.out.flush().is_err() {
            self.broken = true;
        }
    }

    fn print_held(&mut self) {
        let held = std::mem::take(&mut self.held);
        if let Format::Text(layout) = &mut self.format {
            layout.widen(held.iter());
        }
        let mut line = String::new();
        for entry in &held {
            line.clear();
            match &mut self.format {
                Format::Text(layout) => layout.row(entry, &mut line),
                Format::JsonArray { first } => {
                    line.push_str(if *first { "[\n  " } else { ",\n  " });
                    line.push_str(entry.json());
                    *first = false;
                }
                Format::JsonLines => {
                    line.push_str(entry.json());
                    line.push('\n');
                }
            }
            self.write(line.as_bytes());
        }
        self.printed += held.len() as u64;
        self.held = held;
        self.held.clear();
    }

    fn write(&mut self, bytes: &[u8]) {
        if !self.broken && self.out.write_all(bytes).is_err() {
            self.broken = true;
        }
    }
}

/// Column widths of the text output.
struct Layout {
    session: usize,
    skill: usize,
    level: usize,
    action: usize,
    target: usize,
    /// The terminal's width, when stdout is one: rows are cut to it.
    columns: Option<usize>,
}

const TIME: usize = "2026-11-25T18:40:01Z".len();
const MAX_NAME: usize = 24;
const MAX_TARGET: usize = 60;
const MIN_TARGET: usize = 12;

impl Layout {
    fn new() -> Layout {
        let columns = std::io::stdout()
            .is_terminal()
            .then(|| ratatui::crossterm::terminal::size().ok())
            .flatten()
            .map(|(w, _)| usize::from(w))
            .filter(|&w| w > 0);
        Layout { session: 1, skill: 1, level: 1, action: 1, target: 0, columns }
    }

    fn widen<'a>(&mut self, entries: impl Iterator<Item = &'a AuditEntry> + Clone) {
        let widest = |f: &dyn Fn(&AuditEntry) -> usize| entries.clone().map(f).max().unwrap_or(0);
        let grow = |w: &mut usize, n: usize| *w = (*w).max(n.min(MAX_NAME));
        grow(&mut self.session, widest(&|e| e.session.as_deref().map_or(1, width)));
        grow(&mut self.skill, widest(&|e| width(&e.skill)));
        grow(&mut self.level, widest(&|e| e.level.as_deref().map_or(1, width)));
        grow(&mut self.action, widest(&|e| width(&e.capability) + 1 + width(&e.verb)));
        let most = self.most_target();
        self.target = self.target.max(widest(&|e| width(&e.target))).min(most);
    }

    /// The target's column: a fair share of a terminal, else a fixed cap.
    fn most_target(&self) -> usize {
        let Some(columns) = self.columns else { return MAX_TARGET };
        let before = TIME + self.session + self.skill + "allow".len() + self.level + self.action + 6 * 2;
        (columns.saturating_sub(before) * 3 / 5).clamp(MIN_TARGET, MAX_TARGET)
    }

    fn row(&self, e: &AuditEntry, out: &mut String) {
        use std::fmt::Write as _;
        let action = format!("{}.{}", e.capability, e.verb);
        let _ = write!(
            out,
            "{:<TIME$}  {:<sw$}  {:<kw$}  {:<5}  {:<lw$}  {:<aw$}  {:<tw$}  {}",
            cut(&short_time(&e.time), TIME),
            cut(e.session.as_deref().unwrap_or("-"), self.session),
            cut(&e.skill, self.skill),
            cut(&e.decision, 5),
            cut(e.level.as_deref().unwrap_or("-"), self.level),
            cut(&action, self.action),
            cut(&e.target, self.target),
            clean(e.first_reason().unwrap_or("")),
            sw = self.session,
            kw = self.skill,
            lw = self.level,
            aw = self.action,
            tw = self.target,
        );
        out.truncate(out.trim_end().len());
        if let Some(columns) = self.columns
            && let Some((end, _)) = out.char_indices().nth(columns)
        {
            out.truncate(end);
            out.pop();
            out.push('…');
        }
        out.push('\n');
    }
}

/// `2026-11-25T18:40:01.123Z` → `2026-11-25T18:40:01Z`.
fn short_time(time: &str) -> Cow<'_, str> {
    match (time.get(..19), time.get(19..)) {
        (Some(seconds), Some(rest)) if rest.starts_with('.') => {
            let zone = rest[1..].trim_start_matches(|c: char| c.is_ascii_digit());
            Cow::Owned(format!("{seconds}{zone}"))
        }
        _ => Cow::Borrowed(time),
    }
}

/// Characters shown for `s` once cleaned.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_control() { c.escape_default().count() } else { 1 }).sum()
}

/// `s` safe to print: a skill chooses its targets (and its name), so
/// control characters (newlines, terminal escapes) are shown escaped.
fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
            .collect(),
    )
}

/// `s`, cleaned and cut to `max` characters, the last an ellipsis.
fn cut(s: &str, max: usize) -> Cow<'_, str> {
    let s = clean(s);
    if s.chars().count() <= max {
        return s;
    }
    let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    Cow::Owned(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(line: &str) -> AuditEntry {
        AuditEntry::parse(line).unwrap()
    }

    const NEW: &str = r#"{"time":"2026-11-25T18:40:01.123Z","skill":"agent","session":"fix","capability":"process","verb":"run","target":"git push origin main","permission":"process","mode":"auto","level":"medium","reasons":["git.push: pushes to a remote"],"decision":"deny","decided_by":"human:deny"}"#;
    const OLD: &str = r#"{"time":"2026-11-20T09:00:00.000Z","skill":"probe","capability":"workspace","verb":"read","target":"README.md","permission":"workspace:read","decision":"allow","decided_by":"grants"}"#;

    fn rows(layout: &mut Layout, lines: &[&str]) -> Vec<String> {
        let entries: Vec<AuditEntry> = lines.iter().map(|l| entry(l)).collect();
        layout.widen(entries.iter());
        entries
            .iter()
            .map(|e| {
                let mut s = String::new();
                layout.row(e, &mut s);
                s
            })
            .collect()
    }

    #[test]
    fn rows_line_up() {
        let mut layout = Layout { columns: None, ..Layout::new() };
        let rows = rows(&mut layout, &[OLD, NEW]);
        assert_eq!(
            rows,
            [
                "2026-11-20T09:00:00Z  -    probe  allow  -       workspace.read  README.md\n",
                "2026-11-25T18:40:01Z  fix  agent  deny   medium  process.run     git push origin main  git.push: pushes to a remote\n",
            ]
        );
    }

    #[test]
    fn long_targets_are_cut_and_control_characters_escaped() {
        let long = NEW.replace("git push origin main", &format!("echo \\u001b[31m{}", "x".repeat(100)));
        let mut layout = Layout { columns: None, ..Layout::new() };
        let row = rows(&mut layout, &[&long]).remove(0);
        assert!(!row.contains('\u{1b}'), "{row:?}");
        assert!(row.contains("echo \\u{1b}[31mxxx"), "{row:?}");
        assert!(row.contains("x…  git.push"), "{row:?}");

        let mut narrow = Layout { columns: Some(80), ..Layout::new() };
        let row = rows(&mut narrow, &[&long]).remove(0);
        assert_eq!(row.trim_end().chars().count(), 80, "{row:?}");
        assert!(row.trim_end().ends_with('…'), "{row:?}");
    }

    #[test]
    fn times_are_shortened_to_seconds() {
        assert_eq!(short_time("2026-11-25T18:40:01.123Z"), "2026-11-25T18:40:01Z");
        assert_eq!(short_time("2026-11-25T18:40:01Z"), "2026-11-25T18:40:01Z");
        assert_eq!(short_time("garbage"), "garbage");
        assert_eq!(short_time("2026-11-25T18:40:0é.1Z"), "2026-11-25T18:40:0é.1Z");
    }
}
