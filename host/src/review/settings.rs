//! Where the pull requests go and with what token: `[github]` of the
//! user's `config.toml` (`api`, `web`, `token`), `$GROVE_GITHUB_API`,
//! `$GH_TOKEN`/`$GITHUB_TOKEN`, and `[github]` of the project's
//! `.grove/config.toml` (`repo`, `remote`).
//!
//! Why the split: the API's address and the token are the user's, and are
//! read only from the user's side. A project file is written by whoever
//! commits to the repository (a session's skill among them), so it may
//! only name which repository of that API the pull requests belong to; it
//! could otherwise send the user's token to a server of its choosing. The
//! project file is read from the main worktree, never a session's.

use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::repo_name::RepoName;
use super::token::Token;

/// GitHub's own API.
pub const DEFAULT_API: &str = "https://api.github.com";

/// What `grove pr` and the `review` capability need to reach GitHub.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The REST API's base URL, without a trailing slash.
    pub api: String,
    /// The web's base URL (links to files on a branch): `https://github.com`
    /// for GitHub's API, `https://HOST` for an Enterprise server's
    /// `https://HOST/api/v3`, else `[github] web`, else the API's.
    pub web: String,
    pub token: Option<Token>,
    /// `[github] repo` of the project, when it names one.
    pub repo: Option<RepoName>,
    /// The remote the branches are pushed to (`origin`).
    pub remote: String,
    /// The user's `config.toml`, as messages name it.
    pub config_file: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{}: [github]: {message}", .file.display())]
    Invalid { file: PathBuf, message: String },
    #[error("reading {}", .file.display())]
    Read {
        file: PathBuf,
        #[source]
        source: io::Error,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserSection {
    api: Option<String>,
    web: Option<String>,
    token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectSection {
    repo: Option<String>,
    remote: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct UserFile {
    github: Option<UserSection>,
}

#[derive(Debug, Default, Deserialize)]
struct ProjectFile {
    github: Option<ProjectSection>,
}

/// The project's configuration file, relative to the repository's root.
pub const PROJECT_FILE: &str = ".grove/config.toml";

impl Settings {
    /// The settings for the repository whose main worktree is `main_root`.
    pub fn load(main_root: &Path) -> Result<Settings, SettingsError> {
        let user_file = crate::paths::config_dir().map(|d| d.join("config.toml"));
        let config_file = user_file
            .clone()
            .unwrap_or_else(|| PathBuf::from("~/.config/grove/config.toml"))
            .display()
            .to_string();
        let user: UserSection = match &user_file {
            Some(file) => read::<UserFile>(file)?.github.unwrap_or_default(),
            None => UserSection::default(),
        };
        let project_path = main_root.join(PROJECT_FILE);
        let project: ProjectSection = read::<ProjectFile>(&project_path)?.github.unwrap_or_default();

        let env = |name| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let api = env(crate::env::GROVE_GITHUB_API)
            .or(user.api)
            .unwrap_or_else(|| DEFAULT_API.to_string())
            .trim_end_matches('/')
            .to_string();
        let invalid =
            |file: &Path, message: String| SettingsError::Invalid { file: file.to_path_buf(), message };
        if !(api.starts_with("https://") || api.starts_with("http://")) {
            let file = user_file.clone().unwrap_or_default();
            return Err(invalid(&file, format!("api `{api}` is not an http(s) URL")));
        }
        let web = user.web.map(|w| w.trim_end_matches('/').to_string()).unwrap_or_else(|| web_of(&api));
        let token = env(crate::env::GH_TOKEN)
            .or_else(|| env(crate::env::GITHUB_TOKEN))
            .or(user.token)
            .map(|t| Token::new(t.trim().to_string()));
        let repo = match project.repo {
            Some(text) => Some(
                RepoName::parse(&text)
                    .ok_or_else(|| invalid(&project_path, format!("repo `{text}` is not `owner/name`")))?,
            ),
            None => None,
        };
        Ok(Settings {
            api,
            web,
            token,
            repo,
            remote: project.remote.unwrap_or_else(|| "origin".to_string()),
            config_file,
        })
    }
}

/// The web's base URL for an API's: github.com for api.github.com, the
/// server for an Enterprise server's `/api/v3`, else the same.
pub fn web_of(api: &str) -> String {
    if api == DEFAULT_API {
        return "https://github.com".to_string();
    }
    api.strip_suffix("/api/v3").unwrap_or(api).to_string()
}

fn read<T: for<'de> Deserialize<'de> + Default>(file: &Path) -> Result<T, SettingsError> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(T::default()),
        Err(source) => return Err(SettingsError::Read { file: file.to_path_buf(), source }),
    };
    toml::from_str(&text)
        .map_err(|e| SettingsError::Invalid { file: file.to_path_buf(), message: e.message().to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_web_follows_the_api() {
        assert_eq!(web_of("https://api.github.com"), "https://github.com");
        assert_eq!(web_of("https://ghe.example.com/api/v3"), "https://ghe.example.com");
        assert_eq!(web_of("http://127.0.0.1:4000"), "http://127.0.0.1:4000");
    }

    #[test]
    fn a_project_file_cannot_name_the_api_or_the_token() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".grove")).unwrap();
        std::fs::write(dir.path().join(PROJECT_FILE), "[github]\napi = \"https://evil.example\"\n").unwrap();
        let e = read::<ProjectFile>(&dir.path().join(PROJECT_FILE)).unwrap_err();
        assert!(e.to_string().contains("api"), "{e}");
        std::fs::write(dir.path().join(PROJECT_FILE), "[github]\nrepo = \"acme/shop\"\n").unwrap();
        let file = read::<ProjectFile>(&dir.path().join(PROJECT_FILE)).unwrap();
        assert_eq!(file.github.unwrap().repo.as_deref(), Some("acme/shop"));
    }
}
