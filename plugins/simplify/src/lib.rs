//! `simplify`: what could be simpler. Duplicated code (exact clones and
//! clones that differ only in names and literals), dead-code hints, and
//! functions too long or too deeply nested, ranked with the biggest wins
//! first. The verdict fails when anything is above the thresholds.

mod options;
mod report;
mod scope;

use std::collections::HashSet;

use grove_sdk::changes::Base;
use grove_sdk::prelude::*;
use grove_sdk::scope::Scope;
use grove_simplify::{analysis, findings};

use analysis::{Analyzer, Role};
use findings::Findings;
use options::Options;

/// Report progress once per this many files.
const PROGRESS_EVERY: usize = 500;

struct Simplify;

impl Skill for Simplify {
    const MANIFEST: Manifest = Manifest::new(
        "simplify",
        "Duplicated code (exact and renamed-identifier clones), dead-code hints, and overly long or deeply nested functions",
    )
    .usage(options::USAGE)
    .permissions(&[permission::WORKSPACE_READ, permission::GIT_READ]);

    fn run(invocation: Invocation) -> Result<Outcome> {
        let options = Options::parse(&invocation)?;
        let folder = Scope::resolve(&invocation.cwd, options.path.as_deref())?;
        folder.check_exists()?;
        // Ask git first: a bad base should fail before the scan, not after.
        // A bare `--diff` in a session means the session's whole work.
        let base = options.diff.map(|given| Base::choose(&invocation, given)).transpose()?;
        let changed = match &base {
            Some(base) => Some(changed_files(base.rev())?),
            None => None,
        };

        let mut findings = scan(&folder, options.thresholds)?;
        if let Some(changed) = &changed {
            findings.retain_paths(|path| changed.contains(path));
        }
        let scope = report::Scope {
            root: folder.display().to_string(),
            diff: base.map(|base| base.label().to_string()),
            thresholds: options.thresholds,
        };
        Ok(outcome(&findings, &scope, options.format))
    }
}

grove_sdk::export!(Simplify);

/// Read every file under `folder` (one glob, one read per file) and analyze it.
fn scan(folder: &Scope, thresholds: findings::Thresholds) -> Result<Findings> {
    let entries = workspace::glob(&scope::glob(folder))?;
    let mut analyzer = Analyzer::new(thresholds);
    let sources = entries.iter().filter(|e| matches!(Role::of(&e.path, e.size), Role::Source(_)));
    analyzer.expect_bytes(sources.map(|e| e.size).sum());
    let total = entries.len() as u64;
    for (i, entry) in entries.into_iter().enumerate() {
        match Role::of(&entry.path, entry.size) {
            Role::Source(lang) => match workspace::read(&entry.path) {
                Ok(text) => {
                    analyzer.add_source(entry.path, lang, text);
                }
                Err(e) => {
                    log::debug(&format!("skipping {}: {}", entry.path, e.message()));
                    analyzer.skip();
                }
            },
            Role::Manifest => {
                if let Ok(text) = workspace::read(&entry.path) {
                    analyzer.add_manifest(&entry.path, &text);
                }
            }
            Role::Skip(why) => {
                log::debug(&format!("skipping {}: {why}", entry.path));
                analyzer.skip();
            }
        }
        let done = i + 1;
        if done.is_multiple_of(PROGRESS_EVERY) || done as u64 == total {
            log::progress("reading files", done as u64, total);
        }
    }
    Ok(analyzer.finish())
}

/// Paths changed against `base` (HEAD when none), untracked files included.
fn changed_files(base: Option<&str>) -> Result<HashSet<String>> {
    let files = git::changed_files(base)?;
    Ok(files.into_iter().map(|f| f.path).collect())
}

fn outcome(findings: &Findings, scope: &report::Scope, format: Format) -> Outcome {
    let summary = report::text::summary(findings, scope);
    let mut outcome = if findings.count() == 0 { Outcome::ok(summary) } else { Outcome::fail(summary) };
    match format {
        Format::Text => {
            let markdown = report::text::markdown(findings, scope);
            if !markdown.is_empty() {
                outcome = outcome.with_report(markdown);
            }
        }
        Format::Json => outcome = outcome.with_data(report::json::render(findings, scope)),
        Format::Sarif => {
            let t = scope.thresholds;
            outcome = outcome.with_data(report::sarif::render(findings, t.max_lines, t.max_depth));
        }
    }
    outcome
}
