//! `grove skill install`, `list`, `update` and `remove`: community skills
//! fetched, checked, consented to and pinned (see `skill::install`).

use std::sync::Arc;

use clap::Args;
use serde::Serialize;

use super::{CliError, Exit, output};
use crate::gate::policy::Policy;
use crate::paths::WorkspaceLocation;
use crate::skill::install::consent::Asking;
use crate::skill::install::digest::Digest;
use crate::skill::install::lock::{Entry, Lock};
use crate::skill::install::source::Source;
use crate::skill::install::{self, InstallError, Installed, Request, project};

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Where the skill is: a `.wasm` path, `https://…/x.wasm#sha256=<hex>`,
    /// `oci://host[:port]/name:tag` (or `@sha256:…`), or
    /// `git+file:///repo#<commit>:path/x.wasm` (`git+https://…`, `git+ssh://…` too).
    /// Without it, the skills the repository's `.grove/skills.toml` lists.
    pub src: Option<String>,

    #[command(flatten)]
    pub consent: ConsentArgs,

    /// Install an older version over a newer one, or the same bytes again.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ConsentArgs {
    /// Consent without a question (for scripts): what is shown is granted.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// With --yes: accept an update that asks for more permissions or
    /// imports more interfaces than what was consented to before.
    #[arg(long, requires = "yes")]
    pub accept_widening: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only skills whose source (or the repository's `.grove/skills.toml`)
    /// now has other bytes than those installed.
    #[arg(long)]
    pub outdated: bool,

    /// Print a JSON array of the lock's entries.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The skill to update; every installed skill without it.
    pub name: Option<String>,

    #[command(flatten)]
    pub consent: ConsentArgs,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The installed skill to remove.
    pub name: String,
}

/// Where a refusal leaves the user.
fn cli_error(e: InstallError) -> CliError {
    let exit = match &e {
        InstallError::Source(_)
        | InstallError::Read { .. }
        | InstallError::NotInstalled(_)
        | InstallError::Consent(_)
        | InstallError::Builtin(_)
        | InstallError::Downgrade(_)
        | InstallError::Invalid { .. } => Exit::Usage,
        InstallError::Fetch { .. } | InstallError::Write { .. } | InstallError::NoHome => Exit::Host,
        _ => Exit::SkillBroken,
    };
    let hint = match &e {
        InstallError::Builtin(_) => Some("built-in skill names are reserved; ask the publisher to rename it"),
        InstallError::Signature(e) if e.contains("no trusted publisher") => {
            Some("if you trust the publisher, add their key under [skills.publishers] in config.toml")
        }
        _ => None,
    };
    let error = CliError::new(exit, e);
    match hint {
        Some(hint) => error.hint(hint),
        None => error,
    }
}

/// The parts every install shares: the policy's host rules and the audit log.
struct Context {
    location: WorkspaceLocation,
    policy: Arc<Policy>,
}

impl Context {
    fn load() -> Result<Context, CliError> {
        let cwd = std::env::current_dir()
            .map_err(|e| CliError::new(Exit::Host, format!("the current folder: {e}")))?;
        let location = WorkspaceLocation::discover(&cwd);
        let policy = Policy::load(&location.root).map_err(super::policy::load_error)?;
        Ok(Context { location, policy: Arc::new(policy) })
    }

    fn request(
        &self,
        source: Source,
        expected: Option<Digest>,
        consent: &ConsentArgs,
        force: bool,
    ) -> Request {
        Request {
            source,
            expected,
            asking: Asking::from_flags(consent.yes, consent.accept_widening),
            force,
            policy: self.policy.clone(),
            audit_log: self.location.audit_log(),
        }
    }
}

async fn run_one(req: &Request) -> Result<Installed, InstallError> {
    let mut show = |text: &str| eprint!("{text}");
    let ask = |question: &str| {
        super::ask::yes_or_no(question).map_err(|e| InstallError::Consent(format!("reading the answer: {e}")))
    };
    install::install(req, &mut show, ask).await
}

fn report(done: &Installed) {
    let e = &done.entry;
    if done.already {
        println!("{} {} is already installed ({})", e.name, e.version, e.digest);
        return;
    }
    let verb = match &done.previous {
        Some(old) if old.version != e.version => {
            format!("updated {} {} → {}", e.name, old.version, e.version)
        }
        Some(_) => format!("reinstalled {} {}", e.name, e.version),
        None => format!("installed {} {}", e.name, e.version),
    };
    println!("{verb} to {} ({}; consent: {})", done.path.display(), e.digest, e.consent);
}

pub async fn install(args: InstallArgs) -> Result<Exit, CliError> {
    let ctx = Context::load()?;
    let Some(src) = &args.src else {
        return install_expected(&ctx, &args).await;
    };
    let source = Source::parse(src).map_err(cli_error)?;
    let req = ctx.request(source, None, &args.consent, args.force);
    let done = run_one(&req).await.map_err(cli_error)?;
    report(&done);
    Ok(Exit::Ok)
}

