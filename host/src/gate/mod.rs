//! The gate: every capability call becomes an [`Action`] and passes
//! [`Gate::check`], which decides and writes one audit line.
//!
//! A decision has four inputs: the permissions (what the skill's manifest
//! requests ∩ what the user granted), the risk classifier's level and
//! reasons, the permission mode, and the layered policy's rules. An `ask`
//! goes to a human (the terminal, or the session's approval queue); what
//! cannot be asked is denied. Every decision is audited before it takes
//! effect; if it cannot be audited, the action is refused.

pub mod approval;
mod audit;
mod audit_egress;
pub mod audit_read;
pub mod audit_rotate;
pub mod classify;
pub mod decide;
pub mod level;
pub mod mode;
mod permission;
pub mod policy;
pub mod verbs;

use std::sync::Arc;
use std::time::Duration;

pub use audit::{AuditLog, AuditRecord, clip, now};
pub use audit_egress::EgressAudit;
pub use permission::{Permission, PermissionSet, UnknownPermission};

use approval::{Answer, Approver, Request};
use classify::{Classifier, HostStanding, Subject};
use mode::{Mode, Verdict};
use policy::{HostVerdict, Policy, Query};

mod permit;

pub use permit::{Permit, Refusal};

/// One capability call, as the gate sees it.
#[derive(Debug, Clone, Copy)]
pub struct Action<'a> {
    /// The WIT interface: `workspace`, `process`, …
    pub capability: &'static str,
    /// The function: `read`, `run`, …
    pub verb: &'static str,
    /// What it acts on, as one line: a path, a command line, a URL.
    pub target: &'a str,
    /// The permission the action needs.
    pub permission: Permission,
    /// What the classifier judges.
    pub subject: Subject<'a>,
}

/// What the permission layer decided.
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

/// How actions are judged: the classifier for the worktree, the policy
/// and the mode.
pub struct Judge {
    pub classifier: Classifier,
    pub policy: Arc<Policy>,
    pub mode: Mode,
}

impl std::fmt::Debug for Judge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Judge").field("mode", &self.mode).finish_non_exhaustive()
    }
}

impl Judge {
    /// A judge for the worktree at `root` under `policy`, in the mode
    /// `requested` capped by the policy (its default when `None`).
    pub fn new(root: &std::path::Path, policy: Policy, requested: Option<Mode>) -> Judge {
        let policy = Arc::new(policy);
        let classifier = Classifier::new(root).with_hosts(standing_in(policy.clone()));
        let choice = policy.mode(requested);
        if let Some(origin) = &choice.capped_by {
            tracing::warn!(
                "{} mode was asked for; {} is the most {origin} permits",
                choice.asked,
                choice.mode
            );
        }
        Judge { classifier, policy, mode: choice.mode }
    }

    /// A judge that decides as this one does now, to be kept apart from
    /// the gate (a browser judges the requests of its pages by it while the
    /// skill runs on).
    pub fn fork(&self) -> Judge {
        let classifier = Classifier::new(self.classifier.root()).with_hosts(standing_in(self.policy.clone()));
        Judge { classifier, policy: self.policy.clone(), mode: self.mode }
    }

    /// Classify an action, then decide on it under the policy and mode:
    /// what the gate does for every call and `grove classify` for every line.
    /// `skill` is the skill's identity (see `Query::skill`).
    pub fn decide(
        &self,
        skill: &str,
        capability: &str,
        verb: &str,
        target: &str,
        subject: Subject<'_>,
    ) -> decide::Decision {
        let a = self.classifier.classify(capability, verb, subject);
        let query = Query {
            skill,
            capability,
            target,
            commands: &a.facts.commands,
            paths: &a.facts.paths,
            hosts: &a.facts.hosts,
        };
        decide::decide(&a, self.mode, &self.policy.matching(&query))
    }
}

/// A host's standing in `policy`, for the classifier.
fn standing_in(policy: Arc<Policy>) -> impl Fn(&str) -> HostStanding + Send + Sync + 'static {
    move |h| match policy.host(h) {
        HostVerdict::Allowed(_) => HostStanding::Allowed,
        HostVerdict::Denied(_) => HostStanding::Denied,
        HostVerdict::Unlisted => HostStanding::Unlisted,
    }
}

/// Denials in a row after which auto mode falls back to manual: a skill
/// that keeps trying what it may not do gets a human's eye on every step.
const DENIALS_BEFORE_MANUAL: u32 = 3;

/// Decides on actions for one invocation and audits every decision.
pub struct Gate {
    /// The name the skill goes by, for people.
    skill: String,
    /// Who the skill is, for policy and audit (`Query::skill`); its name
    /// unless told otherwise.
    skill_id: String,
    session: Option<String>,
    grants: Grants,
    /// Shared with [`EgressAudit`], which writes from the egress proxy's
    /// threads.
    audit: Option<Arc<std::sync::Mutex<AuditLog>>>,
    judge: Judge,
    approver: Approver,
    /// Actions a human allowed for the rest of the run.
    remembered: Vec<(&'static str, &'static str, String)>,
    denials_in_a_row: u32,
    /// Hears every decision after it is audited (the run's transcript).
    observer: Option<SharedObserver>,
    /// Hears the mode the gate falls back to (a session records it).
    on_fallback: Option<Box<dyn Fn(Mode) + Send + Sync>>,
    /// Calls checked so far, and the most the run may make. Counted here
    /// because every capability call but a log line passes `check`.
    calls: u64,
    max_calls: u64,
}

