//! The agent's tool-use loop, for grove skills that hand work to a model:
//! the `agent` skill, and `loop`, which calls it until a check passes.
//!
//! The model sees the worktree through seven tools (list, read, search,
//! edit, write, run, commit). Every tool works through a grove capability,
//! so every call passes the gate: plan, manual and auto modes apply to what
//! the model does, and a refusal comes back to it as a tool error it can
//! act on. The conversation stays inside the model's window: tool output
//! is capped, and older turns are summarized once the window fills.

mod context;
mod instructions;
mod prompt;
mod tools;

use grove_sdk::model::{self, Content, Message, Request, Role, StopReason, Tier, ToolResult, Usage};
use grove_sdk::{Args, Error, git, log, permission, ui};

use instructions::Instructions;

pub use context::cap;
pub use tools::Answer;

/// What a skill that runs the agent asks for: its tools read and write the
/// workspace, run commands and commit; it calls the model, and hears the
/// human through `ui`.
pub const PERMISSIONS: &[&str] = &[
    permission::WORKSPACE_READ,
    permission::WORKSPACE_WRITE,
    permission::PROCESS,
    permission::GIT_READ,
    permission::GIT_WRITE,
    permission::MODEL,
    permission::UI,
];

/// How the agent works.
#[derive(Debug, Clone)]
pub struct Config {
    pub tier: Tier,
    /// Model turns per task before giving up.
    pub max_turns: u32,
    /// Output tokens per model turn.
    pub max_tokens: u32,
    /// The model's context window, in tokens.
    pub context_window: u64,
    /// Summarize older turns once the conversation passes this share of
    /// the window.
    pub compact_at: f64,
    /// Characters of one tool result the model gets to see.
    pub tool_output: usize,
    /// Offer the `commit` tool and commit what is left at the end.
    pub commit: bool,
    /// The subject of that last commit; by default the task's first line.
    pub commit_subject: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tier: Tier::Default,
            max_turns: 60,
            max_tokens: 8192,
            context_window: 200_000,
            compact_at: 0.7,
            tool_output: 16_000,
            commit: false,
            commit_subject: None,
        }
    }
}

impl Config {
    /// Settings from `--tier`, `--max-turns`, `--context-window`,
    /// `--commit` and `--no-commit`.
    /// Committing is the default in a session (its branch is the agent's),
    /// not in the user's own checkout.
    pub fn from_args(args: &mut Args, in_session: bool) -> Result<Config, Error> {
        let mut config = Config { commit: in_session | args.flag("--commit"), ..Config::default() };
        if args.flag("--no-commit") {
            config.commit = false;
        }
        if let Some(tier) = args.value("--tier")? {
            config.tier = match tier.as_str() {
                "fast" => Tier::Fast,
                "default" => Tier::Default,
                "deep" => Tier::Deep,
                other => return Err(Error::invalid(format!("--tier {other:?}: use fast, default or deep"))),
            };
        }
        if let Some(tokens) = args.number("--context-window")? {
            if tokens < 1000 {
                return Err(Error::invalid("--context-window must be at least 1000 tokens"));
            }
            config.context_window = tokens;
        }
        if let Some(turns) = args.number("--max-turns")? {
            if turns == 0 {
                return Err(Error::invalid("--max-turns must be at least 1"));
            }
            config.max_turns = turns.min(u32::MAX as u64) as u32;
        }
        Ok(config)
    }
}

/// Why the agent stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The model said it is done.
    Done,
    /// It used every turn it had.
    MaxTurns,
    /// The budget is spent: the host's words.
    Budget(String),
    /// The model cannot be asked (provider down, bad configuration): the
    /// host's words.
    ModelError(String),
    /// The model refused the task.
    Refused,
}

impl Stop {
    pub fn as_str(&self) -> &'static str {
        match self {
            Stop::Done => "done",
            Stop::MaxTurns => "max-turns",
            Stop::Budget(_) => "budget",
            Stop::ModelError(_) => "model-error",
            Stop::Refused => "refused",
        }
    }
}

