//! `--challenge`: for design changes nobody signed off, a session whose
//! agent drafts a different design for the same change, following the
//! project's design tokens and the designers' guidance file when there is
//! one: an adversarial proposal for the human to weigh beside the first.
//! It starts from this work (the same change, to be designed again) and is
//! this session's sub-session, so `grove ls` shows it under the original.

use grove_sdk::prelude::*;
use grove_sdk::sessions::{self, Spec};

use crate::detect::{Change, Kind};

/// Where the designers may write how they want designs made.
pub const GUIDANCE: &str = ".grove/design-guidance.md";
/// The most of the guidance file put in the task.
const GUIDANCE_SHOWN: usize = 8 * 1024;
/// Files that hold design tokens, looked for when the change has none.
const TOKEN_FILES: &[&str] =
    &["tokens.json", "design-tokens.json", "theme.ts", "tailwind.config.js", "tailwind.config.ts"];

/// The task of the challenge session.
pub fn task(changes: &[Change], tokens: &[String], guidance: Option<&str>) -> String {
    let mut text = String::from(
        "This change alters the design and no designer has signed it off. Draft a different design for the \
         same change: keep what it does, change how it looks, and make it a real alternative a designer would \
         weigh against the first (not a tweak of it). Edit the same files; commit when done and say in one \
         paragraph how your design differs and why.\n\nThe design changes to redo:\n",
    );
    for change in changes {
        let lines = change.lines.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
        text.push_str(&format!(
            "- {} ({}{})\n",
            change.path,
            change.kind.describe(),
            if lines.is_empty() { String::new() } else { format!(", lines {lines}") }
        ));
    }
    if !tokens.is_empty() {
        text.push_str(&format!(
            "\nUse the project's design tokens ({}); add no colour, size or font that is not one of them.\n",
            tokens.join(", ")
        ));
    }
    if let Some(guidance) = guidance {
        let mut end = guidance.len().min(GUIDANCE_SHOWN);
        while !guidance.is_char_boundary(end) {
            end -= 1;
        }
        text.push_str(&format!(
            "\nThe designers' guidance ({GUIDANCE}), to follow:\n\n{}\n",
            &guidance[..end]
        ));
    }
    text
}

/// The token files the change touches, else the usual ones the tree has.
pub fn tokens(changes: &[Change]) -> Vec<String> {
    let touched: Vec<String> =
        changes.iter().filter(|c| c.kind == Kind::DesignTokens).map(|c| c.path.clone()).collect();
    if !touched.is_empty() {
        return touched;
    }
    TOKEN_FILES.iter().filter(|f| workspace::stat(f).is_ok()).map(|f| f.to_string()).collect()
}

/// Start the challenge session; its name.
pub fn start(changes: &[Change], invocation: &Invocation) -> Result<String> {
    let guidance = match workspace::read_text(GUIDANCE) {
        Ok(text) => Some(text),
        Err(Error::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let tokens = tokens(changes);
    let stem = invocation.session.clone().unwrap_or_else(|| "design".to_string());
    let mut last = None;
    for n in 1..=9 {
        let name = if n == 1 { format!("{stem}-challenge") } else { format!("{stem}-challenge-{n}") };
        let spec = Spec {
            name,
            task: task(changes, &tokens, guidance.as_deref()),
            skill: None,
            base: None,
            args: Vec::new(),
        };
        match sessions::spawn(&spec) {
            Ok(name) => return Ok(name),
            Err(Error::Invalid(why)) if why.contains("exists") || why.contains("taken") => last = Some(why),
            Err(e) => return Err(e),
        }
    }
    Err(Error::invalid(last.unwrap_or_else(|| "no free name for the challenge session".into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_task_names_each_change_the_tokens_and_the_guidance() {
        let changes = [
            Change { path: "web/app.css".into(), kind: Kind::Stylesheet, lines: vec![3, 4] },
            Change { path: "tokens.json".into(), kind: Kind::DesignTokens, lines: vec![] },
        ];
        let text = task(&changes, &["tokens.json".into()], Some("Prefer whitespace to borders."));
        assert!(text.contains("- web/app.css (stylesheet, lines 3, 4)"), "{text}");
        assert!(text.contains("- tokens.json (design tokens)"), "{text}");
        assert!(text.contains("design tokens (tokens.json)"), "{text}");
        assert!(text.contains("Prefer whitespace to borders."), "{text}");
        assert!(!task(&changes[..1], &[], None).contains("guidance"));
    }
}
