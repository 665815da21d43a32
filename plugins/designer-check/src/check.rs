//! One run's findings put together: the design changes, what the
//! configuration says, and the judged sign-offs; and the verdict.

use std::collections::BTreeSet;

use crate::config::Design;
use crate::detect::Change;
use crate::signoff::{self, Claim, History, Judgement};

/// Everything the report is made of.
#[derive(Debug, Clone)]
pub struct Check {
    /// The base as machine-readable output names it.
    pub base: String,
    /// The base in words.
    pub described: String,
    pub changes: Vec<Change>,
    /// Whether `[design]` lists any designer.
    pub configured: bool,
    pub claims: Vec<(Claim, Judgement)>,
}

/// How the check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    NoDesignChanges,
    SignedOff,
    MissingSignOff,
    /// Design changes, and no designers to sign them off.
    NotConfigured,
}

impl Verdict {
    pub fn passes(self) -> bool {
        matches!(self, Verdict::NoDesignChanges | Verdict::SignedOff)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NoDesignChanges => "no-design-changes",
            Verdict::SignedOff => "signed-off",
            Verdict::MissingSignOff => "missing-sign-off",
            Verdict::NotConfigured => "not-configured",
        }
    }
}

impl Check {
    /// Judge `claims` against the designers of `design` and the history.
    pub fn new(
        base: String,
        described: String,
        changes: Vec<Change>,
        design: Option<&Design>,
        claims: Vec<Claim>,
        history: &History,
    ) -> Check {
        let configured = design.is_some_and(|d| !d.designers.is_empty());
        let design_paths: BTreeSet<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        let claims = match design {
            Some(design) if configured => claims
                .into_iter()
                .map(|claim| {
                    let judgement = signoff::judge(&claim, &design.designers, &design_paths, history);
                    (claim, judgement)
                })
                .collect(),
            _ => Vec::new(),
        };
        Check { base, described, changes, configured, claims }
    }

    pub fn verdict(&self) -> Verdict {
        if self.changes.is_empty() {
            Verdict::NoDesignChanges
        } else if !self.configured {
            Verdict::NotConfigured
        } else if self.claims.iter().any(|(_, j)| j.accepted()) {
            Verdict::SignedOff
        } else {
            Verdict::MissingSignOff
        }
    }

    /// The designers whose sign-off counts, each once.
    pub fn signed_by(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for (_, judgement) in &self.claims {
            if let Judgement::Accepted { designer } = judgement
                && !names.contains(&designer.as_str())
            {
                names.push(designer);
            }
        }
        names
    }

    /// The files with design changes, each once.
    pub fn files(&self) -> usize {
        self.changes.iter().map(|c| c.path.as_str()).collect::<BTreeSet<_>>().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::detect::Kind;
    use crate::identity::Identity;
    use crate::signoff::{Covers, Source};

    fn change(path: &str) -> Change {
        Change { path: path.into(), kind: Kind::Stylesheet, lines: vec![1] }
    }

    fn claim(who: &str) -> Claim {
        Claim {
            who: Identity::parse(who),
            source: Source::Trailer { commit: "a".repeat(40), summary: "s".into() },
            covers: Covers::Everything,
        }
    }

    fn check(changes: Vec<Change>, config_text: &str, claims: Vec<Claim>) -> Check {
        let design = config::parse(config_text).unwrap();
        Check::new("HEAD".into(), "x".into(), changes, design.as_ref(), claims, &History::default())
    }

    const CONFIG: &str = "[design]\ndesigners = [\"Dana <dana@example.com>\"]\n";

    #[test]
    fn verdicts() {
        assert_eq!(check(vec![], "", vec![]).verdict(), Verdict::NoDesignChanges);
        assert_eq!(
            check(vec![change("a.css")], "", vec![claim("Dana <dana@example.com>")]).verdict(),
            Verdict::NotConfigured
        );
        assert_eq!(check(vec![change("a.css")], "[design]\n", vec![]).verdict(), Verdict::NotConfigured);
        assert_eq!(check(vec![change("a.css")], CONFIG, vec![]).verdict(), Verdict::MissingSignOff);
        let stranger = check(vec![change("a.css")], CONFIG, vec![claim("Eve <eve@example.com>")]);
        assert_eq!(stranger.verdict(), Verdict::MissingSignOff);
        assert_eq!(stranger.claims[0].1, Judgement::NotADesigner);
        let signed = check(
            vec![change("a.css"), change("b.css")],
            CONFIG,
            vec![claim("Dana <dana@example.com>"), claim("Dana <DANA@example.com>")],
        );
        assert_eq!(signed.verdict(), Verdict::SignedOff);
        assert_eq!(signed.signed_by(), ["Dana <dana@example.com>"]);
        assert_eq!(signed.files(), 2);
        assert!(Verdict::SignedOff.passes() && !Verdict::NotConfigured.passes());
    }
}
