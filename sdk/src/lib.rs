//! Write [grove](https://github.com/grove-dev/grove) skills in Rust.
//!
//! A skill is a WebAssembly component that grove runs in a sandbox. It
//! reaches the world only through the host interfaces re-exported here
//! (`workspace`, `process`, `git`, …), and every call it makes passes
//! grove's gate.
//!
//! ```ignore
//! use grove_sdk::prelude::*;
//!
//! struct Hello;
//!
//! impl Skill for Hello {
//!     const MANIFEST: Manifest = Manifest::new("hello", "Greets whoever is named");
//!
//!     fn run(invocation: Invocation) -> Result<Outcome> {
//!         let name = invocation.args.first().map_or("world", String::as_str);
//!         Ok(Outcome::ok(format!("Hello, {name}!")))
//!     }
//! }
//!
//! grove_sdk::export!(Hello);
//! ```

// The generated export macro names this crate by path; let that path work
// inside the crate too.
extern crate self as grove_sdk;

#[doc(hidden)]
pub use wit_bindgen;

mod args;
mod builders;
pub mod bundle;
pub mod changes;
mod format;
pub mod lang;
pub mod log;
#[doc(hidden)]
pub mod manifest;
mod outcome;
pub mod permission;
pub mod prelude;
pub mod sarif;
pub mod scope;
pub mod text;
pub mod trailers;

/// Raw bindings generated from `wit/`: the current contract, `grove:skill@0.2.0`
/// (a component built with them imports each interface `@0.2.0`).
#[allow(clippy::too_many_arguments)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "grove:skill/skill",
        pub_export_macro: true,
        export_macro_name: "__export_skill_world",
        default_bindings_module: "grove_sdk::bindings",
        runtime_path: "grove_sdk::wit_bindgen::rt",
        generate_all,
    });
}

pub use args::Args;
pub use bindings::grove::skill::{
    browser, evidence, git, http, model, notify, process, review, sessions, types, ui, workspace,
};
pub use format::Format;
pub use manifest::Manifest;
pub use types::{Error, Invocation, Outcome, SkillInfo};

/// `Result` with the skill error as its default error type.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// A skill: its manifest and what it does when run.
pub trait Skill {
    /// Name, summary, usage and requested permissions. Stored in the
    /// component so that `grove skill inspect` can read it without running
    /// the skill.
    const MANIFEST: Manifest;

    /// Do the work. Return `Outcome::ok` / `Outcome::fail` for a verdict, or
    /// an `Error` when the skill could not do its job.
    fn run(invocation: Invocation) -> Result<Outcome>;
}

/// Export a type implementing [`Skill`] as the component's entry point and
/// embed its manifest in the `grove:manifest` custom section.
#[macro_export]
macro_rules! export {
    ($skill:ty) => {
        const _: () = {
            #[cfg_attr(target_arch = "wasm32", unsafe(link_section = "grove:manifest"))]
            #[used]
            static MANIFEST_SECTION: [u8; $crate::manifest::encoded_len(
                &<$skill as $crate::Skill>::MANIFEST,
                env!("CARGO_PKG_VERSION"),
            )] = $crate::manifest::encode(&<$skill as $crate::Skill>::MANIFEST, env!("CARGO_PKG_VERSION"));

            struct Exported;

            impl $crate::bindings::Guest for Exported {
                fn describe() -> $crate::SkillInfo {
                    <$skill as $crate::Skill>::MANIFEST.info(env!("CARGO_PKG_VERSION"))
                }

                fn run(invocation: $crate::Invocation) -> $crate::Result<$crate::Outcome> {
                    <$skill as $crate::Skill>::run(invocation)
                }
            }

    $crate::bindings::__export_skill_world!(Exported with_types_in $crate::bindings);
        };
    };
}
