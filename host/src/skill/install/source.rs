//! Where an installed skill comes from: the kinds of SRC `grove skill
//! install` reads, each pinned to one set of bytes. A URL carries its
//! digest, an OCI reference names a registry, a git source names a commit:
//! nothing floats, so the same SRC installs the same component tomorrow
//! (an OCI tag is the one exception, and the lock keeps the digest it had).

use std::fmt;
use std::path::PathBuf;

use super::InstallError;
use super::digest::Digest;

/// One place to install a skill from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A component file on this machine.
    Path(PathBuf),
    /// `https://…/x.wasm#sha256=<hex>`; plain `http` only to a loopback host.
    Url { url: reqwest::Url, digest: Digest },
    /// `oci://host[:port]/name:tag` or `oci://host[:port]/name@sha256:…`.
    Oci { reference: String, registry: String },
    /// `git+file:///repo#<commit>:path/to/skill.wasm` (or `git+https://`,
    /// `git+ssh://`).
    Git { url: String, commit: String, path: String },
}

impl Source {
    /// Read a SRC argument.
    pub fn parse(src: &str) -> Result<Source, InstallError> {
        let bad = |why: String| InstallError::Source(why);
        if let Some(rest) = src.strip_prefix("oci://") {
            return oci(rest).map_err(|why| bad(format!("`{src}`: {why}")));
        }
        if let Some(rest) = src.strip_prefix("git+") {
            return git(rest).map_err(|why| bad(format!("`{src}`: {why}")));
        }
        if src.starts_with("https://") || src.starts_with("http://") {
            return url(src).map_err(|why| bad(format!("`{src}`: {why}")));
        }
        if src.contains("://") {
            return Err(bad(format!(
                "`{src}`: unknown kind of source (a path, https://…#sha256=…, oci://…, git+file://…, git+https://… or git+ssh://…)"
            )));
        }
        Ok(Source::Path(PathBuf::from(src)))
    }

    /// Where it is fetched from, for the enterprise's list of registries:
    /// `host[:port]`; `None` for a source on this machine.
    pub fn registry(&self) -> Option<String> {
        match self {
            Source::Path(_) => None,
            Source::Url { url, .. } => Some(host_port(url)),
            Source::Oci { registry, .. } => Some(registry.clone()),
            Source::Git { url, .. } => {
                reqwest::Url::parse(url).ok().filter(|u| u.scheme() != "file").map(|u| host_port(&u))
            }
        }
    }

    /// The digest the source itself pins, checked before anything else.
    pub fn pinned(&self) -> Option<&Digest> {
        match self {
            Source::Url { digest, .. } => Some(digest),
            _ => None,
        }
    }

    /// The kind, for messages and the lock.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Path(_) => "path",
            Source::Url { .. } => "url",
            Source::Oci { .. } => "oci",
            Source::Git { .. } => "git",
        }
    }
}

impl fmt::Display for Source {
    /// The spelling `Source::parse` reads back (a path made absolute).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Path(path) => {
                let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
                write!(f, "{}", path.display())
            }
            Source::Url { url, .. } => write!(f, "{url}"),
            Source::Oci { reference, .. } => write!(f, "oci://{reference}"),
            Source::Git { url, commit, path } => write!(f, "git+{url}#{commit}:{path}"),
        }
    }
}

fn host_port(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// Whether `host` (a name or an address, without a port) is this machine.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn url(src: &str) -> Result<Source, String> {
    let mut url = reqwest::Url::parse(src).map_err(|e| e.to_string())?;
    let fragment = url.fragment().map(str::to_string);
    let digest = match fragment.as_deref() {
        Some(f) if f.starts_with("sha256=") => f.parse::<Digest>()?,
        _ => {
            return Err(
                "a URL must name the component's digest: append #sha256=<64 hex digits> (the publisher's `sha256sum` of the file)"
                    .into(),
            );
        }
    };
    url.set_fragment(None);
    let host = url.host_str().ok_or("the URL has no host")?;
    if url.scheme() == "http" && !is_loopback(host) {
        return Err(
            "plain http is allowed only to this machine (127.0.0.1, ::1, localhost): use https".into()
        );
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("credentials in a URL would be kept in the lock: remove them".into());
    }
    let mut shown = url.clone();
    shown.set_fragment(Some(&format!("sha256={}", digest.hex())));
    Ok(Source::Url { url: shown, digest })
}

