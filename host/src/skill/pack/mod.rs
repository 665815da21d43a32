//! `grove skill pack`: a component built by any toolchain, given the
//! `grove:manifest` section the Rust SDK writes, from a `grove.toml`.
//!
//! Only the Rust SDK can put a custom section into a component as it is
//! built; componentize-py, componentize-js and `wasm-tools component new`
//! cannot. Packing appends the section to the finished component, after
//! checking the manifest against what the component imports: a permission
//! no import can use is refused, since a user asked to grant it would be
//! asked for nothing.

use std::borrow::Cow;

use serde::Deserialize;
use wasm_encoder::{ComponentSection, CustomSection};

use super::manifest::{self, Manifest, PackageError};
use crate::gate::verbs::{self, VERBS};
use crate::gate::{Permission, PermissionSet};

/// `grove.toml`: what a skill says about itself, beside its sources.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroveToml {
    pub name: String,
    pub version: String,
    pub summary: String,
    #[serde(default)]
    pub usage: String,
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Who publishes the skill, as its users should know them.
    #[serde(default)]
    pub publisher: Option<String>,
}

/// A packed component and what was learnt packing it.
#[derive(Debug)]
pub struct Packed {
    /// The component with its manifest section.
    pub wasm: Vec<u8>,
    pub manifest: Manifest,
    /// Interfaces the component imports that no permission of its manifest
    /// lets it call: every call of theirs will be denied. Worth a warning
    /// (a narrower world would drop them), not a refusal.
    pub idle_imports: Vec<String>,
    /// The component already carried this same manifest (the Rust SDK
    /// writes one): nothing was added.
    pub already: bool,
}

/// Why a component was not packed.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("grove.toml is not valid: {0}")]
    Toml(String),
    #[error("grove.toml: {0}")]
    Manifest(String),
    #[error(transparent)]
    Component(PackageError),
    #[error(
        "grove.toml asks for `{permission}`, but the component does not import {needs}, so it could never use it \
         (hint: target a world in wit/world.wit that imports {needs}, or drop `{permission}` from grove.toml)"
    )]
    Unreachable { permission: Permission, needs: String },
    #[error(
        "the component already carries a different manifest ({existing}); grove.toml says {wanted} \
         (hint: make the two agree: a Rust skill's manifest is its `Skill::MANIFEST`)"
    )]
    Conflict { existing: String, wanted: String },
}

impl GroveToml {
    pub fn parse(text: &str) -> Result<GroveToml, PackError> {
        toml::from_str(text).map_err(|e| PackError::Toml(e.message().to_string()))
    }

    /// The manifest, validated as grove validates any manifest section.
    pub fn manifest(&self) -> Result<Manifest, PackError> {
        if self.version.trim().is_empty() {
            return Err(PackError::Manifest("`version` must not be empty".into()));
        }
        if self.summary.trim().is_empty() {
            return Err(PackError::Manifest(
                "`summary` must not be empty: one line, what the skill does".into(),
            ));
        }
        if let Some(publisher) = &self.publisher
            && publisher.trim().is_empty()
        {
            return Err(PackError::Manifest("`publisher` must not be empty when given".into()));
        }
        let manifest = Manifest {
            name: self.name.clone(),
            version: self.version.clone(),
            summary: self.summary.clone(),
            usage: self.usage.clone(),
            permissions: self.permissions.clone(),
            publisher: self.publisher.clone(),
        };
        // The same checks a host makes reading the section: a manifest
        // that packs is one that loads.
        let json = serde_json::to_vec(&manifest).expect("a manifest serializes");
        Manifest::parse(&json).map_err(|e| match e {
            PackageError::BadManifest(why) => PackError::Manifest(why),
            other => PackError::Component(other),
        })
    }
}

/// Give `wasm` the manifest of `toml`.
pub fn pack(wasm: &[u8], toml: &GroveToml) -> Result<Packed, PackError> {
    let manifest = toml.manifest()?;
    let info = manifest::inspect(wasm).map_err(PackError::Component)?;
    let requested = manifest.requested().map_err(PackError::Component)?;
    for permission in requested.iter() {
        if !reachable(&info.imports).contains(permission) {
            return Err(PackError::Unreachable { permission, needs: needs(permission) });
        }
    }
    let idle_imports = info
        .imports
        .iter()
        .filter(|import| {
            // The functions of the release it imports.
            let theirs: Vec<_> = verbs::of_import(import).collect();
            // `log` needs no permission; `types` has no functions.
            !theirs.is_empty() && theirs.iter().all(|v| v.permission.is_some_and(|p| !requested.contains(p)))
        })
        .filter_map(|import| verbs::interface_of(import))
        .map(|i| i.to_string())
        .collect();
    if let Some(existing) = info.manifest {
        if existing != manifest {
            return Err(PackError::Conflict { existing: describe(&existing), wanted: describe(&manifest) });
        }
        return Ok(Packed { wasm: wasm.to_vec(), manifest, idle_imports, already: true });
    }
    let data = serde_json::to_vec(&manifest).expect("a manifest serializes");
    let mut out = wasm.to_vec();
    CustomSection { name: Cow::Borrowed(manifest::SECTION), data: Cow::Owned(data) }
        .append_to_component(&mut out);
    Ok(Packed { wasm: out, manifest, idle_imports, already: false })
}

/// The permissions some function of these imports needs.
fn reachable(imports: &[String]) -> PermissionSet {
    imports.iter().flat_map(|import| verbs::of_import(import)).filter_map(|v| v.permission).collect()
}

/// The interfaces whose functions need `permission`, for a message.
fn needs(permission: Permission) -> String {
    let mut names: Vec<&str> =
        VERBS.iter().filter(|v| v.permission == Some(permission)).map(|v| v.capability).collect();
    names.dedup();
    names.iter().map(|n| format!("`grove:skill/{n}`")).collect::<Vec<_>>().join(" or ")
}

fn describe(m: &Manifest) -> String {
    let by = m.publisher.as_deref().map(|p| format!(" from {p:?}")).unwrap_or_default();
    format!("{} {}{by} asking for [{}], summary {:?}", m.name, m.version, m.permissions.join(", "), m.summary)
}

#[cfg(test)]
mod tests;
