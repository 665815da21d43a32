//! Where Slack is and the token grove calls it with: `[slack]` of the
//! user's `config.toml`, overridden by `$GROVE_SLACK_API` and
//! `$SLACK_BOT_TOKEN`. The token is the user's, so it lives only in the
//! user's configuration or environment, never in a repository's.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Error;

/// Slack's Web API.
pub const DEFAULT_API: &str = "https://slack.com/api";

/// A bot token. Shown as `xoxb-…` in every `Debug`, so no log of the
/// host's state can carry it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// `raw`, trimmed; it must fit in a header.
    pub fn new(raw: &str) -> Result<Token, Error> {
        let token = raw.trim();
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::Invalid(
                "the Slack token holds spaces or characters a header cannot carry".into(),
            ));
        }
        Ok(Token(token.to_string()))
    }

    /// The token, for the one header that carries it.
    pub(super) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.0.split('-').next().filter(|k| k.starts_with("xox")).unwrap_or("token");
        write!(f, "{kind}-…")
    }
}

/// Slack, as the user set it up.
#[derive(Debug, Clone)]
pub struct SlackConfig {
    /// The Web API's base URL, without a trailing `/`.
    pub api: String,
    pub token: Option<Token>,
    /// The file it was read from, for messages.
    pub file: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
struct FileConfig {
    slack: Option<Section>,
}

/// `[slack]`. Unknown keys are errors: a misspelt `token` must not
/// silently mean "no token".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    api: Option<String>,
    token: Option<String>,
}

impl SlackConfig {
    /// Read the user's `config.toml` and the process environment.
    pub fn load() -> Result<SlackConfig, Error> {
        let file = user_config_file();
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => return Err(Error::File { path: file, source }),
        };
        SlackConfig::from_sources(&file, text.as_deref(), |name| std::env::var(name).ok())
    }

    /// Build from the file's text (absent is fine) and an environment.
    pub fn from_sources(
        file: &Path,
        text: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<SlackConfig, Error> {
        let invalid = |message: String| Error::Config { path: file.to_path_buf(), message };
        let section = match text {
            Some(text) => {
                let parsed: FileConfig = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
                parsed.slack.unwrap_or_default()
            }
            None => Section::default(),
        };
        let env = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let api = env(crate::env::GROVE_SLACK_API).or(section.api).unwrap_or_else(|| DEFAULT_API.into());
        let api = api.trim().trim_end_matches('/').to_string();
        match reqwest::Url::parse(&api) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {}
            _ => return Err(invalid(format!("[slack] api = {api:?} is not an http(s) URL"))),
        }
        let token = env(crate::env::SLACK_BOT_TOKEN).or(section.token).map(|t| Token::new(&t)).transpose()?;
        Ok(SlackConfig { api, token, file: file.to_path_buf() })
    }
}

/// The user's `config.toml`, as messages name it.
pub fn user_config_file() -> PathBuf {
    crate::paths::config_dir().unwrap_or_else(|| PathBuf::from("~/.config/grove")).join("config.toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: Option<&str>, env: &[(&str, &str)]) -> Result<SlackConfig, Error> {
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        SlackConfig::from_sources(Path::new("config.toml"), text, |name| {
            env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let c = config(None, &[]).unwrap();
        assert_eq!((c.api.as_str(), c.token), (DEFAULT_API, None));
        let file = "[slack]\napi = \"http://127.0.0.1:9/api/\"\ntoken = \"xoxb-file\"\n";
        let c = config(Some(file), &[]).unwrap();
        assert_eq!(c.api, "http://127.0.0.1:9/api");
        assert_eq!(c.token, Some(Token::new("xoxb-file").unwrap()));
        let c =
            config(Some(file), &[("SLACK_BOT_TOKEN", "xoxb-env"), ("GROVE_SLACK_API", "https://x.test/api")])
                .unwrap();
        assert_eq!((c.api.as_str(), c.token), ("https://x.test/api", Some(Token::new("xoxb-env").unwrap())));
    }

    #[test]
    fn mistakes_are_named_and_the_token_never_shows() {
        let e = config(Some("[slack]\ntokn = \"x\"\n"), &[]).unwrap_err().to_string();
        assert!(e.contains("tokn"), "{e}");
        assert!(config(Some("[slack]\napi = \"ftp://x\"\n"), &[]).is_err());
        assert!(config(None, &[("SLACK_BOT_TOKEN", "xoxb-a b")]).is_err());
        let token = Token::new("xoxb-123-secret").unwrap();
        assert_eq!(format!("{token:?}"), "xoxb-…");
        let c = config(None, &[("SLACK_BOT_TOKEN", "xoxb-123-secret")]).unwrap();
        assert!(!format!("{c:?}").contains("secret"));
    }
}
