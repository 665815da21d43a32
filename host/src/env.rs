//! Every environment variable grove reads, in one place: one constant per
//! variable, saying what it does.

/// grove's configuration and data folder (`config.toml`, `policy.toml`,
/// installed skills), instead of the XDG locations.
pub const GROVE_HOME: &str = "GROVE_HOME";

/// Where compiled skill components are cached, instead of
/// `$XDG_CACHE_HOME/grove/components`.
pub const GROVE_CACHE_DIR: &str = "GROVE_CACHE_DIR";

/// How many sessions run at once; the rest wait in a queue.
pub const GROVE_MAX_SESSIONS: &str = "GROVE_MAX_SESSIONS";

/// The folder that holds the sessions' worktrees.
pub const GROVE_WORKTREE_DIR: &str = "GROVE_WORKTREE_DIR";

/// An env-filter directive for grove's own diagnostics on stderr.
pub const GROVE_LOG: &str = "GROVE_LOG";

/// The audit log file the gate's decisions are appended to.
pub const GROVE_AUDIT_LOG: &str = "GROVE_AUDIT_LOG";

/// The enterprise policy file, instead of `/etc/grove/policy.toml`.
pub const GROVE_ENTERPRISE_POLICY: &str = "GROVE_ENTERPRISE_POLICY";

/// The browser the `browser` capability starts, instead of the first of
/// `chromium`, `chromium-browser` and `google-chrome` on `PATH`.
pub const GROVE_CHROMIUM: &str = "GROVE_CHROMIUM";

/// The user's home folder: the base of every default location, and `~`.
pub const HOME: &str = "HOME";

/// Where programs are looked up; passed through to the programs a skill runs.
pub const PATH: &str = "PATH";

/// The base of user configuration (`~/.config` when unset).
pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";

/// The base of user data, where installed skills live (`~/.local/share`).
pub const XDG_DATA_HOME: &str = "XDG_DATA_HOME";

/// The base of user state, where the audit log outside a repository lives
/// (`~/.local/state`).
pub const XDG_STATE_HOME: &str = "XDG_STATE_HOME";

/// The base of caches, where compiled components live (`~/.cache`).
pub const XDG_CACHE_HOME: &str = "XDG_CACHE_HOME";

/// Set to anything: no colour in grove's output.
pub const NO_COLOR: &str = "NO_COLOR";

/// An Anthropic API key (sent as `x-api-key`).
pub const ANTHROPIC_API_KEY: &str = "ANTHROPIC_API_KEY";

/// A bearer token for the Anthropic API or a gateway in front of it.
pub const ANTHROPIC_AUTH_TOKEN: &str = "ANTHROPIC_AUTH_TOKEN";

/// The Anthropic API's base URL: a compatible gateway or server.
pub const ANTHROPIC_BASE_URL: &str = "ANTHROPIC_BASE_URL";

/// An OpenAI API key.
pub const OPENAI_API_KEY: &str = "OPENAI_API_KEY";

/// The base URL of an OpenAI-compatible API (OpenAI, Ollama, a gateway).
pub const OPENAI_BASE_URL: &str = "OPENAI_BASE_URL";

/// The Slack bot token (`xoxb-…`) grove sends notifications with; held by
/// the host, never handed to a skill or a program.
pub const SLACK_BOT_TOKEN: &str = "SLACK_BOT_TOKEN";

/// The Slack Web API's base URL, instead of `[slack] api` of config.toml
/// or `https://slack.com/api`.
pub const GROVE_SLACK_API: &str = "GROVE_SLACK_API";

/// The GitHub API's base URL (`https://api.github.com`, or a GitHub
/// Enterprise server's `https://HOST/api/v3`), instead of `[github] api`.
pub const GROVE_GITHUB_API: &str = "GROVE_GITHUB_API";

/// A GitHub token for `grove pr` and the `review` capability (as the `gh`
/// tool reads it); held by grove, never handed to a skill.
pub const GH_TOKEN: &str = "GH_TOKEN";

/// A GitHub token, when `GH_TOKEN` is unset (as GitHub Actions sets it).
pub const GITHUB_TOKEN: &str = "GITHUB_TOKEN";
