//! `--propose`: the model writes scenarios for the front-end changes in
//! the diff. They are saved under `.grove/scenarios/proposed/` for the user
//! to read and keep (by moving them up into `.grove/scenarios/`); none is
//! ever run unasked, and one that does not parse is not saved.

use grove_sdk::changes::Base;
use grove_sdk::model::{self, Content, Message, Request, Role, Tier};
use grove_sdk::prelude::*;

use crate::options::Options;
use crate::scenario;

/// Where proposals are saved.
pub const DIR: &str = ".grove/scenarios/proposed";
/// Characters of the front-end diff handed to the model.
const DIFF_SHOWN: usize = 40_000;
/// Most scenarios saved from one answer.
const MOST: usize = 5;
/// Files a browser shows, by extension.
const FRONT_END: &[&str] = &[
    "html", "htm", "css", "scss", "sass", "less", "js", "jsx", "mjs", "ts", "tsx", "vue", "svelte", "astro",
    "hbs", "ejs", "njk", "liquid", "erb",
];

const SYSTEM: &str = r##"You write browser scenarios that show a front-end change working, for a reviewer who watches them as GIFs.
A scenario is a TOML file:

name = "short-kebab-name"
viewport = [1280, 720]        # optional
url = "/page.html"            # optional: the path it starts at

[[steps]]
click = "#add"                # a CSS selector
caption = "Add one item"      # optional on every step: what the reviewer reads under the frames

[[steps]]
expect-text = { selector = "#count", text = "count: 1" }

Each step does exactly one of: goto = "/path", click = "SELECTOR", type = { selector = "SELECTOR", text = "TEXT" },
press = "Enter", wait-for = "SELECTOR" (or wait-for = { text = "TEXT" }), expect-text = { selector = "SELECTOR", text = "TEXT" }
(or expect-text = "TEXT" for the whole page), screenshot = "CAPTION", pause = MILLISECONDS.
Use only selectors and texts that the diff shows exist. End each scenario with an expect-text that proves the change works.
Answer with one ```toml fenced block per scenario, at most 3, and nothing else."##;

/// Ask the model for scenarios of the diff's front-end changes and save
/// the ones that parse.
pub fn propose(invocation: &Invocation, options: &Options) -> Result<Outcome> {
    let base = Base::choose(invocation, options.base.clone())?;
    let diff = base.diff()?;
    let parsed = grove_diff::parse(&diff);
    let paths: Vec<&str> = parsed.files.iter().map(|f| f.path.as_str()).filter(|p| front_end(p)).collect();
    if paths.is_empty() {
        return Ok(Outcome::ok(format!(
            "no front-end changes in {}: no scenarios to propose",
            base.describe()
        )));
    }
    let shown = clip(&sections(&diff, &paths), DIFF_SHOWN);
    let existing = existing_names()?;
    let mut ask = format!("The front-end changes ({}), as a unified diff:\n\n{shown}\n", base.describe());
    if !existing.is_empty() {
        ask.push_str(&format!(
            "\nScenarios that already exist (do not repeat them): {}\n",
            existing.join(", ")
        ));
    }
    let request = Request {
        tier: Tier::Default,
        model: None,
        effort: None,
        long_context: false,
        system: Some(SYSTEM.into()),
        messages: vec![Message { role: Role::User, content: vec![Content::Text(ask)] }],
        tools: Vec::new(),
        max_tokens: 4096,
    };
    let answer: String = model::complete(&request)?
        .content
        .into_iter()
        .filter_map(|c| if let Content::Text(t) = c { Some(t) } else { None })
        .collect::<Vec<_>>()
        .join("\n");

    let mut saved = Vec::new();
    let mut rejected = Vec::new();
    for (i, block) in toml_blocks(&answer).into_iter().take(MOST).enumerate() {
        match scenario::parse(&format!("proposed scenario {}", i + 1), &block) {
            Ok(s) => saved.push(save(&s.name, &block, &base)?),
            Err(why) => rejected.push(why),
        }
    }
    let mut report = String::new();
    if !rejected.is_empty() {
        report = format!("Not saved, as they do not parse:\n\n- {}\n", rejected.join("\n- "));
    }
    if saved.is_empty() {
        let why =
            if rejected.is_empty() { "its answer held no ```toml block".to_string() } else { report.clone() };
        return Ok(Outcome::fail(format!("the model proposed no scenario that parses: {why}")));
    }
    let summary = format!(
        "proposed {} scenario{} for the front-end changes ({}): {}. Nothing was run: read them, and move those to keep into {}/",
        saved.len(),
        if saved.len() == 1 { "" } else { "s" },
        paths.join(", "),
        saved.join(", "),
        scenario::DIR
    );
    let outcome = Outcome::ok(summary);
    Ok(if report.is_empty() { outcome } else { outcome.with_report(report) })
}

