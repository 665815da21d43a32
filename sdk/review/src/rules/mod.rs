//! The deterministic rules, and the catalog of every rule id they use
//! (SARIF lists it as the tool's rules).

mod debug;
mod entropy;
mod files;
mod lang;
mod lockfiles;
mod placeholder;
mod secrets;
mod tests_missing;
mod text;

use crate::input::Changes;
use crate::review::{Finding, Reviewer, Severity};

/// One rule: its id, its usual severity and what it is about.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub id: &'static str,
    pub severity: Severity,
    pub description: &'static str,
}

const fn rule(id: &'static str, severity: Severity, description: &'static str) -> RuleInfo {
    RuleInfo { id, severity, description }
}

use Severity::{Error, Info, Warning};

/// Every rule id a finding can carry.
pub const CATALOG: &[RuleInfo] = &[
    rule(secrets::AWS_KEY_ID, Error, "An AWS access key id"),
    rule(secrets::AWS_SECRET, Error, "An AWS secret access key"),
    rule(secrets::GITHUB, Error, "A GitHub token"),
    rule(secrets::SLACK, Error, "A Slack token"),
    rule(secrets::SLACK_WEBHOOK, Error, "A Slack incoming-webhook URL"),
    rule(secrets::STRIPE, Error, "A live Stripe secret key"),
    rule(secrets::GOOGLE, Error, "A Google API key"),
    rule(secrets::OPENAI, Error, "An OpenAI API key"),
    rule(secrets::ANTHROPIC, Error, "An Anthropic API key"),
    rule(secrets::PRIVATE_KEY, Error, "A private key"),
    rule(secrets::JWT, Error, "A JSON Web Token"),
    rule(secrets::ASSIGNMENT, Error, "A password, token or key set to a literal value"),
    rule(secrets::URL_CREDENTIALS, Warning, "A URL with a password in it"),
    rule(entropy::HIGH_ENTROPY, Warning, "A long random-looking string: possibly a secret"),
    rule(debug::CONSOLE, Warning, "A console.log-style debug print"),
    rule(debug::DEBUGGER, Warning, "A debugger statement or breakpoint"),
    rule(debug::DBG, Warning, "A dbg! macro"),
    rule(debug::PRINT, Info, "A print in library code"),
    rule(debug::TODO, Info, "A TODO, FIXME or XXX comment"),
    rule(files::LARGE, Warning, "A file larger than 1 MiB added"),
    rule(files::BINARY, Info, "A binary file added"),
    rule(tests_missing::RULE, Warning, "Code changed with no test changed"),
    rule(lockfiles::RULE, Warning, "A lockfile changed without its manifest"),
    rule(lang::RUST_UNWRAP, Info, "unwrap() added outside tests"),
    rule(lang::RUST_UNSAFE, Warning, "unsafe code added"),
    rule(lang::JS_EVAL, Warning, "eval or new Function added"),
    rule(lang::PY_BARE_EXCEPT, Warning, "A bare except:"),
    rule(lang::SHELL_PIPE, Warning, "A download piped into a shell"),
];

/// The deterministic rules as one reviewer.
#[derive(Debug, Default)]
pub struct Rules;

impl Reviewer for Rules {
    fn review(&self, changes: &Changes<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for file in &changes.files {
            // One pass over the added lines: each is read once for all.
            let library = debug::prints_are_debugging(file.path(), file.lang);
            for added in file.added() {
                let view = text::View::new(file.lang, added);
                secrets::check_line(file, &view, &mut out);
                debug::check_line(file, &view, library, &mut out);
                lang::check_line(file, &view, &mut out);
            }
            files::check(file, &mut out);
        }
        tests_missing::check(changes, &mut out);
        lockfiles::check(changes, &mut out);
        out
    }
}

#[cfg(test)]
pub mod testing {
    //! Run the rules over a diff written as text.

    use super::*;

    /// Every finding of the rules on `diff_text`, sizes unknown.
    pub fn findings(diff_text: &str) -> Vec<Finding> {
        let diff = grove_diff::parse(diff_text);
        let changes = Changes::new(&diff, |_| None);
        Rules.review(&changes)
    }

    /// The (rule, line) of each finding on `diff_text`.
    pub fn hits(diff_text: &str) -> Vec<(&'static str, Option<u32>)> {
        findings(diff_text).into_iter().map(|f| (f.rule, f.line)).collect()
    }

    /// The rules hit by the lines of a new file `path` holding `text`,
    /// minus those about files or the whole diff (missing tests, lockfiles).
    pub fn line_hits(path: &str, text: &str) -> Vec<(&'static str, u32)> {
        findings(&crate::input::fixtures::new_file(path, text))
            .into_iter()
            .filter(|f| f.rule != tests_missing::RULE && f.rule != lockfiles::RULE)
            .filter_map(|f| Some((f.rule, f.line?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_ids_are_unique_and_namespaced() {
        let mut ids: Vec<_> = CATALOG.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CATALOG.len());
        assert!(CATALOG.iter().all(|r| r.id.contains('/')));
    }
}
