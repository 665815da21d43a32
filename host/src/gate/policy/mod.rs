//! The layered policy: what an administrator, the user and the repository
//! say about modes, hosts and actions.
//!
//! Layers, strongest first: enterprise ▸ user ▸ project ▸ built-in
//! defaults. The enterprise layer may lock keys; the user layer may allow;
//! the project layer (a repository's own `.grove/policy.toml`, read from
//! its main checkout for every worktree, sessions' included; possibly
//! hostile) can only narrow: its allow rules, allowed hosts and any mode
//! above what the layers over it give are ignored, with a warning. Every
//! value remembers the file and line it came from.

mod error;
mod file;
mod hosts;
mod key;
mod layer;
mod location;
mod merge;
mod requirement;
mod rule;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use error::{PolicyError, Problem, Warning};
pub use hosts::{HostEntry, HostPattern, HostVerdict, Hosts};
pub use key::Key;
pub use layer::{Layer, Origin, enterprise_path, main_checkout, project_path, read, user_path};
pub use location::Location;
pub use requirement::Requirement;
pub use rule::{CAPABILITIES, CommandPrefix, Matches, PathPattern, Query, Rule, names_skill};

use crate::gate::mode::Mode;

/// How long a queued approval waits before it is denied, unless a layer says.
pub const DEFAULT_APPROVAL_TIMEOUT: Duration = Duration::from_secs(600);

/// A value of the effective policy and the layer that set it (`None`: the
/// built-in default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Option<Origin>,
}

/// The mode a run gets: what was asked (or the default), capped by the
/// ceiling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeChoice {
    pub mode: Mode,
    /// What was asked for with `--mode`, or the default mode before capping.
    pub asked: Mode,
    /// The layer whose `max_mode` lowered `asked` to `mode`.
    pub capped_by: Option<Origin>,
}

/// The effective policy of every layer, merged.
#[derive(Debug, Clone)]
pub struct Policy {
    files: Vec<(Layer, PathBuf)>,
    max_mode: Setting<Mode>,
    default_mode: Setting<Mode>,
    approval_timeout: Setting<Duration>,
    sandbox: Setting<Requirement>,
    locked: Vec<(Key, Origin)>,
    hosts: Hosts,
    rules: Vec<Rule>,
    warnings: Vec<Warning>,
}

/// Every problem and warning of a set of layers, for `grove policy check`.
#[derive(Debug, Default)]
pub struct Report {
    pub errors: Vec<PolicyError>,
    pub warnings: Vec<Warning>,
}

impl Policy {
    /// No layers: ceiling bypass, default auto, no rules, no hosts.
    pub fn builtin() -> Policy {
        Policy {
            files: Vec::new(),
            max_mode: Setting { value: Mode::Bypass, origin: None },
            default_mode: Setting { value: Mode::Auto, origin: None },
            approval_timeout: Setting { value: DEFAULT_APPROVAL_TIMEOUT, origin: None },
            sandbox: Setting { value: Requirement::Required, origin: None },
            locked: Vec::new(),
            hosts: Hosts::default(),
            rules: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The layers that apply to the worktree at `root`, from their usual
    /// places (see [`Layer::path`]: the project layer of a linked worktree
    /// is the main checkout's). A missing file is an absent layer; an
    /// error in any present one fails the whole load.
    pub fn load(root: &Path) -> Result<Policy, PolicyError> {
        Policy::load_files(Layer::ALL.into_iter().filter_map(|layer| Some((layer, layer.path(root)?))))
    }

    /// The policy of the given files, those that exist, each read as its
    /// layer.
    pub fn load_files(files: impl IntoIterator<Item = (Layer, PathBuf)>) -> Result<Policy, PolicyError> {
        let mut layers = Vec::with_capacity(3);
        for (layer, file) in files {
            if let Some(text) = read(&file)? {
                layers.push((layer, file, text));
            }
        }
        Policy::from_layers(layers)
    }

    /// The policy of the given files, each read as the given layer; the
    /// first error in any of them fails it.
    pub fn from_layers(layers: Vec<(Layer, PathBuf, String)>) -> Result<Policy, PolicyError> {
        let (policy, errors) = build(layers);
        match errors.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(policy),
        }
    }

    /// The mode for a run: `requested` (from `--mode`) or the default,
    /// capped by the ceiling.
    pub fn mode(&self, requested: Option<Mode>) -> ModeChoice {
        let asked = requested.unwrap_or(self.default_mode.value);
        if asked > self.max_mode.value {
            ModeChoice { mode: self.max_mode.value, asked, capped_by: self.max_mode.origin.clone() }
        } else {
            ModeChoice { mode: asked, asked, capped_by: None }
        }
    }

    /// The most permissive mode any run may use: the minimum of the layers'.
    pub fn max_mode(&self) -> &Setting<Mode> {
        &self.max_mode
    }

    /// The default mode as set, before the ceiling caps it (see [`Policy::mode`]).
    pub fn default_mode(&self) -> &Setting<Mode> {
        &self.default_mode
    }

    /// What happens to programs where the machine offers no sandbox.
    pub fn sandbox(&self) -> &Setting<Requirement> {
        &self.sandbox
    }

    pub fn approval_timeout(&self) -> &Setting<Duration> {
        &self.approval_timeout
    }

    /// The rules matching `q`: the first per verdict, strongest layer first.
    pub fn matching(&self, q: &Query<'_>) -> Matches<'_> {
        rule::matching(&self.rules, q)
    }

    /// What the host lists say about `host`; a deny in any layer wins.
    pub fn host(&self, host: &str) -> HostVerdict<'_> {
        self.hosts.verdict(host)
    }

    /// The rules in force, strongest layer first, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn hosts(&self) -> &Hosts {
        &self.hosts
    }

    /// The keys the enterprise layer locks, and where.
    pub fn locked(&self) -> &[(Key, Origin)] {
        &self.locked
    }

    /// Entries that were valid but ignored: a project widening, a locked key.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The files that were read, strongest layer first.
    pub fn files(&self) -> &[(Layer, PathBuf)] {
        &self.files
    }
}

/// Check the given layers: every error of every file (not just the first)
/// and every warning.
pub fn check_layers(layers: Vec<(Layer, PathBuf, String)>) -> Report {
    let (policy, errors) = build(layers);
    Report { errors, warnings: policy.warnings }
}

/// Parse every layer, keeping what is valid, and merge.
fn build(mut layers: Vec<(Layer, PathBuf, String)>) -> (Policy, Vec<PolicyError>) {
    layers.sort_by_key(|(layer, ..)| *layer);
    let mut errors = Vec::new();
    let mut parsed = Vec::with_capacity(layers.len());
    let mut files = Vec::with_capacity(layers.len());
    for (layer, file, text) in layers {
        if let Some(f) = file::parse(layer, &file, &text, &mut errors) {
            parsed.push(f);
        }
        files.push((layer, file));
    }
    let mut policy = merge::merge(parsed);
    policy.files = files;
    (policy, errors)
}