/// What one task came to.
#[derive(Debug, Clone)]
pub struct Report {
    pub stop: Stop,
    /// The model's last words: its summary when it finished.
    pub summary: String,
    pub turns: u32,
    pub tool_calls: u32,
    /// Calls that came back as errors, refusals by the gate included.
    pub tool_errors: u32,
    pub files_written: Vec<String>,
    pub commits: Vec<String>,
    pub compactions: u32,
}

/// A conversation with the model about one worktree. Keep it across tasks
/// (as `loop` does) and the model remembers what it tried.
pub struct Agent {
    config: Config,
    /// The next request: the conversation lives in it, so asking the model
    /// sends it as it is instead of copying it every turn.
    request: Request,
    /// Tokens the conversation held at the last answer, as the provider
    /// counted them.
    context_tokens: u64,
    pub usage: Usage,
    /// Paths that had changes before the agent began (the human's work in
    /// progress): never the agent's to commit. `None` when they could not
    /// be known, and then the agent commits nothing.
    theirs: Option<Vec<String>>,
    instructions: Instructions,
}

impl Agent {
    pub fn new(config: Config) -> Agent {
        let mut instructions = Instructions::default();
        let mut system = prompt::system(config.commit);
        if let Some(section) = instructions.root() {
            system.push_str(&section);
        }
        let theirs = if config.commit {
            git::status().ok().map(|status| status.into_iter().map(|e| e.path).collect())
        } else {
            Some(Vec::new())
        };
        Agent {
            request: Request {
                tier: config.tier,
                model: None,
                effort: None,
                long_context: false,
                system: Some(system),
                messages: Vec::new(),
                tools: tools::definitions(config.commit),
                max_tokens: config.max_tokens,
            },
            config,
            context_tokens: 0,
            usage: Usage { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 },
            theirs,
            instructions,
        }
    }

    /// The agent of a session that goes on (`grove tell` after it
    /// finished, `grove resume` after a crash): the conversation as it
    /// stood when the session stopped. `None` when there is none to go on
    /// with.
    pub fn resume(config: Config) -> Option<Agent> {
        let history = model::history().ok()??;
        if history.is_empty() {
            return None;
        }
        let mut agent = Agent::new(config);
        // Files the conversation wrote are the agent's own work, left
        // uncommitted when it stopped.
        let own = tools::written_in(&history);
        if let Some(theirs) = &mut agent.theirs {
            theirs.retain(|path| !own.contains(path));
        }
        agent.request.messages = history;
        agent.close_open_calls();
        log::info(&format!("going on with the conversation ({} messages)", agent.request.messages.len()));
        Some(agent)
    }

    /// Work `task` until the model is done, the turns run out or the model
    /// cannot be asked any more.
    pub fn work(&mut self, task: &str) -> Report {
        self.request.messages.push(user(vec![Content::Text(task.to_string())]));
        self.turns(task)
    }

    /// Go on with a resumed conversation: with `said` (the words of this
    /// run) and what the human sent since, or else from where it stopped.
    pub fn go_on(&mut self, task: &str, said: Option<&str>) -> Report {
        let heard = self.hear();
        if let Some(said) = said {
            self.say(said.to_string());
        } else if !heard {
            let nudge = "The session stopped before you finished and has been resumed. \
                         Check the state of the work, then carry on with the task.";
            self.say(nudge.into());
        }
        self.turns(task)
    }

