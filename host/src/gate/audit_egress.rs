//! The egress proxy's decisions in the audit log. A connection a sandboxed
//! program makes through the proxy is no capability call (no verbs row, no
//! [`super::Gate::check`]): the policy's host lists decide it on the
//! proxy's own threads, and this writes what they decided, as the
//! `process` capability's `egress`, to the same log and observer as the
//! gate's decisions.

use std::sync::{Arc, Mutex};

use super::audit::{AuditLog, AuditRecord, clip, now};

/// A handle on a gate's audit log and observer that the proxy's threads
/// can share.
#[derive(Clone)]
pub struct EgressAudit {
    pub(super) skill: String,
    pub(super) skill_id: String,
    pub(super) session: Option<String>,
    pub(super) mode: &'static str,
    pub(super) audit: Option<Arc<Mutex<AuditLog>>>,
    pub(super) observer: Option<super::SharedObserver>,
}

impl std::fmt::Debug for EgressAudit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EgressAudit").field("skill", &self.skill).finish_non_exhaustive()
    }
}

impl EgressAudit {
    /// Record that a program's connection to `host:port` was allowed or
    /// refused (`reason`). The connection was already decided: a log that
    /// cannot be written is warned about, not fatal.
    pub fn record(&self, host: &str, port: u16, allowed: bool, reason: Option<&str>) {
        let target = format!("{host}:{port}");
        let reasons: Vec<String> = reason.map(|r| format!("hosts: {r}")).into_iter().collect();
        let record = AuditRecord {
            time: now(),
            skill: &self.skill,
            skill_id: &self.skill_id,
            session: self.session.as_deref(),
            capability: "process",
            verb: "egress",
            target: clip(&target),
            permission: "process",
            effect: "external",
            mode: self.mode,
            level: super::level::Level::Low.as_str(),
            reasons: &reasons,
            decision: if allowed { "allow" } else { "deny" },
            decided_by: "policy:hosts",
            approval: None,
        };
        if let Some(audit) = &self.audit {
            let mut audit = audit.lock().unwrap_or_else(|e| e.into_inner());
            if let Err(e) = audit.append(&record) {
                tracing::warn!(log = %audit.path().display(), error = %e, "the egress proxy's decision could not be audited");
            }
        }
        if let Some(observer) = &self.observer {
            observer(&record);
        }
    }
}
