//! `grove approvals`, `grove approve ID`, `grove deny ID`: answering the
//! actions headless sessions wait on.

use clap::Args;
use serde_json::json;

use super::session::{Ctx, age, store_error};
use super::{CliError, Exit, output};
use crate::session::{Approval, Store};
// A skill's target cannot redraw the listing around itself.
use crate::text::one_line;

#[derive(Debug, Args)]
pub struct ApprovalsArgs {
    /// Show answered, expired and ended requests too, not only pending ones.
    #[arg(long)]
    pub all: bool,

    /// Print the requests as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The request's number, as `grove approvals` shows it.
    pub id: i64,

    /// Allow this same action for the rest of the session, unasked.
    #[arg(long)]
    pub always: bool,

    /// Print the answered request as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DenyArgs {
    /// The request's number, as `grove approvals` shows it.
    pub id: i64,

    /// Why: the skill is told, and the audit log keeps it.
    #[arg(long, short)]
    pub reason: Option<String>,

    /// Print the answered request as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn list(args: ApprovalsArgs) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let requests = ctx.store.approvals(!args.all).map_err(store_error)?;
    if args.json {
        output::json(&requests);
        return Ok(Exit::Ok);
    }
    if requests.is_empty() {
        println!("no approvals {}", if args.all { "yet" } else { "pending" });
        return Ok(Exit::Ok);
    }
    for r in &requests {
        let state = if r.state == "pending" { String::new() } else { format!(" [{}]", r.state) };
        println!(
            "#{:<4} {:<16} {:<10} {}.{} {}  ({} risk, {} ago){state}",
            r.id,
            r.session,
            r.skill,
            r.capability,
            r.verb,
            one_line(crate::gate::clip(&r.target)),
            r.level,
            age(r.created_at)
        );
        if let Some(reason) = r.reasons.first() {
            println!("      {}", one_line(reason));
        }
    }
    if !args.all {
        println!("\nanswer with `grove approve ID [--always]` or `grove deny ID [--reason …]`");
    }
    Ok(Exit::Ok)
}

pub fn approve(args: ApproveArgs) -> Result<Exit, CliError> {
    answer(args.id, true, args.always, None, args.json)
}

pub fn deny(args: DenyArgs) -> Result<Exit, CliError> {
    answer(args.id, false, false, args.reason.as_deref(), args.json)
}

fn answer(id: i64, allow: bool, always: bool, reason: Option<&str>, json: bool) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let request = settle(&ctx.store, id, allow, always, reason)?;
    if json {
        output::json(&json!(request));
    } else {
        println!("{}", answered(&request));
    }
    Ok(Exit::Ok)
}

/// Answer request `id`: `grove approve`, `grove deny`, the dashboard and
/// `grove attach` all answer here. Returns the request as answered.
pub fn settle(
    store: &Store,
    id: i64,
    allow: bool,
    always: bool,
    reason: Option<&str>,
) -> Result<Approval, CliError> {
    let by = if allow { "human:approve" } else { "human:deny" };
    let settled = store.answer_approval(id, allow, always, by, reason).map_err(store_error)?;
    let request = store.approval(id).map_err(store_error)?;
    let Some(request) = request else {
        return Err(CliError::new(Exit::Usage, format!("no approval request #{id}"))
            .hint("`grove approvals` lists the pending ones"));
    };
    if !settled {
        return Err(CliError::new(
            Exit::Usage,
            format!("request #{id} is no longer pending: {}", request.outcome()),
        )
        .hint("`grove approvals` lists the pending ones"));
    }
    Ok(request)
}

/// How a request was answered, in one line.
pub fn answered(request: &Approval) -> String {
    let verb = match (request.state.as_str(), request.always) {
        ("allowed", true) => "allowed for the rest of the session",
        ("allowed", false) => "allowed once",
        _ => "denied",
    };
    format!(
        "#{} {verb}: {} {}.{} {}",
        request.id,
        request.session,
        request.capability,
        request.verb,
        one_line(&request.target)
    )
}
