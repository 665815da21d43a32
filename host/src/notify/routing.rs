//! Who a message is for, by the project's `[notify]` section of
//! `.grove/config.toml`:
//!
//! ```toml
//! [notify]
//! on-call = "#oncall"          # a channel, or a person
//! rota = ".grove/rota.toml"    # or: today's shift of a rota (wins over on-call)
//!
//! [notify.people]              # GitHub login or CODEOWNERS entry → e-mail
//! alice = "alice@example.com"
//! "@acme/web" = "web-leads@example.com"
//! ```
//!
//! A person is named by a login (`alice`, `@alice`), a CODEOWNERS entry
//! (`@acme/web`) or an e-mail, which is used as it is; the e-mail finds
//! their Slack account (`users.lookupByEmail`). A name the project does not
//! map is an error that names the person and the line to add.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::Error;
use super::rota::{self, Day};

/// The project's configuration file, relative to the repository's root.
pub const CONFIG: &str = ".grove/config.toml";

/// Where a message goes, before Slack is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A channel, by name without `#` (or by id).
    Channel(String),
    /// A person, by the e-mail on their Slack profile.
    Email(String),
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destination::Channel(name) => write!(f, "#{name}"),
            Destination::Email(email) => f.write_str(email),
        }
    }
}

/// The project's routing.
#[derive(Debug, Clone, Default)]
pub struct Routing {
    on_call: Option<String>,
    rota: Option<PathBuf>,
    people: BTreeMap<String, String>,
    /// The file it came from (for messages), and the folder paths in it
    /// are relative to.
    file: PathBuf,
    root: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
struct FileConfig {
    notify: Option<Section>,
}

/// `[notify]`. Unknown keys are errors: a misspelt `on-call` must not
/// silently mean nobody is.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Section {
    #[serde(alias = "on_call")]
    on_call: Option<String>,
    rota: Option<PathBuf>,
    #[serde(default)]
    people: BTreeMap<String, String>,
}

impl Routing {
    /// The routing of the repository (or worktree) at `root`; none when it
    /// has no `.grove/config.toml`.
    pub fn load(root: &Path) -> Result<Routing, Error> {
        let file = root.join(CONFIG);
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Routing { file, root: root.to_path_buf(), ..Routing::default() });
            }
            Err(source) => return Err(Error::File { path: file, source }),
        };
        Routing::parse(root, &text)
    }

    /// The routing `text` sets, for the repository at `root`.
    pub fn parse(root: &Path, text: &str) -> Result<Routing, Error> {
        let file = root.join(CONFIG);
        let invalid = |message: String| Error::Config { path: file.clone(), message };
        let parsed: FileConfig = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let section = parsed.notify.unwrap_or_default();
        let people = section.people.into_iter().map(|(k, v)| (key(&k), v.trim().to_string())).collect();
        let routing = Routing {
            on_call: section.on_call.map(|o| o.trim().to_string()).filter(|o| !o.is_empty()),
            rota: section.rota,
            people,
            file: file.clone(),
            root: root.to_path_buf(),
        };
        for (who, to) in &routing.people {
            if !is_email(to) && !to.starts_with('#') {
                return Err(invalid(format!(
                    "[notify.people] {who} = {to:?}: map a person to an e-mail (or a #channel)"
                )));
            }
        }
        Ok(routing)
    }

    /// The file the routing is read from.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Where a message for `who` goes: `#channel`, an e-mail, or a login or
    /// CODEOWNERS entry mapped under `[notify.people]`.
    pub fn destination(&self, who: &str) -> Result<Destination, Error> {
        let who = who.trim();
        if let Some(channel) = who.strip_prefix('#') {
            return match channel {
                "" => Err(Error::Invalid("`#` names no channel".into())),
                name => Ok(Destination::Channel(name.to_string())),
            };
        }
        if is_email(who) {
            return Ok(Destination::Email(who.to_string()));
        }
        match self.people.get(&key(who)) {
            Some(to) => match to.strip_prefix('#') {
                Some(channel) => Ok(Destination::Channel(channel.to_string())),
                None => Ok(Destination::Email(to.clone())),
            },
            None => Err(Error::NoMapping { person: who.to_string(), config: self.file.clone() }),
        }
    }

    /// Who is on call on `day`: that day's shift of the rota, else
    /// `on-call`; `None` when neither says.
    pub fn on_call_on(&self, day: Day) -> Result<Option<String>, Error> {
        if let Some(rota) = &self.rota
            && let Some(who) = rota::on_call(&self.root.join(rota), day)?
        {
            return Ok(Some(who));
        }
        Ok(self.on_call.clone())
    }

    /// Where the on-call's messages go today.
    pub fn on_call(&self) -> Result<Destination, Error> {
        match self.on_call_on(rota::today())? {
            Some(who) => self.destination(&who),
            None => Err(Error::NoOnCall { config: self.file.clone() }),
        }
    }
}

