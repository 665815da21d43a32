//! Consent: what an install shows the human before anything is written,
//! and whether it must ask. A new skill always asks (or takes `--yes`); an
//! update asks only when it widens what the skill may ask for or touch,
//! and a widening is never taken on `--yes` alone.

use std::collections::BTreeSet;
use std::io::IsTerminal;

use super::InstallError;
use super::lock::Entry;
use crate::gate::Permission;

/// What the human is asked to consent to.
#[derive(Debug, Clone)]
pub struct Offer {
    pub name: String,
    pub version: String,
    pub source: String,
    pub digest: String,
    /// Who signed it, as [`super::trust::Signed::describe`] says.
    pub publisher: String,
    /// `section` (its `grove:manifest`) or `describe` (its own export).
    pub manifest: &'static str,
    pub permissions: Vec<Permission>,
    pub imports: Vec<String>,
}

/// How the human may be reached, and what the command line said.
#[derive(Debug, Clone, Copy)]
pub struct Asking {
    pub yes: bool,
    pub accept_widening: bool,
    /// Standard input and error are a terminal.
    pub terminal: bool,
}

impl Asking {
    pub fn from_flags(yes: bool, accept_widening: bool) -> Asking {
        let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        Asking { yes, accept_widening, terminal }
    }
}

/// What an update changes in what the skill may ask for and touch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    pub added_permissions: Vec<String>,
    pub removed_permissions: Vec<String>,
    pub added_imports: Vec<String>,
    pub removed_imports: Vec<String>,
}

impl Change {
    pub fn between(old: &Entry, offer: &Offer) -> Change {
        let new_perms: BTreeSet<String> = offer.permissions.iter().map(|p| p.as_str().to_string()).collect();
        let old_perms: BTreeSet<String> = old.permissions.iter().cloned().collect();
        let new_imports: BTreeSet<String> = offer.imports.iter().cloned().collect();
        let old_imports: BTreeSet<String> = old.imports.iter().cloned().collect();
        Change {
            added_permissions: new_perms.difference(&old_perms).cloned().collect(),
            removed_permissions: old_perms.difference(&new_perms).cloned().collect(),
            added_imports: new_imports.difference(&old_imports).cloned().collect(),
            removed_imports: old_imports.difference(&new_imports).cloned().collect(),
        }
    }

    /// More permissions or more imports than consented to before.
    pub fn widens(&self) -> bool {
        !self.added_permissions.is_empty() || !self.added_imports.is_empty()
    }

    /// "permissions +process, imports +grove:skill/process@0.2.0".
    pub fn widening(&self) -> String {
        let mut parts = Vec::new();
        if !self.added_permissions.is_empty() {
            parts.push(format!("permissions +{}", self.added_permissions.join(", +")));
        }
        if !self.added_imports.is_empty() {
            parts.push(format!("imports +{}", self.added_imports.join(", +")));
        }
        parts.join("; ")
    }
}

/// The text shown before consent: the skill, each permission with what it
/// lets the skill call (from the verbs table, for the releases of the
/// contract it imports), its real imports, and for an update what changed.
pub fn render(offer: &Offer, previous: Option<&Entry>) -> String {
    let mut out = String::new();
    let verb = if previous.is_some() { "Update" } else { "Install" };
    out.push_str(&format!("{verb} skill {} {}\n", offer.name, offer.version));
    if let Some(old) = previous {
        out.push_str(&format!("  installed:   {} {} ({})\n", old.name, old.version, old.digest));
    }
    out.push_str(&format!("  source:      {}\n", offer.source));
    out.push_str(&format!("  digest:      {}\n", offer.digest));
    out.push_str(&format!("  publisher:   {}\n", offer.publisher));
    let from = match offer.manifest {
        "section" => "its grove:manifest section",
        _ => "its describe export (no grove:manifest section)",
    };
    out.push_str(&format!("  manifest:    from {from}\n"));
    if offer.permissions.is_empty() {
        out.push_str("  permissions: (none)\n");
    } else {
        out.push_str("  permissions:\n");
        for p in &offer.permissions {
            // What it can call with it: the functions of the releases of
            // the contract it imports.
            let reached = crate::gate::verbs::covered_by(*p, &offer.imports);
            let reached = if reached.is_empty() { "(nothing it imports)".to_string() } else { reached };
            out.push_str(&format!("    {:<16} {reached}\n", p.as_str()));
        }
    }
    out.push_str("  imports:\n");
    for import in &offer.imports {
        out.push_str(&format!("    {import}\n"));
    }
    if let Some(old) = previous {
        let change = Change::between(old, offer);
        let list =
            |sign: &str, items: &[String]| items.iter().map(|i| format!("{sign}{i}")).collect::<Vec<_>>();
        let mut perms = list("+", &change.added_permissions);
        perms.extend(list("-", &change.removed_permissions));
        let mut imports = list("+", &change.added_imports);
        imports.extend(list("-", &change.removed_imports));
        let say = |v: Vec<String>| if v.is_empty() { "unchanged".to_string() } else { v.join(", ") };
        out.push_str(&format!("  changes:     permissions {}; imports {}\n", say(perms), say(imports)));
    }
    out
}

