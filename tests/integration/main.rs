//! grove's integration tests: the real `grove` binary on real repositories,
//! running real components (the built-in skills and the fixture guests in
//! `tests/guests/`).

#[macro_use]
mod support;

mod agent;
mod attach;
mod audit;
mod browser;
mod budget;
mod challenge;
mod cli;
mod contain;
mod contract;
mod dash;
mod doctor;
mod evidence;
mod evidence_skill;
mod export;
mod gate;
mod http;
mod identity;
mod install;
mod languages;
mod limits;
mod notify;
mod packaging;
mod policy;
mod pr;
mod prototype;
mod review;
mod running;
mod runtime;
mod sandbox;
mod serve;
mod session_tree;
mod sessions;
mod simplify;
mod snapshots;
mod stats;
mod steer;
mod terminal;
mod transcript;
mod worktree;