fn front_end(path: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(_, ext)| FRONT_END.contains(&ext.to_ascii_lowercase().as_str()))
}

/// The sections of `diff` about `paths`.
fn sections(diff: &str, paths: &[&str]) -> String {
    let mut kept = String::new();
    let mut keep = false;
    for line in diff.split_inclusive('\n') {
        if let Some(header) = line.strip_prefix("diff --git ") {
            keep = paths.iter().any(|p| header.trim_end().ends_with(&format!(" b/{p}")));
        }
        if keep {
            kept.push_str(line);
        }
    }
    kept
}

fn clip(text: &str, most: usize) -> String {
    match text.char_indices().nth(most) {
        Some((at, _)) => format!("{}\n[… the rest of the diff is left out]\n", &text[..at]),
        None => text.to_string(),
    }
}

/// The names of the scenarios already kept.
fn existing_names() -> Result<Vec<String>> {
    match workspace::list(scenario::DIR) {
        Ok(entries) => Ok(entries
            .into_iter()
            .filter_map(|e| {
                e.path.strip_suffix(".toml").map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
            })
            .collect()),
        Err(Error::NotFound(_)) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The ```toml blocks of an answer.
fn toml_blocks(answer: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in answer.lines() {
        let fence = line.trim_start();
        match &mut current {
            None if fence.starts_with("```toml") => current = Some(String::new()),
            Some(block) if fence.starts_with("```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// Save a proposal under a name of its own; the path it was saved at.
fn save(name: &str, text: &str, base: &Base) -> Result<String> {
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let slug = if slug.is_empty() { "scenario".to_string() } else { slug.chars().take(60).collect() };
    let mut path = format!("{DIR}/{slug}.toml");
    let mut n = 2;
    while workspace::stat(&path).is_ok() {
        path = format!("{DIR}/{slug}-{n}.toml");
        n += 1;
    }
    let header = format!(
        "# Proposed by `grove run evidence --propose` for {}.\n# Nothing runs it until you move it into {}/.\n\n",
        base.describe(),
        scenario::DIR
    );
    workspace::write(&path, format!("{header}{text}").as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_of_an_answer() {
        let answer = "Here:\n```toml\nname = \"a\"\n```\ntext\n```\nnot toml\n```\n  ```toml\nname = \"b\"\n  ```\n```toml\nunclosed";
        assert_eq!(toml_blocks(answer), vec!["name = \"a\"\n", "name = \"b\"\n"]);
    }

    #[test]
    fn only_front_end_files_and_their_sections() {
        assert!(front_end("web/index.HTML") && front_end("src/App.tsx") && front_end("a.css"));
        assert!(!front_end("src/main.rs") && !front_end("Makefile"));
        let diff =
            "diff --git a/index.html b/index.html\n+<p>x</p>\ndiff --git a/main.rs b/main.rs\n+fn x() {}\n";
        assert_eq!(sections(diff, &["index.html"]), "diff --git a/index.html b/index.html\n+<p>x</p>\n");
    }
}
