//! How far skills may spawn sessions: how deep the tree may grow and how
//! many sessions a repository may hold before a spawn is refused. A skill
//! that spawns in a loop (by mistake or on purpose) stops at these instead
//! of filling the disk with worktrees. Set in the `[sessions]` section of
//! the user's `config.toml`; the repository cannot raise them.

use std::io;
use std::path::PathBuf;

use serde::Deserialize;

/// The limits on spawning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Levels of sub-sessions below a session the user started: at 2, a
    /// child may spawn grandchildren, and they may spawn nothing.
    pub max_depth: usize,
    /// Sessions the repository may hold (any state: each keeps a worktree
    /// until `grove rm`) for a spawn to go ahead.
    pub max_sessions: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds { max_depth: 2, max_sessions: 16 }
    }
}

/// Why a spawn was refused. The messages name the limit and the key that
/// raises it: the skill hears them, and so does the human reading its
/// transcript.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoundError {
    #[error(
        "a sub-session of `{parent}` would be {depth} levels below the session the user started, past \
         the limit of {max} (raise `max-depth` under [sessions] in {})",
        config_file()
    )]
    TooDeep { parent: String, depth: usize, max: usize },
    #[error(
        "this repository already holds {count} sessions, and skills may not spawn past {max} (remove \
         finished ones with `grove rm`, or raise `max-sessions` under [sessions] in {})",
        config_file()
    )]
    TooMany { count: usize, max: usize },
}

/// `[sessions]` of `config.toml`. Unknown keys are errors: a misspelt
/// limit must not silently mean the default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Section {
    #[serde(alias = "max_depth")]
    max_depth: Option<usize>,
    #[serde(alias = "max_sessions")]
    max_sessions: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
struct FileConfig {
    sessions: Option<Section>,
}

impl Bounds {
    /// The `[sessions]` section of the user's `config.toml`, else the
    /// defaults.
    pub fn load() -> io::Result<Bounds> {
        let Some(file) = crate::paths::config_dir().map(|d| d.join("config.toml")) else {
            return Ok(Bounds::default());
        };
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Bounds::default()),
            Err(e) => return Err(e),
        };
        Bounds::parse(&text).map_err(|e| {
            io::Error::new(io::ErrorKind::InvalidData, format!("{}: [sessions]: {e}", file.display()))
        })
    }

    fn parse(text: &str) -> Result<Bounds, String> {
        let config: FileConfig = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let section = config.sessions.unwrap_or_default();
        let default = Bounds::default();
        let bounds = Bounds {
            max_depth: section.max_depth.unwrap_or(default.max_depth),
            max_sessions: section.max_sessions.unwrap_or(default.max_sessions),
        };
        if bounds.max_sessions == 0 {
            return Err("max-sessions must be above 0".into());
        }
        Ok(bounds)
    }
}

/// The user's `config.toml`, as the messages name it.
fn config_file() -> String {
    let file =
        crate::paths::config_dir().unwrap_or_else(|| PathBuf::from("~/.config/grove")).join("config.toml");
    file.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_come_from_the_sessions_section() {
        assert_eq!(Bounds::parse("").unwrap(), Bounds::default());
        let text = "[model]\nbudget = \"$1\"\n[sessions]\nmax-depth = 1\nmax-sessions = 40\n";
        assert_eq!(Bounds::parse(text).unwrap(), Bounds { max_depth: 1, max_sessions: 40 });
        assert_eq!(Bounds::parse("[sessions]\nmax_depth = 0\n").unwrap().max_depth, 0);
        let e = Bounds::parse("[sessions]\nmax-deph = 3\n").unwrap_err();
        assert!(e.contains("max-deph"), "{e}");
        assert!(Bounds::parse("[sessions]\nmax-sessions = 0\n").is_err());
        assert!(Bounds::parse("[sessions]\nmax-depth = -1\n").is_err());
    }

    #[test]
    fn refusals_name_the_key_that_raises_them() {
        let deep = BoundError::TooDeep { parent: "p".into(), depth: 3, max: 2 }.to_string();
        assert!(
            deep.contains("`p`") && deep.contains("limit of 2") && deep.contains("`max-depth`"),
            "{deep}"
        );
        let many = BoundError::TooMany { count: 16, max: 16 }.to_string();
        assert!(
            many.contains("holds 16 sessions")
                && many.contains("past 16")
                && many.contains("`max-sessions` under [sessions]"),
            "{many}"
        );
    }
}
