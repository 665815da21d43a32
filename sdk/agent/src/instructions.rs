//! The project's instructions for agents, read as the tools of this field
//! read them: `AGENTS.md` at the root (the cross-tool convention), else
//! `CLAUDE.md`, plus grove's own `.grove/instructions.md`; and the same
//! files in a folder once the agent works in it, so a subproject's rules
//! arrive when they start to matter.

use grove_sdk::{log, workspace};

/// The instruction files of one folder, in order of preference: the first
/// that exists is read.
const FOLDER_FILES: [&str; 2] = ["AGENTS.md", "CLAUDE.md"];
/// grove's own, read at the root beside the above.
const GROVE_FILE: &str = ".grove/instructions.md";
/// Characters of one file handed to the model.
const MAX_CHARS: usize = 20_000;

/// The folders whose instructions have been read (or found to have none).
#[derive(Debug, Default)]
pub struct Instructions {
    seen: Vec<String>,
}

impl Instructions {
    /// The root's instructions, as a section for the system prompt; `None`
    /// when the project has none. Says in the transcript which files were read.
    pub fn root(&mut self) -> Option<String> {
        self.seen.push(String::new());
        let mut files: Vec<(String, String)> = first_of(&FOLDER_FILES).into_iter().collect();
        if let Some(text) = read(GROVE_FILE) {
            files.push((GROVE_FILE.to_string(), text));
        }
        if files.is_empty() {
            return None;
        }
        let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
        log::info(&format!("read the project's instructions: {}", names.join(", ")));
        let mut section = String::from(
            "\nThe project's instructions for agents follow. Follow them unless the task says otherwise.\n",
        );
        for (name, text) in &files {
            section.push_str(&format!(
                "\n<instructions file=\"{name}\">\n{}\n</instructions>\n",
                text.trim_end()
            ));
        }
        Some(section)
    }

    /// Instructions of the folders around `path` (a file or folder the
    /// agent just worked on) not read before, nearest last; `None` when
    /// there are none new.
    pub fn around(&mut self, path: &str) -> Option<String> {
        let path = path.trim_matches('/').trim_start_matches("./");
        let mut folders = Vec::new();
        let mut dir = path;
        // A file's folder and its ancestors; a folder counts itself too
        // (list_files names folders), which costs one stat of a name that
        // is usually not there.
        loop {
            if !dir.is_empty() && !self.seen.iter().any(|s| s == dir) {
                folders.push(dir.to_string());
            }
            match dir.rsplit_once('/') {
                Some((parent, _)) => dir = parent,
                None => break,
            }
        }
        let mut found = Vec::new();
        for folder in folders.into_iter().rev() {
            let names: Vec<String> = FOLDER_FILES.iter().map(|f| format!("{folder}/{f}")).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            if let Some(file) = first_of(&names) {
                found.push(file);
            }
            self.seen.push(folder);
        }
        if found.is_empty() {
            return None;
        }
        let names: Vec<&str> = found.iter().map(|(name, _)| name.as_str()).collect();
        log::info(&format!("read instructions for this part of the project: {}", names.join(", ")));
        let mut text = String::new();
        for (name, body) in &found {
            text.push_str(&format!(
                "\n\n<instructions file=\"{name}\">\nThese apply to files under {}/.\n{}\n</instructions>",
                name.rsplit_once('/').map_or("", |(dir, _)| dir),
                body.trim_end()
            ));
        }
        Some(text)
    }
}

/// The first of `names` that is a readable file, with its text.
fn first_of(names: &[&str]) -> Option<(String, String)> {
    names.iter().find_map(|name| read(name).map(|text| (name.to_string(), text)))
}

fn read(name: &str) -> Option<String> {
    let text = workspace::read_text(name).ok()?;
    if text.trim().is_empty() {
        return None;
    }
    Some(match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}\n[… cut at {MAX_CHARS} characters]", &text[..cut]),
        None => text,
    })
}
