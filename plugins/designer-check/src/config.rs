//! The `[design]` section of `.grove/config.toml`:
//!
//! ```toml
//! [design]
//! designers = ["Dana Designer <dana@example.com>", "sam@example.com"]
//! components = ["src/components/**", "ui/**/*.tsx"]
//! signoff_file = ".grove/design-signoff"   # optional; this is the default
//! pages = ["/", "/settings"]               # optional: where a style change shows
//! ```
//!
//! Other sections of the file belong to other tools and are ignored; an
//! unknown key inside `[design]` is an error, so a typo cannot quietly turn
//! the check off.

use serde::Deserialize;

use crate::glob::Glob;
use crate::identity::Designers;

/// Where the configuration lives, relative to the workspace root.
pub const PATH: &str = ".grove/config.toml";
/// The sign-off file when the configuration names none.
pub const DEFAULT_SIGNOFF_FILE: &str = ".grove/design-signoff";

/// The design check's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Design {
    pub designers: Designers,
    pub components: Vec<Glob>,
    /// The patterns as written, for the report.
    pub component_patterns: Vec<String>,
    pub signoff_file: String,
    /// The app's pages a change that is not itself a page shows on (with
    /// `[evidence]` configured, each is pictured).
    pub pages: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    design: Option<Section>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    #[serde(default)]
    designers: Vec<String>,
    #[serde(default)]
    components: Vec<String>,
    signoff_file: Option<String>,
    #[serde(default)]
    pages: Vec<String>,
}

/// The `[design]` section of `text`, or `None` when there is none.
pub fn parse(text: &str) -> Result<Option<Design>, String> {
    let file: File = toml::from_str(text).map_err(|e| format!("{PATH}: {}", e.to_string().trim_end()))?;
    let Some(section) = file.design else { return Ok(None) };
    Ok(Some(Design {
        designers: Designers::parse(&section.designers),
        components: section.components.iter().map(|p| Glob::new(p)).collect(),
        component_patterns: section.components,
        signoff_file: section
            .signoff_file
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_SIGNOFF_FILE.to_string()),
        pages: section.pages,
    }))
}

impl Design {
    /// Whether `path` is one of the configured components.
    pub fn is_component(&self, path: &str) -> bool {
        self.components.iter().any(|g| g.matches(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_design_section() {
        let text = r#"
            [model]
            budget = "$5"

            [design]
            designers = ["Dana Designer <dana@example.com>", "sam@example.com"]
            components = ["src/components/**", "ui/**/*.tsx"]
            signoff_file = "docs/design-signoff.txt"
        "#;
        let design = parse(text).unwrap().unwrap();
        assert_eq!(design.designers.0.len(), 2);
        assert!(design.is_component("src/components/Button.tsx"));
        assert!(design.is_component("ui/cards/Card.tsx"));
        assert!(!design.is_component("src/lib/api.ts"));
        assert_eq!(design.signoff_file, "docs/design-signoff.txt");
    }

    #[test]
    fn defaults_absence_and_errors() {
        let design = parse("[design]\ndesigners = [\"a@x.org\"]\n").unwrap().unwrap();
        assert_eq!(design.signoff_file, DEFAULT_SIGNOFF_FILE);
        assert!(design.components.is_empty());
        assert_eq!(parse("[other]\nx = 1\n").unwrap(), None);
        assert_eq!(parse("").unwrap(), None);
        let typo = parse("[design]\ndesigner = [\"a@x.org\"]\n").unwrap_err();
        assert!(typo.contains("designer"), "{typo}");
        assert!(parse("[design\n").unwrap_err().starts_with(PATH));
        assert!(parse("[design]\ndesigners = \"a@x.org\"\n").is_err());
    }
}
