//! `grove run SKILL [ARGS...]`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use serde_json::json;

use super::{CliError, Exit, output};
use crate::caps::console::Verbosity;
use crate::gate::PermissionSet;
use crate::gate::mode::Mode;
use crate::paths::WorkspaceLocation;
use crate::providers::{Budget, ModelOptions};
use crate::runtime::{GuestError, Limits, Outcome, RunError};
use crate::skill::invoke::{Invoke, InvokeError, invoke};
use crate::skill::{Manifest, SourceError, source};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Skill name (`grove skills` lists them) or path to a `.wasm` component.
    pub skill: String,

    /// Arguments for the skill.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,

    #[command(flatten)]
    pub options: RunOptions,
}

/// grove's own flags for a run.
#[derive(Debug, Clone, Args, Default)]
pub struct RunOptions {
    /// Print the result as JSON on stdout (the skill's data, or a summary
    /// object); logs and reports go to stderr.
    #[arg(long)]
    pub json: bool,

    /// Grant a permission the skill requests: workspace:read,
    /// workspace:write, process, git:read, git:write, ui, model, sessions,
    /// browser, review, notify, http; `workspace` or `git` for both halves;
    /// `all`. Repeat or separate with commas.
    #[arg(long, value_name = "PERMISSION", value_delimiter = ',')]
    pub allow: Vec<String>,

    /// Wall-clock limit for the whole run, e.g. `30s`, `5m`.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// Memory limit for the skill, in MiB.
    #[arg(long, value_name = "MIB")]
    pub memory: Option<usize>,

    /// Limit on the skill's log and console output, in KiB.
    #[arg(long, value_name = "KIB")]
    pub output_limit: Option<usize>,

    /// The permission mode: plan (read-only), manual (ask for anything but
    /// reads), auto (ask only for risky actions) or bypass. Default: the
    /// policy's `default_mode`, else auto; never above its `max_mode`.
    #[arg(long, value_parser = parse_mode)]
    pub mode: Option<Mode>,

    /// Stop the skill's model calls once this much is spent: dollars
    /// (`$2`, `2usd`) or tokens (`500k`, `2m`). Default: the `budget` in
    /// your config.toml, else none.
    #[arg(long, value_name = "AMOUNT", value_parser = parse_budget)]
    pub budget: Option<Budget>,

    /// Run in this session's worktree, as part of the session: the skill
    /// sees its task and its base, and asks for approvals in its queue.
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,

    /// Record every model exchange to this cassette (JSON lines).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// Answer model calls from this cassette instead of a provider:
    /// offline and deterministic, for demos and CI.
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,
}

pub fn parse_budget(s: &str) -> Result<Budget, String> {
    Budget::parse(s)
}

pub fn parse_mode(s: &str) -> Result<Mode, String> {
    s.parse().map_err(|e: crate::gate::mode::UnknownMode| e.to_string())
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(s).map_err(|e| format!("{e} (try `30s`, `5m` or `1h`)"))
}

impl RunOptions {
    /// Lift grove's run flags out of the skill's arguments. Stops at `--`,
    /// which is dropped; everything after it belongs to the skill.
    fn lift(&mut self, args: Vec<String>) -> Result<Vec<String>, CliError> {
        let mut rest = Vec::with_capacity(args.len());
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
                _ => (arg.clone(), None),
            };
            let mut value = |name: &str| {
                inline.clone().or_else(|| it.next()).ok_or_else(|| {
                    CliError::new(Exit::Usage, format!("{name} needs a value"))
                        .hint(format!("grove run SKILL {name} VALUE"))
                })
            };
            match flag.as_str() {
                "--" => {
                    rest.extend(it);
                    break;
                }
                "--json" if inline.is_none() => self.json = true,
                "--allow" => self.allow.extend(value("--allow")?.split(',').map(String::from)),
                "--timeout" => {
                    self.timeout = Some(
                        parse_duration(&value("--timeout")?)
                            .map_err(|e| CliError::new(Exit::Usage, format!("--timeout: {e}")))?,
                    )
                }
                "--memory" => self.memory = Some(number("--memory", &value("--memory")?)?),
                "--mode" => {
                    self.mode = Some(
                        parse_mode(&value("--mode")?)
                            .map_err(|e| CliError::new(Exit::Usage, format!("--mode: {e}")))?,
                    )
                }
                "--budget" => {
                    self.budget =
                        Some(parse_budget(&value("--budget")?).map_err(|e| CliError::new(Exit::Usage, e))?)
                }
                "--record" => self.record = Some(value("--record")?.into()),
                "--session" => self.session = Some(value("--session")?),
                "--replay" => self.replay = Some(value("--replay")?.into()),
                "--output-limit" => {
                    self.output_limit = Some(number("--output-limit", &value("--output-limit")?)?)
                }
                _ => rest.push(arg),
            }
        }
        Ok(rest)
    }

    /// The model choices, checked: a cassette cannot be both.
    pub fn model(&self) -> Result<ModelOptions, CliError> {
        if self.record.is_some() && self.replay.is_some() {
            return Err(CliError::new(Exit::Usage, "--record and --replay cannot be used together")
                .hint("record once with --record FILE, then replay it with --replay FILE"));
        }
        Ok(ModelOptions {
            record: self.record.clone(),
            replay: self.replay.clone(),
            budget: self.budget,
            ..ModelOptions::default()
        })
    }

    fn grants(&self) -> Result<PermissionSet, CliError> {
        parse_grants(&self.allow)
    }

    pub fn limits(&self) -> Limits {
        let mut limits = Limits::default();
        if let Some(t) = self.timeout {
            limits.timeout = t;
        }
        if let Some(mib) = self.memory {
            limits.memory = mib << 20;
        }
        if let Some(kib) = self.output_limit {
            limits.output = kib << 10;
        }
        limits
    }
}

