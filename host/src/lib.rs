//! grove: run many AI coding sessions in parallel, and extend them with
//! sandboxed WebAssembly skills.

pub mod browser;
pub mod caps;
pub mod cli;
pub mod env;
pub mod evidence;
pub mod gate;
mod layers;
pub mod net;
pub mod notify;
pub mod paths;
pub mod pid;
pub mod providers;
pub mod repo;
pub mod review;
pub mod runtime;
pub mod sandbox;
pub mod serve;
pub mod session;
pub mod skill;
pub mod text;
pub mod transcript;
pub mod wit;
pub mod worktree;
