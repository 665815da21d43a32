//! `grove tell NAME "message"`: talk to a session. A running one hears it
//! at its next turn; a finished, failed, cancelled or interrupted one goes
//! on with its whole conversation (kept in the session store), so a crash
//! loses no context.

use std::io::Read;

use clap::Args;
use serde_json::json;

use super::{Ctx, store_error};
use crate::cli::{CliError, Exit, output};
use crate::session::State;

#[derive(Debug, Args)]
pub struct TellArgs {
    /// The session.
    pub name: String,

    /// What to say; the words are joined with spaces. `-` reads it from
    /// standard input; put `--` before a message that starts with a dash.
    #[arg(required = true)]
    pub message: Vec<String>,

    /// Print JSON: `{name, state, message}`.
    #[arg(long)]
    pub json: bool,
}

pub fn tell(args: TellArgs) -> Result<Exit, CliError> {
    let text = if args.message == ["-"] {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            CliError::new(Exit::Usage, format!("reading the message from standard input: {e}"))
        })?;
        text
    } else {
        args.message.join(" ")
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(CliError::new(Exit::Usage, "the message is empty")
            .hint(format!("grove tell {} \"what the session should know\"", args.name)));
    }
    let mut ctx = Ctx::open()?;
    let told = send(&mut ctx, &args.name, text)?;
    if args.json {
        output::json(&json!({ "name": told.name, "state": told.state, "message": told.message }));
    } else {
        println!(
            "told {}: {} (now {}; follow it with `grove logs -f {}`)",
            told.name, told.said, told.state, told.name
        );
    }
    Ok(Exit::Ok)
}

/// What sending a message did.
#[derive(Debug)]
pub struct Told {
    pub name: String,
    /// The message's id in the store.
    pub message: i64,
    /// The session's state after it (a finished one is queued again).
    pub state: State,
    /// When the session hears it, in words.
    pub said: &'static str,
}

/// Send session `name` a message: `grove tell` and `grove attach` both
/// come here, so a finished session goes on in the same way from either.
pub fn send(ctx: &mut Ctx, name: &str, text: &str) -> Result<Told, CliError> {
    let session = ctx.session(name)?;
    if session.state.is_final() && !session.path.is_dir() {
        return Err(CliError::new(
            Exit::Usage,
            format!("the worktree of session `{}` is gone", session.name),
        )
        .hint(format!("`grove rm {}` removes what is left of it", session.name)));
    }
    let message = ctx.store.send_message(&session.name, text).map_err(store_error)?;
    let said = match session.state {
        State::Running | State::WaitingApproval => "it reaches the model at its next turn",
        State::Queued => "it is read when the session starts",
        State::Done | State::Failed | State::Cancelled | State::Interrupted => {
            ctx.store.requeue(&session.name).map_err(store_error)?;
            ctx.pump()?;
            "the session goes on with its conversation"
        }
    };
    let state = ctx.session(&session.name)?.state;
    Ok(Told { name: session.name, message, state, said })
}