/// Parse `--allow` values into one set.
pub fn parse_grants(names: &[String]) -> Result<PermissionSet, CliError> {
    let mut set = PermissionSet::EMPTY;
    for name in names {
        let granted = PermissionSet::parse_grant(name.trim())
            .map_err(|e| CliError::new(Exit::Usage, format!("--allow: {e}")))?;
        set = set.union(granted);
    }
    Ok(set)
}

fn number(flag: &str, value: &str) -> Result<usize, CliError> {
    value
        .parse()
        .map_err(|_| CliError::new(Exit::Usage, format!("{flag} takes a whole number, not {value:?}")))
}

pub async fn run(args: RunArgs, verbosity: Verbosity) -> Result<Exit, CliError> {
    let mut options = args.options;
    let skill_args = options.lift(args.args)?;
    let allow = options.grants()?;
    let cwd =
        std::env::current_dir().map_err(|e| CliError::new(Exit::Host, format!("current folder: {e}")))?;
    let mut request = Invoke {
        skill: args.skill,
        args: skill_args,
        json: options.json,
        allow,
        limits: options.limits(),
        verbosity,
        location: WorkspaceLocation::discover(&cwd),
        session: None,
        task: None,
        progress: None,
        mode: options.mode,
        model: options.model()?,
        foreground: true,
    };
    if let Some(name) = &options.session {
        in_session(&mut request, &cwd, name)?;
    }
    // Ctrl-C drops the run: the store, and with it every program the skill
    // started (each in its own process group, killed on drop).
    let invoked = tokio::select! {
        invoked = invoke(request) => invoked.map_err(invoke_error)?,
        _ = tokio::signal::ctrl_c() => return Err(CliError::new(Exit::Interrupted, "interrupted")),
    };
    if let Some(spend) = &invoked.spend
        && verbosity > Verbosity::Quiet
    {
        eprintln!("model: {}", spend.line());
    }
    report(&invoked.manifest, invoked.result, options.json, invoked.shown.as_deref())
}

/// Point a run at session `name`: its worktree, its task, its mode unless
/// `--mode` says otherwise.
fn in_session(request: &mut Invoke, cwd: &std::path::Path, name: &str) -> Result<(), CliError> {
    let ctx = crate::cli::session::Ctx::open_at(cwd)?;
    let session = ctx.session(name)?;
    if !session.path.is_dir() {
        return Err(CliError::new(Exit::Usage, format!("the worktree of session `{name}` is gone"))
            .hint(format!("`grove rm {name}` removes what is left of it")));
    }
    request.location = WorkspaceLocation {
        root: session.path.canonicalize().unwrap_or(session.path.clone()),
        cwd: String::new(),
        git_dir: Some(ctx.worktrees.git_dir().to_path_buf()),
    };
    request.session = Some(session.name.clone());
    request.task = session.task.clone();
    if request.mode.is_none() {
        request.mode = session.mode.as_deref().and_then(|m| m.parse().ok());
    }
    Ok(())
}

/// Refuse a skill that works with a model (`agent`, `loop`, or any whose
/// manifest requests `model` and gets it: a built-in one, or with `--allow
/// model`) when no model can be called, before anything is made for it.
pub fn require_model(skill: &source::SkillSource, allow: PermissionSet) -> Result<(), CliError> {
    let requests_model = |m: &Manifest| m.permissions.iter().any(|p| p == "model");
    let granted = skill.origin == source::Origin::Builtin || allow.contains(crate::gate::Permission::Model);
    let wants_model = matches!(skill.name.as_str(), "agent" | "loop")
        || (granted && skill.info.manifest.as_ref().is_some_and(requests_model));
    if !wants_model {
        return Ok(());
    }
    let config = crate::providers::ModelConfig::load().map_err(|e| CliError::new(Exit::Usage, e))?;
    match config.unusable() {
        Some(why) => Err(CliError::new(
            Exit::Usage,
            format!("`{}` works with a model, and there is {why}", skill.name),
        )
        .hint(crate::providers::config::setup_hint())),
        None => Ok(()),
    }
}

