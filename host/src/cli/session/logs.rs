//! `grove logs NAME [-f]`: the session's transcript, rendered (what the
//! model said, the tools it called and what they answered, the gate's
//! decisions, approvals, commits), or the raw events as JSON lines, or
//! what the session's process printed (`--raw`).

use std::io::{IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use clap::Args;

use super::{Ctx, store_error};
use crate::caps::console::Verbosity;
use crate::cli::{CliError, Exit};
use crate::session::{Event, runner};
use crate::transcript::{Renderer, render};

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The session.
    pub name: String,

    /// Keep printing as the session works, until it finishes.
    #[arg(long, short)]
    pub follow: bool,

    /// Print the transcript's events as JSON lines: `{id, at, kind, data}`.
    #[arg(long, conflicts_with = "raw")]
    pub json: bool,

    /// Print what the session's process wrote to its output instead.
    #[arg(long)]
    pub raw: bool,
}

/// How often `-f` looks for new events: well inside the 50 ms in which a
/// streamed piece of text should show.
const FOLLOW_POLL: Duration = Duration::from_millis(20);
/// How often `-f` checks that the session's process is still there.
const RECOVER_EVERY: Duration = Duration::from_secs(1);
/// Events read per query.
const PAGE: usize = 2_000;

pub fn logs(args: LogsArgs, verbosity: Verbosity) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let session = ctx.session(&args.name)?;
    if args.raw {
        return raw(&ctx, &session.name, args.follow);
    }
    let id = ctx.store.session_id(&session.name).map_err(store_error)?;
    let color =
        !args.json && std::io::stdout().is_terminal() && std::env::var_os(crate::env::NO_COLOR).is_none();
    let mut renderer = Renderer::new(Some(session.name.clone()), verbosity >= Verbosity::Verbose);
    let mut out = std::io::stdout().lock();
    let mut seen = 0i64;
    let mut recovered = Instant::now();
    loop {
        // Read the state first: events written before it turned final are
        // then sure to be in the read after it.
        let finished = ctx.store.require(&session.name).map_err(store_error)?.state.is_final();
        let mut any = false;
        loop {
            let events = ctx.store.events_after(id, seen, PAGE).map_err(store_error)?;
            let Some(last) = events.last() else { break };
            seen = last.id;
            any = true;
            let text = if args.json { json_lines(&events) } else { rendered(&mut renderer, &events, color) };
            if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
                // The reader went away (a pager quit): nothing left to do.
                return Ok(Exit::Ok);
            }
        }
        if !args.follow || (finished && !any) {
            return Ok(Exit::Ok);
        }
        std::thread::sleep(FOLLOW_POLL);
        // A runner that died leaves its session "running": notice it.
        if recovered.elapsed() >= RECOVER_EVERY {
            let _ = ctx.store.recover();
            recovered = Instant::now();
        }
    }
}

fn rendered(renderer: &mut Renderer, events: &[Event], color: bool) -> String {
    render::to_ansi(&renderer.render_all(events), color)
}

fn json_lines(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        text.push_str(&serde_json::to_string(event).expect("events serialize"));
        text.push('\n');
    }
    text
}

/// The session process's own output, as `grove logs --raw` shows it.
fn raw(ctx: &Ctx, name: &str, follow: bool) -> Result<Exit, CliError> {
    let path = runner::log_path(ctx.worktrees.git_dir(), name);
    let mut offset = 0u64;
    let mut out = std::io::stdout().lock();
    loop {
        let finished = ctx.store.require(name).map_err(store_error)?.state.is_final();
        // What the process printed holds the skill's words: untrusted.
        let chunk = read_from(&path, &mut offset);
        let _ = out.write_all(crate::text::sanitize(&String::from_utf8_lossy(&chunk)).as_bytes());
        let _ = out.flush();
        if !follow || finished {
            return Ok(Exit::Ok);
        }
        std::thread::sleep(Duration::from_millis(200));
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
