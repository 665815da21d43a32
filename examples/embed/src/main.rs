//! The smallest embedding of grove's runtime: run a skill component on a
//! folder, granting it read access only.
//!
//! ```text
//! cargo run -p embed -- path/to/skill.wasm path/to/folder [ARGS...]
//! ```

use std::path::PathBuf;

use anyhow::{Context, bail};
use grove::caps::Caps;
use grove::gate::{Grants, Permission, PermissionSet};
use grove::runtime::{Invocation, Limits, Runtime, RuntimeConfig};

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(wasm), Some(root)) = (args.next(), args.next()) else {
        bail!("usage: embed SKILL.wasm FOLDER [ARGS...]");
    };

    let runtime = Runtime::new(&RuntimeConfig::default(), grove::caps::link)?;
    let skill = runtime.prepare(&std::fs::read(&wasm).with_context(|| format!("reading {wasm}"))?)?;

    // The skill may read the folder and nothing else, whatever it asks for.
    let read_only: PermissionSet = [Permission::WorkspaceRead, Permission::GitRead].into_iter().collect();
    let grants = Grants { requested: read_only, granted: read_only };
    let limits = Limits::default();
    let caps = Caps::new("embedded", &PathBuf::from(root), grants, &limits)?;

    let invocation =
        Invocation { args: args.collect(), json: false, cwd: String::new(), session: None, task: None };
    match runtime.run(&skill, caps, &limits, &invocation).await? {
        Ok(outcome) => println!("{}", outcome.summary),
        Err(error) => bail!("the skill failed: {error:?}"),
    }
    Ok(())
}
