//! Which provider and model answer each tier, read from the user's
//! `config.toml` and the environment. The environment wins, and is read the
//! way the official SDKs read it: `ANTHROPIC_API_KEY`,
//! `ANTHROPIC_AUTH_TOKEN`, `ANTHROPIC_BASE_URL`, `OPENAI_API_KEY`,
//! `OPENAI_BASE_URL`.
//!
//! Only the user's file is read, never the repository's: a repository that
//! could set a base URL could send the user's key anywhere.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::anthropic::{self, Auth};
use super::chat::Effort;
use super::http::{Secret, Timeouts};
use super::max_output::MaxOutput;
use super::meter::{Budget, Price, Prices};
use super::openai;
use super::retry::RetryPolicy;

/// A model class, as skills ask for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Fast,
    Default,
    Deep,
}

impl std::str::FromStr for Tier {
    type Err = String;

    fn from_str(s: &str) -> Result<Tier, String> {
        match s {
            "fast" => Ok(Tier::Fast),
            "default" => Ok(Tier::Default),
            "deep" => Ok(Tier::Deep),
            other => Err(format!("unknown tier {other:?}: use fast, default or deep")),
        }
    }
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Fast => "fast",
            Tier::Default => "default",
            Tier::Deep => "deep",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Anthropic,
    #[serde(alias = "openai-compatible")]
    OpenAi,
}

/// What answers one tier.
#[derive(Debug, Clone, PartialEq)]
pub struct TierSetting {
    pub provider: ProviderKind,
    pub model: String,
    pub effort: Option<Effort>,
    pub long_context: bool,
}

/// Everything needed to talk to the providers.
#[derive(Debug, Clone)]
pub struct ModelConfig {
    pub fast: TierSetting,
    pub default: TierSetting,
    pub deep: TierSetting,
    pub anthropic_url: String,
    pub anthropic_auth: Auth,
    pub openai_url: String,
    pub openai_key: Option<Secret>,
    pub retry: RetryPolicy,
    pub timeouts: Timeouts,
    /// Spending allowed per session, unless the run sets its own.
    pub budget: Option<Budget>,
    pub prices: Prices,
    /// The most output tokens each model may be asked for
    /// (`[model.max_output_tokens]`).
    pub max_output: MaxOutput,
    /// The file the settings came from, if there was one.
    pub file: Option<PathBuf>,
}

impl ModelConfig {
    pub fn tier(&self, tier: Tier) -> &TierSetting {
        match tier {
            Tier::Fast => &self.fast,
            Tier::Default => &self.default,
            Tier::Deep => &self.deep,
        }
    }

    /// Read `config.toml` from grove's configuration folder, then the
    /// process environment.
    pub fn load() -> Result<ModelConfig, ConfigError> {
        let file = crate::paths::config_dir().map(|d| d.join("config.toml"));
        ModelConfig::from_sources(file.as_deref(), |name| std::env::var(name).ok())
    }

