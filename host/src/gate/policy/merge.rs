//! Merging the layers: the enterprise layer locks keys, the user layer may
//! widen, the project layer can only narrow. Whatever a layer may not do is
//! dropped with a warning, never an error: a hostile repository must not be
//! able to stop grove by writing a policy that asks for too much.

use std::time::Duration;

use super::Requirement;
use super::file::{Entry, HostsTable, LayerFile};
use super::{HostEntry, HostPattern, Key, Layer, Policy, Setting, Warning};
use crate::gate::mode::{Mode, Verdict};

pub(super) fn merge(mut files: Vec<LayerFile>) -> Policy {
    files.sort_by_key(|f| f.layer);
    let mut m = Merge { policy: Policy::builtin() };
    for f in &mut files {
        if let Some(locked) = f.locked.take() {
            m.lock(f.layer, locked);
        }
    }
    for f in files {
        m.layer(f);
    }
    m.policy
}

struct Merge {
    policy: Policy,
}

impl Merge {
    fn warn<T>(&mut self, at: &Entry<T>, message: String) {
        self.policy.warnings.push(Warning { origin: at.origin.clone(), column: at.column, message });
    }

    fn lock(&mut self, layer: Layer, locked: Entry<Vec<Key>>) {
        if layer != Layer::Enterprise {
            self.warn(&locked, "`locked` is honored only in the enterprise policy; ignored".into());
            return;
        }
        for &key in &locked.value {
            if !self.policy.locked.iter().any(|(k, _)| *k == key) {
                self.policy.locked.push((key, locked.origin.clone()));
            }
        }
    }

    /// Whether `layer` may set `key`; warns when it may not.
    fn may_set<T>(&mut self, layer: Layer, key: Key, at: &Entry<T>) -> bool {
        if layer == Layer::Enterprise {
            return true;
        }
        let Some((_, by)) = self.policy.locked.iter().find(|(k, _)| *k == key) else { return true };
        let message = format!("`{key}` is locked by {by}; ignored");
        self.warn(at, message);
        false
    }

    fn layer(&mut self, f: LayerFile) {
        let layer = f.layer;
        let ceiling_above = self.policy.max_mode.clone();
        if let Some(e) = f.max_mode
            && self.may_set(layer, Key::MaxMode, &e)
        {
            self.max_mode(e, &ceiling_above);
        }
        if let Some(e) = f.default_mode
            && self.may_set(layer, Key::DefaultMode, &e)
        {
            self.default_mode(layer, e, &ceiling_above);
        }
        if let Some(e) = f.approval_timeout
            && self.may_set(layer, Key::ApprovalTimeout, &e)
            && self.policy.approval_timeout.origin.is_none()
        {
            self.policy.approval_timeout =
                Setting { value: Duration::from_secs(e.value), origin: Some(e.origin) };
        }
        if let Some(e) = f.sandbox
            && self.may_set(layer, Key::Sandbox, &e)
        {
            self.sandbox(layer, e);
        }
        if let Some(HostsTable { at, allow, deny }) = f.hosts
            && self.may_set(layer, Key::Hosts, &at)
        {
            let entry = |e: Entry<HostPattern>| HostEntry { pattern: e.value, origin: e.origin };
            self.policy.hosts.deny.extend(deny.into_iter().map(entry));
            for e in allow {
                if layer == Layer::Project {
                    let message = format!(
                        "hosts.allow \"{}\" ignored: a repository's policy can deny hosts, not allow them",
                        e.value.as_str()
                    );
                    self.warn(&e, message);
                } else {
                    self.policy.hosts.allow.push(entry(e));
                }
            }
        }
        for rule in f.rules {
            if !self.may_set(layer, Key::Rules, &rule) {
                continue;
            }
            if layer == Layer::Project && rule.value.verdict == Verdict::Allow {
                let message = "allow rule ignored: a repository's policy can only ask or deny".to_string();
                self.warn(&rule, message);
                continue;
            }
            self.policy.rules.push(rule.value);
        }
    }

    /// The ceiling is the minimum of every layer's: one above it is moot.
    fn max_mode(&mut self, e: Entry<Mode>, above: &Setting<Mode>) {
        if e.value > above.value {
            let message = format!(
                "max_mode = \"{}\" is above \"{}\", {}; ignored",
                e.value,
                above.value,
                permits(above)
            );
            self.warn(&e, message);
        } else if e.value < above.value {
            self.policy.max_mode = Setting { value: e.value, origin: Some(e.origin) };
        }
    }

    /// The first layer that sets `sandbox` decides, and a later one may
    /// only make it stricter: a user cannot loosen what the enterprise
    /// requires, nor a repository what the user or grove does.
    fn sandbox(&mut self, layer: Layer, e: Entry<Requirement>) {
        let current = &self.policy.sandbox;
        let may_loosen = current.origin.is_none() && layer != Layer::Project;
        if may_loosen || e.value.stricter_than(current.value) {
            self.policy.sandbox = Setting { value: e.value, origin: Some(e.origin) };
        } else if e.value != current.value {
            let by = current.origin.as_ref().map_or_else(String::new, |o| format!(" by {o}"));
            let message = format!(
                "sandbox = \"{}\" ignored: \"{}\" is required{by}",
                e.value.as_str(),
                current.value.as_str()
            );
            self.warn(&e, message);
        }
    }

    /// The first layer that sets a default mode wins, capped by the
    /// ceiling. A project's default may only lower what it would get.
    fn default_mode(&mut self, layer: Layer, e: Entry<Mode>, ceiling_above: &Setting<Mode>) {
        if layer == Layer::Project {
            let given = self.policy.default_mode.value.min(ceiling_above.value);
            if e.value > given {
                let message = format!(
                    "default_mode = \"{}\" ignored: a repository's policy cannot raise the default mode above \"{given}\"",
                    e.value
                );
                self.warn(&e, message);
                return;
            }
        }
        if self.policy.default_mode.origin.is_some() {
            return;
        }
        let ceiling = self.policy.max_mode.clone();
        if e.value > ceiling.value {
            let message = format!(
                "default_mode = \"{}\" is above \"{}\", {}; \"{}\" is used",
                e.value,
                ceiling.value,
                permits(&ceiling),
                ceiling.value
            );
            self.warn(&e, message);
        }
        self.policy.default_mode = Setting { value: e.value, origin: Some(e.origin) };
    }
}

fn permits(ceiling: &Setting<Mode>) -> String {
    match &ceiling.origin {
        Some(o) => format!("the most {o} permits"),
        None => "the most grove permits".into(),
    }
}
