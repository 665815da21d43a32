//! `use grove_sdk::prelude::*;` brings in what almost every skill uses.

pub use crate::{
    Args, Error, Format, Invocation, Manifest, Outcome, Result, Skill, git, log, permission, process, ui,
    workspace,
};
