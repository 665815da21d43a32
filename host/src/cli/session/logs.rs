//! `grove logs NAME [-f]`: what the session's process printed.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use clap::Args;

use super::{Ctx, store_error};
use crate::cli::{CliError, Exit};
use crate::session::runner;

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The session.
    pub name: String,

    /// Keep printing as the session writes, until it finishes.
    #[arg(long, short)]
    pub follow: bool,

    /// Print JSON: `{name, state, log, events: [{at, kind, data}]}`.
    #[arg(long, conflicts_with = "follow")]
    pub json: bool,
}

pub fn logs(args: LogsArgs) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let session = ctx.session(&args.name)?;
    let path = runner::log_path(ctx.worktrees.git_dir(), &session.name);
    let mut offset = 0u64;
    if args.json {
        let events = ctx.store.events(&session.name).map_err(store_error)?;
        let log = String::from_utf8_lossy(&read_from(&path, &mut offset)).into_owned();
        let state = ctx.store.require(&session.name).map_err(store_error)?.state;
        crate::cli::output::json(
            &serde_json::json!({ "name": session.name, "state": state, "log": log, "events": events }),
        );
        return Ok(Exit::Ok);
    }
    let mut out = std::io::stdout().lock();
    loop {
        // Read the state first: output written before it turned final is
        // then sure to be in this read.
        let finished = ctx.store.require(&session.name).map_err(store_error)?.state.is_final();
        let _ = out.write_all(&read_from(&path, &mut offset));
        let _ = out.flush();
        if !args.follow || finished {
            return Ok(Exit::Ok);
        }
        std::thread::sleep(Duration::from_millis(200));
        // A runner that died leaves its session "running": notice it.
        let _ = ctx.store.recover();
    }
}

/// Bytes of `path` past `offset`, advancing it; nothing if there is no log yet.
fn read_from(path: &Path, offset: &mut u64) -> Vec<u8> {
    let mut chunk = Vec::new();
    if let Ok(mut file) = std::fs::File::open(path)
        && file.seek(SeekFrom::Start(*offset)).is_ok()
        && file.read_to_end(&mut chunk).is_ok()
    {
        *offset += chunk.len() as u64;
    }
    chunk
}
