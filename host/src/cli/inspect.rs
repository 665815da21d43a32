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
    // What each grove interface it imports lets it do, from the verbs table:
    // the functions of the release it was built against.
    let verbs: Vec<&crate::gate::verbs::Verb> =
        s.info.imports.iter().flat_map(|import| crate::gate::verbs::of_import(import)).collect();
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
        let theirs: Vec<&str> = crate::gate::verbs::of_import(import).map(|v| v.name).collect();
        if theirs.is_empty() {
            println!("  {import}");
        } else {
            println!("  {import}: {}", theirs.join(", "));
        }
    }
    Ok(Exit::Ok)
}