/// Decide consent for `offer`, asking on the terminal when it must. The
/// answer is how consent was given, for the lock and the audit log.
pub fn decide(
    offer: &Offer,
    previous: Option<&Entry>,
    asking: Asking,
    ask: impl FnOnce(&str) -> Result<bool, InstallError>,
) -> Result<&'static str, InstallError> {
    let change = previous.map(|old| Change::between(old, offer));
    match change {
        Some(change) if !change.widens() => Ok("unchanged"),
        Some(change) => {
            if asking.yes && asking.accept_widening {
                return Ok("--accept-widening");
            }
            if asking.terminal && !asking.yes {
                return answered(ask("Consent to the wider access?")?, offer);
            }
            let how =
                if asking.yes { "--yes alone does not accept a widening" } else { "no terminal to ask on" };
            Err(InstallError::Consent(format!(
                "{} {} widens what it may do ({}): {how}; review it and run again with --yes --accept-widening, or on a terminal",
                offer.name,
                offer.version,
                change.widening()
            )))
        }
        None if asking.yes => Ok("--yes"),
        None if asking.terminal => answered(ask("Install it?")?, offer),
        None => Err(InstallError::Consent(format!(
            "installing {} needs consent and there is no terminal to ask on: review the above and run again with --yes",
            offer.name
        ))),
    }
}

fn answered(yes: bool, offer: &Offer) -> Result<&'static str, InstallError> {
    if yes {
        Ok("terminal")
    } else {
        Err(InstallError::Consent(format!("{} was not installed: consent declined", offer.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(perms: &[Permission], imports: &[&str]) -> Offer {
        Offer {
            name: "s".into(),
            version: "2".into(),
            source: "x".into(),
            digest: "sha256:…".into(),
            publisher: "unknown".into(),
            manifest: "section",
            permissions: perms.to_vec(),
            imports: imports.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn installed(perms: &[&str], imports: &[&str]) -> Entry {
        Entry {
            name: "s".into(),
            version: "1".into(),
            source: "x".into(),
            digest: super::super::digest::Digest::of(b"old"),
            publisher: None,
            permissions: perms.iter().map(|s| s.to_string()).collect(),
            imports: imports.iter().map(|s| s.to_string()).collect(),
            manifest: "section".into(),
            consent: "--yes".into(),
            installed: String::new(),
        }
    }

    const HEADLESS: Asking = Asking { yes: false, accept_widening: false, terminal: false };
    const YES: Asking = Asking { yes: true, accept_widening: false, terminal: false };
    const TERMINAL: Asking = Asking { yes: false, accept_widening: false, terminal: true };

    fn never(_: &str) -> Result<bool, InstallError> {
        panic!("asked")
    }

    /// A component built against 0.1.0 is shown what 0.1.0 lets it call.
    #[test]
    fn each_permission_shows_what_the_imports_release_reaches() {
        let old = offer(&[Permission::Notify, Permission::Http], &["grove:skill/notify@0.1.0"]);
        let text = render(&old, None);
        assert!(text.contains("notify           notify.send\n"), "{text}");
        assert!(text.contains("http             (nothing it imports)\n"), "{text}");
        assert!(text.contains("    grove:skill/notify@0.1.0\n"), "{text}");
        let new = offer(&[Permission::Notify], &["grove:skill/notify@0.2.0"]);
        assert!(render(&new, None).contains("notify.{send, share-evidence}"));
    }

    #[test]
    fn a_new_skill_asks_or_takes_yes_and_headless_is_refused() {
        let o = offer(&[Permission::Process], &["grove:skill/process@0.2.0"]);
        assert_eq!(decide(&o, None, YES, never).unwrap(), "--yes");
        assert!(decide(&o, None, HEADLESS, never).unwrap_err().to_string().contains("--yes"));
        assert_eq!(decide(&o, None, TERMINAL, |_| Ok(true)).unwrap(), "terminal");
        assert!(decide(&o, None, TERMINAL, |_| Ok(false)).is_err());
    }

    #[test]
    fn narrower_updates_install_silently_and_wider_ones_ask_again() {
        let old = installed(&["process", "ui"], &["grove:skill/process@0.2.0", "grove:skill/ui@0.2.0"]);
        let narrower = offer(&[Permission::Process], &["grove:skill/process@0.2.0"]);
        assert_eq!(decide(&narrower, Some(&old), HEADLESS, never).unwrap(), "unchanged");
        let wider = offer(
            &[Permission::Process, Permission::Http],
            &["grove:skill/process@0.2.0", "grove:skill/http@0.2.0"],
        );
        let e = decide(&wider, Some(&old), HEADLESS, never).unwrap_err().to_string();
        assert!(e.contains("+http") && e.contains("grove:skill/http@0.2.0"), "{e}");
        let e = decide(&wider, Some(&old), YES, never).unwrap_err().to_string();
        assert!(e.contains("--accept-widening"), "{e}");
        let both = Asking { yes: true, accept_widening: true, terminal: false };
        assert_eq!(decide(&wider, Some(&old), both, never).unwrap(), "--accept-widening");
        assert_eq!(decide(&wider, Some(&old), TERMINAL, |_| Ok(true)).unwrap(), "terminal");
        // A new import alone is a widening too.
        let sneaky = offer(&[Permission::Process], &["grove:skill/process@0.2.0", "grove:skill/http@0.2.0"]);
        assert!(decide(&sneaky, Some(&old), YES, never).is_err());
    }
}
