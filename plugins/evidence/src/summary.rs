//! What a run found, in words: the outcome's summary, the markdown kept in
//! the bundle, and the JSON of `--json`.

use serde_json::json;

use crate::play::Played;
use crate::scenario::Scenario;

/// One scenario's runs: on the worktree, and on the base with `--before`.
pub struct Result<'a> {
    pub scenario: &'a Scenario,
    pub after: &'a Played,
    pub before: Option<&'a Played>,
}

/// The failure of a run in one line: the scenario, the step and what the
/// page showed.
pub fn failure_line(scenario: &Scenario, played: &Played) -> Option<String> {
    let f = played.failure.as_ref()?;
    let step = if f.step == 0 { "opening the page".to_string() } else { format!("step {}", f.step) };
    Some(format!("scenario {:?} ({}), {step} ({}): {}", scenario.name, scenario.file, f.what, f.seen))
}

fn verdict(played: &Played, steps: usize) -> String {
    match &played.failure {
        None => format!("held ({steps} steps)"),
        Some(f) if f.step == 0 => format!("the page did not open: {}", f.seen),
        Some(f) => format!("step {} did not hold: {}", f.step, f.seen),
    }
}

/// The markdown summary kept in the bundle.
pub fn markdown(results: &[Result<'_>], serve: &str, base: Option<&str>) -> String {
    let mut md = String::from("# Evidence\n\n");
    md.push_str(&format!("The app, served by `{}` and driven in a headless browser.\n\n", cell(serve)));
    match base {
        Some(base) => {
            md.push_str(&format!("| scenario | after | before ({}) |\n|---|---|---|\n", short(base)));
        }
        None => md.push_str("| scenario | result |\n|---|---|\n"),
    }
    for r in results {
        let steps = r.scenario.steps.len();
        md.push_str(&format!("| {} | {} |", cell(&r.scenario.name), cell(&verdict(r.after, steps))));
        if let Some(before) = r.before {
            md.push_str(&format!(" {} |", cell(&verdict(before, steps))));
        }
        md.push('\n');
    }
    for r in results {
        if let Some(f) = &r.after.failure {
            md.push_str(&format!(
                "\n## {}: step {} did not hold\n\n{}, but {}.\n",
                cell(&r.scenario.name),
                f.step,
                f.what,
                f.seen
            ));
        }
    }
    md
}

/// The run as JSON, for `--json`.
pub fn json(results: &[Result<'_>], base: Option<&str>) -> String {
    let run = |p: &Played| {
        json!({
            "passed": p.failure.is_none(),
            "steps_done": p.done,
            "failure": p.failure.as_ref().map(|f| json!({ "step": f.step, "what": f.what, "seen": f.seen })),
            "gif": p.recording.as_ref().map(|r| json!({
                "width": r.width, "height": r.height, "frames": r.frames, "duration_ms": r.duration_ms, "bytes": r.gif.len(),
            })),
        })
    };
    let scenarios: Vec<_> = results
        .iter()
        .map(|r| {
            json!({
                "name": r.scenario.name,
                "file": r.scenario.file,
                "steps": r.scenario.steps.len(),
                "after": run(r.after),
                "before": r.before.map(run),
            })
        })
        .collect();
    json!({ "passed": results.iter().all(|r| r.after.failure.is_none()), "base": base, "scenarios": scenarios })
        .to_string()
}

/// Text fit for one table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

pub fn short(id: &str) -> &str {
    &id[..id.len().min(7)]
}
