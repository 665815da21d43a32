//! `grove skills`: the built-in and installed skills.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::{CliError, Exit, output};
use crate::skill::source;

#[derive(Debug, Args)]
pub struct SkillsArgs {
    /// Print a JSON array of objects (`name`, `version`, `summary`, `usage`,
    /// `permissions`, `origin`, `path`).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
struct Listed {
    name: String,
    version: String,
    summary: String,
    usage: String,
    permissions: Vec<String>,
    origin: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<PathBuf>,
}

pub fn list(args: SkillsArgs) -> Result<Exit, CliError> {
    let mut listed = Vec::new();
    let mut broken = Vec::new();
    for entry in source::list() {
        match entry {
            Ok(s) => {
                let m = s.info.manifest.clone().unwrap_or_else(|| crate::skill::Manifest {
                    name: s.name.clone(),
                    version: "?".into(),
                    summary: "(no manifest: run it to learn more)".into(),
                    usage: String::new(),
                    permissions: Vec::new(),
                    publisher: None,
                });
                let path = match &s.origin {
                    crate::skill::Origin::Installed(p) | crate::skill::Origin::File(p) => Some(p.clone()),
                    crate::skill::Origin::Builtin => None,
                };
                listed.push(Listed {
                    name: m.name,
                    version: m.version,
                    summary: m.summary,
                    usage: m.usage,
                    permissions: m.permissions,
                    origin: s.origin.label(),
                    path,
                });
            }
            Err(e) => broken.push(e),
        }
    }
    for e in &broken {
        tracing::warn!("skipping an installed skill: {e}");
        eprintln!("warning: skipping {e}");
    }
    if args.json {
        output::json(&listed);
    } else {
        let width = listed.iter().map(|l| l.name.len()).max().unwrap_or(0);
        for l in &listed {
            println!("{:width$}  {:<9}  {}", l.name, l.origin, l.summary);
        }
    }
    Ok(Exit::Ok)
}
