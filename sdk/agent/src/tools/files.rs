//! Listing, reading and writing files of the workspace.

use grove_sdk::text::count;
use grove_sdk::workspace;

const MAX_LISTED: usize = 500;
const DEFAULT_LINES: usize = 2000;

pub fn list(path: &str) -> Result<String, String> {
    let dir = path.trim_matches('/');
    let pattern = if dir.is_empty() || dir == "." { "**/*".to_string() } else { format!("{dir}/**/*") };
    let files = workspace::glob(&pattern).map_err(|e| e.message().to_string())?;
    if files.is_empty() {
        return Ok(format!("no files under {:?}", if dir.is_empty() { "." } else { dir }));
    }
    let mut out: String = files.iter().take(MAX_LISTED).map(|f| format!("{}\n", f.path)).collect();
    if files.len() > MAX_LISTED {
        out.push_str(&format!("… and {}; list a subfolder\n", count(files.len() - MAX_LISTED, "more file")));
    }
    Ok(out)
}

/// Lines `offset..offset+limit` (1-based), numbered like `cat -n`.
pub fn read(path: &str, offset: Option<u64>, limit: Option<u64>) -> Result<String, String> {
    let text = workspace::read_text(path).map_err(|e| e.message().to_string())?;
    Ok(numbered(&text, offset.unwrap_or(1).max(1) as usize, limit.map_or(DEFAULT_LINES, |l| l as usize)))
}

pub fn numbered(text: &str, offset: usize, limit: usize) -> String {
    let total = text.lines().count();
    if total == 0 {
        return "(empty file)".into();
    }
    let mut out = String::new();
    for (i, line) in text.lines().enumerate().skip(offset - 1).take(limit) {
        out.push_str(&format!("{:>6}\t{line}\n", i + 1));
    }
    let shown_to = (offset - 1 + limit).min(total);
    if shown_to < total {
        out.push_str(&format!(
            "… {}; read on with offset {}\n",
            count(total - shown_to, "more line"),
            shown_to + 1
        ));
    }
    if out.is_empty() {
        return format!("the file has {}; offset {offset} is past its end", count(total, "line"));
    }
    out
}

pub fn write(path: &str, content: &str) -> Result<String, String> {
    workspace::write(path, content.as_bytes()).map_err(|e| e.message().to_string())?;
    Ok(format!("wrote {path} ({})", count(content.lines().count(), "line")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_and_paged() {
        let text = "a\nb\nc\n";
        assert_eq!(numbered(text, 1, 10), "     1\ta\n     2\tb\n     3\tc\n");
        assert_eq!(numbered(text, 2, 1), "     2\tb\n… 1 more line; read on with offset 3\n");
        assert!(numbered(text, 9, 1).contains("past its end"));
        assert_eq!(numbered("", 1, 1), "(empty file)");
    }
}
