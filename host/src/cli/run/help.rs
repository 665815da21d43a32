//! `grove run SKILL --help`: the skill's own usage, as its manifest gives
//! it, then grove's run flags. `grove run --help` is clap's.

use std::fmt::Write;

use clap::{Args, Command};

use super::flags::HelpAsked;
use super::{RunOptions, invoke_error};
use crate::cli::{CliError, Exit};
use crate::skill::invoke::InvokeError;
use crate::skill::source;
use crate::transcript::sanitize;

pub(super) fn skill_help(skill: &str, asked: HelpAsked) -> Result<Exit, CliError> {
    let found = source::resolve(skill).map_err(|e| invoke_error(InvokeError::Source(e)))?;
    let mut out = String::new();
    let usage = match &found.info.manifest {
        Some(m) => {
            let _ =
                writeln!(out, "{} {}: {}\n", sanitize(&m.name), sanitize(&m.version), sanitize(&m.summary));
            m.usage.clone()
        }
        None => {
            let _ = writeln!(out, "{} (no grove:manifest section)\n", sanitize(&found.name));
            String::new()
        }
    };
    let usage = if usage.is_empty() { format!("grove run {skill} [ARGS]...") } else { usage };
    let _ = writeln!(out, "Usage: {}\n", sanitize(&usage));
    let _ = writeln!(out, "grove's run flags, before or after {skill} (`--` ends them):");
    let mut flags = RunOptions::augment_args(Command::new("grove run"))
        .disable_help_flag(true)
        .disable_version_flag(true)
        .max_term_width(100)
        .help_template("{options}");
    let flags = match asked {
        HelpAsked::Short => flags.render_help(),
        HelpAsked::Long => flags.render_long_help(),
    };
    out.push_str(flags.to_string().trim_end());
    println!("{out}");
    Ok(Exit::Ok)
}
