//! The command line: clap definitions (their doc comments are the help
//! text) and one module per subcommand.

pub mod exit;
mod inspect;
mod output;
mod run;
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
    /// run flags (--json, --allow, --timeout, --memory, --output-limit),
    /// which may appear on either side of SKILL; put `--` before skill
    /// arguments that would collide with them.
    Run(run::RunArgs),

    /// List the built-in and installed skills.
    Skills(skills::SkillsArgs),

    /// Inspect or install skill components.
    #[command(subcommand)]
    Skill(SkillCommand),
}

#[derive(Debug, Subcommand)]
pub enum SkillCommand {
    /// Show a skill's manifest and the interfaces it imports. The imports
    /// are the hard ceiling of what it can ever touch.
    Inspect(inspect::InspectArgs),

    /// Install a skill component so it runs by name.
    Install(skills::InstallArgs),
}

/// Run the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let verbosity = cli.global.verbosity();
    let result = match cli.command {
        Command::Run(args) => block_on(run::run(args, verbosity)),
        Command::Skills(args) => skills::list(args),
        Command::Skill(SkillCommand::Inspect(args)) => block_on(inspect::inspect(args)),
        Command::Skill(SkillCommand::Install(args)) => skills::install(args),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(e) => {
            output::error(&e);
            e.exit.into()
        }
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
