//! The skill runtime: one wasmtime `Engine` per process, compiled
//! components cached on disk, one `InstancePre` per skill and one `Store`
//! per invocation, with limits on every store.
//!
//! It knows the skill world's exports (`describe`, `run`) and nothing of
//! the capabilities: the embedder hands it the store data and a `link`
//! function that adds its imports to the linker, as grove's `caps::link`.

mod cache;
mod imports;
mod limits;
pub mod output;
mod state;
mod ticker;

use std::time::{Duration, Instant};

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, UpdateDeadline};

pub use cache::{CacheError, CacheOutcome, ComponentCache, digest};
pub use limits::{LimitExceeded, Limits};
pub use state::{SkillState, StoreData};

pub use crate::wit::{GuestError, Invocation, Outcome, SkillInfo};
use crate::wit::{Skill, SkillPre};
use ticker::EpochTicker;

/// Adds the embedder's imports to the linker.
pub type Link<T> = fn(&mut Linker<SkillState<T>>) -> wasmtime::Result<()>;

/// How often the epoch advances: the granularity of deadlines, and how
/// often a busy guest yields to the async executor.
const TICK: Duration = Duration::from_millis(10);

/// How the engine is set up.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Where compiled components are cached; `None` compiles every time.
    pub cache_dir: Option<std::path::PathBuf>,
    /// Pre-reserve instance slots (pooling allocator). Pays when a process
    /// instantiates many times (sessions, benchmarks); a one-shot run is
    /// faster without the reservation.
    pub pooling: bool,
    /// Largest linear memory any store may have; per-invocation limits sit
    /// below it.
    pub max_memory: usize,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig { cache_dir: ComponentCache::default_dir(), pooling: false, max_memory: 4 << 30 }
    }
}

/// Why an invocation did not produce the skill's own answer.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Limit(#[from] LimitExceeded),
    #[error("the skill exited early with code {0}")]
    Exit(i32),
    /// The trap, and the last lines the guest wrote to stderr before it
    /// (made safe; empty when it wrote nothing), which a terminal
    /// watching the run has already shown.
    #[error("the skill crashed: {0}")]
    Trap(String, String),
}

impl RunError {
    /// What the guest last wrote to stderr, when it crashed.
    pub fn stderr(&self) -> Option<&str> {
        match self {
            RunError::Trap(_, stderr) if !stderr.is_empty() => Some(stderr),
            _ => None,
        }
    }
}

/// A compiled skill, ready to instantiate any number of times.
pub struct PreparedSkill<T: 'static> {
    pre: SkillPre<SkillState<T>>,
    pub cache: CacheOutcome,
}

impl<T> Clone for PreparedSkill<T> {
    fn clone(&self) -> Self {
        PreparedSkill { pre: self.pre.clone(), cache: self.cache }
    }
}

impl<T: Send + 'static> PreparedSkill<T> {
    /// Instantiate into a store made by [`Runtime::store`]. `Runtime::run`
    /// does this and the call in one go; this is for callers (benchmarks,
    /// long-lived hosts) that call the same instance more than once.
    pub async fn instantiate(&self, store: &mut Store<SkillState<T>>) -> wasmtime::Result<Skill> {
        self.pre.instantiate_async(store).await
    }
}

/// The engine, the linker with the embedder's imports, and the component
/// cache.
pub struct Runtime<T: 'static> {
    engine: Engine,
    linker: Linker<SkillState<T>>,
    cache: ComponentCache,
    _ticker: EpochTicker,
}

