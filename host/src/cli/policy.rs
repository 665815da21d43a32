//! `grove policy show` and `grove policy check`.

use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::{CliError, Exit, output};
use crate::gate::policy::{self, Layer, Origin, Policy, PolicyError, Setting, Warning};
use crate::paths::WorkspaceLocation;
use crate::session::Session;
use crate::text::count;

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Show the effective policy: the mode ceiling and default, the host
    /// lists and the rules, each with the file and line it comes from, then
    /// the entries that are ignored and why.
    Show(ShowArgs),

    /// Check policy files: print each error and warning with its file and
    /// line; exit 2 if there is an error.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Show what session NAME is judged by: the files read for it, each
    /// with its layer, and the mode it runs in.
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,

    /// Print one JSON object (`files`, `max_mode`, `default_mode`,
    /// `approval_timeout`, `sandbox`, `locked`, `hosts`, `rules`, `warnings`; with
    /// `--session`, `session` too).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The files to check (default: every layer's file that exists). Each
    /// is read as the layer its location suggests, a project file unless
    /// it is the enterprise or user file.
    pub files: Vec<PathBuf>,

    /// Read FILES as this layer: enterprise, user or project.
    #[arg(long, value_name = "LAYER", requires = "files")]
    pub layer: Option<Layer>,

    /// Print a JSON array of `{file, line, column, severity, message}`.
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: PolicyCommand) -> Result<Exit, CliError> {
    let root = WorkspaceLocation::discover(&current_dir()?).root;
    match command {
        PolicyCommand::Show(args) => show(&root, args),
        PolicyCommand::Check(args) => check(&root, args),
    }
}

/// The error a command that needs the policy reports when it cannot load.
pub fn load_error(e: PolicyError) -> CliError {
    CliError::new(Exit::Usage, e).hint("`grove policy check` lists every problem in the policy files")
}

fn current_dir() -> Result<PathBuf, CliError> {
    std::env::current_dir().map_err(|e| CliError::new(Exit::Host, format!("current folder: {e}")))
}

fn show(root: &Path, args: ShowArgs) -> Result<Exit, CliError> {
    // A session is judged by the policy of its worktree, which is the
    // same as the main checkout's (see `policy::main_checkout`): loading
    // it the way the session's run does shows exactly what it gets.
    let session = match &args.session {
        Some(name) => Some(crate::cli::session::Ctx::open()?.session(name)?),
        None => None,
    };
    let root = session.as_ref().map_or(root, |s| s.path.as_path());
    let policy = Policy::load(root).map_err(load_error)?;
    let files: Vec<(Layer, PathBuf, bool)> = Layer::ALL
        .into_iter()
        .filter_map(|layer| {
            let file = layer.path(root)?;
            let present = policy.files().iter().any(|(l, f)| *l == layer && *f == file);
            Some((layer, file, present))
        })
        .collect();
    if args.json {
        let mut shown = show_json(&policy, &files);
        if let Some(session) = &session {
            shown["session"] = session_json(&policy, session);
        }
        output::json(&shown);
    } else {
        let mut text = String::new();
        if let Some(session) = &session {
            let _ = session_text(session, &mut text);
        }
        let _ = show_text(&policy, &files, session.as_ref(), &mut text);
        print(&text);
    }
    Ok(Exit::Ok)
}

/// The mode a session runs in under `policy`: the one it asked for with
/// `--mode`, else the default, capped by the ceiling.
fn session_mode(policy: &Policy, session: &Session) -> policy::ModeChoice {
    policy.mode(session.mode.as_deref().and_then(|m| m.parse().ok()))
}

fn session_json(policy: &Policy, session: &Session) -> Value {
    let choice = session_mode(policy, session);
    json!({
        "name": session.name,
        "worktree": session.path,
        "allow": session.allow,
        "mode": {
            "value": choice.mode,
            "asked": session.mode,
            "capped_by": origin_json(choice.capped_by.as_ref()),
        },
    })
}

