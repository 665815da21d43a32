//! Variables: those set earlier on the line, those whose value changes
//! what programs load or run, and those whose name says they hold a
//! credential.

use super::Walker;
use super::call::Arg;
use super::flow::Taint;
use crate::gate::level::Level;

impl Walker<'_, '_> {
    /// A variable's value, when this line set it or it is `$HOME`.
    pub(super) fn var(&self, name: &str) -> Option<String> {
        match self.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Some(v.clone()),
            None if name == "HOME" => self.home().map(String::from),
            None => None,
        }
    }

    /// A variable set for a command (`NAME=v cmd`, `env NAME=v`, `export`):
    /// some change what programs load or run, and their value is a command.
    pub fn environment(&mut self, name: &str, value: &Arg) {
        if !(HIJACKING_VARIABLES.contains(&name) || name.starts_with("GIT_CONFIG")) {
            return;
        }
        // `GIT_PAGER=cat`: a command line, judged as one; other variables
        // (`LD_PRELOAD`, `GIT_CONFIG_*`) change what runs in ways no line shows.
        if RUNS_ITS_VALUE.contains(&name) && value.known {
            self.nested_line(value.text.trim_start_matches(['|', '!']), name);
        } else {
            self.a.raise(Level::High, "env.hijack", format!("`{name}=…` changes what programs load or run"));
            if value.known && name.starts_with("GIT_CONFIG") {
                self.nested_line(value.text.trim_start_matches(['|', '!']), name);
            }
        }
    }

    pub(super) fn var_taint(&self, name: &str) -> Taint {
        self.var_taints.iter().rev().find(|(n, _)| n == name).map_or(Taint::default(), |(_, t)| *t)
    }

    /// Remember `NAME=value` for the rest of the line; a value not known
    /// forgets any earlier one.
    pub fn set_var(&mut self, name: &str, value: Option<String>) {
        self.vars.retain(|(n, _)| n != name);
        if let Some(v) = value {
            self.vars.push((name.to_string(), v));
        }
    }
}

/// Variables whose value is a command line some program runs.
const RUNS_ITS_VALUE: &[&str] = &[
    "GIT_SSH_COMMAND",
    "GIT_EXTERNAL_DIFF",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_PAGER",
    "GIT_ASKPASS",
    "LESSOPEN",
    "LESSCLOSE",
    "PROMPT_COMMAND",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "SHELL",
];

/// Variables that change what a program loads or runs.
const HIJACKING_VARIABLES: &[&str] = &[
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "LD_AUDIT",
    "DYLD_INSERT_LIBRARIES",
    "BASH_ENV",
    "ENV",
    "PROMPT_COMMAND",
    "GIT_SSH_COMMAND",
    "GIT_SSH",
    "GIT_EXEC_PATH",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_CONFIG_GLOBAL",
    "GIT_ASKPASS",
    "NODE_OPTIONS",
    "PYTHONSTARTUP",
    "PERL5OPT",
    "RUBYOPT",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "GIT_EXTERNAL_DIFF",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_PAGER",
    "LESSOPEN",
    "LESSCLOSE",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "RUSTC",
    "MAKEFLAGS",
    "SHELL",
    "PYTHONPATH",
    "NODE_PATH",
];

/// A variable whose name says it holds a credential (`$GITHUB_TOKEN`,
/// `$AWS_SECRET_ACCESS_KEY`, `$DB_PASSWORD`).
pub fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "ACCESS_KEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
        "AUTH",
        "COOKIE",
        "SESSION",
        "KUBECONFIG",
    ]
    .iter()
    .any(|k| upper.contains(k))
}
