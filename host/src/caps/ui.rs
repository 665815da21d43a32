//! `ui`: reports for the human, and questions they answer.

use std::io::{BufRead, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::{CapError, Caps};
use crate::gate::Permission;
use crate::wit::grove::skill::ui::{Host, ReportFormat};

type R<T> = Result<T, CapError>;

impl Host for Caps {
    async fn report(&mut self, title: String, body: String, format: ReportFormat) -> R<()> {
        self.check("ui", "report", &title, Permission::Ui).await?;
        let text = match format {
            ReportFormat::Html => {
                let path = save_html(self.reports_dir.as_deref(), self.console.skill(), &body)
                    .map_err(|e| super::io_error("saving the HTML report", e))?;
                let mut text = format!("{title}: {}", path.display());
                if let Some(address) = served_at(self.reports_dir.as_deref(), &path) {
                    text.push_str(&format!("\n  in grove serve: {address}"));
                }
                text
            }
            ReportFormat::Text | ReportFormat::Markdown => format!("## {title}\n\n{body}"),
        };
        self.console.report(&text)?;
        Ok(())
    }

    async fn messages(&mut self) -> R<Vec<String>> {
        self.check("ui", "messages", "", Permission::Ui).await?;
        Ok(self.transcript.as_ref().map(|t| t.take_messages()).unwrap_or_default())
    }

    async fn ask(&mut self, question: String, choices: Vec<String>, default: Option<u32>) -> R<u32> {
        self.check("ui", "ask", &question, Permission::Ui).await?;
        if choices.is_empty() || default.is_some_and(|d| d as usize >= choices.len()) {
            return Err(CapError::invalid("ask needs choices, and a default among them"));
        }
        let mut prompt = format!("{question}\n");
        for (i, choice) in choices.iter().enumerate() {
            let mark = if Some(i as u32) == default { " (default)" } else { "" };
            prompt.push_str(&format!("  {}) {choice}{mark}\n", i + 1));
        }
        prompt.push_str("> ");
        self.console.line(super::console::Verbosity::Quiet, &prompt)?;
        // Reading stdin blocks; keep it off the async runtime's threads.
        let answer = tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map(|n| (n > 0).then_some(line))
        })
        .await?;
        match answer {
            Ok(Some(line)) => parse_choice(line.trim(), &choices, default),
            Ok(None) | Err(_) => default.ok_or_else(|| {
                CapError::unsupported(
                    "no one to ask: standard input is closed and the question has no default",
                )
            }),
        }
    }
}

/// Accept a 1-based number, a choice's text, or an empty line for the default.
fn parse_choice(answer: &str, choices: &[String], default: Option<u32>) -> Result<u32, CapError> {
    if answer.is_empty() {
        return default.ok_or_else(|| CapError::invalid("no answer given and no default"));
    }
    if let Ok(n) = answer.parse::<usize>()
        && (1..=choices.len()).contains(&n)
    {
        return Ok(n as u32 - 1);
    }
    choices
        .iter()
        .position(|c| c.eq_ignore_ascii_case(answer))
        .map(|i| i as u32)
        .ok_or_else(|| CapError::invalid(format!("{answer:?} is not one of the choices")))
}

/// Where a running `grove serve` shows the report at `path`, if one runs
/// for this repository. The address has no token: the browser that opened
/// the server's own address carries its cookie.
fn served_at(reports: Option<&Path>, path: &Path) -> Option<String> {
    let git_dir = reports?.parent()?.parent()?;
    let mark = crate::paths::ServeMark::live(git_dir)?;
    let file = path.file_name()?.to_str()?;
    Some(format!("http://127.0.0.1:{}/report/{file}", mark.port))
}

/// Save an HTML report in a private folder: `reports` (the repository's
/// `.git/grove/reports`) when there is one, else a fresh temporary folder
/// of the user's alone. Never a predictable name in the shared temporary
/// folder, where another user could plant a symlink to redirect the write;
/// and the file is always a new one (`create_new`), never one already there.
fn save_html(reports: Option<&Path>, skill: &str, body: &str) -> std::io::Result<PathBuf> {
    let dir = match reports {
        Some(dir) => {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
            dir.to_path_buf()
        }
        // Kept: the human opens the report after the run.
        None => tempfile::Builder::new()
            .prefix("grove-reports-")
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()?
            .keep(),
    };
    let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string().replace(':', "");
    for n in 0u32.. {
        let name = match n {
            0 => format!("{skill}-{stamp}.html"),
            n => format!("{skill}-{stamp}-{n}.html"),
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                file.write_all(body.as_bytes())?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => continue,
            Err(e) => return Err(e),
        }
    }
    unreachable!("the loop returns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_by_number_text_or_default() {
        let c = vec!["yes".to_string(), "no".to_string()];
        assert_eq!(parse_choice("2", &c, None).unwrap(), 1);
        assert_eq!(parse_choice("YES", &c, None).unwrap(), 0);
        assert_eq!(parse_choice("", &c, Some(1)).unwrap(), 1);
        assert!(parse_choice("3", &c, None).is_err());
        assert!(parse_choice("", &c, None).is_err());
    }
}