    fn turns(&mut self, task: &str) -> Report {
        let mut report = Report {
            stop: Stop::MaxTurns,
            summary: String::new(),
            turns: 0,
            tool_calls: 0,
            tool_errors: 0,
            files_written: Vec::new(),
            commits: Vec::new(),
            compactions: 0,
        };
        while report.turns < self.config.max_turns {
            if self.over_window() && self.compact() {
                report.compactions += 1;
            }
            report.turns += 1;
            self.hear();
            log::progress(&format!("turn {}", report.turns), report.turns as u64, 0);
            let response = match self.ask() {
                Ok(r) => r,
                Err(Error::Limit(why)) => {
                    report.stop = Stop::Budget(why);
                    break;
                }
                Err(e) => {
                    report.stop = Stop::ModelError(e.message().to_string());
                    break;
                }
            };
            let text: Vec<&str> = response
                .content
                .iter()
                .filter_map(|c| if let Content::Text(t) = c { Some(t.as_str()) } else { None })
                .collect();
            if !text.is_empty() {
                report.summary = text.join("\n").trim().to_string();
            }
            let calls: Vec<model::ToolCall> = response
                .content
                .iter()
                .filter_map(|c| if let Content::Call(call) = c { Some(call.clone()) } else { None })
                .collect();
            self.request.messages.push(Message { role: Role::Assistant, content: response.content });
            if calls.is_empty() {
                // The human spoke while the model wrote its last answer.
                if response.stop_reason != StopReason::Refusal && self.hear() {
                    continue;
                }
                report.stop = match response.stop_reason {
                    StopReason::Refusal => Stop::Refused,
                    // Cut off mid-thought: let it go on.
                    StopReason::MaxTokens => {
                        self.request.messages.push(user(vec![Content::Text("Go on.".into())]));
                        continue;
                    }
                    _ => Stop::Done,
                };
                break;
            }
            let mut results = Vec::with_capacity(calls.len());
            for call in calls {
                report.tool_calls += 1;
                log::debug(&format!("{} {}", call.name, short(&call.input, 200)));
                // A model may call a tool it was not offered (one from an
                // earlier conversation, or a made-up one): it runs nothing.
                let mut answer = if self.request.tools.iter().any(|t| t.name == call.name) {
                    tools::call(&call.name, &call.input, self.config.tool_output, self.theirs.as_deref())
                } else {
                    tools::Answer::refused(&call.name)
                };
                if answer.is_error {
                    report.tool_errors += 1;
                    // The transcript shows the failed result (and a gate
                    // denial as a denial); this is for -v.
                    log::debug(&format!("{} failed: {}", call.name, short(&answer.content, 300)));
                }
                if let Some(path) = &answer.path
                    && let Some(more) = self.instructions.around(path)
                {
                    answer.content.push_str(&more);
                }
                if let Some(path) = &answer.wrote
                    && !report.files_written.contains(path)
                {
                    report.files_written.push(path.clone());
                }
                if let Some(message) = answer.committed {
                    report.commits.push(message);
                }
                results.push(Content::Result(ToolResult {
                    call_id: call.id,
                    content: answer.content,
                    is_error: answer.is_error,
                }));
            }
            self.request.messages.push(user(results));
        }
        if self.config.commit && report.stop == Stop::Done {
            self.commit_rest(task, &mut report);
        }
        report
    }

    fn ask(&mut self) -> Result<model::Response, Error> {
        let response = model::complete(&self.request)?;
        let u = response.usage;
        self.usage.input_tokens += u.input_tokens;
        self.usage.output_tokens += u.output_tokens;
        self.usage.cache_read_tokens += u.cache_read_tokens;
        self.usage.cache_write_tokens += u.cache_write_tokens;
        self.context_tokens = u.input_tokens + u.cache_read_tokens + u.cache_write_tokens + u.output_tokens;
        Ok(response)
    }

    /// The provider's count at the last answer plus an estimate of what
    /// came after it (the tool results), or an estimate of everything
    /// before there is a count, against the window.
    fn over_window(&self) -> bool {
        let messages = &self.request.messages;
        let tokens = match self.context_tokens {
            0 => context::estimate(messages),
            counted => counted + context::estimate(&messages[messages.len().saturating_sub(1)..]),
        };
        tokens as f64 > self.config.context_window as f64 * self.config.compact_at
    }

