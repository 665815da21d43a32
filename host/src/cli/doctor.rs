//! `grove doctor`: everything grove leans on, checked at once, each with
//! what is wrong and how to fix it: the repository, the `git` program, the
//! OS sandbox, the model, the browser, GitHub, Slack and the policy files.
//! Nothing is sent anywhere: a token is reported as set or not, never
//! shown, and proving one is `grove pr`'s or `grove notify test`'s.

use std::process::{Command, Stdio};

use clap::Args;
use serde::Serialize;

use super::{CliError, Exit, output};
use crate::gate::policy::Policy;
use crate::paths::WorkspaceLocation;
use crate::sandbox::{Launcher, Requirement, Support};

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print one JSON object: `ok` (no check failed) and `checks`, each
    /// with `name`, `status` (`ok`, `warn`, `fail` or `off`), `detail` and
    /// `hint`.
    #[arg(long)]
    pub json: bool,
}

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    /// Works.
    Ok,
    /// Works, but something a user would want is missing.
    Warn,
    /// Something grove needs does not work.
    Fail,
    /// Optional and not set up.
    Off,
}

impl Status {
    fn mark(self) -> &'static str {
        match self {
            Status::Ok => "✓",
            Status::Warn => "!",
            Status::Fail => "✗",
            Status::Off => "–",
        }
    }
}

#[derive(Debug, Serialize)]
struct Check {
    name: &'static str,
    status: Status,
    detail: String,
    hint: Option<String>,
}

impl Check {
    fn new(name: &'static str, status: Status, detail: impl Into<String>) -> Check {
        // Paths, versions and errors come from the machine: shown as text.
        let detail = crate::text::one_line(&detail.into());
        Check { name, status, detail, hint: None }
    }

    fn hint(mut self, hint: impl Into<String>) -> Check {
        self.hint = Some(crate::text::one_line(&hint.into()));
        self
    }
}

pub fn run(args: DoctorArgs) -> Result<Exit, CliError> {
    let cwd =
        std::env::current_dir().map_err(|e| CliError::new(Exit::Host, format!("current folder: {e}")))?;
    let place = WorkspaceLocation::discover(&cwd);
    let policy = Policy::load(&place.root);
    let checks = vec![
        repository(&place),
        git(),
        sandbox(policy.as_ref().ok()),
        model(),
        browser(),
        github(&place),
        slack(),
        match &policy {
            Ok(policy) => policy_check(policy),
            Err(e) => Check::new("policy", Status::Fail, e.to_string())
                .hint("`grove policy check` lists every problem in the policy files"),
        },
    ];
    let failed = checks.iter().any(|c| c.status == Status::Fail);
    if args.json {
        output::json(&serde_json::json!({ "ok": !failed, "checks": checks }));
    } else {
        for check in &checks {
            println!("{} {:<11} {}", check.status.mark(), check.name, check.detail);
            if let Some(hint) = &check.hint {
                println!("  {:<11} hint: {hint}", "");
            }
        }
    }
    Ok(if failed { Exit::Host } else { Exit::Ok })
}

/// Sessions are worktrees of a git repository.
fn repository(place: &WorkspaceLocation) -> Check {
    let root = place.root.display();
    match place.git_dir {
        Some(_) => {
            let branch = git2::Repository::open(&place.root)
                .ok()
                .and_then(|r| r.head().ok().and_then(|h| h.shorthand().map(String::from)));
            let on = branch.map(|b| format!(" (on {b})")).unwrap_or_default();
            Check::new("repository", Status::Ok, format!("{root}{on}"))
        }
        None => Check::new("repository", Status::Warn, format!("{root} is not in a git repository"))
            .hint("skills run here, but sessions need a repository: `git init`, or cd into one"),
    }
}

/// Pushes, fetches, installs from git and checkouts with filters use it.
fn git() -> Check {
    let version = Command::new("git").arg("--version").stdin(Stdio::null()).stderr(Stdio::null()).output();
    match version {
        Ok(out) if out.status.success() => {
            Check::new("git", Status::Ok, String::from_utf8_lossy(&out.stdout).trim().to_string())
        }
        _ => Check::new("git", Status::Fail, "no `git` program on PATH")
            .hint("install git: grove pr, installs from git and checkouts with filter drivers run it"),
    }
}

