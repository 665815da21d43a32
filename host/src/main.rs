//! The `grove` binary: parse arguments, set up tracing, run, exit.

use std::process::ExitCode;

use clap::Parser;
use grove::cli::{self, Cli, Exit};

fn main() -> ExitCode {
    // A program's sandbox is built by this binary re-run as its init:
    // before any thread, runtime or tracing exists.
    grove::sandbox::init_if_requested();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(mut e) => {
            cli::closest_suggestion(&mut e);
            let code = if e.use_stderr() { Exit::Usage } else { Exit::Ok };
            let _ = e.print();
            return code.into();
        }
    };
    init_tracing(cli.global.verbose);
    cli::run(cli)
}

/// grove's own diagnostics go to stderr: warnings by default, more with
/// `-vv`, or exactly what `GROVE_LOG` (an env-filter directive) asks for.
fn init_tracing(verbose: u8) {
    use tracing_subscriber::filter::LevelFilter;
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_target(false).without_time();
    match std::env::var(grove::env::GROVE_LOG) {
        Ok(directive) => builder.with_env_filter(tracing_subscriber::EnvFilter::new(directive)).init(),
        Err(_) => {
            let level = match verbose {
                0 | 1 => LevelFilter::WARN,
                2 => LevelFilter::DEBUG,
                _ => LevelFilter::TRACE,
            };
            builder.with_max_level(level).init()
        }
    }
}
