//! From an assessment, a mode and the policy rules that match, to a verdict
//! with its reasons: the one place where the three meet.

use super::level::{Assessment, Level};
use super::mode::{Mode, Verdict};
use super::policy::{Matches, Rule};

/// A decision, before a human has had a say.
#[derive(Debug, Clone)]
pub struct Decision {
    pub verdict: Verdict,
    pub level: Level,
    /// Riskiest first, each `rule: detail`.
    pub reasons: Vec<String>,
    /// What decided: `mode:auto`, or the policy file and line of a rule.
    pub decided_by: String,
}

/// Decide. A policy `deny` wins in every mode; an `ask` rule holds what the
/// mode would allow; an `allow` rule lifts what the mode would ask about,
/// but never a critical action (only bypass mode runs those) and never in
/// plan mode, which is read-only whatever the rules say.
pub fn decide(a: &Assessment, mode: Mode, rules: &Matches<'_>) -> Decision {
    let mut reasons: Vec<String> = a.sorted_reasons().iter().map(|r| r.to_string()).collect();
    let by_mode = || format!("mode:{mode}");
    let (verdict, decided_by) = match (mode.verdict(a), rules) {
        (_, Matches { deny: Some(rule), .. }) => {
            reasons.insert(0, rule_reason(rule));
            (Verdict::Deny, rule.origin().to_string())
        }
        (Verdict::Allow, Matches { ask: Some(rule), .. }) => {
            reasons.insert(0, rule_reason(rule));
            (Verdict::Ask, rule.origin().to_string())
        }
        (Verdict::Ask, Matches { allow: Some(rule), .. }) if a.level < Level::Critical => {
            reasons.insert(0, rule_reason(rule));
            (Verdict::Allow, rule.origin().to_string())
        }
        (verdict, _) => (verdict, by_mode()),
    };
    if verdict != Verdict::Allow && decided_by.starts_with("mode:") {
        reasons.push(mode_reason(mode, a, verdict));
    }
    Decision { verdict, level: a.level, reasons, decided_by }
}

fn rule_reason(rule: &Rule) -> String {
    let why = rule.reason().unwrap_or("a policy rule says so");
    format!("policy.{}: {why} ({})", rule.verdict(), rule.origin())
}

fn mode_reason(mode: Mode, a: &Assessment, verdict: Verdict) -> String {
    let what = match (mode, verdict) {
        (Mode::Plan, _) => "plan mode runs only what reads".to_string(),
        (_, Verdict::Deny) => format!("{mode} mode never runs critical actions"),
        (Mode::Manual, _) => "manual mode asks before anything that is not a read".to_string(),
        _ => format!("{mode} mode asks before {} actions", a.level),
    };
    format!("mode.{mode}: {what}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::policy::{Layer, Policy, Query};

    fn assessed(level: Level) -> Assessment {
        let mut a = Assessment::default();
        a.raise(level, "test.rule", "something");
        a
    }

    fn policy(text: &str) -> Policy {
        Policy::from_layers(vec![(Layer::User, "/u/policy.toml".into(), text.into())]).unwrap()
    }

    #[test]
    fn rules_deny_hold_and_lift() {
        let p = policy(
            "[[rules]]\nverdict = \"deny\"\ncapability = \"http\"\n\n[[rules]]\nverdict = \"ask\"\ncapability = \"git\"\n\n[[rules]]\nverdict = \"allow\"\ncapability = \"process\"\nreason = \"trusted\"\n",
        );
        let q = |cap| Query::new("s", cap, "x");
        let d = decide(&assessed(Level::Low), Mode::Bypass, &p.matching(&q("http")));
        assert_eq!((d.verdict, d.decided_by.as_str()), (Verdict::Deny, "/u/policy.toml:1"));
        let d = decide(&assessed(Level::Safe), Mode::Auto, &p.matching(&q("git")));
        assert_eq!(d.verdict, Verdict::Ask);
        let d = decide(&assessed(Level::High), Mode::Auto, &p.matching(&q("process")));
        assert_eq!(d.verdict, Verdict::Allow);
        assert!(
            d.reasons[0].contains("trusted") && d.reasons[0].contains("policy.toml:9"),
            "{:?}",
            d.reasons
        );
        // Never a critical action, never in plan mode.
        assert_eq!(
            decide(&assessed(Level::Critical), Mode::Auto, &p.matching(&q("process"))).verdict,
            Verdict::Deny
        );
        assert_eq!(
            decide(&assessed(Level::Medium), Mode::Plan, &p.matching(&q("process"))).verdict,
            Verdict::Deny
        );
    }

    #[test]
    fn the_mode_explains_itself() {
        let d = decide(&assessed(Level::Medium), Mode::Auto, &Matches::default());
        assert_eq!(d.verdict, Verdict::Ask);
        assert_eq!(d.decided_by, "mode:auto");
        assert!(d.reasons.last().unwrap().starts_with("mode.auto: "), "{:?}", d.reasons);
        assert_eq!(d.reasons[0], "test.rule: something");
    }
}
