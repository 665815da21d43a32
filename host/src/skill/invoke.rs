//! One run of a skill, from its name to its result: find it, compile or
//! load it, read its manifest, grant permissions, build its capabilities
//! and run it. Shared by `grove run` and the session runner; printing and
//! exit codes stay with the caller.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::{Manifest, Origin, PackageError, SkillSource, SourceError, source};
use crate::caps::console::{ProgressSink, Verbosity};
use crate::caps::model::{ModelAccess, SharedBudget, SpendSink};
use crate::caps::{Caps, Console};
use crate::gate::approval::Approver;
use crate::gate::mode::Mode;
use crate::gate::policy::{Policy, PolicyError};
use crate::gate::{AuditLog, Gate, Grants, Judge, Permission, PermissionSet};
use crate::paths::WorkspaceLocation;
use crate::providers::config::ConfigError;
use crate::providers::{Meter, ModelClient, ModelConfig, ModelOptions, ProviderError, Spend};
use crate::runtime::output::OutputBudget;
use crate::runtime::{
    GuestError, Invocation, Limits, Outcome, PrepareError, PreparedSkill, RunError, Runtime, RuntimeConfig,
};
use crate::session::approver::QueueApprover;
use crate::session::processes::ProcessLedger;
use crate::session::{Session, Store};
use crate::transcript::Transcript;

/// What to run, where, and with what.
#[derive(Clone)]
pub struct Invoke {
    /// A skill name or a path to a component.
    pub skill: String,
    pub args: Vec<String>,
    pub json: bool,
    /// Permissions granted beyond the defaults (`--allow`).
    pub allow: PermissionSet,
    pub limits: Limits,
    pub verbosity: Verbosity,
    pub location: WorkspaceLocation,
    pub session: Option<String>,
    pub task: Option<String>,
    /// Where progress reports go besides the terminal.
    pub progress: Option<ProgressSink>,
    /// The permission mode asked for; `None` for the policy's default.
    pub mode: Option<Mode>,
    /// Budget and cassettes for the model capability.
    pub model: ModelOptions,
    /// A human watches this run on the terminal: show its transcript there.
    pub foreground: bool,
}

/// How a run ended, with the manifest of the skill that ran.
#[derive(Debug)]
pub struct Invoked {
    pub manifest: Manifest,
    pub result: Result<Result<Outcome, GuestError>, RunError>,
    /// What this run spent on models, when it made model calls.
    pub spend: Option<Spend>,
    /// The model's newest answer, as the terminal already showed it.
    pub shown: Option<String>,
}

