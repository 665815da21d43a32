//! Skill packaging: manifests, built-ins, installed skills and files.

pub mod builtin;
pub mod install;
pub mod invoke;
pub mod manifest;
pub mod pack;
pub mod scaffold;
pub mod source;

pub use manifest::{Manifest, PackageError, PackageInfo};
pub use source::{Origin, SkillSource, SourceError};
