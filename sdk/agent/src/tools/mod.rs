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
    match serde_json::from_str(input) {
        Ok(input @ Value::Object(_)) => run(name, &input, output_limit).unwrap_or_else(Answer::error),
        _ => Answer::error(format!("the input of {name} must be a JSON object")),
    }
}

fn run(name: &str, input: &Value, output_limit: usize) -> Result<Answer, String> {
    let text = |key: &str| input.get(key).and_then(Value::as_str);
    let number = |key: &str| input.get(key).and_then(Value::as_u64);
    let need = |key: &str| text(key).ok_or_else(|| format!("{name} needs a string `{key}`"));
    let capped = |text: String| Answer::ok(cap(&text, output_limit));
    Ok(match name {
        "list_files" => capped(files::list(text("path").unwrap_or(""))?),
        "read_file" => capped(files::read(need("path")?, number("offset"), number("limit"))?),
        "search" => capped(search::search(need("pattern")?, text("glob").unwrap_or("**/*"))?),
        "edit_file" => {
            let path = need("path")?;
            let all = input.get("replace_all").and_then(Value::as_bool).unwrap_or(false);
            let n = edit_file(path, need("old_string")?, need("new_string")?, all)?;
            let plural = if n == 1 { "" } else { "s" };
            Answer {
                wrote: Some(path.into()),
                ..Answer::ok(format!("edited {path} ({n} replacement{plural})"))
            }
        }
        "write_file" => {
            let path = need("path")?;
            Answer { wrote: Some(path.into()), ..Answer::ok(files::write(path, need("content")?)?) }
        }
        // Capped by `shell::run` itself, which keeps the exit status on top.
        "run" => Answer::ok(shell::run(need("command")?, number("timeout_seconds"), output_limit)?),
        "commit" => {
            let message = need("message")?;
            match shell::commit(message)? {
                Some((id, files)) => Answer {
                    committed: Some(message.into()),
                    ..Answer::ok(format!("committed {id} ({})", grove_sdk::text::count(files, "file")))
                },
                None => Answer::ok("nothing to commit: the worktree is clean".into()),
            }
        }
        other => return Err(format!("there is no tool named {other:?}")),
    })
}

/// Replace in a file; how many replacements were made.
fn edit_file(path: &str, old: &str, new: &str, all: bool) -> Result<usize, String> {
    let text = workspace::read_text(path).map_err(|e| e.message().to_string())?;
    let (changed, n) = edit::replace(&text, old, new, all)?;
    workspace::write(path, changed.as_bytes()).map_err(|e| e.message().to_string())?;
    Ok(n)
}