/// Every skill the repository's `.grove/skills.toml` lists, each asked for.
async fn install_expected(ctx: &Context, args: &InstallArgs) -> Result<Exit, CliError> {
    let file = project::path(&ctx.location.root);
    let expected = project::read(&file).map_err(cli_error)?.ok_or_else(|| {
        CliError::new(Exit::Usage, format!("name a skill to install: there is no {}", file.display()))
            .hint("grove skill install ./x.wasm | https://…#sha256=… | oci://… | git+file://…#<commit>:path")
    })?;
    for skill in expected {
        let req = ctx.request(skill.source, Some(skill.digest), &args.consent, args.force);
        let done = run_one(&req).await.map_err(cli_error)?;
        if done.entry.name != skill.name {
            return Err(CliError::new(
                Exit::SkillBroken,
                format!(
                    "{} lists `{}`, but its component is named `{}`",
                    file.display(),
                    skill.name,
                    done.entry.name
                ),
            ));
        }
        report(&done);
    }
    Ok(Exit::Ok)
}

/// Where a skill's newer bytes would come from: the repository's listing,
/// else the source it was installed from.
fn update_source(
    entry: &Entry,
    listed: &[project::Expected],
) -> Result<(Source, Option<Digest>), InstallError> {
    match listed.iter().find(|x| x.name == entry.name) {
        Some(x) => Ok((x.source.clone(), Some(x.digest.clone()))),
        None => Ok((Source::parse(&entry.source)?, None)),
    }
}

pub async fn update(args: UpdateArgs) -> Result<Exit, CliError> {
    let ctx = Context::load()?;
    let (lock, _) = Lock::load().map_err(cli_error)?;
    let listed = project::read(&project::path(&ctx.location.root)).map_err(cli_error)?.unwrap_or_default();
    let entries: Vec<&Entry> = match &args.name {
        Some(name) => {
            vec![lock.get(name).ok_or_else(|| cli_error(InstallError::NotInstalled(name.clone())))?]
        }
        None => lock.skills.iter().collect(),
    };
    for entry in entries {
        let (source, expected) = update_source(entry, &listed).map_err(cli_error)?;
        let req = ctx.request(source, expected, &args.consent, false);
        let done = run_one(&req).await.map_err(cli_error)?;
        if done.already {
            println!("{} {} is up to date", done.entry.name, done.entry.version);
        } else {
            report(&done);
        }
    }
    Ok(Exit::Ok)
}

#[derive(Debug, Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    entry: &'a Entry,
    /// The digest its source has now, when that differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    latest: Option<String>,
}

pub async fn list(args: ListArgs) -> Result<Exit, CliError> {
    let ctx = Context::load()?;
    let (lock, _) = Lock::load().map_err(cli_error)?;
    let listed = project::read(&project::path(&ctx.location.root)).map_err(cli_error)?.unwrap_or_default();
    let mut rows = Vec::new();
    for entry in &lock.skills {
        let latest = if args.outdated { latest(&ctx, entry, &listed).await } else { None };
        if args.outdated && latest.is_none() {
            continue;
        }
        rows.push(Listed { entry, latest });
    }
    if args.json {
        output::json(&rows);
        return Ok(Exit::Ok);
    }
    let width = rows.iter().map(|r| r.entry.name.len()).max().unwrap_or(0);
    for r in &rows {
        let e = r.entry;
        let publisher = e.publisher.as_deref().unwrap_or("unsigned");
        let perms = if e.permissions.is_empty() { "(none)".to_string() } else { e.permissions.join(",") };
        print!("{:width$}  {:<8}  {:<10}  {perms}  {}", e.name, e.version, publisher, e.source);
        match &r.latest {
            Some(latest) => println!("  → {latest}"),
            None => println!(),
        }
    }
    Ok(Exit::Ok)
}

/// The digest `entry`'s source has now, if it differs from the installed
/// one: the repository's pin, a moved OCI tag, a changed file. A URL or a
/// git commit names its bytes and cannot move.
async fn latest(ctx: &Context, entry: &Entry, listed: &[project::Expected]) -> Option<String> {
    let (source, expected) = update_source(entry, listed).ok()?;
    if let Some(digest) = expected {
        return (digest != entry.digest).then(|| digest.to_string());
    }
    if !matches!(source, Source::Oci { .. } | Source::Path(_)) {
        return None;
    }
    match install::fetch(&source, ctx.policy.clone()).await {
        Ok(fetched) => {
            let digest = Digest::of(&fetched.bytes);
            (digest != entry.digest).then(|| digest.to_string())
        }
        Err(e) => {
            eprintln!("warning: {}: {e}", entry.name);
            None
        }
    }
}

pub fn remove(args: RemoveArgs) -> Result<Exit, CliError> {
    let cwd =
        std::env::current_dir().map_err(|e| CliError::new(Exit::Host, format!("the current folder: {e}")))?;
    let audit = WorkspaceLocation::discover(&cwd).audit_log();
    let entry = install::remove(&args.name, audit).map_err(cli_error)?;
    println!("removed {} {}", entry.name, entry.version);
    Ok(Exit::Ok)
}