impl<T: StoreData> Runtime<T> {
    pub fn new(config: &RuntimeConfig, link: Link<T>) -> wasmtime::Result<Self> {
        let mut cfg = Config::new();
        cfg.wasm_component_model(true).epoch_interruption(true).memory_init_cow(true);
        // Deep enough to tell a stack that ran out from an ordinary crash.
        cfg.wasm_backtrace_max_frames(std::num::NonZeroUsize::new(DEEP_STACK));
        if config.pooling {
            let mut pool = PoolingAllocationConfig::default();
            pool.total_component_instances(64)
                .total_core_instances(512)
                .total_memories(128)
                .total_tables(256)
                .total_stacks(64)
                .max_memory_size(config.max_memory);
            cfg.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        }
        let engine = Engine::new(&cfg)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        link(&mut linker)?;
        let ticker = EpochTicker::start(engine.clone(), TICK);
        Ok(Runtime { engine, linker, cache: ComponentCache::new(config.cache_dir.clone()), _ticker: ticker })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn cache(&self) -> &ComponentCache {
        &self.cache
    }

    /// Compile (or load from the cache) and link a component.
    pub fn prepare(&self, wasm: &[u8]) -> Result<PreparedSkill<T>, PrepareError> {
        self.prepare_digested(wasm, &digest(wasm))
    }

    /// [`Runtime::prepare`] for a component whose SHA-256 ([`digest`]) the
    /// caller already has.
    pub fn prepare_digested(&self, wasm: &[u8], digest: &[u8; 32]) -> Result<PreparedSkill<T>, PrepareError> {
        let (component, cache) = self.cache.load_digested(&self.engine, wasm, digest)?;
        self.link(&component).map(|pre| PreparedSkill { pre, cache })
    }

    fn link(&self, component: &Component) -> Result<SkillPre<SkillState<T>>, PrepareError> {
        let pre = self.linker.instantiate_pre(component).map_err(|e| {
            match imports::missing(&self.linker, &self.engine, component).into_iter().next() {
                Some(name) => PrepareError::MissingImport(name),
                None => PrepareError::Link(format!("{e:#}")),
            }
        })?;
        SkillPre::new(pre).map_err(|e| PrepareError::NotASkill(format!("{e:#}")))
    }

    /// Run one invocation in a fresh store. `Ok(Err(_))` is the skill's
    /// own error; `Err(_)` means it was stopped or crashed.
    pub async fn run(
        &self,
        skill: &PreparedSkill<T>,
        data: T,
        limits: &Limits,
        invocation: &Invocation,
    ) -> Result<Result<Outcome, GuestError>, RunError> {
        let mut store = self.store(data, limits);
        let call = async {
            let instance = skill.pre.instantiate_async(&mut store).await?;
            instance.call_run(&mut store, invocation).await
        };
        let result = self.bounded(limits, call).await;
        match result {
            Err(RunError::Trap(trap, _)) => Err(RunError::Trap(trap, store.data().stderr_tail())),
            other => other,
        }
    }

    /// Ask a skill to describe itself (for components without a manifest
    /// section). It runs with whatever `caps` grants, normally nothing.
    pub async fn describe(
        &self,
        skill: &PreparedSkill<T>,
        data: T,
        limits: &Limits,
    ) -> Result<SkillInfo, RunError> {
        let mut store = self.store(data, limits);
        let call = async {
            let instance = skill.pre.instantiate_async(&mut store).await?;
            instance.call_describe(&mut store).await
        };
        self.bounded(limits, call).await
    }

    /// A store with every limit of `limits` in force.
    pub fn store(&self, data: T, limits: &Limits) -> Store<SkillState<T>> {
        let mut store = Store::new(&self.engine, SkillState::new(data, limits));
        store.limiter(|state| &mut state.limiter);
        let timeout = limits.timeout;
        let deadline = Instant::now() + timeout;
        store.set_epoch_deadline(1);
        // Each tick: yield to the executor (so a busy guest never starves
        // other tasks), and stop the guest once its deadline has passed.
        store.epoch_deadline_callback(move |_| {
            if Instant::now() >= deadline {
                return Err(LimitExceeded::Timeout(timeout).into());
            }
            Ok(UpdateDeadline::Yield(1))
        });
        store
    }

    /// Await a guest call under the wall-clock deadline, which also covers
    /// time spent inside host calls, and classify how it ended.
    async fn bounded<V>(
        &self,
        limits: &Limits,
        call: impl Future<Output = wasmtime::Result<V>>,
    ) -> Result<V, RunError> {
        match tokio::time::timeout(limits.timeout + TICK, call).await {
            Err(_) => Err(LimitExceeded::Timeout(limits.timeout).into()),
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(classify(e)),
        }
    }
}

fn classify(e: wasmtime::Error) -> RunError {
    if let Some(limit) = e.downcast_ref::<LimitExceeded>() {
        return RunError::Limit(limit.clone());
    }
    if let Some(exit) = e.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return RunError::Exit(exit.0);
    }
    let text = match e.downcast_ref::<wasmtime::Trap>() {
        Some(_) if stack_exhausted(&e) => {
            format!("{}: the skill recursed too deeply", wasmtime::Trap::StackOverflow)
        }
        Some(trap) => format!("{trap}"),
        None => format!("{e:#}"),
    };
    RunError::Trap(text, String::new())
}