    /// Build from a config file (absent is fine) and an environment.
    pub fn from_sources(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ModelConfig, ConfigError> {
        let (section, file) = match file {
            Some(path) => match std::fs::read_to_string(path) {
                Ok(text) => {
                    let parsed: FileConfig = toml::from_str(&text).map_err(|e| ConfigError::Parse {
                        path: path.to_path_buf(),
                        message: e.to_string(),
                    })?;
                    (parsed.model.unwrap_or_default(), Some(path.to_path_buf()))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Section::default(), None),
                Err(e) => return Err(ConfigError::Read { path: path.to_path_buf(), message: e.to_string() }),
            },
            None => (Section::default(), None),
        };
        let env = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let invalid = |message: String| ConfigError::Invalid { path: file.clone(), message };

        let anthropic_env =
            [crate::env::ANTHROPIC_API_KEY, crate::env::ANTHROPIC_AUTH_TOKEN, crate::env::ANTHROPIC_BASE_URL];
        let openai_env = [crate::env::OPENAI_API_KEY, crate::env::OPENAI_BASE_URL];
        let provider = section.provider.unwrap_or(
            if anthropic_env.iter().any(|v| env(v).is_some()) || openai_env.iter().all(|v| env(v).is_none()) {
                ProviderKind::Anthropic
            } else {
                ProviderKind::OpenAi
            },
        );

        let anthropic_url = env(crate::env::ANTHROPIC_BASE_URL)
            .or(section.anthropic.base_url.clone())
            .unwrap_or_else(|| anthropic::DEFAULT_BASE_URL.into());
        let anthropic_auth = match (env(crate::env::ANTHROPIC_API_KEY), env(crate::env::ANTHROPIC_AUTH_TOKEN))
        {
            (Some(key), _) => Auth::ApiKey(Secret::new(key).expect("non-empty")),
            (None, Some(token)) => Auth::Bearer(Secret::new(token).expect("non-empty")),
            (None, None) => {
                section.anthropic.api_key.clone().and_then(Secret::new).map_or(Auth::None, Auth::ApiKey)
            }
        };
        let openai_url = env(crate::env::OPENAI_BASE_URL)
            .or(section.openai.base_url.clone())
            .unwrap_or_else(|| openai::DEFAULT_BASE_URL.into());
        let openai_key =
            env(crate::env::OPENAI_API_KEY).or(section.openai.api_key.clone()).and_then(Secret::new);
        for (name, url) in [("anthropic", &anthropic_url), ("openai", &openai_url)] {
            if reqwest::Url::parse(url).map(|u| !matches!(u.scheme(), "http" | "https")).unwrap_or(true) {
                return Err(invalid(format!("the {name} base URL {url:?} is not an http(s) URL")));
            }
        }

        let tier = |tier: Tier, over: &TierFile| -> Result<TierSetting, ConfigError> {
            let provider = over.provider.unwrap_or(provider);
            let model = match &over.model {
                Some(m) if !m.trim().is_empty() => m.clone(),
                Some(_) => return Err(invalid(format!("model.{}.model is empty", tier.as_str()))),
                None => default_model(provider, tier).to_string(),
            };
            let effort = over.effort.as_deref().map(str::parse).transpose().map_err(invalid)?;
            Ok(TierSetting { provider, model, effort, long_context: over.long_context.unwrap_or(false) })
        };
        let budget = section.budget.as_deref().map(Budget::parse).transpose().map_err(invalid)?;
        let mut prices = Prices::builtin();
        for (model, price) in section.prices {
            prices.set(model, price);
        }
        let mut max_output = MaxOutput::builtin();
        for (model, tokens) in section.max_output_tokens {
            max_output.set(model, tokens);
        }
        let defaults = RetryPolicy::default();
        let timeouts = Timeouts::default();
        Ok(ModelConfig {
            fast: tier(Tier::Fast, &section.fast)?,
            default: tier(Tier::Default, &section.default)?,
            deep: tier(Tier::Deep, &section.deep)?,
            anthropic_url,
            anthropic_auth,
            openai_url,
            openai_key,
            retry: RetryPolicy {
                max_retries: section.max_retries.unwrap_or(defaults.max_retries),
                base: section.retry_base_ms.map_or(defaults.base, Duration::from_millis),
                ..defaults
            },
            timeouts: Timeouts {
                connect: section.connect_timeout_s.map_or(timeouts.connect, Duration::from_secs),
                read: section.read_timeout_s.map_or(timeouts.read, Duration::from_secs),
            },
            budget,
            prices,
            max_output,
            file,
        })
    }
}

impl ModelConfig {
    /// Why calls to `provider` cannot be made, if they cannot: the official
    /// endpoint needs a key; a server the user points at may not.
    pub fn missing_credentials(&self, provider: ProviderKind) -> Option<&'static str> {
        let missing = match provider {
            ProviderKind::Anthropic => {
                matches!(self.anthropic_auth, Auth::None) && self.anthropic_url == anthropic::DEFAULT_BASE_URL
            }
            ProviderKind::OpenAi => self.openai_key.is_none() && self.openai_url == openai::DEFAULT_BASE_URL,
        };
        missing.then_some(match provider {
            ProviderKind::Anthropic => "no Anthropic API key",
            ProviderKind::OpenAi => "no OpenAI API key",
        })
    }

    /// Why the default tier's model cannot be called, if it cannot.
    pub fn unusable(&self) -> Option<&'static str> {
        self.missing_credentials(self.default.provider)
    }
}

/// Where model settings go, in one line: the variables, the file, and the
/// README section that explains them.
pub fn setup_hint() -> String {
    let file = crate::paths::config_dir().map(|dir| dir.join("config.toml"));
    let home = std::env::var_os(crate::env::HOME).map(PathBuf::from);
    let shown = match (&file, &home) {
        (Some(file), Some(home)) if file.starts_with(home) => {
            format!("~/{}", file.strip_prefix(home).expect("starts with it").display())
        }
        (Some(file), _) => file.display().to_string(),
        (None, _) => "~/.config/grove/config.toml".into(),
    };
    format!(
        "set ANTHROPIC_API_KEY, or OPENAI_API_KEY (OPENAI_BASE_URL for a local server such as Ollama), \
         or put them in {shown}; see \"Pointing grove at a model\" in the README"
    )
}

