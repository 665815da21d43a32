//! The command line: `grove run designer-check [--base REF] [--no-pictures] [--challenge] [--json]`.

use grove_sdk::prelude::*;

pub const USAGE: &str = "grove run designer-check [--base REF] [--no-pictures] [--challenge] [--json]";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub json: bool,
    /// Check the changes since this revision rather than the default
    /// (a session's start, or HEAD).
    pub base: Option<String>,
    /// Leave out the pictures of changed pages (taken when `[evidence]`
    /// says how the app is served).
    pub no_pictures: bool,
    /// For design changes nobody signed off, start a session that drafts
    /// a different design for the same change.
    pub challenge: bool,
}

impl Options {
    pub fn parse(invocation: &Invocation) -> Result<Options> {
        let mut args = Args::new(invocation.args.clone());
        let json = Format::take_json(&mut args, invocation);
        let base = args.value("--base")?;
        let no_pictures = args.flag("--no-pictures");
        let challenge = args.flag("--challenge");
        args.finish()?;
        Ok(Options { json, base, no_pictures, challenge })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options> {
        Options::parse(&Invocation::with_args(args.iter().copied()))
    }

    #[test]
    fn flags() {
        assert_eq!(
            parse(&[]).unwrap(),
            Options { json: false, base: None, no_pictures: false, challenge: false }
        );
        assert_eq!(
            parse(&["--base", "main", "--json", "--no-pictures", "--challenge"]).unwrap(),
            Options { json: true, base: Some("main".into()), no_pictures: true, challenge: true }
        );
        assert!(matches!(parse(&["--strict"]), Err(Error::Invalid(_))));
        assert!(matches!(parse(&["--base"]), Err(Error::Invalid(_))));
    }
}