fn session_text(session: &Session, out: &mut String) -> fmt::Result {
    let allow = match session.allow.as_slice() {
        [] => String::new(),
        allow => format!(", --allow {}", allow.join(",")),
    };
    writeln!(out, "{:<11} {}, worktree {}{allow}", "session", session.name, session.path.display())
}

/// What the project line says besides the file: that it is the main
/// checkout's, and whether it holds changes git has not committed (in
/// force all the same).
fn project_notes(file: &Path, present: bool) -> Vec<&'static str> {
    let Some(root) = file.parent().and_then(Path::parent) else { return Vec::new() };
    let Some(repo) = git2::Repository::open(root).ok().filter(|r| !r.is_worktree()) else {
        return Vec::new();
    };
    let mut notes = vec!["main checkout"];
    let rel = file.strip_prefix(root).unwrap_or(file);
    if present && repo.status_file(rel).is_ok_and(|s| s != git2::Status::CURRENT) {
        notes.push("uncommitted");
    }
    notes
}

fn origin_json(origin: Option<&Origin>) -> Value {
    origin.map_or(Value::Null, |o| json!({ "layer": o.layer, "file": o.file, "line": o.line }))
}

fn warning_json(w: &Warning) -> Value {
    json!({ "file": w.origin.file, "line": w.origin.line, "column": w.column, "message": w.message })
}

fn show_json(policy: &Policy, files: &[(Layer, PathBuf, bool)]) -> Value {
    let choice = policy.mode(None);
    let hosts = |list: &[policy::HostEntry]| -> Vec<Value> {
        list.iter()
            .map(|e| json!({ "pattern": e.pattern.as_str(), "origin": origin_json(Some(&e.origin)) }))
            .collect()
    };
    let rules: Vec<Value> = policy
        .rules()
        .iter()
        .map(|r| {
            let mut rule = serde_json::Map::new();
            rule.insert("verdict".into(), json!(r.verdict()));
            for (name, value) in r.matchers() {
                rule.insert(name.into(), json!(value));
            }
            rule.insert("reason".into(), json!(r.reason()));
            rule.insert("origin".into(), origin_json(Some(r.origin())));
            Value::Object(rule)
        })
        .collect();
    json!({
        "files": files
            .iter()
            .map(|(layer, file, present)| json!({ "layer": layer, "file": file, "present": present }))
            .collect::<Vec<_>>(),
        "max_mode": { "value": policy.max_mode().value, "origin": origin_json(policy.max_mode().origin.as_ref()) },
        "default_mode": {
            "value": choice.mode,
            "set": policy.default_mode().value,
            "origin": origin_json(policy.default_mode().origin.as_ref()),
            "capped_by": origin_json(choice.capped_by.as_ref()),
        },
        "approval_timeout": {
            "seconds": policy.approval_timeout().value.as_secs(),
            "origin": origin_json(policy.approval_timeout().origin.as_ref()),
        },
        "sandbox": {
            "value": policy.sandbox().value.as_str(),
            "origin": origin_json(policy.sandbox().origin.as_ref()),
        },
        "locked": policy
            .locked()
            .iter()
            .map(|(key, origin)| json!({ "key": key.as_str(), "origin": origin_json(Some(origin)) }))
            .collect::<Vec<_>>(),
        "hosts": { "allow": hosts(policy.hosts().allowed()), "deny": hosts(policy.hosts().denied()) },
        "rules": rules,
        "warnings": policy.warnings().iter().map(warning_json).collect::<Vec<_>>(),
    })
}

fn from<T>(setting: &Setting<T>) -> String {
    setting.origin.as_ref().map_or_else(|| "built in".to_string(), Origin::to_string)
}

