//! Which report a checking skill prints: its text, its JSON, or SARIF.

use crate::{Args, Error, Invocation, Result};

/// What a skill's run prints on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The summary line and the markdown report (no `--json`).
    Text,
    /// The skill's own JSON (`--json`).
    Json,
    /// SARIF 2.1.0 (`--json --sarif`), for code-scanning services.
    Sarif,
}

impl Format {
    /// Take `--json` and `--sarif` out of `args`. grove lifts `--json`
    /// itself (and prints a skill's data only then); one after `--` reaches
    /// the skill, so it is taken here too. SARIF is data, so it needs
    /// `--json`: without it, say so rather than print nothing.
    pub fn take(args: &mut Args, invocation: &Invocation, skill: &str) -> Result<Format> {
        let json = Format::take_json(args, invocation);
        let sarif = args.flag("--sarif");
        match (sarif, json) {
            (true, true) => Ok(Format::Sarif),
            (true, false) => Err(Error::invalid(format!(
                "--sarif prints SARIF on stdout as grove's JSON output: run `grove run {skill} --json --sarif`"
            ))),
            (false, true) => Ok(Format::Json),
            (false, false) => Ok(Format::Text),
        }
    }

    /// Whether the run asks for JSON, for a skill with no SARIF: grove's
    /// own `--json` (it prints a skill's data only then), or one after
    /// `--`, which is taken out of `args` rather than refused.
    pub fn take_json(args: &mut Args, invocation: &Invocation) -> bool {
        // `|`, not `||`: the flag must be taken off either way.
        invocation.json | args.flag("--json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(args: &[&str], json: bool) -> Result<Format> {
        let invocation = Invocation { json, ..Invocation::with_args(args.iter().copied()) };
        let mut args = Args::new(invocation.args.clone());
        let format = Format::take(&mut args, &invocation, "x")?;
        args.finish().map(|()| format)
    }

    #[test]
    fn json_alone() {
        for (given, json, expected) in
            [(&[][..], false, false), (&[], true, true), (&["--json"], false, true)]
        {
            let invocation = Invocation { json, ..Invocation::with_args(given.iter().copied()) };
            let mut args = Args::new(invocation.args.clone());
            assert_eq!(Format::take_json(&mut args, &invocation), expected, "{given:?} {json}");
            args.finish().unwrap();
        }
        // Taken off even when grove already lifted one.
        let invocation = Invocation { json: true, ..Invocation::with_args(["--json"]) };
        let mut args = Args::new(invocation.args.clone());
        assert!(Format::take_json(&mut args, &invocation));
        args.finish().unwrap();
    }

    #[test]
    fn json_and_sarif() {
        assert_eq!(take(&[], false).unwrap(), Format::Text);
        assert_eq!(take(&[], true).unwrap(), Format::Json);
        assert_eq!(take(&["--json"], false).unwrap(), Format::Json);
        assert_eq!(take(&["--sarif"], true).unwrap(), Format::Sarif);
        assert!(take(&["--sarif"], false).unwrap_err().message().contains("grove run x --json --sarif"));
    }
}