/// The exit code and hint for a skill that could not be run at all.
pub fn invoke_error(e: InvokeError) -> CliError {
    match e {
        InvokeError::Source(SourceError::Unknown(ref name)) => {
            let hint = match source::suggest(name) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "run `grove skills` to see the skills you can run".into(),
            };
            CliError::new(Exit::Usage, e).hint(hint)
        }
        InvokeError::Source(SourceError::Read { .. }) => CliError::new(Exit::Usage, e),
        InvokeError::Describe { skill, error } => run_error(&skill, error),
        InvokeError::Runtime(_) => CliError::new(Exit::Host, e),
        InvokeError::Workspace { .. } => CliError::new(Exit::Host, e),
        InvokeError::Audit { .. } => {
            CliError::new(Exit::Host, e).hint("set GROVE_AUDIT_LOG to a writable file")
        }
        InvokeError::Policy(e) => crate::cli::policy::load_error(e),
        InvokeError::ModelConfig(_) => CliError::new(Exit::Usage, e)
            .hint("fix the [model] section of config.toml in your grove configuration folder"),
        InvokeError::Model(_) => CliError::new(Exit::Usage, e),
        InvokeError::Source(_) | InvokeError::Prepare { .. } | InvokeError::Manifest { .. } => {
            CliError::new(Exit::SkillBroken, e)
        }
    }
}

fn run_error(skill: &str, e: RunError) -> CliError {
    match &e {
        RunError::Limit(limit) => {
            CliError::new(Exit::Limit, format!("{skill} was stopped: {e}")).hint(limit.hint())
        }
        _ => CliError::new(Exit::SkillBroken, format!("{skill}: {e}")),
    }
}

/// Print the outcome and choose the exit code.
fn report(
    manifest: &Manifest,
    result: Result<Result<Outcome, GuestError>, RunError>,
    json: bool,
    shown: Option<&str>,
) -> Result<Exit, CliError> {
    // A skill may leave a progress line drawn; the result starts clean.
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[2K");
    }
    let outcome = match result.map_err(|e| run_error(&manifest.name, e))? {
        Ok(outcome) => outcome,
        Err(error) => {
            let (kind, message) = describe_error(&error);
            if json {
                output::json(
                    &json!({ "skill": manifest.name, "success": false, "error": { "kind": kind, "message": message } }),
                );
            }
            let mut e = CliError::new(Exit::SkillFailed, format!("{}: {message}", manifest.name));
            if kind == "invalid" && !manifest.usage.is_empty() {
                e = e.hint(format!("usage: {}", manifest.usage));
            }
            return Err(e);
        }
    };
    if json {
        match outcome.data.as_deref().map(serde_json::from_str::<serde_json::Value>) {
            Some(Ok(data)) => output::json(&data),
            Some(Err(e)) => {
                return Err(CliError::new(
                    Exit::SkillBroken,
                    format!("{} returned data that is not JSON: {e}", manifest.name),
                ));
            }
            None => output::json(&json!({
                "skill": manifest.name,
                "success": outcome.success,
                "summary": outcome.summary,
                "report": outcome.report,
            })),
        }
    } else {
        // What the terminal showed as the model wrote it is not printed
        // again there; stdout sent elsewhere gets all of it.
        let shown = shown.map(str::trim).filter(|_| std::io::stdout().is_terminal());
        let _ =
            std::io::stdout().lock().write_all(crate::cli::output::outcome_text(&outcome, shown).as_bytes());
    }
    Ok(if outcome.success { Exit::Ok } else { Exit::SkillFailed })
}

/// The kind (as in the WIT variant) and text of a guest error.
pub fn describe_error(e: &GuestError) -> (&'static str, &str) {
    match e {
        GuestError::Denied(m) => ("denied", m),
        GuestError::NotFound(m) => ("not-found", m),
        GuestError::Invalid(m) => ("invalid", m),
        GuestError::Io(m) => ("io", m),
        GuestError::Timeout(m) => ("timeout", m),
        GuestError::Limit(m) => ("limit", m),
        GuestError::Unsupported(m) => ("unsupported", m),
        GuestError::Failed(m) => ("failed", m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn run_flags_are_lifted_until_double_dash() {
        let mut o = RunOptions::default();
        let rest = o
            .lift(strings(&["src", "--json", "--allow", "process,http", "--timeout=5s", "--", "--json"]))
            .unwrap();
        assert_eq!(rest, strings(&["src", "--json"]));
        assert!(o.json);
        assert_eq!(o.allow, strings(&["process", "http"]));
        assert_eq!(o.timeout, Some(Duration::from_secs(5)));
    }

    #[test]
    fn bad_run_flags_are_usage_errors() {
        assert_eq!(RunOptions::default().lift(strings(&["--timeout"])).unwrap_err().exit, Exit::Usage);
        assert_eq!(RunOptions::default().lift(strings(&["--memory", "lots"])).unwrap_err().exit, Exit::Usage);
        let o = RunOptions { allow: strings(&["proces"]), ..Default::default() };
        assert_eq!(o.grants().unwrap_err().exit, Exit::Usage);
    }
}
