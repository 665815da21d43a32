//! The command line: clap definitions (their doc comments are the help
//! text) and one module per subcommand.

pub(crate) mod approvals;
mod ask;
mod attach;
mod audit;
mod classify;
mod dash;
mod doctor;
mod evidence;
pub mod exit;
mod inspect;
mod install;
pub(crate) mod live;
mod new_skill;
mod notify;
mod output;
mod pack;
pub mod policy;
pub mod pr;
mod prototype;
pub mod run;
mod sandbox;
mod serve;
pub mod session;
mod signing;
mod skills;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

pub use exit::{CliError, Exit};
pub use run::RunOptions;

use crate::caps::console::Verbosity;

/// Run many AI coding sessions in parallel, and extend them with sandboxed
/// WebAssembly skills.
#[derive(Debug, Parser)]
#[command(
    name = "grove",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = "Exit codes: 0 done, 1 the skill failed, 2 usage error, 3 stopped by a limit, \
                  4 the skill is broken or crashed, 5 grove could not do its part, 130 interrupted."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalOptions {
    /// Show more: skill debug logs (-v), and grove's own tracing (-vv).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Show only warnings and errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

impl GlobalOptions {
    pub fn verbosity(&self) -> Verbosity {
        match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            (false, 1) => Verbosity::Verbose,
            (false, _) => Verbosity::Trace,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a skill on the current workspace.
    ///
    /// SKILL is a built-in or installed skill name, or a path to a `.wasm`
    /// component. Everything after it goes to the skill, except grove's own
    /// flags (the options below), which may appear on either side of SKILL;
    /// put `--` before skill arguments that would collide with them.
    /// `grove run SKILL --help` shows the skill's own usage.
    Run(run::RunArgs),

    /// List the built-in and installed skills.
    Skills(skills::SkillsArgs),

    /// Start a session: a new worktree on branch `grove/NAME`, worked by a
    /// skill in its own process. Up to 5 run at once (GROVE_MAX_SESSIONS);
    /// the rest wait in a queue.
    New(session::new::NewArgs),

    /// List the sessions: state, branch, how far ahead, what changed.
    Ls(session::ls::LsArgs),

    /// Show a session's changes against its base.
    Diff(session::diff::DiffArgs),

    /// Show a session's transcript; -f follows it live.
    ///
    /// What the model said, the tools it called and what they answered,
    /// the gate's decisions, approvals and commits. `-v` shows every
    /// decision and what each answer cost; `--raw`, what the session's
    /// process printed.
    Logs(session::logs::LogsArgs),

    /// Send a session a message.
    ///
    /// A running session hears it at its next turn; a finished, failed or
    /// interrupted one goes on with its whole conversation.
    Tell(session::tell::TellArgs),

    /// Merge a session's branch into the branch it started from, in your
    /// main worktree (which must be clean and on that branch).
    Merge(session::merge::MergeArgs),

    /// Hand a session to review: a pull request carrying its evidence.
    ///
    /// Pushes the session's branch, publishes its evidence bundle to the
    /// `grove-evidence` branch, opens (or updates) the pull request with
    /// the task, summary, diff stat, verdicts and GIFs, asks CODEOWNERS and
    /// `--reviewer` to review, sets a commit status per verdict and posts
    /// code-review findings as line comments. Needs GH_TOKEN (or
    /// GITHUB_TOKEN, or [github] token in config.toml); `--backend local`
    /// needs nothing and writes the page for `grove serve`.
    Pr(pr::PrArgs),

    /// Remove sessions: their worktrees, branches and records.
    ///
    /// A session whose skill spawned sub-sessions asks whether to remove
    /// them too (`--yes` answers for you; without a terminal it is needed);
    /// each follows the same rules about losing work.
    Rm(session::rm::RmArgs),

    /// Clean up worktrees deleted by hand or left by a crash.
    Prune(session::rm::PruneArgs),

    /// Run an interrupted, failed or cancelled session again.
    Resume(session::control::NameArg),

    /// Stop a session, and its sub-sessions when you say so.
    ///
    /// A session whose skill spawned sub-sessions asks whether to cancel
    /// them too (`--yes` answers for you; without a terminal it is needed).
    Cancel(session::control::CancelArgs),

    /// Keep the variant of a `prototype` run you chose: merge it, remove
    /// the others, record why.
    #[command(subcommand)]
    Prototype(prototype::PrototypeCommand),

    /// A live dashboard of every session: state, changes, the selected
    /// one's transcript and pending approval, with keys to answer it,
    /// merge, remove, cancel and resume (`?` lists them).
    Dash(dash::DashArgs),

    /// Watch one session live and steer it: type messages to it, answer
    /// its approvals (/approve, /always, /deny REASON). Esc, Ctrl-D or
    /// Ctrl-C detach; the session goes on.
    Attach(attach::AttachArgs),

    /// A web page on 127.0.0.1 to review every session: live states,
    /// transcripts, diffs, evidence; answer approvals, merge, remove.
    ///
    /// Prints the address to open: it carries a random token, kept in a
    /// cookie once opened; nothing else gets in. Ctrl-C stops it.
    Serve(serve::ServeArgs),

    /// Work one session (started by grove itself).
    #[command(hide = true)]
    SessionRun(session::control::NameArg),

    /// Write, pack, inspect or install skill components.
    #[command(subcommand)]
    Skill(SkillCommand),

    /// List the actions sessions are waiting on a human for.
    Approvals(approvals::ApprovalsArgs),

    /// Let a waiting action run (once, or for the rest of its session).
    Approve(approvals::ApproveArgs),

    /// Refuse a waiting action; the skill gets the reason.
    Deny(approvals::DenyArgs),

    /// Decide on actions given as JSON lines: one decision per line out.
    ///
    /// Each stdin line is an action such as
    /// `{"capability":"process","command":"git push"}`,
    /// `{"capability":"workspace","verb":"write","path":".env"}` or
    /// `{"capability":"http","method":"GET","url":"https://…"}`; unknown
    /// fields are ignored. Each stdout line is
    /// `{"decision":"allow|ask|deny","level":"…","reasons":["…"]}`, in input
    /// order, or `{"error":"…"}` for a malformed line. The current folder is
    /// the worktree.
    Classify(classify::ClassifyArgs),

    /// Show the gate's decisions, read back from the audit log.
    Audit(audit::AuditArgs),

    /// Show or check the policy files: the enterprise, user and project
    /// layers that bound modes, hosts and actions.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),

    /// Show a session's evidence bundle: the GIFs, screenshots, logs and
    /// reviews its skills added; `--html` writes it as one page.
    Evidence(evidence::EvidenceArgs),

    /// Tell people on Slack: `grove notify test` checks the setup;
    /// `grove notify handoff` tells a pull request's reviewers and the
    /// on-call.
    #[command(subcommand)]
    Notify(notify::NotifyCommand),

    /// Check the OS sandbox around the programs skills start.
    #[command(subcommand)]
    Sandbox(sandbox::SandboxCommand),

    /// Check everything grove leans on: the repository, git, the OS
    /// sandbox, the model, the browser, GitHub, Slack and the policy
    /// files, each with how to fix it. Sends nothing anywhere. Exits 5 when
    /// a check fails.
    Doctor(doctor::DoctorArgs),

    /// The sandbox's init (started by grove itself).
    #[command(name = "__sandbox-exec", hide = true)]
    SandboxExec(sandbox::ExecArgs),
}

#[derive(Debug, Subcommand)]
pub enum SkillCommand {
    /// Show a skill's manifest and the interfaces it imports. The imports
    /// are the hard ceiling of what it can ever touch.
    Inspect(inspect::InspectArgs),

    /// Install a skill so it runs by name: from a path, a URL pinned by its
    /// digest, an OCI registry or a git commit. Shows what it may do and
    /// asks for consent; pins it in skills.lock.
    Install(install::InstallArgs),

    /// The installed skills as skills.lock pins them.
    List(install::ListArgs),

    /// Install the newer bytes of installed skills; an update that widens
    /// what a skill may do asks again.
    Update(install::UpdateArgs),

    /// Remove an installed skill.
    Remove(install::RemoveArgs),

    /// Sign a component with a minisign key: writes COMPONENT.minisig.
    Sign(signing::SignArgs),

    /// Make a minisign key pair for signing skills.
    Keygen(signing::KeygenArgs),

    /// Give a component built by any toolchain its manifest, from a
    /// `grove.toml`: the `grove:manifest` section the Rust SDK writes.
    ///
    /// Refuses a permission the component's imports could never use.
    Pack(pack::PackArgs),

    /// Write a new skill project in Rust, Python, JavaScript or C that
    /// builds with one command (`./build.sh`) into a packed component.
    New(new_skill::NewSkillArgs),
}

/// Run the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let verbosity = cli.global.verbosity();
    let result = match cli.command {
        Command::Run(args) => block_on(run::run(args)),
        Command::Skills(args) => skills::list(args),
        Command::New(args) => session::new::new(args),
        Command::Ls(args) => session::ls::ls(args),
        Command::Diff(args) => session::diff::diff(args),
        Command::Logs(args) => session::logs::logs(args, verbosity),
        Command::Tell(args) => session::tell::tell(args),
        Command::Merge(args) => session::merge::merge(args),
        Command::Pr(args) => pr::pr(args),
        Command::Rm(args) => session::rm::rm(args),
        Command::Prune(args) => session::rm::prune(args),
        Command::Resume(args) => session::control::resume(args),
        Command::Cancel(args) => session::control::cancel(args),
        Command::Prototype(command) => prototype::run(command),
        Command::Dash(args) => dash::dash(args),
        Command::Attach(args) => attach::attach(args),
        Command::Serve(args) => serve::serve(args),
        Command::SessionRun(args) => block_on(session::control::session_run(args)),
        Command::Skill(SkillCommand::Inspect(args)) => block_on(inspect::inspect(args)),
        Command::Skill(SkillCommand::Install(args)) => block_on(install::install(args)),
        Command::Skill(SkillCommand::List(args)) => block_on(install::list(args)),
        Command::Skill(SkillCommand::Update(args)) => block_on(install::update(args)),
        Command::Skill(SkillCommand::Remove(args)) => install::remove(args),
        Command::Skill(SkillCommand::Sign(args)) => signing::sign(args),
        Command::Skill(SkillCommand::Keygen(args)) => signing::keygen(args),
        Command::Skill(SkillCommand::Pack(args)) => pack::pack(args),
        Command::Skill(SkillCommand::New(args)) => new_skill::new_skill(args),
        Command::Classify(args) => classify::classify(args),
        Command::Evidence(args) => evidence::evidence(args),
        Command::Approvals(args) => approvals::list(args),
        Command::Approve(args) => approvals::approve(args),
        Command::Deny(args) => approvals::deny(args),
        Command::Policy(command) => policy::run(command),
        Command::Notify(command) => notify::run(command),
        Command::Sandbox(command) => sandbox::run(command),
        Command::Doctor(args) => doctor::run(args),
        Command::SandboxExec(args) => sandbox::exec(args),
        Command::Audit(args) => audit::audit(args),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(e) => {
            output::error(&e);
            e.exit.into()
        }
    }
}

/// Keep only the closest of the subcommands clap suggests for a typo:
/// `grove lss` is `ls`, not `logs`, `classify` or `ls`. clap lists them
/// closest last.
pub fn closest_suggestion(e: &mut clap::Error) {
    use clap::error::{ContextKind, ContextValue};
    if let Some(ContextValue::Strings(names)) = e.get(ContextKind::SuggestedSubcommand)
        && let Some(closest) = names.last().cloned()
    {
        e.insert(ContextKind::SuggestedSubcommand, ContextValue::Strings(vec![closest]));
    }
}

/// A single-threaded runtime: a CLI invocation runs one skill, and blocking
/// work goes to tokio's blocking pool anyway. It starts in microseconds.
fn block_on<T>(future: impl Future<Output = T>) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("building the tokio runtime");
    let out = runtime.block_on(future);
    // Don't wait for blocking tasks still running: a skill stopped while
    // `ui.ask` waited on stdin would otherwise hang grove until Enter.
    runtime.shutdown_background();
    out
}
