//! `stats`: what a repository is made of and how it is built. Files and
//! lines by language, churn from the git history, and the build and test
//! commands its toolchains use, with their installed versions.

mod census;
mod churn;
mod languages;
mod lines;
mod report;
mod toolchains;

use std::collections::BTreeSet;

use grove_sdk::prelude::*;
use grove_sdk::scope::Scope;

use report::Report;

const DEFAULT_TOP: u64 = 10;
const DEFAULT_COMMITS: u64 = 500;
/// The host walks at most this many commits per `git::log`.
const MAX_COMMITS: u64 = 10_000;

struct Stats;

impl Skill for Stats {
    const MANIFEST: Manifest = Manifest::new(
        "stats",
        "Files and lines by language, churn from git history, and the build and test commands this repository uses",
    )
    .usage("grove run stats [--json] [--top N] [--since-commits N] [PATH]")
    .permissions(&[permission::WORKSPACE_READ, permission::GIT_READ, permission::PROCESS]);

    fn run(invocation: Invocation) -> Result<Outcome> {
        let options = Options::parse(&invocation)?;
        let scope = Scope::resolve(&invocation.cwd, options.path.as_deref())?;
        scope.check_exists()?;

        let files = workspace::glob(&scope.glob())?;
        let census = census::take(&files);
        let history = churn::collect(&scope, options.commits, options.top);
        let mut toolchains =
            toolchains::detect(&top_level(&scope, files.iter().map(|f| f.path.as_str())), |name| {
                workspace::read_text(&scope.join(name)).ok()
            });
        toolchains::check_versions(&mut toolchains, scope.as_option());

        let report = Report { root: scope.display().to_string(), census, history, toolchains };
        let mut outcome = Outcome::ok(report.summary()).with_report(report.markdown());
        if options.json {
            outcome = outcome.with_data(report.json());
        }
        Ok(outcome)
    }
}

grove_sdk::export!(Stats);

/// What the user asked for.
struct Options {
    json: bool,
    top: usize,
    commits: u32,
    path: Option<String>,
}

impl Options {
    fn parse(invocation: &Invocation) -> Result<Options> {
        let mut args = Args::new(invocation.args.clone());
        let json = Format::take_json(&mut args, invocation);
        let top = args.number("--top")?.unwrap_or(DEFAULT_TOP);
        let commits = args.number("--since-commits")?.unwrap_or(DEFAULT_COMMITS);
        let path = args.positional();
        args.finish()?;
        if top == 0 {
            return Err(Error::invalid("--top must be at least 1"));
        }
        if !(1..=MAX_COMMITS).contains(&commits) {
            return Err(Error::invalid(format!("--since-commits must be between 1 and {MAX_COMMITS}")));
        }
        Ok(Options { json, top: top as usize, commits: commits as u32, path })
    }
}

/// Names of the files directly in the scope folder: where build files live.
fn top_level<'f>(scope: &Scope, files: impl IntoIterator<Item = &'f str>) -> BTreeSet<&'f str> {
    files.into_iter().filter_map(|f| scope.relative(f)).filter(|name| !name.contains('/')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options> {
        Options::parse(&Invocation::with_args(args.iter().copied()))
    }

    #[test]
    fn options_have_defaults_and_checks() {
        let o = parse(&[]).unwrap();
        assert_eq!((o.json, o.top, o.commits, o.path), (false, 10, 500, None));
        let o = parse(&["--top", "3", "host", "--since-commits=20", "--json"]).unwrap();
        assert_eq!((o.json, o.top, o.commits, o.path.as_deref()), (true, 3, 20, Some("host")));
        for bad in
            [&["--top", "x"][..], &["--top", "0"], &["--since-commits", "0"], &["--frobnicate"], &["a", "b"]]
        {
            assert!(matches!(parse(bad), Err(Error::Invalid(_))), "{bad:?}");
        }
    }

    #[test]
    fn top_level_names_are_relative_to_the_scope() {
        let files = ["Cargo.toml", "host/Cargo.toml", "host/src/main.rs"].map(String::from);
        let root = Scope::resolve("", None).unwrap();
        assert_eq!(top_level(&root, files.iter().map(String::as_str)), BTreeSet::from(["Cargo.toml"]));
        let host = Scope::resolve("", Some("host")).unwrap();
        assert_eq!(top_level(&host, files.iter().map(String::as_str)), BTreeSet::from(["Cargo.toml"]));
    }
}
