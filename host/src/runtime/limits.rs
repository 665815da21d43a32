//! Per-invocation limits, and the limiter that enforces the memory and
//! table caps on every store.

use std::time::Duration;

/// What one invocation of a skill may use.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Linear memory, summed over the component's memories, in bytes.
    pub memory: usize,
    /// Wall-clock deadline for the whole invocation.
    pub timeout: Duration,
    /// Bytes of log lines, stdout and stderr together.
    pub output: usize,
    /// Core and component instances in one store.
    pub instances: usize,
    /// Tables in one store.
    pub tables: usize,
    /// Elements in any one table.
    pub table_elements: usize,
    /// Bytes the skill may write through `workspace.write`, all calls
    /// together. Enforced by the capabilities, which answer `limit`.
    pub writes: u64,
    /// Capability calls the skill may make (every call the gate checks).
    /// Enforced by the capabilities, which answer `limit`.
    pub calls: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory: 256 << 20,
            timeout: Duration::from_secs(600),
            output: 4 << 20,
            instances: 64,
            tables: 64,
            table_elements: 100_000,
            writes: 256 << 20,
            calls: 100_000,
        }
    }
}

/// A limit a guest ran into. Raised as a trap (exhausted limits are the one
/// case where a guest is stopped rather than handed an error) and turned
/// into a clear message for the human.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum LimitExceeded {
    #[error("timeout: the skill ran past its deadline of {}", humanize(*.0))]
    Timeout(Duration),
    #[error("memory limit: the skill asked for {requested} bytes of memory, over its limit of {limit} bytes")]
    Memory { requested: usize, limit: usize },
    #[error("output limit: the skill wrote more than {0} bytes of log and console output")]
    Output(usize),
    #[error("table limit: the skill asked for a table of {requested} elements, over its limit of {limit}")]
    Table { requested: usize, limit: usize },
}

impl LimitExceeded {
    /// How the human raises this limit.
    pub fn hint(&self) -> &'static str {
        match self {
            LimitExceeded::Timeout(_) => "raise it with --timeout, e.g. --timeout 30m",
            LimitExceeded::Memory { .. } | LimitExceeded::Table { .. } => "raise it with --memory MIB",
            LimitExceeded::Output(_) => "raise it with --output-limit KIB",
        }
    }
}

fn humanize(d: Duration) -> String {
    if d.as_secs() >= 1 && d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// Enforces [`Limits`] on one store. Growth past a cap traps with a
/// [`LimitExceeded`] rather than failing quietly, so the human learns which
/// limit stopped the skill instead of seeing a guest `unreachable`.
#[derive(Debug)]
pub struct StoreLimiter {
    memory: usize,
    table_elements: usize,
    instances: usize,
    tables: usize,
}

impl StoreLimiter {
    pub fn new(limits: &Limits) -> Self {
        StoreLimiter {
            memory: limits.memory,
            table_elements: limits.table_elements,
            instances: limits.instances,
            tables: limits.tables,
        }
    }
}

impl wasmtime::ResourceLimiter for StoreLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory {
            return Err(LimitExceeded::Memory { requested: desired, limit: self.memory }.into());
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.table_elements {
            return Err(LimitExceeded::Table { requested: desired, limit: self.table_elements }.into());
        }
        Ok(true)
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn tables(&self) -> usize {
        self.tables
    }

    fn memories(&self) -> usize {
        self.instances
    }
}
