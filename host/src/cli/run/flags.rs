//! grove's run flags may stand before or after SKILL. clap parses those
//! before it; those after it arrive among the skill's arguments and are
//! lifted out here. Which tokens are grove's, and whether each takes a
//! value, is read from the clap definitions themselves, so a flag added to
//! `RunOptions` (or to `GlobalOptions`) is lifted with no other change.

use std::ffi::OsString;

use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};

use super::RunOptions;
use crate::cli::{CliError, Exit, GlobalOptions};

/// The command that parses grove's flags on their own: the run flags and
/// the global ones. A flag given twice keeps its last value, as when a
/// flag after SKILL overrides one before it.
pub(super) fn command() -> Command {
    let cmd = Command::new("grove run")
        .no_binary_name(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .args_override_self(true);
    let mut cmd = GlobalOptions::augment_args(RunOptions::augment_args(cmd));
    cmd.build();
    cmd
}

/// Which `--help` the user asked for after SKILL: `-h` is the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HelpAsked {
    Short,
    Long,
}

/// What came after SKILL, sorted out.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Split {
    /// grove's flags, with their values, in the order given.
    pub flags: Vec<OsString>,
    /// The skill's arguments.
    pub rest: Vec<String>,
    /// `-h` or `--help` stood among them.
    pub help: Option<HelpAsked>,
}

/// Sort the arguments after SKILL into grove's flags and the skill's own.
/// Stops at `--`, which is dropped; everything after it belongs to the skill.
pub(super) fn split(cmd: &Command, args: Vec<String>) -> Result<Split, CliError> {
    let mut split = Split::default();
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        match (arg.as_str(), recognize(cmd, &arg)) {
            ("--", _) => {
                split.rest.extend(it);
                break;
            }
            ("--help", None) => split.help = Some(HelpAsked::Long),
            ("-h", None) => split.help = split.help.or(Some(HelpAsked::Short)),
            (_, None) => split.rest.push(arg),
            (_, Some(Token { name, needs_next })) => {
                split.flags.push(arg.into());
                if needs_next {
                    let value = it.next().ok_or_else(|| {
                        CliError::new(Exit::Usage, format!("{name} needs a value"))
                            .hint(format!("grove run SKILL {name} VALUE"))
                    })?;
                    split.flags.push(value.into());
                }
            }
        }
    }
    Ok(split)
}

/// A token that is one of grove's flags.
struct Token {
    /// The flag as the user wrote it, without any `=VALUE`.
    name: String,
    /// Its value is the next argument.
    needs_next: bool,
}

/// Whether `token` is one of `cmd`'s flags: `--long`, `--long=VALUE`,
/// `-s`, `-sVALUE`, or several value-less shorts together (`-vv`).
fn recognize(cmd: &Command, token: &str) -> Option<Token> {
    if let Some(long) = token.strip_prefix("--") {
        let (name, inline) = match long.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (long, None),
        };
        let arg = cmd.get_arguments().find(|a| a.get_long() == Some(name))?;
        // `--json=yes` is not grove's: a flag that takes no value leaves
        // such a token to the skill.
        return match (takes_value(arg), inline) {
            (false, Some(_)) => None,
            (takes, inline) => {
                Some(Token { name: format!("--{name}"), needs_next: takes && inline.is_none() })
            }
        };
    }
    let shorts = token.strip_prefix('-').filter(|s| !s.is_empty())?;
    let short = |c: char| cmd.get_arguments().find(|a| a.get_short() == Some(c));
    let first = shorts.chars().next()?;
    let name = format!("-{first}");
    if takes_value(short(first)?) {
        return Some(Token { name, needs_next: shorts.len() == first.len_utf8() });
    }
    shorts
        .chars()
        .all(|c| short(c).is_some_and(|a| !takes_value(a)))
        .then_some(Token { name, needs_next: false })
}

fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values()
}

/// grove's flags as clap parsed them before SKILL, written back as tokens
/// so that they and those after SKILL are parsed together, once.
pub(super) fn given(cmd: &Command, matches: &ArgMatches) -> Vec<OsString> {
    let mut tokens = Vec::new();
    for arg in cmd.get_arguments() {
        let id = arg.get_id().as_str();
        if matches.value_source(id) != Some(ValueSource::CommandLine) {
            continue;
        }
        let flag = match (arg.get_long(), arg.get_short()) {
            (Some(long), _) => format!("--{long}"),
            (None, Some(short)) => format!("-{short}"),
            (None, None) => continue,
        };
        if takes_value(arg) {
            // Joined to its flag, so a value that starts with `-` stays one.
            let joiner = if arg.get_long().is_some() { "=" } else { "" };
            for value in matches.get_raw(id).into_iter().flatten() {
                let mut token = OsString::from(format!("{flag}{joiner}"));
                token.push(value);
                tokens.push(token);
            }
        } else if matches!(arg.get_action(), ArgAction::Count) {
            tokens.extend((0..matches.get_count(id)).map(|_| OsString::from(&flag)));
        } else {
            tokens.push(flag.into());
        }
    }
    tokens
}

/// Parse grove's flags: those given before SKILL, then those lifted from
/// after it.
pub(super) fn parse(
    cmd: Command,
    tokens: impl IntoIterator<Item = OsString>,
) -> Result<(RunOptions, GlobalOptions), CliError> {
    let matches = cmd.try_get_matches_from(tokens).map_err(usage)?;
    Ok((
        RunOptions::from_arg_matches(&matches).map_err(usage)?,
        GlobalOptions::from_arg_matches(&matches).map_err(usage)?,
    ))
}

/// clap's message, first line, as grove's usage error.
fn usage(e: clap::Error) -> CliError {
    let text = e.render().to_string();
    let line = text.lines().next().unwrap_or_default();
    CliError::new(Exit::Usage, line.strip_prefix("error: ").unwrap_or(line))
        .hint("`grove run --help` lists grove's run flags")
}
