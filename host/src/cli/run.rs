//! `grove run SKILL [ARGS...]`.

use std::ffi::OsString;
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

mod flags;
mod help;

/// `grove run`'s command line as clap reads it. The flags before SKILL are
/// parsed again with those after it (see `flags`), so only SKILL and the
/// arguments after it are kept from here.
#[derive(Debug, Args)]
struct RunLine {
    /// The skill: a name (`grove skills` lists them) or the path to a
    /// `.wasm` component. Then its arguments.
    // One trailing positional from SKILL on, so that what follows SKILL
    // reaches the skill as written: grove's flags are lifted from it
    // (see `flags`), and `--help` there asks for the skill's help.
    #[arg(
        value_names = ["SKILL", "ARGS"],
        required = true,
        num_args = 1..,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    skill_and_args: Vec<String>,

    #[command(flatten)]
    options: RunOptions,
}

#[derive(Debug)]
pub struct RunArgs {
    pub skill: String,
    /// Everything after SKILL: the skill's arguments and any of grove's
    /// flags among them.
    pub args: Vec<String>,
    /// grove's flags given before SKILL, as tokens.
    given: Vec<OsString>,
}

impl clap::FromArgMatches for RunArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let given = flags::given(&flags::command(), matches);
        let mut words = RunLine::from_arg_matches(matches)?.skill_and_args.into_iter();
        let skill = words.next().unwrap_or_default();
        Ok(RunArgs { skill, args: words.collect(), given })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for RunArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        RunLine::augment_args(cmd)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        RunLine::augment_args_for_update(cmd)
    }
}

/// grove's own flags for a run.
#[derive(Debug, Clone, Args, Default)]
pub struct RunOptions {
    /// Print the result as JSON on stdout (the skill's data, or a summary
    /// object); logs and reports go to stderr.
    #[arg(long)]
    pub json: bool,

    /// Grant a permission the skill requests (`--help` lists them and what
    /// each lets a skill call); `all` grants every one.
    #[arg(long, value_name = "PERMISSION", value_delimiter = ',', long_help = crate::gate::verbs::allow_help())]
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

    /// Limit on the bytes the skill writes through `workspace.write` and
    /// `workspace.export-commit`, all writes together, in MiB. Default: 256.
    #[arg(long, value_name = "MIB")]
    pub write_limit: Option<u64>,

