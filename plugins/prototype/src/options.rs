//! The command line of `grove run prototype`.

use grove_sdk::model::Tier;
use grove_sdk::prelude::*;

pub const USAGE: &str = "grove run prototype \"TASK\" [--variants N] [--until \"CHECK\"] [--strategies FILE] [--tier fast|default|deep] [--json]";

pub const DEFAULT_VARIANTS: usize = 5;
/// More variants than this is a fan-out nobody compares.
pub const MAX_VARIANTS: usize = 8;

#[derive(Debug)]
pub struct Options {
    pub task: String,
    pub variants: usize,
    /// A check each variant works until it passes (`loop --until`).
    pub until: Option<String>,
    /// A TOML file of strategies the user gives instead of the model's.
    pub strategies: Option<String>,
    pub tier: Tier,
    pub json: bool,
}

impl Options {
    pub fn parse(invocation: &Invocation) -> Result<Options> {
        let mut args = Args::new(invocation.args.clone());
        let json = Format::take_json(&mut args, invocation);
        let variants = args.number("--variants")?.map_or(DEFAULT_VARIANTS, |n| n as usize);
        if !(2..=MAX_VARIANTS).contains(&variants) {
            return Err(Error::invalid(format!(
                "--variants {variants}: compare 2 to {MAX_VARIANTS} variants"
            )));
        }
        let until = args.value("--until")?.filter(|c| !c.trim().is_empty());
        let strategies = args.value("--strategies")?;
        let tier = match args.value("--tier")?.as_deref() {
            None | Some("deep") => Tier::Deep,
            Some("default") => Tier::Default,
            Some("fast") => Tier::Fast,
            Some(other) => {
                return Err(Error::invalid(format!("--tier {other}: one of fast, default, deep")));
            }
        };
        let mut words = Vec::new();
        while let Some(word) = args.positional() {
            words.push(word);
        }
        args.finish()?;
        let task = match (words.is_empty(), &invocation.task) {
            (false, _) => words.join(" "),
            (true, Some(task)) => task.clone(),
            (true, None) => {
                return Err(Error::invalid(format!(
                    "what should the variants build? Give the feature: {USAGE}"
                )));
            }
        };
        Ok(Options { task, variants, until, strategies, tier, json })
    }
}
