//! The tools the model may call, and running one call. Every tool reaches
//! the world through a grove capability, so each call passes the gate and
//! the permission mode applies to it.

mod edit;
mod files;
mod search;
mod shell;

use grove_sdk::model::Tool;
use grove_sdk::workspace;
use serde_json::{Value, json};

use crate::context::cap;

/// What a finished call says back to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub content: String,
    pub is_error: bool,
    /// The call changed a file.
    pub wrote: Option<String>,
    /// The call made a commit: its message.
    pub committed: Option<String>,
}

impl Answer {
    fn ok(content: String) -> Answer {
        Answer { content, is_error: false, wrote: None, committed: None }
    }

    fn error(content: String) -> Answer {
        Answer { content, is_error: true, wrote: None, committed: None }
    }
}

/// The tool list offered to the model. `commit` only when committing is
/// the agent's to do.
pub fn definitions(commit: bool) -> Vec<Tool> {
    let tool = |name: &str, description: &str, schema: Value| Tool {
        name: name.into(),
        description: description.into(),
        input_schema: schema.to_string(),
    };
    let mut tools = vec![
        tool(
            "list_files",
            "List the files under a folder of the repository (recursively, honouring .gitignore).",
            json!({"type": "object", "properties": {
                "path": {"type": "string", "description": "Folder relative to the repository root; omit for the root."}
            }}),
        ),
        tool(
            "read_file",
            "Read a text file. Lines come numbered (the numbers are not part of the file).",
            json!({"type": "object", "required": ["path"], "properties": {
                "path": {"type": "string"},
                "offset": {"type": "integer", "description": "First line to read, 1-based."},
                "limit": {"type": "integer", "description": "How many lines to read (default 2000)."}
            }}),
        ),
        tool(
            "search",
            "Search file contents with a regular expression; answers path:line: text.",
            json!({"type": "object", "required": ["pattern"], "properties": {
                "pattern": {"type": "string"},
                "glob": {"type": "string", "description": "Which files, e.g. src/**/*.rs (default: every file)."}
            }}),
        ),
        tool(
            "edit_file",
            "Replace an exact piece of a file with new text. old_string must match the file exactly \
             (indentation included) and only once, unless replace_all is set.",
            json!({"type": "object", "required": ["path", "old_string", "new_string"], "properties": {
                "path": {"type": "string"},
                "old_string": {"type": "string"},
                "new_string": {"type": "string"},
                "replace_all": {"type": "boolean"}
            }}),
        ),
        tool(
            "write_file",
            "Create a file, or replace a whole file, with the given content.",
            json!({"type": "object", "required": ["path", "content"], "properties": {
                "path": {"type": "string"},
                "content": {"type": "string"}
            }}),
        ),
        tool(
            "run",
            "Run a shell command line in the repository root, e.g. the tests. Answers the exit code and output.",
            json!({"type": "object", "required": ["command"], "properties": {
                "command": {"type": "string"},
                "timeout_seconds": {"type": "integer", "description": "Default 300."}
            }}),
        ),
    ];
    if commit {
        tools.push(tool(
            "commit",
            "Commit every change made so far with a message. Commit at milestones: when a step works.",
            json!({"type": "object", "required": ["message"], "properties": {
                "message": {"type": "string"}
            }}),
        ));
    }
    tools
}

/// Run one call. Failures are answers too: the model reads them and tries
/// something else.
pub fn call(name: &str, input: &str, output_limit: usize) -> Answer {
    let input: Value = match serde_json::from_str(input) {
        Ok(v @ Value::Object(_)) => v,
        _ => return Answer::error(format!("the input of {name} must be a JSON object")),
    };
    let text = |key: &str| input.get(key).and_then(Value::as_str);
    let number = |key: &str| input.get(key).and_then(Value::as_u64);
    let need = |key: &str| text(key).ok_or_else(|| format!("{name} needs a string `{key}`"));
    let result = match name {
        "list_files" => files::list(text("path").unwrap_or("")),
        "read_file" => need("path").and_then(|p| files::read(p, number("offset"), number("limit"))),
        "search" => need("pattern").and_then(|p| search::search(p, text("glob").unwrap_or("**/*"))),
        "edit_file" => {
            return match (need("path"), need("old_string"), need("new_string")) {
                (Ok(path), Ok(old), Ok(new)) => {
                    let all = input.get("replace_all").and_then(Value::as_bool).unwrap_or(false);
                    edit_file(path, old, new, all)
                }
                (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => Answer::error(e),
            };
        }
        "write_file" => {
            return match (need("path"), need("content")) {
                (Ok(path), Ok(content)) => match files::write(path, content) {
                    Ok(text) => Answer { wrote: Some(path.to_string()), ..Answer::ok(text) },
                    Err(e) => Answer::error(e),
                },
                (Err(e), _) | (_, Err(e)) => Answer::error(e),
            };
        }
        "run" => need("command").and_then(|c| shell::run(c, number("timeout_seconds"), output_limit)),
        "commit" => {
            return match need("message").and_then(shell::commit) {
                Ok(text) => {
                    let committed =
                        text.starts_with("committed").then(|| need("message").unwrap().to_string());
                    Answer { committed, ..Answer::ok(text) }
                }
                Err(e) => Answer::error(e),
            };
        }
        other => Err(format!("there is no tool named {other:?}")),
    };
    match result {
        Ok(text) => Answer::ok(cap(&text, output_limit)),
        Err(e) => Answer::error(e),
    }
}

fn edit_file(path: &str, old: &str, new: &str, all: bool) -> Answer {
    let text = match workspace::read_text(path) {
        Ok(t) => t,
        Err(e) => return Answer::error(e.message().to_string()),
    };
    match edit::replace(&text, old, new, all) {
        Ok((changed, n)) => match workspace::write(path, changed.as_bytes()) {
            Ok(()) => Answer {
                wrote: Some(path.to_string()),
                ..Answer::ok(format!("edited {path} ({n} replacement{})", if n == 1 { "" } else { "s" }))
            },
            Err(e) => Answer::error(e.message().to_string()),
        },
        Err(e) => Answer::error(e),
    }
}
