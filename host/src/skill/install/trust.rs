//! Whom grove trusts to publish skills, and the enterprise's rules for
//! installing them: the `[skills]` table of the user's `config.toml` and of
//! the enterprise policy file.
//!
//! ```toml
//! [skills]
//! require-signature = true                 # every install signed by a trusted key
//! allow-publishers = ["acme"]              # and by one of these
//! allow-registries = ["registry.acme.dev"] # remote sources only from these
//! [skills.publishers]
//! acme = "RWS…"                            # minisign public keys
//! ```
//!
//! Each layer's rules apply (a requirement or a list in either binds); a
//! publisher named in both takes the enterprise's key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::InstallError;
use super::digest::Digest;
use super::signature::{self, SignatureError, TrustedKey, Verified};
use super::source::Source;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    #[serde(default)]
    publishers: BTreeMap<String, String>,
    require_signature: Option<bool>,
    allow_publishers: Option<Vec<String>>,
    allow_registries: Option<Vec<String>>,
}

/// A file with a `[skills]` table, whatever else it holds.
#[derive(Debug, Deserialize)]
struct Outer {
    skills: Option<Raw>,
}

/// What a list or a requirement says, and the file that says it.
#[derive(Debug, Clone)]
struct Said<T> {
    value: T,
    file: PathBuf,
}

/// The trusted keys and the rules of installing.
#[derive(Debug, Default)]
pub struct Trust {
    pub keys: Vec<TrustedKey>,
    require_signature: Vec<Said<()>>,
    publishers: Vec<Said<Vec<String>>>,
    registries: Vec<Said<Vec<String>>>,
}

/// What the signature check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signed {
    By(Verified),
    /// No signature came with the component.
    Unsigned,
    /// Signed with a key no configured publisher has (allowed only where
    /// no layer requires signatures).
    UnknownKey(String),
}

impl Signed {
    /// The publisher the lock records.
    pub fn publisher(&self) -> Option<&str> {
        match self {
            Signed::By(v) => Some(&v.publisher),
            _ => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Signed::By(v) => format!("{} (signature verified, key {})", v.publisher, v.key_id),
            Signed::Unsigned => "unknown (not signed)".into(),
            Signed::UnknownKey(id) => {
                format!("unknown (signed with key {id}, which no trusted publisher has)")
            }
        }
    }
}

