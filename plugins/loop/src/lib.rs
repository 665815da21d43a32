//! `loop`: run a check; while it fails, hand the failure to the agent and
//! check again. Stops when the check passes, when the iterations or the
//! budget run out, or when nothing moves: the same failure twice with no
//! change to the worktree in between.

mod check;

use grove_agent::{Agent, Config, Stop, cap};
use grove_sdk::prelude::*;
use grove_sdk::text::count;
use serde::Serialize;
use serde_json::json;

use check::Check;

const DEFAULT_ITERATIONS: u64 = 5;
/// Characters of check output handed to the agent and kept in the report.
const OUTPUT_SHOWN: usize = 12_000;

struct Loop;

impl Skill for Loop {
    const MANIFEST: Manifest = Manifest::new(
        "loop",
        "Runs a check and has the agent fix what fails, until it passes, the budget is spent or nothing changes",
    )
    .usage("grove run loop --until \"CMD\" [--goal \"…\"] [--max-iterations N] [--budget AMOUNT]")
    .permissions(grove_agent::PERMISSIONS);

    fn run(invocation: Invocation) -> Result<Outcome> {
        let mut args = Args::new(invocation.args.clone());
        let json = Format::take_json(&mut args, &invocation);
        let until = args.value("--until")?.filter(|c| !c.trim().is_empty()).ok_or_else(|| {
            Error::invalid("which check? Pass --until \"CMD\", e.g. --until \"cargo test\"")
        })?;
        let goal = args.value("--goal")?.or(invocation.task.clone());
        let max = args.number("--max-iterations")?.unwrap_or(DEFAULT_ITERATIONS);
        if max == 0 {
            return Err(Error::invalid("--max-iterations must be at least 1"));
        }
        let mut config = Config::from_args(&mut args, invocation.session.is_some())?;
        config.commit_subject = Some(format!("Make `{until}` pass"));
        args.finish()?;
        let start = git::head()?.commit;
        let result =
            Run { until, goal, max, start, agent: Agent::new(config), iterations: Vec::new() }.go()?;
        Ok(result.outcome(json))
    }
}

grove_sdk::export!(Loop);

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Passed,
    NoProgress,
    MaxIterations,
    Budget,
    AgentStopped,
}

impl End {
    fn as_str(self) -> &'static str {
        match self {
            End::Passed => "passed",
            End::NoProgress => "no-progress",
            End::MaxIterations => "max-iterations",
            End::Budget => "budget",
            End::AgentStopped => "agent-stopped",
        }
    }
}

struct Run {
    until: String,
    goal: Option<String>,
    max: u64,
    /// Where the loop started: diffs are taken against it, so the agent's
    /// commits do not hide its changes.
    start: Option<String>,
    agent: Agent,
    iterations: Vec<Iteration>,
}

/// One turn of the loop: the check failed, the agent worked, and what
/// came of it. Serialized as is into the JSON report.
#[derive(Debug, Serialize)]
struct Iteration {
    /// From 1.
    iteration: u64,
    /// How the check went before the agent took over.
    check: String,
    /// Why the agent stopped.
    agent: &'static str,
    agent_summary: String,
    tool_calls: u32,
    files_written: Vec<String>,
    commits: Vec<String>,
    /// Whether the worktree differs from before this iteration.
    changed: bool,
    /// The changes since the loop started, capped.
    diff: String,
}

struct Finished {
    end: End,
    why: Option<String>,
    check: Check,
    run: Run,
}

impl Run {
    fn go(mut self) -> Result<Finished> {
        let mut check = Check::run(&self.until)?;
        let mut tree = self.diff()?;
        let mut n = 0;
        while !check.passed() {
            if n == self.max {
                return Ok(self.finish(End::MaxIterations, None, check));
            }
            n += 1;
            log::info(&format!("iteration {n}: `{}` {}; the agent takes over", self.until, check.status()));
            let report = self.agent.work(&self.prompt(&check));
            let after = self.diff()?;
            let next = Check::run(&self.until)?;
            self.iterations.push(Iteration {
                iteration: n,
                check: check.status(),
                agent: report.stop.as_str(),
                agent_summary: report.summary,
                tool_calls: report.tool_calls,
                files_written: report.files_written,
                commits: report.commits,
                changed: after != tree,
                diff: cap(&after, OUTPUT_SHOWN),
            });
            match report.stop {
                Stop::Budget(why) => return Ok(self.finish(End::Budget, Some(why), next)),
                Stop::ModelError(why) => return Ok(self.finish(End::AgentStopped, Some(why), next)),
                Stop::Refused => {
                    return Ok(self.finish(End::AgentStopped, Some("the model refused".into()), next));
                }
                Stop::Done | Stop::MaxTurns => {}
            }
            if !next.passed() && next.same_failure(&check) && after == tree {
                let why = "the check failed the same way twice and the agent changed nothing in between";
                return Ok(self.finish(End::NoProgress, Some(why.into()), next));
            }
            check = next;
            tree = after;
        }
        Ok(self.finish(End::Passed, None, check))
    }