/// Frames of a backtrace deep enough to be a call stack that ran out.
const DEEP_STACK: usize = 256;

/// Whether a trap is the guest running out of call stack. wasmtime says so
/// when the engine's own stack runs out; but a Rust (or C) guest keeps its
/// locals on a shadow stack in linear memory, and when that runs out the
/// guest's stack pointer passes the bottom of memory and wraps, so the
/// trap is an out-of-bounds access. wasmtime does not tell the faulting
/// address, so the shadow stack's overflow is recognised by its shape: an
/// out-of-bounds access at least [`DEEP_STACK`] frames down, in which one
/// function recurs again and again. An ordinary out-of-bounds bug that
/// deep in a recursion would be named a stack overflow too; both are
/// crashes, and the deep recursion is the likelier cause.
fn stack_exhausted(e: &wasmtime::Error) -> bool {
    match e.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::StackOverflow) => true,
        Some(wasmtime::Trap::MemoryOutOfBounds) => {
            let Some(trace) = e.downcast_ref::<wasmtime::WasmBacktrace>() else { return false };
            let frames = trace.frames();
            let mut counts = std::collections::HashMap::new();
            for frame in frames {
                *counts.entry((frame.module().name(), frame.func_index())).or_insert(0usize) += 1;
            }
            frames.len() >= DEEP_STACK && counts.values().any(|&n| n >= 16)
        }
        _ => false,
    }
}

/// Why a component could not be made ready to run.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error(transparent)]
    Compile(#[from] CacheError),
    #[error("the skill imports `{0}`, which this grove does not provide ({hint})", hint = missing_hint(.0))]
    MissingImport(String),
    #[error("the component cannot be linked: {0} (hint: {hint})", hint = contracts())]
    Link(String),
    #[error("the component is not a grove skill (it must export `describe` and `run`): {0}")]
    NotASkill(String),
}

/// The releases of the contract this grove links, for a message:
/// `grove:skill@0.1.0 and @0.2.0`.
fn contracts() -> String {
    let releases: Vec<String> = crate::wit::RELEASES.iter().map(|r| format!("@{r}")).collect();
    format!(
        "this grove links grove:skill{} as released: rebuild the skill against one of them (`wit/` is the newest)",
        releases.join(" and ")
    )
}

/// Why a component imports what grove lacks: built against a contract
/// that was never released as its version says (an unreleased `wit/`), or
/// against a newer one.
fn missing_hint(import: &str) -> String {
    let version =
        import.strip_prefix("grove:skill/").and_then(|rest| rest.split('#').next()?.split_once('@'));
    // 0.x: a patch release is the same contract.
    let minor = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
    match version {
        Some((_, v)) if crate::wit::RELEASES.iter().any(|r| minor(r) == minor(v)) => {
            format!(
                "hint: it was built against a grove:skill@{v} other than the released one; {}",
                contracts()
            )
        }
        _ => format!("hint: is it built for a newer grove? {}", contracts()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_import_of_a_released_version_is_told_apart_from_a_newer_one() {
        let unreleased = PrepareError::MissingImport("grove:skill/workspace@0.1.0#export-commit".into());
        let text = unreleased.to_string();
        assert!(text.contains("other than the released one") && text.contains("@0.1.0 and @0.2.0"), "{text}");
        let newer = PrepareError::MissingImport("grove:skill/browser@0.9.0".into()).to_string();
        assert!(newer.contains("newer grove") && newer.contains("`wit/` is the newest"), "{newer}");
        let other = PrepareError::MissingImport("wasi:http/types@0.2.6".into()).to_string();
        assert!(other.contains("newer grove"), "{other}");
    }
}
