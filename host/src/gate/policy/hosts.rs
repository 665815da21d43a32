//! Host allow and deny lists: globs over host names.

use globset::{GlobBuilder, GlobMatcher};

use super::Origin;

/// A glob over host names: `api.github.com`, `*.internal.example.com`.
/// Case does not matter; `*` matches across dots, so `*.example.com`
/// matches `a.b.example.com` but not `example.com` itself.
#[derive(Debug, Clone)]
pub struct HostPattern {
    text: String,
    matcher: Matcher,
}

/// Most host patterns are a name or `*.` and a domain: those compare as
/// strings, which spares compiling a regex per entry when the policy loads.
#[derive(Debug, Clone)]
enum Matcher {
    Exact(String),
    /// `*` then a literal: any name that ends with it.
    EndsWith(String),
    Glob(GlobMatcher),
}

impl Matcher {
    fn is_match(&self, host: &str) -> bool {
        match self {
            Matcher::Exact(name) => host == name,
            Matcher::EndsWith(tail) => host.ends_with(tail.as_str()),
            Matcher::Glob(glob) => glob.is_match(host),
        }
    }
}

impl HostPattern {
    pub fn new(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("a host pattern is empty".into());
        }
        if text.contains('/') {
            return Err(format!("`{text}` is not a host name (no scheme or path: `api.github.com`)"));
        }
        let lower = text.to_ascii_lowercase();
        let literal = |s: &str| !s.contains(['*', '?', '[', ']', '{', '}', '\\']);
        let matcher = if literal(&lower) {
            Matcher::Exact(lower)
        } else if let Some(tail) = lower.strip_prefix('*').filter(|t| literal(t)) {
            Matcher::EndsWith(tail.to_string())
        } else {
            let glob = GlobBuilder::new(&lower).build().map_err(|e| e.kind().to_string())?;
            Matcher::Glob(glob.compile_matcher())
        };
        Ok(HostPattern { text: text.to_string(), matcher })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `host` (any case, trailing dot or not) matches.
    pub fn is_match(&self, host: &str) -> bool {
        self.matcher.is_match(normalize(host).as_ref())
    }
}

/// Host names compare without case and without the root's trailing dot.
pub(super) fn normalize(host: &str) -> std::borrow::Cow<'_, str> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.bytes().any(|b| b.is_ascii_uppercase()) { host.to_ascii_lowercase().into() } else { host.into() }
}

/// One entry of a host list and where it was written.
#[derive(Debug, Clone)]
pub struct HostEntry {
    pub pattern: HostPattern,
    pub origin: Origin,
}

/// What the host lists say about a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostVerdict<'p> {
    /// A deny entry matches: wins over any allow entry, in any layer.
    Denied(&'p Origin),
    Allowed(&'p Origin),
    /// Neither list names it: the classifier and mode decide.
    Unlisted,
}

/// The merged host lists, strongest layer first.
#[derive(Debug, Clone, Default)]
pub struct Hosts {
    pub(super) allow: Vec<HostEntry>,
    pub(super) deny: Vec<HostEntry>,
}

impl Hosts {
    pub fn allowed(&self) -> &[HostEntry] {
        &self.allow
    }

    pub fn denied(&self) -> &[HostEntry] {
        &self.deny
    }

    pub fn verdict(&self, host: &str) -> HostVerdict<'_> {
        let host = normalize(host);
        let matches = |e: &&HostEntry| e.pattern.matcher.is_match(&host);
        if let Some(e) = self.deny.iter().find(matches) {
            HostVerdict::Denied(&e.origin)
        } else if let Some(e) = self.allow.iter().find(matches) {
            HostVerdict::Allowed(&e.origin)
        } else {
            HostVerdict::Unlisted
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Layer;
    use super::*;

    fn entry(pattern: &str, line: usize) -> HostEntry {
        let origin = Origin { layer: Layer::User, file: "policy.toml".into(), line };
        HostEntry { pattern: HostPattern::new(pattern).unwrap(), origin }
    }

    #[test]
    fn host_globs_match_names_without_case() {
        let p = HostPattern::new("*.Example.com").unwrap();
        assert!(p.is_match("api.example.com"));
        assert!(p.is_match("a.b.EXAMPLE.com."));
        assert!(!p.is_match("example.com"));
        assert!(!p.is_match("example.com.evil.org"));
        assert!(!p.is_match("notexample.com"));
        let exact = HostPattern::new("api.github.com").unwrap();
        assert!(exact.is_match("api.github.com"));
        assert!(!exact.is_match("api.github.com.evil.org"));
        assert!(!exact.is_match("xapi.github.com"));
        let glob = HostPattern::new("build-?.ci.example.com").unwrap();
        assert!(matches!(glob.matcher, Matcher::Glob(_)));
        assert!(glob.is_match("build-1.ci.example.com"));
        assert!(!glob.is_match("build-12.ci.example.com"));
        let any = HostPattern::new("*").unwrap();
        assert!(any.is_match("anything.at.all"));
    }

    #[test]
    fn host_patterns_that_are_urls_or_bad_globs_are_refused() {
        assert!(HostPattern::new("https://api.github.com").is_err());
        assert!(HostPattern::new("").is_err());
        assert!(HostPattern::new("[a-").is_err());
    }

    #[test]
    fn deny_wins_over_allow_and_the_first_entry_names_the_origin() {
        let hosts = Hosts {
            allow: vec![entry("*.example.com", 1), entry("api.example.com", 2)],
            deny: vec![entry("evil.example.com", 3)],
        };
        assert!(matches!(hosts.verdict("api.example.com"), HostVerdict::Allowed(o) if o.line == 1));
        assert!(matches!(hosts.verdict("evil.example.com"), HostVerdict::Denied(o) if o.line == 3));
        assert_eq!(hosts.verdict("example.org"), HostVerdict::Unlisted);
    }
}