fn show_text(
    policy: &Policy,
    files: &[(Layer, PathBuf, bool)],
    session: Option<&Session>,
    out: &mut String,
) -> fmt::Result {
    for (layer, file, present) in files {
        let mut notes = if *layer == Layer::Project { project_notes(file, *present) } else { Vec::new() };
        if !present {
            notes.push("absent");
        }
        let note = if notes.is_empty() { String::new() } else { format!("  ({})", notes.join(", ")) };
        writeln!(out, "{:<11} {}{note}", layer.as_str(), file.display())?;
    }
    writeln!(out)?;
    let choice = policy.mode(None);
    let default_from = match &choice.capped_by {
        Some(by) => format!("{} ({} capped by {by})", from(policy.default_mode()), choice.asked),
        None => from(policy.default_mode()),
    };
    let timeout = format!("{} s", policy.approval_timeout().value.as_secs());
    writeln!(out, "{:<17} {:<8} {}", "max mode", policy.max_mode().value.as_str(), from(policy.max_mode()))?;
    writeln!(out, "{:<17} {:<8} {default_from}", "default mode", choice.mode.as_str())?;
    if let Some(session) = session {
        let choice = session_mode(policy, session);
        let how = match (&session.mode, &choice.capped_by) {
            (Some(asked), Some(by)) => format!("--mode {asked}, capped by {by}"),
            (Some(asked), None) => format!("--mode {asked}"),
            (None, _) => "the default".to_string(),
        };
        writeln!(out, "{:<17} {:<8} {how}", "session mode", choice.mode.as_str())?;
    }
    writeln!(out, "{:<17} {:<8} {}", "approval timeout", timeout, from(policy.approval_timeout()))?;
    for (key, origin) in policy.locked() {
        writeln!(out, "{:<17} {:<8} {origin}", "locked", key.as_str())?;
    }

    let hosts = policy.hosts();
    writeln!(out)?;
    if hosts.allowed().is_empty() && hosts.denied().is_empty() {
        writeln!(out, "hosts: none listed")?;
    } else {
        writeln!(out, "hosts:")?;
        let width = hosts.denied().iter().chain(hosts.allowed()).map(|e| e.pattern.as_str().len()).max();
        let width = width.unwrap_or(0);
        for (verdict, list) in [("deny", hosts.denied()), ("allow", hosts.allowed())] {
            for e in list {
                writeln!(out, "  {verdict:<5}  {:<width$}  {}", e.pattern.as_str(), e.origin)?;
            }
        }
    }

    writeln!(out)?;
    if policy.rules().is_empty() {
        writeln!(out, "rules: none")?;
    } else {
        writeln!(out, "rules:")?;
        for r in policy.rules() {
            let matchers: Vec<String> =
                r.matchers().iter().map(|(name, value)| format!("{name} {value:?}")).collect();
            writeln!(out, "  {:<5}  {}  ({})", r.verdict().as_str(), matchers.join(", "), r.origin())?;
            if let Some(reason) = r.reason() {
                writeln!(out, "         {reason}")?;
            }
        }
    }

    if !policy.warnings().is_empty() {
        writeln!(out)?;
        writeln!(out, "ignored:")?;
        for w in policy.warnings() {
            writeln!(out, "  {}: warning: {}", w.origin, w.message)?;
        }
    }
    Ok(())
}

/// One line of `grove policy check`.
struct Diagnostic {
    file: PathBuf,
    line: Option<usize>,
    column: Option<usize>,
    error: bool,
    message: String,
}

impl Diagnostic {
    fn from_error(e: &PolicyError) -> Self {
        let at = e.location();
        Diagnostic {
            file: e.file().to_path_buf(),
            line: at.map(|a| a.line),
            column: at.map(|a| a.column),
            error: true,
            message: e.message(),
        }
    }

    fn from_warning(w: &Warning) -> Self {
        Diagnostic {
            file: w.origin.file.clone(),
            line: Some(w.origin.line),
            column: Some(w.column),
            error: false,
            message: w.message.clone(),
        }
    }

    fn severity(&self) -> &'static str {
        if self.error { "error" } else { "warning" }
    }
}