/// Why a skill could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("starting the runtime: {0}")]
    Runtime(String),
    #[error("{skill}: {error}")]
    Prepare { skill: String, error: PrepareError },
    #[error("{skill}: {error}")]
    Manifest { skill: String, error: PackageError },
    #[error("{skill} could not describe itself: {error}")]
    Describe { skill: String, error: RunError },
    #[error("opening the workspace {path}: {source}")]
    Workspace { path: PathBuf, source: std::io::Error },
    #[error("opening the audit log {path}: {source}")]
    Audit { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("model configuration: {0}")]
    ModelConfig(#[from] ConfigError),
    #[error("{0}")]
    Model(#[from] ProviderError),
}

/// Run the skill to the end.
pub async fn invoke(req: Invoke) -> Result<Invoked, InvokeError> {
    let source = source::resolve(&req.skill)?;
    let runtime = Runtime::new(&RuntimeConfig::default(), crate::caps::link)
        .map_err(|e| InvokeError::Runtime(format!("{e:#}")))?;
    let prepared = runtime
        .prepare_digested(&source.bytes, source.digest())
        .map_err(|error| InvokeError::Prepare { skill: source.name.clone(), error })?;
    tracing::debug!(skill = %source.name, cache = ?prepared.cache, "prepared");

    let manifest = manifest_of(&runtime, &source, &prepared, &req).await?;
    let requested = manifest
        .requested()
        .map_err(|error| InvokeError::Manifest { skill: manifest.name.clone(), error })?;
    // Built-in skills ship with grove and get what their manifest asks for;
    // anything else may look but not touch unless the user says so.
    // An installed skill gets what the user consented to at install
    // (`skills.lock`), within what it requests now.
    let defaults = match source.origin {
        Origin::Builtin => requested,
        Origin::Installed(_) => {
            let consented = source.granted.unwrap_or(PermissionSet::EMPTY);
            let defaults: PermissionSet = Grants::DEFAULT.into_iter().collect();
            requested.iter().filter(|p| consented.contains(*p)).collect::<PermissionSet>().union(defaults)
        }
        Origin::File(_) => Grants::DEFAULT.into_iter().collect(),
    };
    let grants = Grants { requested, granted: defaults.union(req.allow) };
    let wants_model = grants.granted.contains(Permission::Model);
    let mut caps = caps_for(&manifest.name, grants, &req, req.json)?;
    caps.gate.identify(source.identity());
    let transcript = transcript_for(&req);
    if let Some(transcript) = transcript.clone() {
        let told = transcript.clone();
        caps.gate.observe(Box::new(move |decision| {
            let data = serde_json::to_value(decision).expect("audit records serialize");
            told.record(crate::transcript::kind::GATE, data);
        }));
        caps.transcript = Some(transcript);
    }
    // One read of the session's record serves its base and its spending.
    let session = session_record(&req);
    caps.session_base = session.as_ref().map(|(_, s)| s.base_commit.clone()).filter(|id| !id.is_empty());
    caps.reports_dir = req.location.git_dir.as_ref().map(|git_dir| git_dir.join("grove").join("reports"));
    caps.cassettes = crate::caps::Cassettes::new(req.model.record.as_deref(), req.model.replay.as_deref());
    caps.evidence = req.location.git_dir.as_deref().map(|git_dir| match req.session.as_deref() {
        Some(session) => crate::evidence::bundle::Bundle::at(git_dir, session),
        None => crate::evidence::bundle::Bundle::for_run(git_dir, caps.console.skill()),
    });
    caps.processes = ProcessLedger::for_run(req.location.git_dir.as_deref(), req.session.as_deref());
    let meter = if wants_model {
        let (access, meter) = model_access(&req, session)?;
        caps.model = access;
        Some(meter)
    } else {
        None
    };
    let invocation = Invocation {
        args: req.args.clone(),
        json: req.json,
        cwd: req.location.cwd.clone(),
        session: req.session.clone(),
        task: req.task.clone(),
    };
    let result = runtime.run(&prepared, caps, &req.limits, &invocation).await;
    // A crash comes with what the guest last wrote to stderr (a traceback):
    // a terminal watching the run saw it stream by, a session's transcript
    // did not, so it goes there before the crash is recorded.
    if let (Err(crashed), Some(transcript), false) = (&result, &transcript, req.foreground)
        && let Some(said) = crashed.stderr()
    {
        let message = format!("the skill wrote before it crashed:\n{said}");
        transcript.record(
            crate::transcript::kind::LOG,
            serde_json::json!({ "level": "error", "message": message }),
        );
    }
    let spend = meter.map(|m| m.lock().expect("not poisoned").spend).filter(|s| s.calls > 0);
    let shown = transcript.and_then(|t| t.finish());
    Ok(Invoked { manifest, result, spend, shown })
}

/// Where the run's transcript goes: the session's store, and the terminal
/// when the human runs it in the foreground.
fn transcript_for(req: &Invoke) -> Option<Transcript> {
    let stored = match (req.session.as_deref(), req.location.git_dir.as_deref()) {
        (Some(name), Some(git_dir)) => match Transcript::for_session(git_dir, name) {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::warn!(session = %name, error = %e, "the session's transcript cannot be written");
                None
            }
        },
        _ => None,
    };
    let verbose = req.verbosity >= Verbosity::Verbose;
    match (stored, req.foreground && req.verbosity > Verbosity::Quiet) {
        (Some(t), true) => Some(t.with_terminal(verbose)),
        (Some(t), false) => Some(t),
        (None, true) => Some(Transcript::terminal(verbose)),
        (None, false) => None,
    }
}

/// The manifest section, or, for components without one, what `describe`
/// says (run with no permissions at all).
async fn manifest_of(
    runtime: &Runtime<Caps>,
    source: &SkillSource,
    prepared: &PreparedSkill<Caps>,
    req: &Invoke,
) -> Result<Manifest, InvokeError> {
    if let Some(manifest) = &source.info.manifest {
        return Ok(manifest.clone());
    }
    let none = Grants { requested: PermissionSet::EMPTY, granted: PermissionSet::EMPTY };
    let caps = caps_for(&source.name, none, req, false)?;
    let info = runtime
        .describe(prepared, caps, &req.limits)
        .await
        .map_err(|error| InvokeError::Describe { skill: source.name.clone(), error })?;
    Ok(Manifest::from(info))
}