    /// Limit on the number of capability calls the skill makes. Default:
    /// 100000.
    #[arg(long, value_name = "N")]
    pub call_limit: Option<u64>,

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
        if let Some(mib) = self.write_limit {
            limits.writes = mib.saturating_mul(1 << 20);
        }
        if let Some(n) = self.call_limit {
            limits.calls = n;
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

/// Run the skill. The verbosity comes from the global flags given with it,
/// before or after SKILL.
pub async fn run(args: RunArgs) -> Result<Exit, CliError> {
    if args.skill.starts_with('-') {
        return Err(CliError::new(Exit::Usage, format!("unexpected argument `{}`", args.skill))
            .hint("`grove run --help` lists grove's run flags"));
    }
    let command = flags::command();
    let split = flags::split(&command, args.args)?;
    if let Some(asked) = split.help {
        return help::skill_help(&args.skill, asked);
    }
    let (options, global) = flags::parse(command, args.given.into_iter().chain(split.flags))?;
    let verbosity = global.verbosity();
    let skill_args = split.rest;
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

/// Point a run at session `name`: its worktree, its task, its mode, and its
/// budget, tier and model, each unless the command line says otherwise.
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
    let kept = crate::cli::session::control::model_options(session.model.as_ref());
    request.model.budget = request.model.budget.or(kept.budget);
    request.model.tier = request.model.tier.or(kept.tier);
    request.model.model = request.model.model.take().or(kept.model);
    Ok(())
}

/// Refuse a skill that works with a model (`agent`, `loop`, or any whose
/// manifest requests `model` and gets it: a built-in one, or with `--allow
/// model`) when no model can be called, before anything is made for it.
pub fn require_model(
    skill: &source::SkillSource,
    allow: PermissionSet,
    skill_args: &[String],
) -> Result<(), CliError> {
    let requests_model = |m: &Manifest| m.permissions.iter().any(|p| p == "model");
    let granted = skill.origin == source::Origin::Builtin || allow.contains(crate::gate::Permission::Model);
    // A built-in that asks a model only when a flag says so.
    let flag_not_given = skill.origin == source::Origin::Builtin
        && MODEL_BEHIND_A_FLAG
            .iter()
            .any(|(name, flag)| skill.name == *name && !skill_args.iter().any(|a| a == flag));
    let wants_model = matches!(skill.name.as_str(), "agent" | "loop")
        || (granted && !flag_not_given && skill.info.manifest.as_ref().is_some_and(requests_model));
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

/// Built-in skills that work with a model only when given a flag.
const MODEL_BEHIND_A_FLAG: [(&str, &str); 1] = [("code-review", "--model")];

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
            // `invalid` is the skill saying it was asked wrongly (its
            // arguments, a configuration or scenario file it reads): a
            // usage error, like grove's own.
            let exit = if kind == "invalid" { Exit::Usage } else { Exit::SkillFailed };
            let mut e = CliError::new(exit, format!("{}: {message}", manifest.name));
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
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    /// Lift grove's flags from what follows SKILL, none given before it.
    fn lift(args: &[&str]) -> Result<(RunOptions, Vec<String>), CliError> {
        let command = flags::command();
        let split = flags::split(&command, strings(args))?;
        let (options, _) = flags::parse(command, split.flags)?;
        Ok((options, split.rest))
    }

    #[test]
    fn run_flags_are_lifted_until_double_dash() {
        let (o, rest) =
            lift(&["src", "--json", "--allow", "process,http", "--timeout=5s", "--", "--json"]).unwrap();
        assert_eq!(rest, strings(&["src", "--json"]));
        assert!(o.json);
        assert_eq!(o.allow, strings(&["process", "http"]));
        assert_eq!(o.timeout, Some(Duration::from_secs(5)));
    }

    #[test]
    fn bad_run_flags_are_usage_errors() {
        assert_eq!(lift(&["--timeout"]).unwrap_err().exit, Exit::Usage);
        assert_eq!(lift(&["--memory", "lots"]).unwrap_err().exit, Exit::Usage);
        let o = RunOptions { allow: strings(&["proces"]), ..Default::default() };
        assert_eq!(o.grants().unwrap_err().exit, Exit::Usage);
    }

    /// Every field of `RunOptions` is a flag that is lifted from after
    /// SKILL, value and all, without being named anywhere else.
    #[test]
    fn every_run_flag_is_lifted_from_after_the_skill() {
        let definitions = RunOptions::augment_args(clap::Command::new("run"));
        let mut seen = 0;
        for arg in definitions.get_arguments() {
            let long = format!("--{}", arg.get_long().expect("a run flag has a long name"));
            let mut args = strings(&["src", &long]);
            if arg.get_action().takes_values() {
                args.push("VALUE".into());
            }
            args.push("tail".into());
            let split = flags::split(&flags::command(), args).unwrap();
            assert_eq!(split.rest, strings(&["src", "tail"]), "{long} was left to the skill");
            seen += 1;
        }
        assert!(seen >= 10, "only {seen} run flags");
    }

    /// Flags before SKILL and after it make one set: lists add up, a
    /// value after SKILL wins, and global flags count on either side.
    #[test]
    fn flags_on_both_sides_of_the_skill_are_parsed_together() {
        let argv = [
            "grove",
            "-v",
            "run",
            "--allow",
            "process",
            "--timeout",
            "5s",
            "probe",
            "echo",
            "--allow",
            "http",
            "--timeout=7s",
            "-v",
            "hi",
        ];
        let Command::Run(args) = Cli::try_parse_from(argv).unwrap().command else { panic!("not a run") };
        assert_eq!(args.skill, "probe");
        let command = flags::command();
        let split = flags::split(&command, args.args).unwrap();
        assert_eq!(split.rest, strings(&["echo", "hi"]));
        let (o, global) = flags::parse(command, args.given.into_iter().chain(split.flags)).unwrap();
        assert_eq!(o.allow, strings(&["process", "http"]));
        assert_eq!(o.timeout, Some(Duration::from_secs(7)));
        assert_eq!(global.verbosity(), Verbosity::Trace);
    }

    #[test]
    fn help_after_the_skill_is_the_skills_help() {
        let split = flags::split(&flags::command(), strings(&["x", "--help"])).unwrap();
        assert_eq!(split.help, Some(flags::HelpAsked::Long));
        let split = flags::split(&flags::command(), strings(&["-h"])).unwrap();
        assert_eq!(split.help, Some(flags::HelpAsked::Short));
        let split = flags::split(&flags::command(), strings(&["--", "--help"])).unwrap();
        assert_eq!((split.help, split.rest), (None, strings(&["--help"])));
    }
}
