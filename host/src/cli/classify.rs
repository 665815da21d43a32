//! `grove classify`: the gate's decision on JSONL actions, one line out
//! per line in, in order, as fast as the classifier goes.

use std::borrow::Cow;
use std::io::{BufRead, BufWriter, Write};

use clap::Args;
use serde::{Deserialize, Serialize};

use super::{CliError, Exit};
use crate::gate::Judge;
use crate::gate::classify::Subject;
use crate::gate::decide::Decision;
use crate::gate::mode::Mode;
use crate::gate::policy::Policy;
use crate::paths::WorkspaceLocation;

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// The permission mode to decide in: plan, manual, auto or bypass.
    #[arg(long, default_value = "auto", value_parser = super::run::parse_mode)]
    pub mode: Mode,

    /// Decide under the policy files in force here (enterprise, user,
    /// project) instead of the built-in default policy.
    #[arg(long)]
    pub with_policy: bool,
}

/// One input line. Unknown fields are ignored.
#[derive(Debug, Deserialize)]
struct Input<'a> {
    #[serde(borrow)]
    capability: Cow<'a, str>,
    #[serde(borrow, default)]
    verb: Option<Cow<'a, str>>,
    /// A shell command line (`process`).
    #[serde(borrow, default)]
    command: Option<Cow<'a, str>>,
    /// A program and its arguments, without a shell (`process`).
    #[serde(default)]
    argv: Option<Vec<String>>,
    /// Environment variables the program is given (with `argv`).
    #[serde(default)]
    env: std::collections::BTreeMap<String, String>,
    #[serde(borrow, default)]
    path: Option<Cow<'a, str>>,
    /// The destination of a `rename`.
    #[serde(borrow, default)]
    to: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    url: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    skill: Option<Cow<'a, str>>,
}

#[derive(Debug, Serialize)]
struct Output<'a> {
    decision: &'a str,
    level: &'a str,
    reasons: &'a [String],
}

pub fn classify(args: ClassifyArgs) -> Result<Exit, CliError> {
    let cwd =
        std::env::current_dir().map_err(|e| CliError::new(Exit::Host, format!("the current folder: {e}")))?;
    let root = if args.with_policy { WorkspaceLocation::discover(&cwd).root } else { cwd };
    let policy = if args.with_policy {
        Policy::load(&root).map_err(|e| {
            CliError::new(Exit::Usage, e.to_string())
                .hint("grove policy check shows every problem in the policy files")
        })?
    } else {
        Policy::builtin()
    };
    let judge = Judge::new(&root, policy, Some(args.mode));

    let mut input = std::io::BufReader::with_capacity(64 * 1024, std::io::stdin().lock());
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut line = Vec::new();
    let host_error = |e: std::io::Error| CliError::new(Exit::Host, format!("classify: {e}"));
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).map_err(host_error)? == 0 {
            break;
        }
        let decided = match std::str::from_utf8(&line) {
            Ok(text) => decide_line(&judge, text.trim_end_matches(['\n', '\r'])),
            Err(_) => Err("the line is not UTF-8".to_string()),
        };
        match decided {
            Ok(d) => {
                let o = Output { decision: d.verdict.as_str(), level: d.level.as_str(), reasons: &d.reasons };
                serde_json::to_writer(&mut out, &o).map_err(|e| host_error(e.into()))?;
                out.write_all(b"\n").map_err(host_error)?;
            }
            Err(message) => write_error(&mut out, &message).map_err(host_error)?,
        }
        // Stream: answer as soon as no more input is already at hand (a
        // writer waiting for this answer has sent nothing more).
        if input.buffer().is_empty() {
            match out.flush() {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(Exit::Ok),
                r => r.map_err(host_error)?,
            }
        }
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Ok),
        r => r.map(|()| Exit::Ok).map_err(host_error),
    }
}

fn write_error(out: &mut impl Write, message: &str) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &serde_json::json!({ "error": message }))?;
    out.write_all(b"\n")
}

/// Decide one line, or say what is wrong with it.
fn decide_line(judge: &Judge, text: &str) -> Result<Decision, String> {
    let input: Input<'_> = serde_json::from_str(text).map_err(|e| format!("not a JSON action: {e}"))?;
    let capability = input.capability.as_ref();
    let verb = input.verb.as_deref();
    let env: Vec<(String, String)> = input.env.iter().map(|(n, v)| (n.clone(), v.clone())).collect();
    let (verb, subject, target): (&str, Subject<'_>, &str) = match capability {
        "process" => match (&input.command, &input.argv) {
            (Some(c), _) => ("run", Subject::Shell(c), c),
            (None, Some(argv)) if !argv.is_empty() => {
                ("run", Subject::Argv { argv, env: &env }, argv[0].as_str())
            }
            _ => return Err("a process action needs `command` (a command line) or `argv` (a list)".into()),
        },
        "workspace" => {
            let verb = verb
                .ok_or("a workspace action needs `verb` (read, write, list, stat, glob, remove, rename)")?;
            let path = input.path.as_deref().ok_or("a workspace action needs `path`")?;
            match (verb, input.to.as_deref()) {
                ("rename", Some(to)) => (verb, Subject::Rename(path, to), path),
                // Without `to`, the path is judged as the one written.
                ("rename", None) => (verb, Subject::Path(path), path),
                (v, _) if WORKSPACE_VERBS.contains(&v) => (v, Subject::Path(path), path),
                (v, _) => {
                    return Err(format!(
                        "unknown workspace verb `{v}` (known: {})",
                        WORKSPACE_VERBS.join(", ")
                    ));
                }
            }
        }
        "http" | "browser" => {
            let url = input.url.as_deref().ok_or("an http action needs `url`")?;
            let method = input.method.as_deref().unwrap_or("GET");
            (verb.unwrap_or("send"), Subject::Url { method, url }, url)
        }
        c if KNOWN.contains(&c) => (verb.unwrap_or(""), Subject::None, ""),
        c => {
            return Err(format!(
                "unknown capability `{c}` (known: process, workspace, http, {})",
                KNOWN.join(", ")
            ));
        }
    };
    Ok(judge.decide(input.skill.as_deref().unwrap_or(""), capability, verb, target, subject))
}

const WORKSPACE_VERBS: &[&str] = &["read", "read-text", "write", "list", "stat", "glob", "remove", "rename"];
const KNOWN: &[&str] = &["git", "model", "sessions", "browser", "review", "notify", "ui", "log"];
