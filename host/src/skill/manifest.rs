//! The manifest a skill carries in its `grove:manifest` custom section, and
//! the component's real import list, both read without compiling it.

use serde::{Deserialize, Serialize};
use wasmparser::{ComponentTypeRef, Encoding, Parser, Payload};

use crate::gate::{Permission, PermissionSet};

/// Name of the custom section holding the manifest JSON.
pub const SECTION: &str = "grove:manifest";

/// What a skill says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    pub summary: String,
    #[serde(default)]
    pub usage: String,
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Who publishes the skill (`grove skill pack` writes it from
    /// `grove.toml`; the Rust SDK does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
}

/// What a skill's `describe` export answered: the same, without a publisher
/// (the contract's record has none).
impl From<crate::runtime::SkillInfo> for Manifest {
    fn from(info: crate::runtime::SkillInfo) -> Self {
        Manifest {
            name: info.name,
            version: info.version,
            summary: info.summary,
            usage: info.usage,
            permissions: info.permissions,
            publisher: None,
        }
    }
}

/// What a component file holds, as far as grove cares before running it.
#[derive(Debug, Clone)]
pub struct PackageInfo {
    /// The manifest section, if the component has one.
    pub manifest: Option<Manifest>,
    /// Interfaces the component imports, e.g. `grove:skill/workspace@0.2.0`.
    pub imports: Vec<String>,
}

/// Why a file is not a usable skill.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("not a WebAssembly component: {0}")]
    NotWasm(String),
    #[error(
        "this is a core WebAssembly module, not a component (build for wasm32-wasip2, or wrap it with `wasm-tools component new`)"
    )]
    CoreModule,
    #[error("the grove:manifest section is not valid: {0}")]
    BadManifest(String),
}

impl Manifest {
    /// Parse and validate the JSON of the manifest section.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, PackageError> {
        let manifest: Manifest =
            serde_json::from_slice(bytes).map_err(|e| PackageError::BadManifest(e.to_string()))?;
        manifest.validate()?;
        Ok(manifest)
    }

    fn validate(&self) -> Result<(), PackageError> {
        let bad = |why: String| Err(PackageError::BadManifest(why));
        if self.name.is_empty()
            || self.name.len() > 64
            || !self.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            || self.name.starts_with('-')
        {
            return bad(format!("name {:?} must be 1-64 characters of a-z, 0-9 and -", self.name));
        }
        self.requested().map(|_| ())
    }

    /// The permissions requested, as a set; unknown names are an error (a
    /// skill built for a newer grove must not silently lose a permission).
    pub fn requested(&self) -> Result<PermissionSet, PackageError> {
        self.permissions
            .iter()
            .map(|p| p.parse::<Permission>().map_err(|e| PackageError::BadManifest(e.to_string())))
            .collect()
    }
}

/// Read the manifest and imports of a component.
pub fn inspect(wasm: &[u8]) -> Result<PackageInfo, PackageError> {
    let mut manifest = None;
    let mut imports = Vec::new();
    // Nesting depth: imports of the outer component only, but the manifest
    // lives in the core module the component wraps, one level down.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| PackageError::NotWasm(e.to_string()))? {
            Payload::Version { encoding, .. } => {
                if depth == 0 && encoding != Encoding::Component {
                    return Err(PackageError::CoreModule);
                }
                depth += 1;
            }
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 1 => {
                for import in reader {
                    let import = import.map_err(|e| PackageError::NotWasm(e.to_string()))?;
                    // Type imports (records the world `use`s) are not capabilities.
                    if matches!(import.ty, ComponentTypeRef::Instance(_) | ComponentTypeRef::Func(_)) {
                        imports.push(import.name.name.to_string());
                    }
                }
            }
            Payload::CustomSection(section) if section.name() == SECTION && manifest.is_none() => {
                manifest = Some(Manifest::parse(section.data())?);
            }
            _ => {}
        }
    }
    if depth != 0 && imports.is_empty() && manifest.is_none() {
        return Err(PackageError::NotWasm("truncated component".into()));
    }
    Ok(PackageInfo { manifest, imports })
}
