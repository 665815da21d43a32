//! `designer-check`: finds the front-end and design changes in a diff
//! (stylesheets, class names in markup, inline styles, design tokens,
//! images, icons, fonts, configured components) and checks that a designer
//! from `[design] designers` in `.grove/config.toml` signed them off, with
//! a `Design-Reviewed-by:` trailer or in the sign-off file. The verdict
//! fails when design changes lack a sign-off that counts. With `[evidence]`
//! configured, the pages the changes show on are pictured, before and
//! after, into the evidence bundle (`pages.rs`).
//!
//! Detection and judging are pure and tested natively; this file gathers
//! what they need from the host.

mod challenge;
mod check;
mod config;
mod detect;
mod glob;
mod identity;
mod options;
mod pages;
mod report;
mod signoff;

use std::collections::{BTreeMap, BTreeSet};

use grove_sdk::changes::Base;
use grove_sdk::prelude::*;

use check::Check;
use config::Design;
use options::Options;
use signoff::{Claim, Commit, Covers, History};

/// Commits whose messages are read for trailers, newest first: a branch
/// under review is far shorter, and each message is one host call.
const MAX_TRAILER_COMMITS: usize = 1_000;

struct DesignerCheck;

impl Skill for DesignerCheck {
    const MANIFEST: Manifest = Manifest::new(
        "designer-check",
        "Finds front-end and design changes in a diff and checks that a designer signed them off",
    )
    .usage(options::USAGE)
    .permissions(&[
        permission::WORKSPACE_READ,
        permission::GIT_READ,
        permission::UI,
        // The pictures: the base commit exported, the app served, its pages
        // screenshotted.
        permission::WORKSPACE_WRITE,
        permission::PROCESS,
        permission::BROWSER,
        // `--challenge`: a session that drafts another design, and opens
        // it as a draft pull request once done.
        permission::SESSIONS,
        permission::REVIEW,
    ]);

    fn run(invocation: Invocation) -> Result<Outcome> {
        let options = Options::parse(&invocation)?;
        let base = Base::choose(&invocation, options.base.clone())?;
        // One read of the configuration: its [design] and its [evidence].
        let config_text = read_config_text()?;
        let design = config::parse(&config_text).map_err(Error::invalid)?;
        let text = base.diff()?;
        let diff = grove_diff::parse(&text);
        let changes = detect::design_changes(&diff, design.as_ref());

        let configured = design.as_ref().is_some_and(|d| !d.designers.is_empty());
        let (claims, history) = match &design {
            Some(design) if configured && !changes.is_empty() => gather(&base, design, &diff)?,
            _ => (Vec::new(), History::default()),
        };
        let check =
            Check::new(base.label().to_string(), base.describe(), changes, design.as_ref(), claims, &history);

        let app = grove_app::config::parse(&config_text).map_err(Error::invalid)?;
        let evidence_configured = app.is_some();
        let shots = match app {
            Some(evidence) if !options.no_pictures && !check.changes.is_empty() => {
                let listed = design.as_ref().map(|d| d.pages.as_slice()).unwrap_or_default();
                let pages = pages::to_picture(&check.changes, listed, &evidence.url);
                log::info(&format!("picturing {} changed page(s)", pages.len()));
                pages::take(&evidence, &pages, base.rev())
            }
            _ => Vec::new(),
        };

        let verdict = check.verdict();
        let summary = report::summary(&check);
        grove_sdk::bundle::keep_report(&format!("designer-check: {summary}"), &report::json(&check));
        let mut outcome = if verdict.passes() { Outcome::ok(summary) } else { Outcome::fail(summary) };
        let mut markdown = report::markdown(&check);
        if !shots.is_empty() {
            markdown.push_str(&pages::markdown(&shots));
        }
        if options.challenge && !verdict.passes() && !check.changes.is_empty() {
            let started = challenge::start(&check.changes, &invocation, evidence_configured)?;
            log::info(&format!("started {}: another design of the same change", started.name));
            markdown.push_str(&challenge::markdown(&started));
        }
        if !markdown.is_empty() {
            outcome = outcome.with_report(markdown);
        }
        if options.json {
            outcome = outcome.with_data(report::json(&check));
        }
        Ok(outcome)
    }
}

grove_sdk::export!(DesignerCheck);

/// `.grove/config.toml`, empty when there is none.
fn read_config_text() -> Result<String> {
    match workspace::read_text(config::PATH) {
        Ok(text) => Ok(text),
        Err(Error::NotFound(_)) => Ok(String::new()),
        Err(e) => Err(e),
    }
}

/// Every sign-off claim, and the history to judge them against: the
/// commits since the base with the files each touched, and what is not
/// committed yet.
fn gather(base: &Base, design: &Design, diff: &grove_diff::Diff<'_>) -> Result<(Vec<Claim>, History)> {
    let commits = base.commits(true)?;
    if commits.len() > MAX_TRAILER_COMMITS {
        log::warn(&format!(
            "{} commits since the base: reading trailers on the newest {MAX_TRAILER_COMMITS}",
            commits.len()
        ));
    }
    let mut claims = Vec::new();
    for commit in commits.iter().take(MAX_TRAILER_COMMITS) {
        claims.extend(signoff::trailer::claims(&commit.id, &git::commit_message(&commit.id)?));
    }
    match workspace::read_text(&design.signoff_file) {
        Ok(text) => claims.extend(signoff::file::claims(&design.signoff_file, &text)),
        Err(Error::NotFound(_)) => {}
        Err(e) => return Err(e),
    }

    let uncommitted: BTreeSet<String> = if !claims.iter().any(|c| matches!(c.covers, Covers::UpTo(_))) {
        BTreeSet::new()
    } else if base.rev().is_none() {
        // Against HEAD, every change in the diff is uncommitted.
        diff.files.iter().map(|f| f.path.clone()).collect()
    } else {
        git::changed_files(None)?.into_iter().map(|f| f.path).collect()
    };
    let commits: Vec<Commit> = commits
        .into_iter()
        .map(|c| Commit { id: c.id, time: c.time, files: c.files.into_iter().map(|f| f.path).collect() })
        .collect();
    let mut history = History { commits, contains: BTreeMap::new(), uncommitted };
    for claim in &claims {
        if let Covers::UpTo(short) = &claim.covers
            && let Some(signed) = history.find(short).map(|c| c.id.clone())
            && !history.contains.contains_key(&signed)
        {
            let contained = contained_in(&signed, &history.commits)?;
            history.contains.insert(signed, contained);
        }
    }
    Ok((claims, history))
}

/// The commits of `range` that `id` contains: itself and its ancestors.
/// They are newer than the base, so they come early in a walk from `id`;
/// the slack covers commits of the base's history made in the same second.
fn contained_in(id: &str, range: &[Commit]) -> Result<BTreeSet<String>> {
    const SLACK: usize = 64;
    let count = (range.len() + SLACK).min(10_000) as u32;
    let walk = git::log(&git::LogQuery::new(count).from(id))?;
    let in_range: BTreeSet<&str> = range.iter().map(|c| c.id.as_str()).collect();
    Ok(walk.into_iter().map(|c| c.id).filter(|c| in_range.contains(c.as_str())).collect())
}