impl Trust {
    /// The user's `config.toml` and the enterprise policy file, those that exist.
    pub fn load() -> Result<Trust, InstallError> {
        let user = crate::paths::config_dir().map(|d| d.join("config.toml"));
        let enterprise = crate::gate::policy::enterprise_path();
        let read = |path: &Path| -> Result<Option<(PathBuf, String)>, InstallError> {
            match std::fs::read_to_string(path) {
                Ok(text) => Ok(Some((path.to_path_buf(), text))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(error) => Err(InstallError::Read { path: path.to_path_buf(), error }),
            }
        };
        let user = match user {
            Some(path) => read(&path)?,
            None => None,
        };
        Trust::from_files(user, read(&enterprise)?)
    }

    /// The trust of a user file and an enterprise file, each `(path, text)`.
    pub fn from_files(
        user: Option<(PathBuf, String)>,
        enterprise: Option<(PathBuf, String)>,
    ) -> Result<Trust, InstallError> {
        let mut trust = Trust::default();
        // Enterprise first: its key for a publisher wins.
        for (path, text) in enterprise.into_iter().chain(user) {
            let outer: Outer = toml::from_str(&text).map_err(|e| InstallError::Invalid {
                path: path.clone(),
                why: format!("[skills]: {}", e.message().trim()),
            })?;
            let Some(raw) = outer.skills else { continue };
            for (publisher, key) in raw.publishers {
                if !trust.keys.iter().any(|k| k.publisher == publisher) {
                    let origin = path.display().to_string();
                    trust.keys.push(TrustedKey { publisher, key, origin });
                }
            }
            if raw.require_signature == Some(true) {
                trust.require_signature.push(Said { value: (), file: path.clone() });
            }
            if let Some(list) = raw.allow_publishers {
                trust.publishers.push(Said { value: list, file: path.clone() });
            }
            if let Some(list) = raw.allow_registries {
                trust.registries.push(Said { value: list, file: path.clone() });
            }
        }
        Ok(trust)
    }

    /// Refuse a remote source whose registry a list does not name. A
    /// source on this machine (a path, a `git+file` repository) passes:
    /// what it holds is judged by its signature.
    pub fn check_registry(&self, source: &Source) -> Result<(), InstallError> {
        let Some(registry) = source.registry() else { return Ok(()) };
        let host = registry.rsplit_once(':').map_or(registry.as_str(), |(h, _)| h);
        for said in &self.registries {
            if !said.value.iter().any(|r| r.eq_ignore_ascii_case(&registry) || r.eq_ignore_ascii_case(host)) {
                return Err(InstallError::Policy(format!(
                    "the registry {registry} is not allowed: {} allows skills only from {}",
                    said.file.display(),
                    said.value.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// The file that requires a signature: one saying `require-signature`,
    /// or naming the publishers allowed (which only a signature can show).
    fn required(&self) -> Option<&Path> {
        let by_list = self.publishers.first().map(|s| s.file.as_path());
        self.require_signature.first().map(|s| s.file.as_path()).or(by_list)
    }

    /// Check a component's signature (if it came with one) and the rules:
    /// a signature that does not verify is always refused; a missing one or
    /// an unknown key only where a layer requires signatures; a publisher
    /// outside a layer's list is refused.
    pub fn judge(&self, signature: Option<&str>, digest: &Digest) -> Result<Signed, InstallError> {
        let signed = match signature {
            None => Signed::Unsigned,
            Some(text) => match signature::verify(text, digest, &self.keys) {
                Ok(v) => Signed::By(v),
                Err(SignatureError::UnknownKey { key_id, known }) if self.required().is_none() => {
                    tracing::warn!(%key_id, %known, "the component is signed with an unknown key");
                    Signed::UnknownKey(key_id)
                }
                Err(e) => return Err(InstallError::Signature(e.to_string())),
            },
        };
        if let Some(file) = self.required()
            && signed.publisher().is_none()
        {
            let why = match &signed {
                Signed::UnknownKey(id) => {
                    format!("it is signed with key {id}, which no trusted publisher has")
                }
                _ => "it is not signed (no .minisig came with it)".into(),
            };
            return Err(InstallError::Signature(format!(
                "{} requires a signature by a trusted publisher, and {why}",
                file.display()
            )));
        }
        if let Signed::By(v) = &signed {
            for said in &self.publishers {
                if !said.value.contains(&v.publisher) {
                    return Err(InstallError::Policy(format!(
                        "publisher {} is not allowed: {} allows only {}",
                        v.publisher,
                        said.file.display(),
                        said.value.join(", ")
                    )));
                }
            }
        }
        Ok(signed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trust(enterprise: &str, user: &str) -> Trust {
        Trust::from_files(
            Some(("/home/me/config.toml".into(), user.into())),
            Some(("/etc/grove/policy.toml".into(), enterprise.into())),
        )
        .unwrap()
    }

    #[test]
    fn registries_are_named_by_host_or_host_and_port_and_local_sources_pass() {
        let t = trust("[skills]\nallow-registries = [\"registry.acme.dev\", \"127.0.0.1:5000\"]\n", "");
        let src = |s: &str| Source::parse(s).unwrap();
        assert!(t.check_registry(&src("oci://registry.acme.dev:443/x:1")).is_ok());
        assert!(t.check_registry(&src("oci://127.0.0.1:5000/x:1")).is_ok());
        let e = t.check_registry(&src("oci://127.0.0.1:5001/x:1")).unwrap_err().to_string();
        assert!(e.contains("127.0.0.1:5001 is not allowed") && e.contains("/etc/grove/policy.toml"), "{e}");
        assert!(t.check_registry(&src("./x.wasm")).is_ok());
    }

    #[test]
    fn the_enterprise_key_wins_and_a_publisher_list_requires_a_signature() {
        let t = trust(
            "[skills]\nallow-publishers = [\"acme\"]\n[skills.publishers]\nacme = \"RWS-ent\"\n",
            "[skills.publishers]\nacme = \"RWS-user\"\nbob = \"RWS-bob\"\n[model]\nbudget = \"1\"\n",
        );
        assert_eq!(t.keys.iter().find(|k| k.publisher == "acme").unwrap().key, "RWS-ent");
        assert!(t.keys.iter().any(|k| k.publisher == "bob"));
        let e = t.judge(None, &Digest::of(b"x")).unwrap_err().to_string();
        assert!(e.contains("requires a signature") && e.contains("not signed"), "{e}");
        assert_eq!(trust("", "").judge(None, &Digest::of(b"x")).unwrap(), Signed::Unsigned);
    }
}
