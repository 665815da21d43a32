//! Running commands and committing: the two tools that leave the file
//! system, so the gate judges every call.

use grove_sdk::{git, process};

use crate::context::cap;

const DEFAULT_TIMEOUT_S: u64 = 300;

/// Run a shell command line in the workspace root.
pub fn run(command: &str, timeout_s: Option<u64>, output_limit: usize) -> Result<String, String> {
    let timeout_ms = timeout_s.unwrap_or(DEFAULT_TIMEOUT_S).clamp(1, 3600) * 1000;
    let out = process::Command::new("sh")
        .args(["-c", command])
        .timeout_ms(timeout_ms as u32)
        .output_limit(1 << 20)
        .run()
        .map_err(|e| e.message().to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let status = match (out.code, out.timed_out) {
        (_, true) => "timed out".to_string(),
        (Some(code), _) => format!("exit code {code}"),
        (None, _) => "killed by a signal".to_string(),
    };
    let mut text = format!("{status} ({} ms)\n", out.duration_ms);
    if !stdout.trim().is_empty() {
        text.push_str(&format!("--- stdout ---\n{}\n", stdout.trim_end()));
    }
    if !stderr.trim().is_empty() {
        text.push_str(&format!("--- stderr ---\n{}\n", stderr.trim_end()));
    }
    Ok(cap(&text, output_limit))
}

/// Commit the agent's changes: every changed path but `theirs`, the paths
/// that had changes before the agent began (the human's work in progress
/// is never swept into the agent's commit). Says what it committed and
/// what it left, or `None` when nothing of the agent's changed.
pub fn commit(message: &str, theirs: Option<&[String]>) -> Result<Option<String>, String> {
    if message.trim().is_empty() {
        return Err("the commit message is empty".into());
    }
    let Some(theirs) = theirs else {
        return Err(
            "committing is off: the changes that were there before this run could not be told apart".into()
        );
    };
    let status = git::status().map_err(|e| e.message().to_string())?;
    let (left, mine): (Vec<String>, Vec<String>) =
        status.into_iter().map(|e| e.path).partition(|path| theirs.contains(path));
    if mine.is_empty() {
        return Ok(None);
    }
    let id = git::commit(message, Some(&mine)).map_err(|e| e.message().to_string())?;
    let mut said = format!(
        "committed {} ({})",
        grove_sdk::changes::short(&id),
        grove_sdk::text::count(mine.len(), "file")
    );
    if !left.is_empty() {
        said.push_str(&format!(
            "; left uncommitted, as they had changes before you began: {}",
            left.join(", ")
        ));
    }
    Ok(Some(said))
}
