//! Which repository on GitHub: `owner/name`, from `[github] repo` of the
//! project or parsed from the remote's URL.

use std::fmt;

/// `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoName {
    pub owner: String,
    pub name: String,
}

impl RepoName {
    /// `owner/name`, each part a plain name.
    pub fn parse(text: &str) -> Option<RepoName> {
        let (owner, name) = text.trim().split_once('/')?;
        let name = name.strip_suffix(".git").unwrap_or(name);
        let plain = |s: &str| {
            !s.is_empty()
                && !s.starts_with('.')
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        (plain(owner) && plain(name)).then(|| RepoName { owner: owner.to_string(), name: name.to_string() })
    }

    /// The repository a remote's URL names: `git@HOST:owner/name.git`,
    /// `ssh://git@HOST/owner/name.git`, `https://HOST/owner/name(.git)`.
    pub fn from_url(url: &str) -> Option<RepoName> {
        let url = url.trim().trim_end_matches('/');
        let path = if let Some(rest) = url.split_once("://").map(|(_, rest)| rest) {
            rest.split_once('/')?.1
        } else if let Some((host, path)) = url.split_once(':') {
            // scp-like `user@host:path`; a local path has no colon.
            if host.contains('/') {
                return None;
            }
            path
        } else {
            return None;
        };
        let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        if parts.len() < 2 {
            return None;
        }
        let name = parts.pop()?;
        let owner = parts.pop()?;
        RepoName::parse(&format!("{owner}/{name}"))
    }
}

impl fmt::Display for RepoName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_name_their_repository() {
        let acme = Some(RepoName { owner: "acme".into(), name: "shop".into() });
        for url in [
            "git@github.com:acme/shop.git",
            "https://github.com/acme/shop",
            "https://github.com/acme/shop.git/",
            "ssh://git@ghe.example.com:2222/acme/shop.git",
            "https://user@ghe.example.com/acme/shop.git",
        ] {
            assert_eq!(RepoName::from_url(url), acme, "{url}");
        }
        for url in ["/srv/git/shop.git", "shop", "https://github.com/shop"] {
            assert_eq!(RepoName::from_url(url), None, "{url}");
        }
        assert_eq!(RepoName::parse("acme/shop").unwrap().to_string(), "acme/shop");
        assert_eq!(RepoName::parse("acme/../x"), None);
    }
}
