//! The gate: every capability call becomes an [`Action`] and passes
//! [`Gate::check`], which decides and writes one audit line.
//!
//! Today the decision is "what the skill's manifest requests ∩ what the
//! user granted". The risk classifier and the policy layers plug in here,
//! behind the same `check`, without touching the capabilities.

mod audit;
pub mod classify;
pub mod decide;
pub mod level;
pub mod mode;
mod permission;
pub mod policy;

pub use audit::{AuditLog, AuditRecord, now};
pub use permission::{Permission, PermissionSet, UnknownPermission};

use crate::runtime::bindings::GuestError;

/// One capability call, as the gate sees it.
#[derive(Debug, Clone, Copy)]
pub struct Action<'a> {
    /// The WIT interface: `workspace`, `process`, …
    pub capability: &'static str,
    /// The function: `read`, `run`, …
    pub verb: &'static str,
    /// What it acts on: a path, a command line, a revision.
    pub target: &'a str,
    /// The permission the action needs.
    pub permission: Permission,
}

/// What the gate decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(String),
}

/// The permissions in force for one invocation.
#[derive(Debug, Clone, Copy)]
pub struct Grants {
    /// What the manifest asks for.
    pub requested: PermissionSet,
    /// What the user (flags, defaults) allows.
    pub granted: PermissionSet,
}

impl Grants {
    /// Permissions granted to a skill that is not built in, unless the user
    /// says more with `--allow`: it may look, not touch.
    pub const DEFAULT: [Permission; 3] = [Permission::WorkspaceRead, Permission::GitRead, Permission::Ui];

    pub fn decide(&self, p: Permission) -> Decision {
        if !self.requested.contains(p) {
            Decision::Deny(format!("`{p}` is not among the permissions the skill's manifest requests"))
        } else if !self.granted.contains(p) {
            Decision::Deny(format!("`{p}` was not granted (hint: rerun with --allow {p})"))
        } else {
            Decision::Allow
        }
    }
}

/// Decides on actions for one invocation and audits every decision.
#[derive(Debug)]
pub struct Gate {
    skill: String,
    session: Option<String>,
    grants: Grants,
    audit: Option<AuditLog>,
}

impl Gate {
    pub fn new(
        skill: impl Into<String>,
        session: Option<String>,
        grants: Grants,
        audit: Option<AuditLog>,
    ) -> Self {
        Gate { skill: skill.into(), session, grants, audit }
    }

    /// Decide on `action`: `Ok` to go ahead, or the typed error the guest
    /// gets. The decision is audited before it takes effect; if it cannot
    /// be audited the action is refused.
    pub fn check(&mut self, action: Action<'_>) -> Result<(), GuestError> {
        let decision = self.grants.decide(action.permission);
        if let Some(audit) = &mut self.audit {
            let (verdict, reason) = match &decision {
                Decision::Allow => ("allow", None),
                Decision::Deny(why) => ("deny", Some(why.as_str())),
            };
            let record = AuditRecord {
                time: audit::now(),
                skill: &self.skill,
                session: self.session.as_deref(),
                capability: action.capability,
                verb: action.verb,
                target: audit::clip(action.target),
                permission: action.permission.as_str(),
                decision: verdict,
                reason,
                decided_by: "grants",
            };
            if let Err(e) = audit.append(&record) {
                return Err(GuestError::Denied(format!(
                    "the audit log {} could not be written ({e}), so no action may run",
                    audit.path().display()
                )));
            }
        }
        match decision {
            Decision::Allow => Ok(()),
            Decision::Deny(why) => {
                tracing::debug!(skill = %self.skill, "denied {}.{} {:?}: {why}", action.capability, action.verb, action.target);
                Err(GuestError::Denied(format!(
                    "{}.{} {:?}: {why}",
                    action.capability, action.verb, action.target
                )))
            }
        }
    }
}
