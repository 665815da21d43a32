//! `evidence`: serve the app, drive it in a headless browser through the
//! scenarios in `.grove/scenarios/`, and keep what happened in the
//! session's evidence bundle: a GIF of each scenario (captioned step by
//! step), a screenshot where an expectation did not hold, and a markdown
//! summary. With `--before`, the same scenarios on the session's base
//! commit too, for before-and-after GIFs; with `--propose`, the model
//! writes scenarios for the diff's front-end changes instead, saved for
//! the user to keep.
//!
//! The app is a program like any other a skill starts: it passes the gate
//! and runs in the sandbox (`process.running`), reached by the browser
//! through the one loopback door grove opens for it.

mod options;
mod play;
mod propose;
mod scenario;
mod summary;

use grove_sdk::evidence::{self, Kind};
use grove_sdk::prelude::*;

use grove_app::App;
use grove_app::config::{self, Evidence};
use options::Options;
use play::Played;
use scenario::Scenario;

/// Where `--before` writes the base commit's files, inside the worktree
/// (git never sees it: its `.gitignore` is `*`); removed afterwards.
const BEFORE_DIR: &str = ".evidence-before";

struct EvidenceSkill;

impl Skill for EvidenceSkill {
    const MANIFEST: Manifest = Manifest::new(
        "evidence",
        "Serves the app, runs browser scenarios against it and keeps GIFs of them in the evidence bundle",
    )
    .usage(options::USAGE)
    .permissions(&[
        permission::WORKSPACE_READ,
        permission::WORKSPACE_WRITE,
        permission::PROCESS,
        permission::GIT_READ,
        permission::UI,
        permission::BROWSER,
        permission::MODEL,
    ]);

    fn run(invocation: Invocation) -> Result<Outcome> {
        let options = Options::parse(&invocation)?;
        if options.propose {
            return propose::propose(&invocation, &options);
        }
        // Everything is read and checked before anything starts: a bad
        // file costs nothing.
        let config = read_config()?;
        let scenarios = load(&options.scenarios)?;
        let base = if options.before { Some(before_base(&options)?) } else { None };

        let head = git::head()?.commit;
        let after = run_all(&config, &scenarios, None)?;
        let label = |name: &str, when: &str| match &base {
            Some(_) => format!("{name} ({when})"),
            None => name.to_string(),
        };
        for (s, played) in scenarios.iter().zip(&after) {
            keep(played, &label(&s.name, "after"), head.as_deref())?;
        }
        let before = match &base {
            Some(base) => {
                let played = run_before(&config, &scenarios, base)?;
                for (s, played) in scenarios.iter().zip(&played) {
                    keep(played, &label(&s.name, &format!("before, {}", summary::short(base))), Some(base))?;
                }
                Some(played)
            }
            None => None,
        };

        let results: Vec<summary::Result<'_>> = scenarios
            .iter()
            .enumerate()
            .map(|(i, scenario)| summary::Result {
                scenario,
                after: &after[i],
                before: before.as_ref().map(|b| &b[i]),
            })
            .collect();
        let markdown = summary::markdown(&results, &config.serve, base.as_deref());
        let held = results.iter().filter(|r| r.after.failure.is_none()).count();
        let caption = format!("evidence: {held} of {} scenarios held", results.len());
        evidence::add(Kind::Markdown, &caption, markdown.as_bytes(), head.as_deref())?;

        let failures: Vec<String> =
            results.iter().filter_map(|r| summary::failure_line(r.scenario, r.after)).collect();
        let mut outcome = if failures.is_empty() {
            let shown = scenarios.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ");
            let also = if base.is_some() { ", before and after," } else { "" };
            Outcome::ok(format!(
                "{held} scenario{} held ({shown}); their GIFs{also} are in the evidence bundle",
                if held == 1 { "" } else { "s" }
            ))
        } else {
            Outcome::fail(format!("an expectation did not hold: {}", failures.join("; ")))
        };
        outcome = outcome.with_report(markdown);
        if options.json {
            outcome = outcome.with_data(summary::json(&results, base.as_deref()));
        }
        Ok(outcome)
    }
}

grove_sdk::export!(EvidenceSkill);