/// The session this run works in, with the store that holds it. A store
/// that cannot be read leaves it unknown: skills fall back to their own
/// defaults, and spending is not kept.
fn session_record(req: &Invoke) -> Option<(Store, Session)> {
    let (name, git_dir) = (req.session.as_deref()?, req.location.git_dir.as_deref()?);
    match Store::open(git_dir).and_then(|store| Ok(store.get(name)?.map(|session| (store, session)))) {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(session = %name, error = %e, "could not read the session's record");
            None
        }
    }
}

/// The model provider for this run, and the meter that counts its
/// spending: a session's meter starts from what the session spent before,
/// and its store hears of every call.
fn model_access(
    req: &Invoke,
    session: Option<(Store, Session)>,
) -> Result<(ModelAccess, Arc<Mutex<Meter>>), InvokeError> {
    let config = ModelConfig::load()?;
    let config_budget = config.budget;
    let budget = req.model.budget.or(config.budget);
    let client = Arc::new(ModelClient::new(config, &req.model)?);
    let mut meter = Meter { budget, ..Meter::default() };
    let mut sink: Option<SpendSink> = None;
    let mut shared: Option<SharedBudget> = None;
    if let Some((store, session)) = session {
        meter.spend = session.spend();
        let name = session.name;
        // The budgets above this session, and its own over its
        // sub-sessions, are read from a store handle of their own: the
        // sink keeps the other.
        shared = req.location.git_dir.as_deref().and_then(|git_dir| Store::open(git_dir).ok()).map(|tree| {
            let (name, default) = (name.clone(), config_budget);
            // A budget that cannot be read is not known to be unspent.
            Box::new(move || match crate::session::budget::shared_exhausted(&tree, &name, default) {
                Ok(why) => why,
                Err(e) => Some(format!("the budgets this session shares could not be read: {e}")),
            }) as SharedBudget
        });
        sink = Some(Box::new(move |spend: &Spend| {
            if let Err(e) = store.set_spend(&name, spend) {
                tracing::warn!(session = %name, error = %e, "could not record the model spending");
            }
        }));
    }
    let meter = Arc::new(Mutex::new(meter));
    let mut access =
        ModelAccess::new(client, meter.clone(), sink).choosing(req.model.tier, req.model.model.clone());
    if let Some(shared) = shared {
        access = access.sharing(shared);
    }
    Ok((access, meter))
}

fn caps_for(skill: &str, grants: Grants, req: &Invoke, json: bool) -> Result<Caps, InvokeError> {
    let root = &req.location.root;
    let audit = match req.location.audit_log() {
        Some(path) => Some(
            crate::gate::audit_rotate::Rotation::load()
                .and_then(|rotation| Ok(AuditLog::open(&path)?.rotating(rotation)))
                .map_err(|source| InvokeError::Audit { path, source })?,
        ),
        None => None,
    };
    // A policy that cannot be read whole stops the run: the gate never
    // decides on half a policy.
    let policy = Policy::load(root)?;
    let sandbox = policy.sandbox().value;
    let judge = Judge::new(root, policy, req.mode);
    // In a session, questions wait in its store, and a fall-back to manual
    // mode is recorded there for the rest of its runs.
    let queue = match (req.location.git_dir.as_deref(), req.session.as_deref()) {
        (Some(git_dir), Some(session)) => {
            Some(QueueApprover { git_dir: git_dir.to_path_buf(), session: session.to_string() })
        }
        _ => None,
    };
    let approver = match &queue {
        Some(queue) => Approver::Elsewhere(Arc::new(queue.clone())),
        None => Approver::terminal_or_nobody(),
    };
    let mut gate = Gate::new(skill, req.session.clone(), grants, audit, judge, approver);
    if let Some(queue) = queue {
        gate.on_fallback(Box::new(move |mode| {
            if let Ok(store) = Store::open(&queue.git_dir) {
                let _ = store.set_mode(&queue.session, mode.as_str());
            }
        }));
    }
    let mut caps = Caps::with_gate(skill, root, gate, &req.limits)
        .map_err(|source| InvokeError::Workspace { path: root.clone(), source })?;
    caps.sandbox.requirement = sandbox;
    caps.console = Console::new(skill, req.verbosity, OutputBudget::new(req.limits.output), json);
    if let Some(sink) = &req.progress {
        caps.console = caps.console.with_progress_sink(sink.clone());
    }
    Ok(caps)
}