/// A name as the people table keys it: logins with or without `@`, any case.
fn key(name: &str) -> String {
    name.trim().trim_start_matches('@').to_ascii_lowercase()
}

/// An e-mail, as CODEOWNERS and people write them: `local@domain.tld`.
fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.contains('/')
                && !text.contains(char::is_whitespace)
                && !domain.starts_with('.')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routing(text: &str) -> Routing {
        Routing::parse(Path::new("/repo"), text).unwrap()
    }

    #[test]
    fn people_are_found_by_login_team_or_email() {
        let r = routing(
            "[notify]\non-call = \"#ops\"\n[notify.people]\nAlice = \"alice@example.com\"\n\
             \"@acme/web\" = \"#web\"\n[design]\ndesigners = []\n",
        );
        let email = |e: &str| Destination::Email(e.into());
        assert_eq!(r.destination("alice").unwrap(), email("alice@example.com"));
        assert_eq!(r.destination("@alice").unwrap(), email("alice@example.com"));
        assert_eq!(r.destination("@acme/web").unwrap(), Destination::Channel("web".into()));
        assert_eq!(r.destination("carol@example.com").unwrap(), email("carol@example.com"));
        assert_eq!(r.destination("#design").unwrap(), Destination::Channel("design".into()));
        assert_eq!(r.on_call().unwrap(), Destination::Channel("ops".into()));
    }

    #[test]
    fn a_missing_mapping_names_the_person_and_the_line_to_add() {
        let r = routing("[notify.people]\nalice = \"alice@example.com\"\n");
        let e = r.destination("bob").unwrap_err();
        assert_eq!(e.to_string(), "no e-mail is known for `bob`");
        let hint = e.hint().unwrap();
        assert!(hint.contains("\"bob\" = ") && hint.contains(".grove/config.toml"), "{hint}");
        assert!(matches!(r.on_call(), Err(Error::NoOnCall { .. })));
        assert!(Routing::parse(Path::new("/r"), "[notify]\noncall = \"#x\"\n").is_err());
        assert!(Routing::parse(Path::new("/r"), "[notify.people]\na = \"not an email\"\n").is_err());
    }

    #[test]
    fn the_rota_wins_for_its_days_and_on_call_covers_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("rota.toml"),
            "[[shift]]\nfrom = 2025-06-02\nto = 2025-06-08\nwho = \"bob@example.com\"\n",
        )
        .unwrap();
        let r = Routing::parse(dir.path(), "[notify]\non-call = \"#ops\"\nrota = \"rota.toml\"\n").unwrap();
        assert_eq!(r.on_call_on((2025, 6, 3)).unwrap().as_deref(), Some("bob@example.com"));
        assert_eq!(r.on_call_on((2025, 7, 1)).unwrap().as_deref(), Some("#ops"));
        let r = Routing::parse(dir.path(), "[notify]\nrota = \"missing.toml\"\n").unwrap();
        assert!(r.on_call_on((2025, 6, 3)).unwrap_err().to_string().contains("missing.toml"));
    }
}