fn check(root: &Path, args: CheckArgs) -> Result<Exit, CliError> {
    let explicit = !args.files.is_empty();
    let wanted: Vec<(Layer, PathBuf)> = if explicit {
        args.files.iter().map(|f| (args.layer.unwrap_or_else(|| Layer::of_path(f)), f.clone())).collect()
    } else {
        Layer::ALL.into_iter().filter_map(|l| Some((l, l.path(root)?))).collect()
    };
    let mut diagnostics = Vec::new();
    // The files reported on, with their text once read.
    let mut checked: Vec<(Layer, PathBuf, Option<String>)> = Vec::new();
    for (layer, file) in wanted {
        match policy::read(&file) {
            Ok(Some(text)) => checked.push((layer, file, Some(text))),
            Ok(None) if !explicit => {}
            Ok(None) => {
                let error = std::io::Error::from(std::io::ErrorKind::NotFound);
                diagnostics.push(Diagnostic::from_error(&PolicyError::Read { file: file.clone(), error }));
                checked.push((layer, file, None));
            }
            Err(e) => {
                diagnostics.push(Diagnostic::from_error(&e));
                checked.push((layer, file, None));
            }
        }
    }
    // Each file is checked among the other layers (a given file of that
    // layer, else the one in its usual place), so a project file learns
    // what the user's ceiling or the enterprise's locks make of it. The
    // other files' own problems are theirs: not reported with this one.
    let on_disk: Vec<(Layer, PathBuf, String)> = Layer::ALL
        .into_iter()
        .filter_map(|l| {
            let file = l.path(root)?;
            Some((l, file.clone(), policy::read(&file).ok()??))
        })
        .collect();
    for (layer, file, text) in &checked {
        let Some(text) = text else { continue };
        let mut layers = vec![(*layer, file.clone(), text.clone())];
        for other in Layer::ALL.into_iter().filter(|l| l != layer) {
            let given =
                checked.iter().find(|(l, ..)| *l == other).and_then(|(l, f, t)| Some((*l, f, t.as_ref()?)));
            let context =
                given.or_else(|| on_disk.iter().find(|(l, ..)| *l == other).map(|(l, f, t)| (*l, f, t)));
            if let Some((l, f, t)) = context.filter(|(_, f, _)| *f != file) {
                layers.push((l, f.clone(), t.clone()));
            }
        }
        let report = policy::check_layers(layers);
        diagnostics.extend(report.errors.iter().filter(|e| e.file() == file).map(Diagnostic::from_error));
        diagnostics
            .extend(report.warnings.iter().filter(|w| w.origin.file == *file).map(Diagnostic::from_warning));
    }
    let order = |file: &Path| checked.iter().position(|(_, f, _)| f == file);
    diagnostics.sort_by_key(|d| (order(&d.file), d.line, d.column));
    let errors = diagnostics.iter().filter(|d| d.error).count();

    if args.json {
        let out: Vec<Value> = diagnostics
            .iter()
            .map(|d| {
                json!({
                    "file": d.file,
                    "line": d.line,
                    "column": d.column,
                    "severity": d.severity(),
                    "message": d.message,
                })
            })
            .collect();
        output::json(&out);
    } else {
        let mut text = String::new();
        for d in &diagnostics {
            let place = match (d.line, d.column, d.error) {
                (Some(line), Some(column), true) => format!("{}:{line}:{column}", d.file.display()),
                (Some(line), _, _) => format!("{}:{line}", d.file.display()),
                (None, ..) => d.file.display().to_string(),
            };
            let _ = writeln!(text, "{place}: {}: {}", d.severity(), d.message);
        }
        if checked.is_empty() {
            let looked: Vec<String> =
                Layer::ALL.into_iter().filter_map(|l| Some(l.path(root)?.display().to_string())).collect();
            let _ = writeln!(text, "no policy files (looked for {})", looked.join(", "));
        } else {
            let warnings = diagnostics.len() - errors;
            let files = checked.len();
            let _ = writeln!(
                text,
                "checked {}: {}, {}",
                count(files, "file"),
                count(errors, "error"),
                count(warnings, "warning")
            );
        }
        print(&text);
    }
    Ok(if errors > 0 { Exit::Usage } else { Exit::Ok })
}

/// Print text on stdout; a closed pipe (`grove policy show | head`) is not an error.
fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
