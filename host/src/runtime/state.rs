//! What one store holds: the WASI context (empty of authority), the
//! resource table, the limiter and the capability context.

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::limits::{Limits, StoreLimiter};
use super::output::GuestConsole;
use crate::caps::Caps;

/// The data of one invocation's `Store`.
pub struct SkillState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(super) limiter: StoreLimiter,
    pub caps: Caps,
}

impl SkillState {
    /// WASI is there because language runtimes need it (clocks, random,
    /// stdio), but it grants nothing: no preopened folders, no environment
    /// variables, no sockets, no name lookups, an empty stdin. stdout and
    /// stderr go to the human's stderr, capped by the output budget.
    pub fn new(caps: Caps, limits: &Limits) -> Self {
        let console = GuestConsole::new(caps.console.budget().clone());
        let wasi = WasiCtx::builder()
            .stdout(console.clone())
            .stderr(console)
            .arg(caps.console.skill())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        SkillState { wasi, table: ResourceTable::new(), limiter: StoreLimiter::new(limits), caps }
    }
}

impl WasiView for SkillState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}
