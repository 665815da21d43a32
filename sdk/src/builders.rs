//! Builders for the records skills construct most: spelling out every
//! field of a `process::Command` or `git::LogQuery` is noise.

use crate::Invocation;
use crate::git::LogQuery;
use crate::process::Command;

impl Command {
    /// Run `program` (looked up on `PATH`) with no arguments, in the
    /// workspace root, with the host's default timeout and output limit.
    pub fn new(program: impl Into<String>) -> Self {
        Command {
            program: program.into(),
            args: Vec::new(),
            cwd: None,
            env: Vec::new(),
            stdin: None,
            timeout_ms: None,
            output_limit: None,
        }
    }

    /// Add one argument.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Add arguments.
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Run in a folder of the workspace.
    pub fn cwd(mut self, dir: impl Into<String>) -> Self {
        self.cwd = Some(dir.into());
        self
    }

    /// Set an environment variable.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Feed bytes to standard input.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Kill the program after `ms` milliseconds.
    pub fn timeout_ms(mut self, ms: u32) -> Self {
        self.timeout_ms = Some(ms);
        self
    }

    /// Keep at most `bytes` of stdout and of stderr.
    pub fn output_limit(mut self, bytes: u32) -> Self {
        self.output_limit = Some(bytes);
        self
    }

    /// Run it.
    pub fn run(&self) -> crate::Result<crate::process::Output> {
        crate::process::run(self)
    }
}

impl LogQuery {
    /// The newest `max_count` commits from HEAD, without per-file churn.
    pub fn new(max_count: u32) -> Self {
        LogQuery { from: None, max_count, path: None, with_files: false, skip_merges: false }
    }

    /// Start from another revision.
    pub fn from(mut self, rev: impl Into<String>) -> Self {
        self.from = Some(rev.into());
        self
    }

    /// Only commits touching `path`.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Fill in per-file churn.
    pub fn with_files(mut self) -> Self {
        self.with_files = true;
        self
    }

    /// Leave out merge commits.
    pub fn skip_merges(mut self) -> Self {
        self.skip_merges = true;
        self
    }
}

impl Invocation {
    /// An invocation at the workspace root, outside any session, with these
    /// arguments: what a skill's own tests hand to its argument parser.
    pub fn with_args<I: IntoIterator<Item = S>, S: Into<String>>(args: I) -> Self {
        Invocation {
            args: args.into_iter().map(Into::into).collect(),
            json: false,
            cwd: String::new(),
            session: None,
            task: None,
        }
    }

    /// As if `--json` was given to grove.
    pub fn json(mut self) -> Self {
        self.json = true;
        self
    }
}

impl crate::model::Response {
    /// The JSON input of the call to `tool` in this answer: structured
    /// output. A model that wrote the JSON as text instead of calling the
    /// tool is read too, from its first `{`.
    pub fn tool_input(&self, tool: &str) -> Option<String> {
        use crate::model::Content;
        let called = self.content.iter().find_map(|c| match c {
            Content::Call(call) if call.name == tool => Some(call.input.clone()),
            _ => None,
        });
        called.or_else(|| {
            self.content.iter().find_map(|c| match c {
                Content::Text(text) => text.find('{').map(|at| text[at..].to_string()),
                _ => None,
            })
        })
    }
}