/// A hook that hears every decision the gate makes, as audited.
pub type Observer = Box<dyn Fn(&AuditRecord<'_>) + Send + Sync>;
/// The observer, shared with [`EgressAudit`].
type SharedObserver = Arc<dyn Fn(&AuditRecord<'_>) + Send + Sync>;

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate").field("skill", &self.skill).field("judge", &self.judge).finish_non_exhaustive()
    }
}

/// What was finally decided, and by whom.
struct Final {
    allow: bool,
    level: &'static str,
    reasons: Vec<String>,
    decided_by: String,
    approval: Option<i64>,
}

impl Gate {
    pub fn new(
        skill: impl Into<String>,
        session: Option<String>,
        grants: Grants,
        audit: Option<AuditLog>,
        judge: Judge,
        approver: Approver,
    ) -> Self {
        let skill = skill.into();
        Gate {
            skill_id: skill.clone(),
            skill,
            session,
            grants,
            audit: audit.map(|log| Arc::new(std::sync::Mutex::new(log))),
            judge,
            approver,
            remembered: Vec::new(),
            denials_in_a_row: 0,
            observer: None,
            on_fallback: None,
            calls: 0,
            max_calls: u64::MAX,
        }
    }

    /// Refuse every call after the first `max` with a limit refusal.
    pub fn limit_calls(&mut self, max: u64) {
        self.max_calls = max;
    }

    /// Know the skill by `id` in policy and audit (a built-in's name, an
    /// installed skill's name and digest, a file's path and digest).
    pub fn identify(&mut self, id: impl Into<String>) {
        self.skill_id = id.into();
    }

    /// Let `hook` hear when auto mode falls back to manual.
    pub fn on_fallback(&mut self, hook: Box<dyn Fn(Mode) + Send + Sync>) {
        self.on_fallback = Some(hook);
    }

    /// Let `observer` hear every decision from now on.
    pub fn observe(&mut self, observer: Observer) {
        self.observer = Some(Arc::from(observer));
    }