    fn finish(self, end: End, why: Option<String>, check: Check) -> Finished {
        Finished { end, why, check, run: self }
    }

    fn prompt(&self, check: &Check) -> String {
        let goal = self.goal.as_deref().map(|g| format!("\nThe goal: {g}\n")).unwrap_or_default();
        format!(
            "The check `{}` fails ({}).{goal}\nIts output:\n```\n{}\n```\n\
             Find the cause and fix the code so the check passes. Do not change the check, \
             and do not weaken or delete tests. Run the check yourself before you finish.",
            self.until,
            check.status(),
            cap(&check.output, OUTPUT_SHOWN)
        )
    }

    /// The worktree's changes since the loop started.
    fn diff(&self) -> Result<String> {
        git::diff(self.start.as_deref())
    }
}

impl Finished {
    fn outcome(self, json: bool) -> Outcome {
        let n = self.run.iterations.len();
        let its = |n: usize| count(n, "iteration");
        let summary = match self.end {
            End::Passed if n == 0 => format!("`{}` already passes", self.run.until),
            End::Passed => format!("`{}` passes after {}", self.run.until, its(n)),
            End::MaxIterations => format!("`{}` still fails after {}", self.run.until, its(n)),
            _ => format!(
                "stopped after {}: {}",
                its(n),
                self.why.clone().unwrap_or_else(|| self.end.as_str().to_string())
            ),
        };
        let mut md = String::new();
        for it in &self.run.iterations {
            md.push_str(&format!(
                "{}. check {} → agent {} ({}, {} written){}\n",
                it.iteration,
                it.check,
                it.agent,
                count(it.tool_calls, "tool call"),
                count(it.files_written.len(), "file"),
                if it.changed { "" } else { ", no change" }
            ));
        }
        let last_diff = self.run.iterations.last().map_or("", |it| it.diff.as_str());
        if !last_diff.is_empty() {
            md.push_str(&format!("\nChanges:\n```diff\n{}\n```\n", last_diff.trim_end()));
        }
        md.push_str(&format!(
            "\nFinal check `{}`: {}\n```\n{}\n```",
            self.run.until,
            self.check.status(),
            cap(&self.check.output, 4_000).trim_end()
        ));
        let passed = self.end == End::Passed;
        let mut outcome = if passed { Outcome::ok(summary) } else { Outcome::fail(summary) };
        outcome = outcome.with_report(md);
        if json {
            let data = json!({
                "success": passed,
                "stop": self.end.as_str(),
                "reason": self.why,
                "until": self.run.until,
                "iterations": self.run.iterations,
                "final_check": { "status": self.check.status(), "code": self.check.code, "output": cap(&self.check.output, OUTPUT_SHOWN) },
            });
            outcome = outcome.with_data(data.to_string());
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iteration_keeps_its_json_shape() {
        let it = Iteration {
            iteration: 2,
            check: "fails with exit code 1".into(),
            agent: Stop::Done.as_str(),
            agent_summary: "fixed it".into(),
            tool_calls: 3,
            files_written: vec!["src/lib.rs".into()],
            commits: vec![],
            changed: true,
            diff: "+x".into(),
        };
        assert_eq!(
            serde_json::to_string(&it).unwrap(),
            r#"{"iteration":2,"check":"fails with exit code 1","agent":"done","agent_summary":"fixed it","tool_calls":3,"files_written":["src/lib.rs"],"commits":[],"changed":true,"diff":"+x"}"#
        );
    }
}
