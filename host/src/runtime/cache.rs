//! Compiled components cached on disk by content hash, so that a warm run
//! does no Cranelift work: it maps the cached artifact and goes.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// How a component was obtained, for logs, tests and the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Loaded from the cache: no compilation.
    Hit,
    /// Compiled and written to the cache.
    Miss,
    /// Compiled; there is no cache directory.
    Disabled,
}

/// Errors compiling or caching a component.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("not a valid WebAssembly component: {0}")]
    Compile(String),
}

/// A directory of precompiled components.
#[derive(Debug, Clone)]
pub struct ComponentCache {
    dir: Option<PathBuf>,
}

impl ComponentCache {
    /// A cache in `dir`, created on first write; `None` disables caching.
    pub fn new(dir: Option<PathBuf>) -> Self {
        ComponentCache { dir }
    }

    /// The default location: `$GROVE_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/grove/components`, else `~/.cache/grove/components`.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os(crate::env::GROVE_CACHE_DIR) {
            return Some(PathBuf::from(dir));
        }
        let base = std::env::var_os(crate::env::XDG_CACHE_HOME)
            .map(PathBuf::from)
            .or_else(|| std::env::var_os(crate::env::HOME).map(|home| Path::new(&home).join(".cache")))?;
        Some(base.join("grove").join("components"))
    }

    /// The file a component with these bytes is cached in for this engine.
    /// The engine's compatibility hash is part of the name, so a new grove
    /// (or other engine settings) never trips over an old artifact.
    pub fn path_for(&self, engine: &Engine, wasm: &[u8]) -> Option<PathBuf> {
        self.path_for_digest(engine, &digest(wasm))
    }

    /// The same, for a component whose SHA-256 the caller already has.
    fn path_for_digest(&self, engine: &Engine, digest: &[u8; 32]) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let mut engine_hash = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut engine_hash);
        let name = format!("{}-{:016x}.cwasm", hex(&digest[..16]), engine_hash.finish());
        Some(dir.join(name))
    }

    /// Load the compiled form of `wasm`, compiling and storing it on a miss.
    pub fn load(&self, engine: &Engine, wasm: &[u8]) -> Result<(Component, CacheOutcome), CacheError> {
        self.load_digested(engine, wasm, &digest(wasm))
    }

    /// [`ComponentCache::load`] for a component whose SHA-256 the caller
    /// already has: hashing a 20 MB component (a Python or JavaScript
    /// skill) is most of a warm run's time, so it is done once per run.
    pub fn load_digested(
        &self,
        engine: &Engine,
        wasm: &[u8],
        digest: &[u8; 32],
    ) -> Result<(Component, CacheOutcome), CacheError> {
        let Some(path) = self.path_for_digest(engine, digest) else {
            return Ok((compile(engine, wasm)?, CacheOutcome::Disabled));
        };
        if path.is_file() {
            // SAFETY: the file is one this process family wrote from a
            // component it compiled itself, under a name that pins both the
            // source bytes and the engine settings. Wasmtime still checks
            // the header and refuses an incompatible artifact; a corrupt or
            // truncated one is caught below and replaced.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok((component, CacheOutcome::Hit)),
                Err(e) => {
                    tracing::warn!(path = %path.display(), "discarding unusable cache entry: {e}")
                }
            }
        }
        let component = compile(engine, wasm)?;
        if let Err(e) = store(&path, &component) {
            // A read-only or full disk costs speed, not correctness.
            tracing::warn!(path = %path.display(), "could not cache compiled component: {e}");
            return Ok((component, CacheOutcome::Disabled));
        }
        Ok((component, CacheOutcome::Miss))
    }
}

/// The SHA-256 of a component: its cache key, and its identity to policy.
pub fn digest(wasm: &[u8]) -> [u8; 32] {
    Sha256::digest(wasm).into()
}

fn compile(engine: &Engine, wasm: &[u8]) -> Result<Component, CacheError> {
    Component::new(engine, wasm).map_err(|e| CacheError::Compile(format!("{e:#}")))
}

/// Write atomically: a crash mid-write leaves a temporary file, never a
/// truncated cache entry under the real name.
fn store(path: &Path, component: &Component) -> anyhow::Result<()> {
    let dir = path.parent().expect("cache paths have a parent");
    fs::create_dir_all(dir)?;
    let bytes = component.serialize()?;
    let tmp =
        dir.join(format!(".{}.{}.tmp", path.file_name().unwrap().to_string_lossy(), std::process::id()));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path)?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
