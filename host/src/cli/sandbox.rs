//! `grove sandbox check`: what this machine offers the OS sandbox, and
//! whether the programs skills start will run in it.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::json;

use super::policy::load_error;
use super::{CliError, Exit, output};
use crate::gate::policy::Policy;
use crate::paths::WorkspaceLocation;
use crate::sandbox::{Requirement, Support};

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Show what this machine supports (user namespaces, the Landlock ABI,
    /// seccomp) and whether programs will be sandboxed, refused, or run
    /// without a sandbox as the policy's `sandbox` key allows. Exits 5
    /// when programs would be refused.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print one JSON object: `namespaces` (`null` when they work, else
    /// why not), `landlock_abi`, `seccomp`, `requirement`, `programs`
    /// (`sandboxed`, `refused` or `unsandboxed`) and `missing`.
    #[arg(long)]
    pub json: bool,
}

/// The hidden `__sandbox-exec`: the sandbox's init. `main` runs it before
/// parsing anything; reaching clap means the embedding binary did not.
#[derive(Debug, Args)]
pub struct ExecArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub rest: Vec<std::ffi::OsString>,
}

pub fn run(command: SandboxCommand) -> Result<Exit, CliError> {
    match command {
        SandboxCommand::Check(args) => check(args),
    }
}

pub fn exec(_: ExecArgs) -> Result<Exit, CliError> {
    Err(CliError::new(Exit::Host, "this binary does not start the sandbox's init")
        .hint("call grove::sandbox::init_if_requested() first thing in main"))
}

fn check(args: CheckArgs) -> Result<Exit, CliError> {
    let exe =
        std::env::current_exe().map_err(|e| CliError::new(Exit::Host, format!("grove's binary: {e}")))?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let policy = Policy::load(&WorkspaceLocation::discover(&cwd).root).map_err(load_error)?;
    let requirement = policy.sandbox();
    let support = Support::probe(&exe);
    let missing = support.missing();
    let programs = match (&missing, requirement.value) {
        (None, _) => "sandboxed",
        (Some(_), Requirement::Required) => "refused",
        (Some(_), Requirement::BestEffort) => "unsandboxed",
    };
    if args.json {
        output::json(&json!({
            "namespaces": support.namespaces,
            "landlock_abi": support.landlock_abi,
            "seccomp": support.seccomp,
            "process_limit": support.process_limit,
            "requirement": requirement.value.as_str(),
            "programs": programs,
            "missing": missing,
        }));
    } else {
        let yes = |ok: bool| if ok { "yes" } else { "no" };
        let namespaces = match &support.namespaces {
            None => "yes".to_string(),
            Some(why) => format!("no: {why}"),
        };
        let landlock = match support.landlock_abi {
            0 => "no".to_string(),
            abi => format!("yes, ABI {abi}"),
        };
        let origin = requirement.origin.as_ref().map_or_else(|| "built in".to_string(), |o| o.to_string());
        println!("user namespaces  {namespaces}");
        println!("Landlock         {landlock}");
        println!("seccomp          {}", yes(support.seccomp));
        println!("process limit    {}", support.process_limit);
        println!("policy           sandbox = \"{}\" ({origin})", requirement.value.as_str());
        println!("programs         {programs}");
    }
    match (missing, programs) {
        (Some(why), "refused") if !args.json => {
            Err(CliError::new(Exit::Host, format!("programs cannot be sandboxed on this machine: {why}"))
                .hint("set sandbox = \"best-effort\" in your policy to run them without a sandbox"))
        }
        (Some(_), "refused") => Ok(Exit::Host),
        _ => Ok(Exit::Ok),
    }
}