    /// Of `paths`, the one whose write would be judged hardest (denied,
    /// then asked about, then the highest level), when any would be more
    /// than routine: committing a file writes it into history, so a commit
    /// must pass as a write to its riskiest file.
    pub fn riskiest_write<'p>(&self, paths: &'p [String]) -> Option<&'p str> {
        paths
            .iter()
            .map(|p| (self.judge.decide(&self.skill_id, "workspace", "write", p, Subject::Path(p)), p))
            .filter(|(d, _)| d.verdict != Verdict::Allow || d.level > level::Level::Low)
            .max_by_key(|(d, _)| (d.verdict, d.level))
            .map(|(_, p)| p.as_str())
    }

    /// How this gate judges actions.
    pub fn judge(&self) -> &Judge {
        &self.judge
    }

    /// The session this run works in, if it works in one.
    pub fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    /// The mode in force now (auto may have fallen back to manual).
    pub fn mode(&self) -> Mode {
        self.judge.mode
    }

    /// The policy actions are judged by (its host lists also bound where
    /// the host connects on a skill's behalf).
    pub fn policy(&self) -> &Arc<Policy> {
        &self.judge.policy
    }

    /// Where the egress proxy's decisions are audited: this gate's audit
    /// log and observer, for as long as the proxy runs.
    pub fn egress_audit(&self) -> EgressAudit {
        EgressAudit {
            skill: self.skill.clone(),
            skill_id: self.skill_id.clone(),
            session: self.session.clone(),
            mode: self.judge.mode.as_str(),
            audit: self.audit.clone(),
            observer: self.observer.clone(),
        }
    }

    /// Decide on `action`: a permit for the work, or why not. The decision
    /// is audited before it takes effect; if it cannot be audited the
    /// action is refused.
    pub async fn check(&mut self, action: Action<'_>) -> Result<Permit, Refusal> {
        // A capability's calls are the rows of the verbs table; a verb
        // missing there would be judged as unknown.
        debug_assert!(
            verbs::find(action.capability, action.verb).is_some(),
            "{}.{} has no row in the verbs table",
            action.capability,
            action.verb
        );
        self.calls += 1;
        if self.calls > self.max_calls {
            let why = format!(
                "call limit: the skill made more than {} capability calls; raise it with --call-limit N",
                self.max_calls
            );
            // Audited once: a guest that keeps calling must not flood the log.
            if self.calls == self.max_calls + 1 {
                self.refuse(action, why.clone());
            }
            return Err(Refusal::Limit(why));
        }
        let outcome = self.decide(&action).await;
        self.audit(&action, &outcome)?;
        self.count(outcome.allow);
        if outcome.allow {
            return Ok(Permit::new(action.permission));
        }
        // The finding that decided, and the mode's word when it had one.
        let mut why = outcome.reasons.first().cloned().unwrap_or_else(|| "denied".into());
        if let Some(mode) = outcome.reasons.iter().skip(1).find(|r| r.starts_with("mode.")) {
            why = format!("{why}; {mode}");
        }
        tracing::debug!(skill = %self.skill, "denied {}.{} {:?}: {why}", action.capability, action.verb, action.target);
        Err(Refusal::denied(&action, why))
    }

    /// Refuse `action` for a reason of the host's own (no model provider is
    /// set up, …), audited like any other refusal.
    pub fn refuse(&mut self, action: Action<'_>, why: impl Into<String>) -> Refusal {
        let why = why.into();
        let outcome = Final {
            allow: false,
            level: level::Level::Low.as_str(),
            reasons: vec![format!("host: {why}")],
            decided_by: "host".into(),
            approval: None,
        };
        if let Err(unaudited) = self.audit(&action, &outcome) {
            return unaudited;
        }
        Refusal::denied(&action, why)
    }

    async fn decide(&mut self, action: &Action<'_>) -> Final {
        let d =
            self.judge.decide(&self.skill_id, action.capability, action.verb, action.target, action.subject);
        let level = d.level.as_str();
        if let Decision::Deny(why) = self.grants.decide(action.permission) {
            return Final {
                allow: false,
                level,
                reasons: vec![format!("permission: {why}")],
                decided_by: "grants".into(),
                approval: None,
            };
        }
        let mut out = Final {
            allow: d.verdict == Verdict::Allow,
            level,
            reasons: d.reasons,
            decided_by: d.decided_by,
            approval: None,
        };
        if d.verdict != Verdict::Ask {
            return out;
        }
        if self
            .remembered
            .iter()
            .any(|(c, v, t)| *c == action.capability && *v == action.verb && t == action.target)
        {
            out.allow = true;
            out.decided_by = "remembered".into();
            return out;
        }
        let timeout = self.judge.policy.approval_timeout().value;
        let request = Request {
            session: self.session.as_deref().unwrap_or(""),
            skill: &self.skill,
            capability: action.capability,
            verb: action.verb,
            target: action.target,
            level,
            reasons: &out.reasons,
        };
        let answered = self.approver.ask(&request, timeout.max(Duration::from_millis(1))).await;
        out.decided_by = answered.by.to_string();
        out.approval = answered.id;
        match answered.answer {
            Answer::Once => out.allow = true,
            Answer::Always => {
                out.allow = true;
                self.remembered.push((action.capability, action.verb, action.target.to_string()));
            }
            Answer::Deny { reason } => {
                let why =
                    reason.map_or_else(|| "a human said no".to_string(), |r| format!("a human said no: {r}"));
                out.reasons.insert(0, format!("human.deny: {why}"));
            }
            Answer::TimedOut => {
                out.reasons.insert(0, format!("approval.timeout: no answer within {}s", timeout.as_secs()))
            }
            Answer::Unanswerable(why) => out.reasons.insert(0, format!("approval.unavailable: {why}")),
        }
        out
    }

    /// Write the decision to the audit log, then tell the observer.
    fn audit(&mut self, action: &Action<'_>, outcome: &Final) -> Result<(), Refusal> {
        if self.audit.is_none() && self.observer.is_none() {
            return Ok(());
        }
        let record = AuditRecord {
            time: audit::now(),
            skill: &self.skill,
            skill_id: &self.skill_id,
            session: self.session.as_deref(),
            capability: action.capability,
            verb: action.verb,
            target: clip(action.target),
            permission: action.permission.as_str(),
            effect: verbs::find(action.capability, action.verb).map_or("unknown", |v| v.effect.as_str()),
            mode: self.judge.mode.as_str(),
            level: outcome.level,
            reasons: &outcome.reasons,
            decision: if outcome.allow { "allow" } else { "deny" },
            decided_by: &outcome.decided_by,
            approval: outcome.approval,
        };
        if let Some(audit) = &self.audit {
            let mut audit = audit.lock().unwrap_or_else(|e| e.into_inner());
            audit
                .append(&record)
                .map_err(|source| Refusal::Unaudited { path: audit.path().to_path_buf(), source })?;
        }
        if let Some(observer) = &self.observer {
            observer(&record);
        }
        Ok(())
    }

    /// Count denials in a row; in auto mode, three fall back to manual.
    fn count(&mut self, allowed: bool) {
        if allowed {
            self.denials_in_a_row = 0;
            return;
        }
        self.denials_in_a_row += 1;
        if self.judge.mode == Mode::Auto && self.denials_in_a_row >= DENIALS_BEFORE_MANUAL {
            self.judge.mode = Mode::Manual;
            tracing::warn!(
                skill = %self.skill,
                "{DENIALS_BEFORE_MANUAL} denials in a row: auto mode falls back to manual for the rest of the run"
            );
            eprintln!(
                "grove: {DENIALS_BEFORE_MANUAL} actions in a row were denied; switching to manual mode"
            );
            if let Some(on_fallback) = &self.on_fallback {
                on_fallback(Mode::Manual);
            }
        }
    }
}
