//! `grove diff NAME`: the session's work against its base, uncommitted
//! changes and new files included.

use clap::Args;
use serde_json::json;

use super::Ctx;
use crate::cli::{CliError, Exit, output};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The session.
    pub name: String,

    /// Files and line counts only.
    #[arg(long)]
    pub stat: bool,

    /// Print JSON: `{name, base, files: [{path, change, additions, deletions, binary}], patch?}`.
    #[arg(long)]
    pub json: bool,
}

pub fn diff(args: DiffArgs) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let session = ctx.session(&args.name)?;
    if !session.path.is_dir() {
        return Err(CliError::new(Exit::Usage, format!("the worktree of `{}` is gone", session.name))
            .hint(format!("`grove prune` cleans up; `grove rm {}` forgets the session", session.name)));
    }
    let repo = git2::Repository::open(&session.path).map_err(|e| CliError::new(Exit::Host, e.message()))?;
    let base = Some(session.base_commit.as_str());
    let git = |e: crate::repo::Error| CliError::new(Exit::Host, e);
    let files = crate::repo::changed_files(&repo, base).map_err(git)?;
    // What was just measured is the freshest figure `grove ls` can show.
    let _ = ctx.store.set_stats(&session.name, crate::session::DiffStats::of(&files));
    if args.json {
        let patch = if args.stat { None } else { Some(crate::repo::diff_text(&repo, base).map_err(git)?) };
        let files: Vec<_> = files
            .iter()
            .map(|f| {
                json!({
                    "path": f.path, "old_path": f.old_path, "change": f.change.as_str(),
                    "additions": f.additions, "deletions": f.deletions, "binary": f.binary,
                })
            })
            .collect();
        output::json(
            &json!({ "name": session.name, "base": session.base_commit, "files": files, "patch": patch }),
        );
    } else if args.stat {
        let width = files.iter().map(|f| f.path.len()).max().unwrap_or(0);
        for f in &files {
            println!("{:width$}  +{} -{}", f.path, f.additions, f.deletions);
        }
        let (add, del): (u64, u64) =
            files.iter().fold((0, 0), |(a, d), f| (a + u64::from(f.additions), d + u64::from(f.deletions)));
        println!("{} changed, +{add} -{del}", crate::text::count(files.len(), "file"));
    } else {
        print!("{}", crate::repo::diff_text(&repo, base).map_err(git)?);
    }
    Ok(Exit::Ok)
}
