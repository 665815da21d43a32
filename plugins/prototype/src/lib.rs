//! `prototype`: for one feature, plan several genuinely different
//! strategies, build each in its own session in parallel (the agent, or
//! `loop --until CHECK`), gather what each came to (state, summary, cost,
//! time, diff, the review rules' findings) and put them side by side on one
//! page where the human picks: `grove prototype pick RUN N`.

mod gather;
mod options;
mod page;
mod plan;
mod preview;
mod similar;
mod simpler;

use grove_sdk::prelude::*;
use grove_sdk::sessions::{self, Spec};
use grove_sdk::text::count;
use grove_sdk::ui::{self, ReportFormat};
use serde_json::json;

use gather::Variant;
use options::Options;
use plan::Strategy;

struct Prototype;

impl Skill for Prototype {
    const MANIFEST: Manifest = Manifest::new(
        "prototype",
        "Plans several genuinely different strategies for one feature, builds each in its own session in parallel, and compares them side by side",
    )
    .usage(options::USAGE)
    .permissions(&[
        permission::WORKSPACE_READ,
        permission::GIT_READ,
        permission::MODEL,
        permission::SESSIONS,
        permission::UI,
        // The previews: each variant's commit exported, its app served and
        // screenshotted, the picture kept as evidence.
        permission::WORKSPACE_WRITE,
        permission::PROCESS,
        permission::BROWSER,
    ]);

    fn run(invocation: Invocation) -> Result<Outcome> {
        let options = Options::parse(&invocation)?;
        log::progress("planning strategies", 0, 0);
        let plan = match &options.strategies {
            Some(path) => plan::from_file(path, &workspace::read_text(path)?)?,
            None => plan::ask(&options.task, options.variants, options.tier)?,
        };
        let run = run_name(&options.task)?;
        log::info(&format!("run {run}: {} in parallel", count(plan.strategies.len(), "variant")));

        let names = fan_out(&run, &options, &plan.strategies)?;
        log::progress(&format!("waiting for {}", count(names.len(), "variant")), 0, 0);
        let finished = sessions::wait_all(&names)?;

        let mut variants = Vec::new();
        for (i, (strategy, info)) in plan.strategies.iter().cloned().zip(finished).enumerate() {
            variants.push(gather::variant(i + 1, strategy, info)?);
        }
        if let Some(config) = grove_app::config::read()? {
            preview::take_all(&config, &mut variants);
        }
        let html = page::render(&options.task, &run, &variants, options.until.as_deref());
        ui::report(&format!("prototype {run}"), &html, ReportFormat::Html)?;
        Ok(outcome(&run, &options, &plan, &variants))
    }
}

grove_sdk::export!(Prototype);

/// A name for this run that no session has yet: `proto-<task words>`, with
/// `-2`, `-3`, … when taken. Its variants are the sessions `<run>-1`, ….
fn run_name(task: &str) -> Result<String> {
    let words: Vec<String> = task
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(4)
        .map(str::to_ascii_lowercase)
        .collect();
    let mut stem = format!("proto-{}", words.join("-"));
    stem.truncate(40);
    let stem = stem.trim_end_matches('-').to_string();
    for n in 1.. {
        let run = if n == 1 { stem.clone() } else { format!("{stem}-{n}") };
        match sessions::inspect(&format!("{run}-1")) {
            Err(Error::NotFound(_)) => return Ok(run),
            Err(e) => return Err(e),
            Ok(_) => continue,
        }
    }
    unreachable!("some run name is free")
}

/// The task a variant's session works: the feature, then its strategy.
fn variant_task(task: &str, strategy: &Strategy, until: Option<&str>) -> String {
    let mut text = format!(
        "{task}\n\nBuild it this way, and only this way (other sessions are trying other approaches):\n\
         {}: {}",
        strategy.title, strategy.approach
    );
    if !strategy.tradeoffs.trim().is_empty() {
        text.push_str(&format!("\nTrade-offs accepted: {}", strategy.tradeoffs));
    }
    if let Some(check) = until {
        text.push_str(&format!("\nIt is done when `{check}` passes."));
    }
    text
}

/// One session per strategy, all started before any is waited for.
fn fan_out(run: &str, options: &Options, strategies: &[Strategy]) -> Result<Vec<String>> {
    strategies
        .iter()
        .enumerate()
        .map(|(i, strategy)| {
            let (skill, args) = match &options.until {
                Some(check) => (Some("loop".to_string()), vec!["--until".to_string(), check.clone()]),
                None => (None, Vec::new()),
            };
            sessions::spawn(&Spec {
                name: format!("{run}-{}", i + 1),
                task: variant_task(&options.task, strategy, options.until.as_deref()),
                skill,
                base: None,
                args,
            })
        })
        .collect()
}

fn outcome(run: &str, options: &Options, plan: &plan::Plan, variants: &[Variant]) -> Outcome {
    let passed = variants.iter().filter(|v| v.passed).count();
    let verdict = if options.until.is_some() { "passed" } else { "finished" };
    let summary = format!(
        "{} of `{}`: {passed} {verdict}; pick one with `grove prototype pick {run} N`",
        count(variants.len(), "variant"),
        options.task
    );
    let mut outcome = if passed > 0 { Outcome::ok(summary) } else { Outcome::fail(summary) };
    if options.json {
        let data = json!({
            "run": run,
            "task": options.task,
            "check": options.until,
            "rejected": plan.rejected,
            "variants": variants.iter().map(|v| {
                let mut v = serde_json::to_value(v).unwrap_or_default();
                if let Some(map) = v.as_object_mut() {
                    map.remove("diff");
                }
                v
            }).collect::<Vec<_>>(),
        });
        outcome = outcome.with_data(data.to_string());
    }
    outcome
}