    /// Fold the older turns into a summary made by the fast model. Keeps
    /// the task and the newest turns word for word.
    fn compact(&mut self) -> bool {
        let Some(cut) = context::cut_point(self.request.messages.len(), 6) else { return false };
        let transcript = context::transcript(&self.request.messages[1..cut], 2_000);
        let request = Request {
            tier: Tier::Fast,
            model: None,
            effort: None,
            long_context: false,
            system: Some(prompt::SUMMARIZE.into()),
            messages: vec![user(vec![Content::Text(transcript)])],
            tools: Vec::new(),
            max_tokens: 2048,
        };
        let summary = match model::complete(&request) {
            Ok(r) => r
                .content
                .into_iter()
                .filter_map(|c| if let Content::Text(t) = c { Some(t) } else { None })
                .collect::<Vec<_>>()
                .join("\n"),
            Err(e) => {
                log::warn(&format!("could not summarize older turns: {}", e.message()));
                return false;
            }
        };
        let task = match self.request.messages[0].content.first() {
            Some(Content::Text(t)) => t.clone(),
            _ => String::new(),
        };
        let head = user(vec![Content::Text(format!("{task}\n\nNotes on the work so far:\n{summary}"))]);
        self.request.messages.splice(0..cut, [head]);
        self.context_tokens = 0;
        log::info(&format!("summarized {} older messages", cut - 1));
        true
    }

    /// Commit what the model left uncommitted, so the session's branch
    /// holds all of its work (and none of anyone else's).
    fn commit_rest(&self, task: &str, report: &mut Report) {
        let first = task.lines().next().unwrap_or("work").trim();
        let subject = self.config.commit_subject.as_deref().unwrap_or(first);
        let message = format!("{}\n\nWorked by grove's agent.", short(subject, 72));
        match tools::commit(&message, self.theirs.as_deref()) {
            Ok(Some(_)) => report.commits.push(message),
            Ok(None) => {}
            Err(e) => log::warn(&format!("could not commit the rest: {e}")),
        }
    }

    /// Take what the human said since the last turn into the conversation.
    fn hear(&mut self) -> bool {
        let Ok(messages) = ui::messages() else { return false };
        if messages.is_empty() {
            return false;
        }
        for message in messages {
            log::debug(&format!("heard: {}", short(&message, 200)));
            self.say(format!("Message from the human overseeing this work: {message}"));
        }
        true
    }

    /// Add user text at the end of the conversation: to the last message
    /// when it is the user's (tool results), else as a new one, so the
    /// turns keep alternating.
    fn say(&mut self, text: String) {
        match self.request.messages.last_mut() {
            Some(m) if m.role == Role::User => m.content.push(Content::Text(text)),
            _ => self.request.messages.push(user(vec![Content::Text(text)])),
        }
    }

    /// A conversation cut off after the model called tools has no results
    /// for them: answer each (the provider refuses a call left open).
    fn close_open_calls(&mut self) {
        let Some(last) = self.request.messages.last() else { return };
        if last.role != Role::Assistant {
            return;
        }
        let open: Vec<String> = last
            .content
            .iter()
            .filter_map(|c| if let Content::Call(call) = c { Some(call.id.clone()) } else { None })
            .collect();
        if open.is_empty() {
            return;
        }
        let results = open
            .into_iter()
            .map(|call_id| {
                Content::Result(ToolResult {
                    call_id,
                    content: "not run: the session stopped before this call ran. Run it again if it is \
                              still needed."
                        .into(),
                    is_error: true,
                })
            })
            .collect();
        self.request.messages.push(user(results));
    }
}

fn user(content: Vec<Content>) -> Message {
    Message { role: Role::User, content }
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let cut: String = s.chars().take(n).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_permissions_read_as_the_names_manifests_always_listed() {
        assert_eq!(
            super::PERMISSIONS,
            ["workspace:read", "workspace:write", "process", "git:read", "git:write", "model", "ui"]
        );
    }
}
