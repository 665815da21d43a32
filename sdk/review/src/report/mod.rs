//! A review written out three ways: a summary line with a markdown report
//! for people, JSON for scripts, SARIF for code-scanning services.

pub mod json;
pub mod sarif;
pub mod text;
