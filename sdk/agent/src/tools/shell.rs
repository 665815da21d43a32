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

/// Commit every change: the short id and how many files, or `None` for a
/// clean worktree (not an error, just news).
pub fn commit(message: &str) -> Result<Option<(String, usize)>, String> {
    if message.trim().is_empty() {
        return Err("the commit message is empty".into());
    }
    let status = git::status().map_err(|e| e.message().to_string())?;
    if status.is_empty() {
        return Ok(None);
    }
    let id = git::commit(message, None).map_err(|e| e.message().to_string())?;
    Ok(Some((grove_sdk::changes::short(&id).to_string(), status.len())))
}
