//! `grove skill inspect FILE|NAME`.

use clap::Args;
use serde_json::json;

use super::{CliError, Exit, output};
use crate::skill::{SourceError, source};

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A skill name or a path to a `.wasm` component.
    pub skill: String,

    /// Print JSON: `{manifest, imports, origin}`.
    #[arg(long)]
    pub json: bool,
}

pub async fn inspect(args: InspectArgs) -> Result<Exit, CliError> {
    let s = source::resolve(&args.skill).map_err(|e| match e {
        SourceError::Unknown(_) | SourceError::Read { .. } => CliError::new(Exit::Usage, e),
        _ => CliError::new(Exit::SkillBroken, e),
    })?;
    // What each grove interface it imports lets it do, from the verbs table.
    let verbs: Vec<&crate::gate::verbs::Verb> = s
        .info
        .imports
        .iter()
        .filter_map(|import| grove_interface(import))
        .flat_map(|interface| crate::gate::verbs::VERBS.iter().filter(move |v| v.capability == interface))
        .collect();
    if args.json {
        let verbs: Vec<_> = verbs
            .iter()
            .map(|v| {
                json!({
                    "capability": v.capability, "name": v.name,
                    "permission": v.permission.map(|p| p.as_str()),
                    "effect": format!("{:?}", v.effect).to_lowercase(),
                })
            })
            .collect();
        output::json(&json!({
            "name": s.name,
            "origin": s.origin.label(),
            "manifest": s.info.manifest,
            "imports": s.info.imports,
            "verbs": verbs,
        }));
        return Ok(Exit::Ok);
    }
    match &s.info.manifest {
        Some(m) => {
            println!("name:        {}", m.name);
            println!("version:     {}", m.version);
            println!("summary:     {}", m.summary);
            if !m.usage.is_empty() {
                println!("usage:       {}", m.usage);
            }
            let perms =
                if m.permissions.is_empty() { "(none)".to_string() } else { m.permissions.join(", ") };
            println!("permissions: {perms}");
        }
        None => println!("name:        {} (no grove:manifest section)", s.name),
    }
    println!("origin:      {}", s.origin.label());
    println!("imports:");
    for import in &s.info.imports {
        let theirs: Vec<&str> = match grove_interface(import) {
            Some(interface) => verbs.iter().filter(|v| v.capability == interface).map(|v| v.name).collect(),
            None => Vec::new(),
        };
        if theirs.is_empty() {
            println!("  {import}");
        } else {
            println!("  {import}: {}", theirs.join(", "));
        }
    }
    Ok(Exit::Ok)
}

/// `git` of `grove:skill/git@0.1.0`; `None` for other packages' interfaces.
fn grove_interface(import: &str) -> Option<&str> {
    let rest = import.strip_prefix("grove:skill/")?;
    Some(rest.split('@').next().unwrap_or(rest))
}
