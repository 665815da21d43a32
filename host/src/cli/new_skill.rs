//! `grove skill new NAME --lang rust|python|js|c`.

use std::path::PathBuf;

use clap::Args;

use super::{CliError, Exit};
use crate::skill::scaffold::{Lang, Project, ScaffoldError};

#[derive(Debug, Args)]
pub struct NewSkillArgs {
    /// The skill's name, as typed after `grove run`: a-z, 0-9 and -.
    pub name: String,

    /// The language to write it in.
    #[arg(long, value_enum)]
    pub lang: Lang,

    /// The folder to write the project into (it must not exist, or be
    /// empty); `./NAME` when not given.
    #[arg(long)]
    pub dir: Option<PathBuf>,

    /// For Rust: the `sdk/` folder of a grove checkout to build against;
    /// the grove repository when not given.
    #[arg(long, value_name = "PATH")]
    pub sdk: Option<PathBuf>,
}

pub fn new_skill(args: NewSkillArgs) -> Result<Exit, CliError> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from(&args.name));
    // A relative SDK path would be read from the project's folder.
    let sdk = args.sdk.map(|p| std::path::absolute(&p).unwrap_or(p));
    let project = Project { name: args.name.clone(), lang: args.lang, sdk };
    project.write(&dir).map_err(|e| match e {
        ScaffoldError::Write { .. } => CliError::new(Exit::Host, e),
        ScaffoldError::Exists(_) => CliError::new(Exit::Usage, e).hint("name another folder with --dir"),
        ScaffoldError::Name(_) => CliError::new(Exit::Usage, e),
    })?;
    let needs = match args.lang {
        Lang::Rust => "Rust with the wasm32-wasip2 target",
        Lang::Python => "componentize-py 0.25.1 (pip)",
        Lang::Js => "Node.js and @bytecodealliance/componentize-js 0.23.0 (npm)",
        Lang::C => "clang, wasi-libc, wit-bindgen-cli, wasm-tools and cargo",
    };
    println!("wrote a {} skill to {}", args.lang, dir.display());
    println!("build it (needs {needs}):  cd {} && ./build.sh", dir.display());
    println!("run it:    grove run {}/out/{}.wasm --allow process", dir.display(), args.name);
    println!("its manifest is grove.toml; the skill-writing guide is docs/skills.md");
    Ok(Exit::Ok)
}
