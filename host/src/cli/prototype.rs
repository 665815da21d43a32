//! `grove prototype pick RUN N`: keep one variant of a `prototype` run.
//! The chosen session is merged exactly as `grove merge` would (the same
//! checks: nothing is written unless all of it can be), the other variants
//! are removed (their branches kept with `--keep`, otherwise deleted with
//! their last commit printed), and the choice is recorded with its reason.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::json;

use super::session::Ctx;
use super::session::merge::{HowArgs, merge_session};
use super::session::rm::remove;
use super::{CliError, Exit, output};
use crate::session::Session;

#[derive(Debug, Subcommand)]
pub enum PrototypeCommand {
    /// Keep variant N of run RUN: merge its session into the branch it
    /// started from and remove the other variants' sessions (what they had
    /// not committed goes with them).
    Pick(PickArgs),
}

#[derive(Debug, Args)]
pub struct PickArgs {
    /// The run, as `grove run prototype` printed it (`proto-…`).
    pub run: String,

    /// The variant's number on the comparison page.
    pub variant: u32,

    /// Keep the other variants' branches (their worktrees still go).
    #[arg(long)]
    pub keep: bool,

    /// Why this one: recorded with the choice.
    #[arg(long)]
    pub note: Option<String>,

    #[command(flatten)]
    pub how: HowArgs,

    /// Print JSON: `{run, picked, session, merged: {into, mode, commit}, removed, branches, note}`.
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: PrototypeCommand) -> Result<Exit, CliError> {
    match command {
        PrototypeCommand::Pick(args) => pick(args),
    }
}

/// The variants of `run`, by number: the sessions named `RUN-N`.
fn variants(ctx: &Ctx, run: &str) -> Result<Vec<(u32, Session)>, CliError> {
    let sessions = ctx.store.list().map_err(super::session::store_error)?;
    let mut found: Vec<(u32, Session)> = sessions
        .into_iter()
        .filter_map(|s| {
            let n = s.name.strip_prefix(run)?.strip_prefix('-')?.parse().ok()?;
            Some((n, s))
        })
        .collect();
    found.sort_by_key(|(n, _)| *n);
    Ok(found)
}

fn pick(args: PickArgs) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let mut variants = variants(&ctx, &args.run)?;
    if variants.is_empty() {
        return Err(CliError::new(Exit::Usage, format!("no prototype run named `{}`", args.run))
            .hint("its variants are the sessions RUN-1, RUN-2, …; `grove ls` lists them"));
    }
    let Some(at) = variants.iter().position(|(n, _)| *n == args.variant) else {
        let numbers: Vec<String> = variants.iter().map(|(n, _)| n.to_string()).collect();
        return Err(CliError::new(
            Exit::Usage,
            format!("run `{}` has no variant {}", args.run, args.variant),
        )
        .hint(format!("its variants are {}", numbers.join(", "))));
    };
    if let Some((_, busy)) = variants.iter().find(|(_, s)| s.state.is_active()) {
        return Err(CliError::new(
            Exit::SkillFailed,
            format!("variant `{}` is still {}: the run has not finished", busy.name, busy.state),
        )
        .hint(format!("wait for it (`grove logs -f {0}`) or stop it (`grove cancel {0}`)", busy.name)));
    }
    let (_, chosen) = variants.remove(at);
    let mode = args.how.mode();
    // The merge checks everything before it writes: a refusal leaves every
    // variant where it was.
    let merged = merge_session(&ctx, &chosen.name, mode)?;
    if !args.json {
        println!("picked variant {} ({}): {}", args.variant, chosen.name, merged.line());
    }
    let others: Vec<Session> = variants.into_iter().map(|(_, s)| s).collect();
    let (removed, branches) = remove(&ctx, &others, args.keep, !args.json)?;
    let choice = json!({
        "run": args.run,
        "picked": args.variant,
        "session": chosen.name,
        "merged": { "into": merged.into, "mode": mode.as_str(), "commit": merged.commit },
        "removed": removed,
        "branches": branches,
        "note": args.note,
        "at": crate::session::store::now_ms(),
    });
    let record = record_choice(&ctx, &args.run, &choice)?;
    if args.json {
        output::json(&choice);
    } else {
        println!("the choice is recorded in {}", record.display());
    }
    Ok(Exit::Ok)
}

/// `.git/grove/prototype/RUN/choice.json`, written whole or not at all.
fn record_choice(ctx: &Ctx, run: &str, choice: &serde_json::Value) -> Result<PathBuf, CliError> {
    let io = |e: std::io::Error| CliError::new(Exit::Host, format!("recording the choice: {e}"));
    let dir = ctx.worktrees.git_dir().join("grove").join("prototype").join(run);
    std::fs::create_dir_all(&dir).map_err(io)?;
    let path = dir.join("choice.json");
    let temp = dir.join(".choice.json.tmp");
    std::fs::write(&temp, serde_json::to_vec_pretty(choice).expect("JSON serializes")).map_err(io)?;
    std::fs::rename(&temp, &path).map_err(io)?;
    Ok(path)
}
