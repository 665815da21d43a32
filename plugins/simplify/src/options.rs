//! The command line: `grove run simplify [--json] [--sarif] [--min-lines N]
//! [--min-tokens N] [--max-lines N] [--max-depth N] [--diff [BASE]] [PATH]`.

use grove_sdk::Format;
use grove_sdk::prelude::*;

use grove_simplify::findings::Thresholds;

pub const USAGE: &str = "grove run simplify [--json] [--sarif] [--min-lines N] [--min-tokens N] \
                         [--max-lines N] [--max-depth N] [PATH] [--diff [BASE]]";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub format: Format,
    pub thresholds: Thresholds,
    /// Report only findings in files changed against this base: `Some(None)`
    /// for the worktree against HEAD.
    pub diff: Option<Option<String>>,
    /// The folder to scan, as typed (relative to where grove ran).
    pub path: Option<String>,
}

impl Options {
    pub fn parse(invocation: &Invocation) -> Result<Options> {
        let (diff, rest) = take_diff(&invocation.args)?;
        let mut args = Args::new(rest);
        let format = Format::take(&mut args, invocation, "simplify")?;
        let defaults = Thresholds::default();
        let thresholds = Thresholds {
            min_lines: bounded(&mut args, "--min-lines", defaults.min_lines, 1)?,
            min_tokens: bounded(&mut args, "--min-tokens", defaults.min_tokens, 5)?,
            max_lines: bounded(&mut args, "--max-lines", defaults.max_lines, 1)?,
            max_depth: bounded(&mut args, "--max-depth", defaults.max_depth, 1)?,
        };
        let path = args.positional();
        args.finish()?;
        Ok(Options { format, thresholds, diff, path })
    }
}

/// `--name N`, at least `min`, at most a million.
fn bounded(args: &mut Args, name: &str, default: u32, min: u32) -> Result<u32> {
    const MAX: u64 = 1_000_000;
    match args.number(name)? {
        None => Ok(default),
        Some(n) if (min as u64..=MAX).contains(&n) => Ok(n as u32),
        Some(n) => Err(Error::invalid(format!("{name} must be between {min} and {MAX}, not {n}"))),
    }
}

/// Take `--diff`, `--diff BASE` or `--diff=BASE` out of the arguments.
/// The word after a bare `--diff` is its BASE unless it is a flag: give
/// PATH before `--diff`, or write `--diff=BASE`.
fn take_diff(args: &[String]) -> Result<(Option<Option<String>>, Vec<String>)> {
    let mut diff = None;
    let mut rest = Vec::with_capacity(args.len());
    let mut items = args.iter().peekable();
    while let Some(arg) = items.next() {
        if let Some(base) = arg.strip_prefix("--diff=") {
            if base.is_empty() {
                return Err(Error::invalid("--diff= needs a base revision, e.g. --diff=main"));
            }
            diff = Some(Some(base.to_string()));
        } else if arg == "--diff" {
            let base = items.next_if(|next| !next.starts_with('-')).cloned();
            diff = Some(base);
        } else {
            rest.push(arg.clone());
        }
    }
    Ok((diff, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str], json: bool) -> Result<Options> {
        Options::parse(&Invocation { json, ..Invocation::with_args(args.iter().copied()) })
    }

    #[test]
    fn defaults_and_flags() {
        let o = parse(&[], false).unwrap();
        assert_eq!(o.format, Format::Text);
        assert_eq!(o.thresholds, Thresholds { min_lines: 5, min_tokens: 50, max_lines: 80, max_depth: 4 });
        assert_eq!((o.diff, o.path), (None, None));

        let o = parse(
            &["src", "--min-lines", "3", "--min-tokens=30", "--max-lines", "40", "--max-depth", "2"],
            true,
        )
        .unwrap();
        assert_eq!(o.format, Format::Json);
        assert_eq!(o.thresholds, Thresholds { min_lines: 3, min_tokens: 30, max_lines: 40, max_depth: 2 });
        assert_eq!(o.path.as_deref(), Some("src"));
        assert_eq!(parse(&["--sarif"], true).unwrap().format, Format::Sarif);
        assert_eq!(parse(&["--json", "--sarif"], false).unwrap().format, Format::Sarif);
    }

    #[test]
    fn diff_takes_an_optional_base() {
        assert_eq!(parse(&["--diff"], false).unwrap().diff, Some(None));
        assert_eq!(parse(&["--diff", "main"], false).unwrap().diff, Some(Some("main".into())));
        let o = parse(&["src", "--diff", "--json"], false).unwrap();
        assert_eq!((o.diff, o.path.as_deref(), o.format), (Some(None), Some("src"), Format::Json));
        let o = parse(&["--diff=HEAD~2", "lib"], false).unwrap();
        assert_eq!((o.diff, o.path.as_deref()), (Some(Some("HEAD~2".into())), Some("lib")));
    }

    #[test]
    fn bad_input_is_invalid() {
        for bad in [
            &["--min-lines", "x"][..],
            &["--min-lines", "0"],
            &["--min-tokens", "2"],
            &["--max-depth", "-1"],
            &["--max-lines"],
            &["--frobnicate"],
            &["a", "b"],
            &["--diff="],
            &["--sarif"],
        ] {
            assert!(matches!(parse(bad, false), Err(Error::Invalid(_))), "{bad:?}");
        }
    }
}
