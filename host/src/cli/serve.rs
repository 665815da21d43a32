//! `grove serve`: the review page, on 127.0.0.1.

use clap::Args;

use super::session::Ctx;
use super::{CliError, Exit};
use crate::paths::ServeMark;
use crate::serve::{Options, ServeError, Server};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on, on 127.0.0.1 only (default: a free one).
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
}

pub fn serve(args: ServeArgs) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let program = std::env::current_exe()
        .map_err(|e| CliError::new(Exit::Host, format!("finding grove's own binary: {e}")))?;
    let root = ctx.worktrees.root().display().to_string();
    let git_dir = ctx.worktrees.git_dir().to_path_buf();
    let options = Options { port: args.port.unwrap_or(0), program };
    super::block_on(async move {
        let server = Server::bind(ctx, options).await.map_err(|e| failure(e, args.port))?;
        // So that a run can print where its report is seen; gone when we stop.
        let _mark = ServeMark::leave(&git_dir, server.port())
            .map_err(|e| tracing::debug!("leaving the serve mark: {e}"))
            .ok();
        // The address first, alone on its line: scripts read it.
        println!("{}", server.url());
        eprintln!(
            "grove serve: the sessions of {root}; open the address above (it carries the token), Ctrl-C stops it"
        );
        tokio::select! {
            served = server.run() => served.map_err(|e| failure(e, args.port))?,
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(Exit::Ok)
    })
}

fn failure(e: ServeError, port: Option<u16>) -> CliError {
    let text = match std::error::Error::source(&e) {
        Some(source) => format!("{e}: {source}"),
        None => e.to_string(),
    };
    let error = CliError::new(Exit::Host, text);
    match (&e, port) {
        (ServeError::Bind { .. }, Some(_)) => {
            error.hint("pick another port with --port N, or leave --port out for a free one")
        }
        _ => error,
    }
}
