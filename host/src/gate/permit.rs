//! What the gate answers: a permit for the work, or a refusal.
//!
//! A [`Permit`] can only be made here, by a check that allowed the action,
//! and the handles that do the work (the workspace directory, the process
//! spawner, the model client) are reached only by showing one. A capability
//! that forgets the gate does not compile.

use std::path::PathBuf;

use super::{Action, Permission, clip};

/// Proof that the gate allowed an action needing `permission`. Neither
/// `Clone` nor constructible outside the gate: one check, one piece of work.
#[derive(Debug)]
pub struct Permit {
    permission: Permission,
}

impl Permit {
    pub(super) fn new(permission: Permission) -> Permit {
        Permit { permission }
    }

    /// The permission the allowed action needed.
    pub fn permission(&self) -> Permission {
        self.permission
    }

    /// A permit for tests of the handles that need one.
    #[cfg(test)]
    pub fn for_tests(permission: Permission) -> Permit {
        Permit { permission }
    }
}

/// Why the gate did not allow an action.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The permissions, the classifier and policy, or a human said no.
    #[error("{capability}.{verb} {target:?}: {why}")]
    Denied { capability: &'static str, verb: &'static str, target: String, why: String },
    /// The run has made all the capability calls its limit allows.
    #[error("{0}")]
    Limit(String),
    /// The decision could not be written to the audit log.
    #[error("the audit log {} could not be written, so no action may run", path.display())]
    Unaudited {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Refusal {
    pub(super) fn denied(action: &Action<'_>, why: String) -> Refusal {
        Refusal::Denied {
            capability: action.capability,
            verb: action.verb,
            target: clip(action.target).to_string(),
            why,
        }
    }
}
