//! `--challenge`: for design changes nobody signed off, a session whose
//! agent drafts a different design for the same change, following the
//! project's design tokens and the designers' guidance file when there is
//! one: an adversarial proposal for the human to weigh beside the first.
//! It starts from this work (the same change, to be designed again) and is
//! this session's sub-session, so `grove ls` shows it under the original.

use grove_sdk::prelude::*;
use grove_sdk::sessions::{self, FollowUp, Spec};

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

/// The challenge session as started: its name, what its runner does once
/// its draft is done, and why opening the draft pull request was left
/// out, when the gate refused it.
pub struct Started {
    pub name: String,
    pub then: Vec<FollowUp>,
    pub refused: Option<String>,
}

/// Start the challenge session. Once its agent's draft is done, its
/// runner records the project's evidence scenarios on it (when the app
/// is configured: `with_evidence`) and opens it as a draft pull request,
/// which links to this session's own (`sessions.spawn-then`). Opening the
/// pull request reaches other people, so the gate may refuse it: the
/// challenge then starts without it, and the report says how to open it.
pub fn start(changes: &[Change], invocation: &Invocation, with_evidence: bool) -> Result<Started> {
    let guidance = match workspace::read_text(GUIDANCE) {
        Ok(text) => Some(text),
        Err(Error::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let tokens = tokens(changes);
    let stem = invocation.session.clone().unwrap_or_else(|| "design".to_string());
    let mut then = Vec::new();
    if with_evidence {
        then.push(FollowUp::Evidence);
    }
    then.push(FollowUp::PrDraft);
    let mut refused = None;
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
        let spawned = match sessions::spawn_then(&spec, &then) {
            Err(Error::Denied(why)) if then.contains(&FollowUp::PrDraft) => {
                then.retain(|step| *step != FollowUp::PrDraft);
                refused = Some(why);
                sessions::spawn_then(&spec, &then)
            }
            other => other,
        };
        match spawned {
            Ok(name) => return Ok(Started { name, then, refused }),
            Err(Error::Invalid(why)) if why.contains("exists") || why.contains("taken") => last = Some(why),
            Err(e) => return Err(e),
        }
    }
    Err(Error::invalid(last.unwrap_or_else(|| "no free name for the challenge session".into())))
}

/// What the report says of the challenge: the session, and what will
/// happen once its draft is done.
pub fn markdown(started: &Started) -> String {
    let name = &started.name;
    let mut text = format!("\n\nA challenge: session `{name}` drafts a different design of the same change.");
    let evidence = started.then.contains(&FollowUp::Evidence);
    let pr = started.then.contains(&FollowUp::PrDraft);
    match (evidence, pr) {
        (true, true) => text.push_str(
            " When the draft is done, grove records the project's evidence scenarios on it and opens it as a \
             draft pull request beside this one, each linking the other.",
        ),
        (false, true) => text.push_str(&format!(
            " When the draft is done, grove opens it as a draft pull request beside this one, each linking \
             the other; with no `[evidence]` configured it carries no recording (configure it, then \
             `grove run evidence --session {name}` and `grove pr {name} --draft` again)."
        )),
        (true, false) => {
            text.push_str(" When the draft is done, grove records the project's evidence scenarios on it.")
        }
        (false, false) => {}
    }
    if let Some(why) = &started.refused {
        text.push_str(&format!(
            " Opening it as a pull request was not allowed ({}): when it is done, open it by hand with \
             `grove pr {name} --draft`.",
            why.lines().next().unwrap_or_default()
        ));
    }
    text.push_str(&format!(" `grove ls` shows how far it is; `grove logs {name}` what it did.\n"));
    text
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

    #[test]
    fn the_report_says_what_happens_once_the_draft_is_done() {
        let all = Started {
            name: "look-challenge".into(),
            then: vec![FollowUp::Evidence, FollowUp::PrDraft],
            refused: None,
        };
        let text = markdown(&all);
        assert!(
            text.contains("records the project's evidence scenarios on it and opens it as a draft"),
            "{text}"
        );
        assert!(text.contains("`grove logs look-challenge`"), "{text}");
        let refused =
            Started { then: vec![FollowUp::Evidence], refused: Some("no one to ask".into()), ..all };
        let text = markdown(&refused);
        assert!(text.contains("was not allowed (no one to ask)"), "{text}");
        assert!(text.contains("`grove pr look-challenge --draft`"), "{text}");
        assert!(!text.contains("opens it as a draft"), "{text}");
    }
}
