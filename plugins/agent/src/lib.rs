//! `agent`: the default skill of a session. It hands the task to the
//! configured model, which works the worktree through gated tools: list,
//! read, search, edit, write, run commands and commit.

use grove_agent::{Agent, Config, Report, Stop};
use grove_sdk::prelude::*;
use grove_sdk::text::count;
use serde_json::json;

struct AgentSkill;

impl Skill for AgentSkill {
    const MANIFEST: Manifest = Manifest::new(
        "agent",
        "Works a task in the worktree with the configured model: reads, edits, runs the tests, commits",
    )
    .usage("grove run agent [--tier fast|default|deep] [--max-turns N] [--context-window TOKENS] [--commit] \"TASK\"")
    .permissions(grove_agent::PERMISSIONS);

    fn run(invocation: Invocation) -> Result<Outcome> {
        let mut args = Args::new(invocation.args.clone());
        let json = Format::take_json(&mut args, &invocation);
        let config = Config::from_args(&mut args, invocation.session.is_some())?;
        let mut words = Vec::new();
        while let Some(word) = args.positional() {
            words.push(word);
        }
        args.finish()?;
        let said = (!words.is_empty()).then(|| words.join(" "));
        let task = match (invocation.task.as_deref(), words.is_empty()) {
            (Some(task), true) => task.to_string(),
            (Some(task), false) => format!("{task}\n\n{}", words.join(" ")),
            (None, false) => words.join(" "),
            (None, true) => return Err(Error::invalid("what should the agent do? Give it a task")),
        };
        // A session that ran before goes on with its conversation: the
        // human sent it a message, or resumed it after a crash.
        let resumed = if invocation.session.is_some() { Agent::resume(config.clone()) } else { None };
        let (report, agent) = match resumed {
            Some(mut agent) => (agent.go_on(&task, said.as_deref()), agent),
            None => {
                let mut agent = Agent::new(config);
                (agent.work(&task), agent)
            }
        };
        Ok(outcome(&report, &agent, json))
    }
}

grove_sdk::export!(AgentSkill);

fn outcome(report: &Report, agent: &Agent, json: bool) -> Outcome {
    let first = report.summary.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    let summary = match &report.stop {
        Stop::Done if first.is_empty() => "done".to_string(),
        Stop::Done => first.to_string(),
        Stop::MaxTurns => format!("stopped after {} without finishing", count(report.turns, "turn")),
        Stop::Budget(why) | Stop::ModelError(why) => format!("stopped: {why}"),
        Stop::Refused => "the model refused the task".to_string(),
    };
    let mut md = String::new();
    if !report.summary.is_empty() {
        md.push_str(&report.summary);
        md.push_str("\n\n");
    }
    md.push_str(&format!(
        "{} · {} ({} failed) · {} written · {}",
        count(report.turns, "turn"),
        count(report.tool_calls, "tool call"),
        report.tool_errors,
        count(report.files_written.len(), "file"),
        count(report.commits.len(), "commit")
    ));
    let mut outcome = if report.stop == Stop::Done { Outcome::ok(summary) } else { Outcome::fail(summary) };
    outcome = outcome.with_report(md);
    if json {
        outcome = outcome.with_data(data(report, agent).to_string());
    }
    outcome
}

fn data(report: &Report, agent: &Agent) -> serde_json::Value {
    let u = &agent.usage;
    json!({
        "success": report.stop == Stop::Done,
        "stop": report.stop.as_str(),
        "summary": report.summary,
        "turns": report.turns,
        "tool_calls": report.tool_calls,
        "tool_errors": report.tool_errors,
        "files_written": report.files_written,
        "commits": report.commits,
        "compactions": report.compactions,
        "usage": {
            "input_tokens": u.input_tokens, "output_tokens": u.output_tokens,
            "cache_read_tokens": u.cache_read_tokens, "cache_write_tokens": u.cache_write_tokens,
        },
    })
}
