//! `grove skill pack COMPONENT --manifest grove.toml [-o OUT]`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{CliError, Exit};
use crate::skill::pack::{self, GroveToml, PackError};

#[derive(Debug, Args)]
pub struct PackArgs {
    /// The component a toolchain built (componentize-py, componentize-js,
    /// `wasm-tools component new`, cargo).
    pub component: PathBuf,

    /// The skill's `grove.toml`: name, version, summary, usage,
    /// permissions, publisher.
    #[arg(long, default_value = "grove.toml")]
    pub manifest: PathBuf,

    /// Where to write the packed component; the component itself when not
    /// given.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

pub fn pack(args: PackArgs) -> Result<Exit, CliError> {
    let read = |path: &Path| {
        std::fs::read(path)
            .map_err(|e| CliError::new(Exit::Usage, format!("reading {}: {e}", path.display())))
    };
    let text = String::from_utf8(read(&args.manifest)?)
        .map_err(|_| CliError::new(Exit::Usage, format!("{} is not UTF-8 text", args.manifest.display())))?;
    let toml = GroveToml::parse(&text).map_err(|e| {
        CliError::new(Exit::Usage, format!("{}: {e}", args.manifest.display()))
            .hint("grove.toml has name, version, summary, and optionally usage, permissions and publisher")
    })?;
    let wasm = read(&args.component)?;
    let packed = pack::pack(&wasm, &toml).map_err(|e| {
        let exit = match e {
            PackError::Component(_) => Exit::SkillBroken,
            _ => Exit::Usage,
        };
        CliError::new(exit, format!("{}: {e}", args.component.display()))
    })?;
    if !packed.idle_imports.is_empty() {
        eprintln!(
            "note: grove.toml asks for no permission of {}, which the component imports: their calls will be denied",
            packed.idle_imports.join(", ")
        );
    }
    let out = args.output.as_deref().unwrap_or(&args.component);
    write_atomically(out, &packed.wasm)
        .map_err(|e| CliError::new(Exit::Host, format!("writing {}: {e}", out.display())))?;
    let m = &packed.manifest;
    let what = if packed.already { "already carries its manifest" } else { "packed" };
    println!("{} {} {what}: {}", m.name, m.version, out.display());
    if !m.permissions.is_empty() {
        println!("it requests: {}", m.permissions.join(", "));
    }
    Ok(Exit::Ok)
}

/// A crash mid-write leaves the old file, never half a component.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
