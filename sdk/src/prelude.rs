//! `use grove_sdk::prelude::*;` brings in what almost every skill uses.

pub use crate::{
    Args, Error, Invocation, Manifest, Outcome, Result, Skill, git, log, process, ui, workspace,
};