fn oci(rest: &str) -> Result<Source, String> {
    let (registry, name) = rest.split_once('/').ok_or("an OCI reference is oci://host[:port]/name:tag")?;
    if registry.is_empty() || name.is_empty() {
        return Err("an OCI reference is oci://host[:port]/name:tag".into());
    }
    if !name.contains(':') && !name.contains('@') {
        return Err("name a tag (:1.2.0) or a digest (@sha256:…)".into());
    }
    let reference: oci_client::Reference = rest.parse().map_err(|e| format!("{e}"))?;
    if reference.registry() != registry {
        return Err(format!("the registry must be named in full (read as {})", reference.registry()));
    }
    Ok(Source::Oci { reference: rest.to_string(), registry: registry.to_string() })
}

fn git(rest: &str) -> Result<Source, String> {
    let (url, pin) =
        rest.split_once('#').ok_or("name a commit and a file: git+URL#<commit>:path/to/skill.wasm")?;
    // git's own `ext::` and `fd::` transports run programs: never those.
    if !["file://", "https://", "ssh://"].iter().any(|scheme| url.starts_with(scheme)) {
        return Err("a git source is git+file://…, git+https://… or git+ssh://…".into());
    }
    let (commit, path) =
        pin.split_once(':').ok_or("name a commit and a file: #<commit>:path/to/skill.wasm")?;
    if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "`{commit}` is not a full commit id: a branch or tag can move, so a git source names the 40-hex commit"
        ));
    }
    let clean = crate::paths::relative(path).map_err(|e| e.to_string())?;
    if clean.as_os_str() == "." {
        return Err("name the component's file inside the repository".into());
    }
    Ok(Source::Git {
        url: url.to_string(),
        commit: commit.to_ascii_lowercase(),
        path: clean.to_string_lossy().into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn every_kind_reads_and_prints_back() {
        for src in [
            format!("https://skills.example/x.wasm#sha256={HEX}"),
            "oci://127.0.0.1:5000/skills/probe:0.1.0".to_string(),
            format!("oci://ghcr.io/acme/probe@sha256:{HEX}"),
            format!("git+file:///srv/skills#{}:dist/probe.wasm", "a".repeat(40)),
        ] {
            let s = Source::parse(&src).unwrap();
            assert_eq!(s.to_string(), src);
            assert_eq!(Source::parse(&s.to_string()).unwrap(), s);
        }
        assert_eq!(Source::parse("./x.wasm").unwrap().kind(), "path");
    }

    #[test]
    fn nothing_floats_and_nothing_is_guessed() {
        let refused = |src: &str, says: &str| {
            let e = Source::parse(src).unwrap_err().to_string();
            assert!(e.contains(says), "{src}: {e}");
        };
        refused("https://skills.example/x.wasm", "#sha256=");
        refused("https://skills.example/x.wasm#sha256=abc", "not a sha256 digest");
        refused(&format!("http://skills.example/x.wasm#sha256={HEX}"), "plain http");
        refused("oci://127.0.0.1:5000/probe", "name a tag");
        refused("git+file:///srv/skills#main:probe.wasm", "not a full commit");
        refused(&format!("git+file:///srv/skills#{}:../x.wasm", "a".repeat(40)), "outside");
        refused("ftp://x/y.wasm", "unknown kind");
        assert!(Source::parse(&format!("http://127.0.0.1:8080/x.wasm#sha256={HEX}")).is_ok());
    }

    #[test]
    fn registries_are_host_and_port() {
        let at = |src: &str| Source::parse(src).unwrap().registry();
        assert_eq!(at("oci://127.0.0.1:5000/probe:1").as_deref(), Some("127.0.0.1:5000"));
        assert_eq!(at(&format!("https://cdn.example/x.wasm#sha256={HEX}")).as_deref(), Some("cdn.example"));
        assert_eq!(at(&format!("git+file:///r#{}:x.wasm", "0".repeat(40))), None);
        assert_eq!(at("x.wasm"), None);
    }
}