/// The model a tier uses when the configuration names none.
fn default_model(provider: ProviderKind, tier: Tier) -> &'static str {
    match (provider, tier) {
        (ProviderKind::Anthropic, Tier::Fast) => "claude-haiku-4-5",
        (ProviderKind::Anthropic, Tier::Default) => "claude-sonnet-4-5",
        (ProviderKind::Anthropic, Tier::Deep) => "claude-opus-4-5",
        (ProviderKind::OpenAi, Tier::Fast) => "gpt-4.1-mini",
        (ProviderKind::OpenAi, Tier::Default | Tier::Deep) => "gpt-4.1",
    }
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("{}{message}", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    Invalid { path: Option<PathBuf>, message: String },
}

#[derive(Debug, Default, Deserialize)]
struct FileConfig {
    model: Option<Section>,
}

/// `[model]` of `config.toml`. Unknown keys are errors: a misspelt
/// `budget` must not silently mean "no budget".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    provider: Option<ProviderKind>,
    budget: Option<String>,
    max_retries: Option<u32>,
    retry_base_ms: Option<u64>,
    connect_timeout_s: Option<u64>,
    read_timeout_s: Option<u64>,
    #[serde(default)]
    fast: TierFile,
    #[serde(default)]
    default: TierFile,
    #[serde(default)]
    deep: TierFile,
    #[serde(default)]
    anthropic: EndpointFile,
    #[serde(default)]
    openai: EndpointFile,
    #[serde(default)]
    prices: BTreeMap<String, Price>,
    #[serde(default)]
    max_output_tokens: BTreeMap<String, u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TierFile {
    provider: Option<ProviderKind>,
    model: Option<String>,
    effort: Option<String>,
    long_context: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointFile {
    base_url: Option<String>,
    api_key: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    fn with_file(text: &str, vars: &[(&str, &str)]) -> Result<ModelConfig, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        ModelConfig::from_sources(Some(&path), env(vars))
    }

    #[test]
    fn the_environment_picks_the_provider_and_wins_over_the_file() {
        let c = ModelConfig::from_sources(None, env(&[("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")]))
            .unwrap();
        assert_eq!(c.default.provider, ProviderKind::OpenAi);
        assert_eq!(c.openai_url, "http://127.0.0.1:11434/v1");
        assert!(c.openai_key.is_none());

        let c = ModelConfig::from_sources(None, env(&[])).unwrap();
        assert_eq!(c.default.provider, ProviderKind::Anthropic);
        assert_eq!(c.anthropic_url, anthropic::DEFAULT_BASE_URL);
        assert!(matches!(c.anthropic_auth, Auth::None));

        let file = "[model.anthropic]\nbase_url = \"http://file\"\napi_key = \"from-file\"\n";
        let c = with_file(file, &[("ANTHROPIC_BASE_URL", "http://env"), ("ANTHROPIC_AUTH_TOKEN", "tok")])
            .unwrap();
        assert_eq!(c.anthropic_url, "http://env");
        assert!(matches!(c.anthropic_auth, Auth::Bearer(_)));
    }

    #[test]
    fn tiers_prices_and_budgets_come_from_the_file() {
        let file = r#"
            [model]
            provider = "anthropic"
            budget = "$2.50"
            [model.fast]
            provider = "openai"
            model = "qwen2.5-coder:7b"
            effort = "low"
            [model.deep]
            model = "claude-opus-4-5"
            long_context = true
            [model.prices."qwen2.5-coder:7b"]
            input = 0.0
            output = 0.0
            [model.max_output_tokens]
            "qwen2.5-coder" = 8192
        "#;
        let c = with_file(file, &[]).unwrap();
        assert_eq!(c.fast.provider, ProviderKind::OpenAi);
        assert_eq!(c.fast.model, "qwen2.5-coder:7b");
        assert_eq!(c.fast.effort, Some(Effort::Low));
        assert!(c.deep.long_context);
        assert_eq!(c.default.model, "claude-sonnet-4-5");
        assert_eq!(c.budget, Some(Budget::Usd(2.5)));
        assert_eq!(c.max_output.get("qwen2.5-coder:7b"), Some(8192));
        assert_eq!(c.max_output.get("claude-opus-4-1"), Some(32_000));
    }

    #[test]
    fn mistakes_in_the_file_are_named() {
        let e = with_file("[model]\nbudjet = \"$1\"\n", &[]).unwrap_err().to_string();
        assert!(e.contains("budjet"), "{e}");
        let e = with_file("[model.fast]\neffort = \"extreme\"\n", &[]).unwrap_err().to_string();
        assert!(e.contains("extreme"), "{e}");
        let e = with_file("[model.openai]\nbase_url = \"file:///etc\"\n", &[]).unwrap_err().to_string();
        assert!(e.contains("not an http"), "{e}");
        let e = with_file("[model]\nbudget = \"lots\"\n", &[]).unwrap_err().to_string();
        assert!(e.contains("lots"), "{e}");
    }
}
