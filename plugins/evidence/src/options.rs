//! The command line: `grove run evidence [SCENARIO...] [--before] [--base
//! REF] [--propose] [--json]`.

use grove_sdk::prelude::*;

pub const USAGE: &str = "grove run evidence [SCENARIO...] [--before] [--base REF] [--propose] [--json]";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The scenarios to run, by file name (without `.toml`) or name; all
    /// of them when none is given.
    pub scenarios: Vec<String>,
    /// Also run them on the base commit, for before-and-after GIFs.
    pub before: bool,
    /// The base: `--base REF`, else the session's start.
    pub base: Option<String>,
    /// Ask the model for scenarios of the diff's front-end changes instead.
    pub propose: bool,
    pub json: bool,
}

impl Options {
    pub fn parse(invocation: &Invocation) -> Result<Options> {
        let mut args = Args::new(invocation.args.clone());
        let json = Format::take_json(&mut args, invocation);
        let before = args.flag("--before");
        let propose = args.flag("--propose");
        let base = args.value("--base")?;
        if base.as_deref().is_some_and(|b| b.trim().is_empty()) {
            return Err(Error::invalid("--base needs a revision, e.g. --base main"));
        }
        let mut scenarios = Vec::new();
        while let Some(name) = args.positional() {
            scenarios.push(name);
        }
        args.finish()?;
        if propose && (before || !scenarios.is_empty()) {
            return Err(Error::invalid(
                "--propose only writes scenarios (it runs none): leave out --before and scenario names",
            ));
        }
        Ok(Options { scenarios, before, base, propose, json })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options> {
        Options::parse(&Invocation::with_args(args.iter().copied()))
    }

    #[test]
    fn flags_and_scenarios() {
        let o = parse(&[]).unwrap();
        assert_eq!(o, Options { scenarios: vec![], before: false, base: None, propose: false, json: false });
        let o = parse(&["counter", "--before", "login", "--base", "main"]).unwrap();
        assert_eq!(o.scenarios, vec!["counter", "login"]);
        assert!(o.before);
        assert_eq!(o.base.as_deref(), Some("main"));
        assert!(parse(&["--propose"]).unwrap().propose);
        assert!(matches!(parse(&["--propose", "counter"]), Err(Error::Invalid(_))));
        assert!(matches!(parse(&["--propose", "--before"]), Err(Error::Invalid(_))));
        assert!(matches!(parse(&["--fast"]), Err(Error::Invalid(_))));
        assert!(matches!(parse(&["--base", ""]), Err(Error::Invalid(_))));
    }
}
