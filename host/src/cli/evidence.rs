//! `grove evidence [NAME]`: a session's evidence bundle, listed or as one
//! page.

use clap::Args;
use serde_json::json;

use super::exit::{CliError, Exit};
use super::output;
use crate::evidence::bundle::{self, Bundle};
use crate::evidence::page;
use crate::paths::WorkspaceLocation;

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// The bundle: a session's name, or a run's (`grove evidence` lists them).
    pub name: Option<String>,

    /// Print the manifest (or the list of bundles) as JSON.
    #[arg(long)]
    pub json: bool,

    /// Write one self-contained page of the bundle (images inline) and
    /// print its path.
    #[arg(long, conflicts_with = "json")]
    pub html: bool,
}

pub fn evidence(args: EvidenceArgs) -> Result<Exit, CliError> {
    let cwd =
        std::env::current_dir().map_err(|e| CliError::new(Exit::Host, format!("current folder: {e}")))?;
    let Some(git_dir) = WorkspaceLocation::discover(&cwd).git_dir else {
        return Err(CliError::new(Exit::Usage, "not inside a git repository")
            .hint("evidence bundles live in a repository's git directory, under grove/evidence/"));
    };
    let Some(name) = args.name else {
        return list(&git_dir, args.json);
    };
    let bundle = Bundle::open(&git_dir, &name).map_err(|e| match e {
        bundle::Error::NotFound(_) => {
            CliError::new(Exit::Usage, e).hint("`grove evidence` lists the bundles of this repository")
        }
        e => failure(e),
    })?;
    if args.html {
        let path = page::write(&bundle).map_err(failure)?;
        println!("{}", path.display());
        return Ok(Exit::Ok);
    }
    let entries = bundle.entries().map_err(failure)?;
    if args.json {
        output::json(&json!({ "name": bundle.name(), "dir": bundle.dir(), "entries": entries }));
        return Ok(Exit::Ok);
    }
    println!("{} · {}", crate::text::one_line(bundle.name()), crate::text::count(entries.len(), "piece"));
    for e in &entries {
        let commit = e.commit.as_deref().map(|c| format!(" @ {}", &c[..c.len().min(8)])).unwrap_or_default();
        println!(
            "  {:<8} {}  ({}, {}{commit})",
            e.kind.as_str(),
            crate::text::one_line(&e.caption),
            crate::text::one_line(&e.skill),
            human_size(e.size)
        );
    }
    println!("files: {}", bundle.dir().display());
    Ok(Exit::Ok)
}

fn list(git_dir: &std::path::Path, json: bool) -> Result<Exit, CliError> {
    let names = Bundle::list(git_dir);
    if json {
        output::json(&json!({ "dir": bundle::root(git_dir), "bundles": names }));
    } else if names.is_empty() {
        println!(
            "no evidence yet (skills add it while they run: `grove run evidence`, code-review, designer-check)"
        );
    } else {
        for name in names {
            println!("{}", crate::text::one_line(&name));
        }
    }
    Ok(Exit::Ok)
}

fn failure(e: bundle::Error) -> CliError {
    let mut text = e.to_string();
    if let Some(source) = std::error::Error::source(&e) {
        text = format!("{text}: {source}");
    }
    CliError::new(Exit::Host, text)
}

fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}