fn sandbox(policy: Option<&Policy>) -> Check {
    let launcher = match Launcher::current() {
        Ok(launcher) => launcher,
        Err(e) => return Check::new("sandbox", Status::Fail, format!("the sandbox's init: {e}")),
    };
    let support = Support::probe(&launcher.exe);
    let requirement = policy.map_or(Requirement::Required, |p| p.sandbox().value);
    match (support.missing(), requirement) {
        (None, _) => Check::new(
            "sandbox",
            Status::Ok,
            format!(
                "user namespaces, Landlock ABI {}, seccomp{}; {}",
                support.landlock_abi,
                if support.seccomp { "" } else { " (off)" },
                support.process_limit
            ),
        ),
        (Some(why), Requirement::Required) => Check::new(
            "sandbox",
            Status::Fail,
            format!("programs skills start are refused: {why}"),
        )
        .hint(
            "`grove sandbox check` says more; sandbox = \"best-effort\" in your policy runs them unsandboxed",
        ),
        (Some(why), Requirement::BestEffort) => {
            Check::new("sandbox", Status::Warn, format!("programs skills start run unsandboxed: {why}"))
                .hint("`grove sandbox check` says what this machine lacks")
        }
    }
}

/// The agent and every model call: a provider with its credentials.
fn model() -> Check {
    use crate::providers::config::setup_hint;
    use crate::providers::{ModelConfig, ProviderKind};
    let config = match ModelConfig::load() {
        Ok(config) => config,
        Err(e) => return Check::new("model", Status::Fail, e.to_string()),
    };
    let provider = match config.default.provider {
        ProviderKind::Anthropic => "Anthropic",
        ProviderKind::OpenAi => "OpenAI-compatible",
    };
    match config.unusable() {
        None => Check::new(
            "model",
            Status::Ok,
            format!("{provider}, {} (the default tier)", config.default.model),
        ),
        Some(why) => {
            Check::new("model", Status::Warn, format!("{why}: sessions' agents cannot call a model"))
                .hint(setup_hint())
        }
    }
}

/// Evidence, prototype previews and designer-check's pictures.
fn browser() -> Check {
    match crate::browser::find() {
        Ok(program) => Check::new("browser", Status::Ok, program.display().to_string()),
        Err(e) => Check::new("browser", Status::Warn, e.to_string())
            .hint("without it, evidence, prototype previews and design pictures are off"),
    }
}

/// `grove pr` and the `review` capability.
fn github(place: &WorkspaceLocation) -> Check {
    match crate::review::Settings::load(&crate::gate::policy::main_checkout(&place.root)) {
        Err(e) => Check::new("github", Status::Fail, e.to_string()),
        Ok(settings) if settings.token.is_some() => {
            Check::new("github", Status::Ok, format!("a token is set; the API at {}", settings.api))
        }
        Ok(settings) => {
            Check::new("github", Status::Off, "no token: `grove pr --backend local` works without one").hint(
                format!(
                    "set GH_TOKEN (or `[github] token` in {}) for pull requests on GitHub",
                    settings.config_file
                ),
            )
        }
    }
}

/// Telling reviewers and the on-call.
fn slack() -> Check {
    match crate::notify::SlackConfig::load() {
        Err(e) => Check::new("slack", Status::Fail, e.to_string()),
        Ok(config) if config.token.is_some() => Check::new(
            "slack",
            Status::Ok,
            format!("a bot token is set; `grove notify test` proves it against {}", config.api),
        ),
        Ok(config) => Check::new("slack", Status::Off, "not set up (optional)").hint(format!(
            "set SLACK_BOT_TOKEN (or `[slack] token` in {}) to tell reviewers and the on-call",
            config.file.display()
        )),
    }
}

fn policy_check(policy: &Policy) -> Check {
    let origin = |o: &Option<crate::gate::policy::Origin>| {
        o.as_ref().map_or_else(|| "built in".to_string(), |o| o.to_string())
    };
    let mode = policy.default_mode();
    let max = policy.max_mode();
    let sandbox = policy.sandbox();
    Check::new(
        "policy",
        Status::Ok,
        format!(
            "mode {} ({}), at most {} ({}); sandbox = \"{}\" ({})",
            mode.value,
            origin(&mode.origin),
            max.value,
            origin(&max.origin),
            sandbox.value.as_str(),
            origin(&sandbox.origin)
        ),
    )
}