/// The `[evidence]` section; `invalid` (a usage error) when there is none.
fn read_config() -> Result<Evidence> {
    config::read()?.ok_or_else(|| {
        Error::invalid(format!(
            "no [evidence] section in {}: say how the app is served, e.g.\n\n[evidence]\nserve = \"python3 -m http.server $PORT\"\nurl = \"/\"",
            config::PATH
        ))
    })
}

/// The scenarios named (by file name or name), or all of them, each parsed.
fn load(wanted: &[String]) -> Result<Vec<Scenario>> {
    let entries = match workspace::list(scenario::DIR) {
        Ok(entries) => entries,
        Err(Error::NotFound(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut all = Vec::new();
    for entry in entries {
        if entry.kind != workspace::EntryKind::File || !entry.path.ends_with(".toml") {
            continue;
        }
        let text = workspace::read_text(&entry.path)?;
        all.push(scenario::parse(&entry.path, &text).map_err(Error::invalid)?);
    }
    if all.is_empty() {
        return Err(Error::invalid(format!(
            "no scenarios in {}/: write one (NAME.toml with [[steps]]), or let the model propose some with --propose",
            scenario::DIR
        )));
    }
    if wanted.is_empty() {
        return Ok(all);
    }
    let stem =
        |s: &Scenario| s.file.rsplit('/').next().unwrap_or(&s.file).trim_end_matches(".toml").to_string();
    wanted
        .iter()
        .map(|w| {
            all.iter().find(|s| &stem(s) == w || &s.name == w).cloned().ok_or_else(|| {
                let known: Vec<String> = all.iter().map(stem).collect();
                Error::invalid(format!(
                    "no scenario {w:?} in {}/ (there are: {})",
                    scenario::DIR,
                    known.join(", ")
                ))
            })
        })
        .collect()
}

/// The commit `--before` compares with: `--base`, else the session's start.
fn before_base(options: &Options) -> Result<String> {
    let rev = match (&options.base, git::session_base()?) {
        (Some(rev), _) => rev.clone(),
        (None, Some(commit)) => return Ok(commit),
        (None, None) => {
            return Err(Error::invalid(
                "--before runs the scenarios on the session's base commit too: run it in a session \
                 (grove run evidence --before --session NAME), or name a commit with --base REF",
            ));
        }
    };
    grove_sdk::changes::resolve(&rev)
}

/// Serve the app from `cwd` (the worktree when none), play every scenario
/// on it, and stop it, whatever happened.
fn run_all(config: &Evidence, scenarios: &[Scenario], cwd: Option<&str>) -> Result<Vec<Played>> {
    let app = App::start(config, cwd)?;
    let played = app.wait_ready(config).and_then(|()| {
        scenarios
            .iter()
            .map(|s| {
                log::info(&format!("scenario {}: {} steps", s.name, s.steps.len()));
                play::play(s, &app, &config.url)
            })
            .collect()
    });
    app.stop();
    played
}

/// The scenarios on the base commit: its files written beside the
/// worktree's, the app served from them, the copy removed after.
fn run_before(config: &Evidence, scenarios: &[Scenario], base: &str) -> Result<Vec<Played>> {
    if workspace::stat(BEFORE_DIR).is_ok() {
        workspace::remove(BEFORE_DIR)?;
    }
    workspace::export_commit(base, BEFORE_DIR)?;
    log::info(&format!("the base commit {} is in {BEFORE_DIR}/", summary::short(base)));
    let played = run_all(config, scenarios, Some(BEFORE_DIR));
    if let Err(e) = workspace::remove(BEFORE_DIR) {
        log::warn(&format!("removing {BEFORE_DIR}: {}", e.message()));
    }
    played
}

/// Add a scenario's GIF, its screenshots and the screenshot of a failure
/// to the bundle.
fn keep(played: &Played, caption: &str, commit: Option<&str>) -> Result<()> {
    if let Some(recording) = &played.recording {
        evidence::add(Kind::Gif, caption, &recording.gif, commit)?;
    }
    for (shot, png) in &played.screenshots {
        evidence::add(Kind::Png, &format!("{caption}: {shot}"), png, commit)?;
    }
    if let Some(failure) = &played.failure
        && let Some(png) = &failure.screenshot
    {
        let what =
            format!("{caption}: step {} did not hold ({}): {}", failure.step, failure.what, failure.seen);
        evidence::add(Kind::Png, &what, png, commit)?;
    }
    Ok(())
}
