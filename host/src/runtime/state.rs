//! What one store holds: the WASI context (empty of authority), the
//! resource table, the limiter and the embedder's data.

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::limits::{Limits, StoreLimiter};
use super::output::{GuestConsole, OutputBudget};

/// What the runtime needs of the embedder's per-invocation data.
pub trait StoreData: Send + 'static {
    /// The skill's name: its `argv[0]`.
    fn skill(&self) -> &str;
    /// The budget the guest's stdout and stderr spend.
    fn output(&self) -> &OutputBudget;
}

/// The data of one invocation's `Store`.
pub struct SkillState<T> {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(super) limiter: StoreLimiter,
    /// The guest's stderr, whose tail goes with a crash.
    stderr: GuestConsole,
    /// The embedder's data: grove's capabilities.
    pub data: T,
}

impl<T: StoreData> SkillState<T> {
    /// WASI is there because language runtimes need it (clocks, random,
    /// stdio), but it grants nothing: no preopened folders, no environment
    /// variables, no sockets, no name lookups, an empty stdin. stdout and
    /// stderr go to the human's stderr, capped by the output budget.
    pub fn new(data: T, limits: &Limits) -> Self {
        let stdout = GuestConsole::new(data.output().clone());
        let stderr = GuestConsole::keeping_tail(data.output().clone());
        let wasi = WasiCtx::builder()
            .stdout(stdout)
            .stderr(stderr.clone())
            .arg(data.skill())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        SkillState { wasi, table: ResourceTable::new(), limiter: StoreLimiter::new(limits), stderr, data }
    }

    /// The last lines the guest wrote to stderr, made safe.
    pub fn stderr_tail(&self) -> String {
        self.stderr.tail()
    }
}

impl<T: Send + 'static> WasiView for SkillState<T> {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}
