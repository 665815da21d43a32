//! The command line: `grove run code-review [--base REF] [--strict]
//! [--model] [--post] [--json [--sarif]]`.

use grove_sdk::Format;
use grove_sdk::prelude::*;

pub const USAGE: &str = "grove run code-review [--base REF] [--strict] [--model] [--post] [--json [--sarif]]";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub format: Format,
    /// Review the changes since this revision rather than the default
    /// (a session's start, or HEAD).
    pub base: Option<String>,
    /// Fail on warnings too.
    pub strict: bool,
    /// Ask the deep model tier for a review of its own beside the rules.
    pub model: bool,
    /// Post the findings on the branch's open pull request.
    pub post: bool,
}

impl Options {
    pub fn parse(invocation: &Invocation) -> Result<Options> {
        let mut args = Args::new(invocation.args.clone());
        let format = Format::take(&mut args, invocation, "code-review")?;
        let strict = args.flag("--strict");
        let model = args.flag("--model");
        let post = args.flag("--post");
        let base = args.value("--base")?;
        args.finish()?;
        Ok(Options { format, base, strict, model, post })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str], json: bool) -> Result<Options> {
        Options::parse(&Invocation { json, ..Invocation::with_args(args.iter().copied()) })
    }

    #[test]
    fn flags() {
        let plain = Options { format: Format::Text, base: None, strict: false, model: false, post: false };
        assert_eq!(parse(&[], false).unwrap(), plain);
        let o = parse(&["--base", "main", "--strict"], true).unwrap();
        assert_eq!(
            o,
            Options { format: Format::Json, base: Some("main".into()), strict: true, ..plain.clone() }
        );
        assert_eq!(parse(&["--sarif"], true).unwrap().format, Format::Sarif);
        assert_eq!(
            parse(&["--json", "--sarif", "--base=HEAD~2"], false).unwrap().base.as_deref(),
            Some("HEAD~2")
        );
        let o = parse(&["--model", "--post"], false).unwrap();
        assert!(o.model && o.post);
        for bad in [&["--sarif"][..], &["--base"], &["--frobnicate"], &["extra"]] {
            assert!(matches!(parse(bad, false), Err(Error::Invalid(_))), "{bad:?}");
        }
    }
}
