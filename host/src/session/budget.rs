//! A session's model budget covers the sessions it spawns. A sub-session
//! gets at most what is left of its parent's budget when it starts (its
//! parent's and its siblings' spending taken off), and every model call is
//! checked against the budget of each session above it as well as its
//! own, each counting what its whole subtree spent: five sub-sessions
//! started at once with what was left cannot together spend more than
//! their parent was given.

use super::{Session, Store, StoreError};
use crate::providers::Budget;

/// What a sub-session is given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Inherited {
    /// Its budget: `None` when neither it nor its parent has one.
    pub budget: Option<Budget>,
    /// What it asked for, when that was more than its parent had left.
    pub clamped_from: Option<Budget>,
}

/// Why a sub-session cannot be given a budget.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BudgetError {
    #[error(
        "`{parent}` has spent its model budget ({spent}, its sub-sessions included): it has none left to give a sub-session"
    )]
    Spent { parent: String, spent: String },
    #[error("the budget asked for ({asked}) is in {}, and `{parent}`'s ({budget}) is in {}: ask in {}", asked.unit(), budget.unit(), budget.unit())]
    Units { parent: String, asked: Budget, budget: Budget },
}

/// The budget `parent`'s session runs with: its own (`grove new
/// --budget`, or what it was given as a sub-session), else the
/// configured `default`.
pub fn of(parent: &Session, default: Option<Budget>) -> Option<Budget> {
    let own = parent.model.as_ref().and_then(|m| m.budget.as_deref()).and_then(|b| Budget::parse(b).ok());
    own.or(default)
}

/// The budget a sub-session of `parent` gets when it asks for `asked`:
/// what is left of the parent's budget after its whole subtree's spending,
/// or less when it asks for less. A parent with no budget gives what was
/// asked.
pub fn for_child(
    store: &Store,
    parent: &Session,
    default: Option<Budget>,
    asked: Option<Budget>,
) -> Result<Result<Inherited, BudgetError>, StoreError> {
    let Some(budget) = of(parent, default) else {
        return Ok(Ok(Inherited { budget: asked, clamped_from: None }));
    };
    let spent = store.tree_spend(&parent.name)?;
    Ok(split(&parent.name, budget, budget.left_after(&spent), asked, || {
        budget.spent_by(&spent).unwrap_or_default()
    }))
}

/// [`for_child`] once the parent's budget and what is left of it are known.
fn split(
    parent: &str,
    budget: Budget,
    left: Option<Budget>,
    asked: Option<Budget>,
    spent: impl FnOnce() -> String,
) -> Result<Inherited, BudgetError> {
    let Some(left) = left else {
        return Err(BudgetError::Spent { parent: parent.to_string(), spent: spent() });
    };
    match asked {
        None => Ok(Inherited { budget: Some(left), clamped_from: None }),
        Some(asked) if !asked.same_unit(budget) => {
            Err(BudgetError::Units { parent: parent.to_string(), asked, budget })
        }
        Some(asked) => {
            let given = asked.at_most(left);
            Ok(Inherited { budget: Some(given), clamped_from: (given != asked).then_some(asked) })
        }
    }
}

/// Why session `name` may not make another model call, if it may not: the
/// budget of it or of a session above it is spent by that session's whole
/// subtree. (Its own spending alone is the meter's to check.)
pub fn shared_exhausted(
    store: &Store,
    name: &str,
    default: Option<Budget>,
) -> Result<Option<String>, StoreError> {
    let Some(this) = store.get(name)? else { return Ok(None) };
    let above = store.ancestors(name)?;
    for (i, session) in std::iter::once(&this).chain(&above).enumerate() {
        let Some(budget) = of(session, default) else { continue };
        let spent = store.tree_spend(&session.name)?;
        let Some(how_much) = budget.spent_by(&spent) else { continue };
        let whose = if i == 0 {
            "this session's model budget, shared with its sub-sessions,".to_string()
        } else {
            format!("the model budget of `{}`, which this session shares as its sub-session,", session.name)
        };
        return Ok(Some(format!(
            "{whose} is spent ({how_much} after {} in all)",
            crate::text::count(spent.calls, "call")
        )));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::Spend;
    use crate::providers::chat::Usage;
    use crate::session::NewSession;
    use crate::session::store::ModelChoice;

    fn with_budget(name: &str, parent: Option<&str>, budget: Option<&str>) -> NewSession {
        NewSession {
            parent: parent.map(String::from),
            model: budget.map(|b| ModelChoice { budget: Some(b.into()), ..Default::default() }),
            ..NewSession::example(name)
        }
    }

    fn spend(store: &Store, name: &str, micro: u64) {
        let spend = Spend {
            calls: 1,
            usage: Usage { input_tokens: 10, ..Usage::default() },
            cost_usd: micro as f64 / 1e6,
            unpriced_calls: 0,
        };
        store.set_spend(name, &spend).unwrap();
    }

    #[test]
    fn a_child_gets_what_is_left_or_less() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let p = store.insert(&with_budget("p", None, Some("$1"))).unwrap();
        store.insert(&with_budget("a", Some("p"), Some("$0.5"))).unwrap();
        spend(&store, "p", 250_000);
        spend(&store, "a", 150_000);
        let child = |asked| for_child(&store, &p, None, asked).unwrap();
        assert_eq!(child(None), Ok(Inherited { budget: Some(Budget::Usd(0.6)), clamped_from: None }));
        assert_eq!(
            child(Some(Budget::Usd(0.25))),
            Ok(Inherited { budget: Some(Budget::Usd(0.25)), clamped_from: None })
        );
        assert_eq!(
            child(Some(Budget::Usd(5.0))),
            Ok(Inherited { budget: Some(Budget::Usd(0.6)), clamped_from: Some(Budget::Usd(5.0)) })
        );
        let units = child(Some(Budget::Tokens(1000))).unwrap_err().to_string();
        assert!(units.contains("is in tokens") && units.contains("ask in dollars"), "{units}");

        // No budget anywhere: the child gets what it asks for, or none.
        let free = store.insert(&with_budget("free", None, None)).unwrap();
        let asked = Some(Budget::Tokens(9));
        assert_eq!(for_child(&store, &free, None, asked).unwrap().unwrap().budget, asked);
        // The configured default is the parent's budget when it has none of its own.
        spend(&store, "free", 0);
        let given = for_child(&store, &free, Some(Budget::Tokens(100)), None).unwrap().unwrap();
        assert_eq!(given.budget, Some(Budget::Tokens(90)));

        spend(&store, "a", 800_000);
        let spent = for_child(&store, &p, None, None).unwrap().unwrap_err().to_string();
        assert!(spent.contains("`p` has spent its model budget ($1.05 of $1.00"), "{spent}");
    }

    #[test]
    fn every_budget_above_a_session_bounds_its_calls() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.insert(&with_budget("p", None, Some("$1"))).unwrap();
        store.insert(&with_budget("a", Some("p"), Some("$0.8"))).unwrap();
        store.insert(&with_budget("b", Some("p"), Some("$0.8"))).unwrap();
        store.insert(&with_budget("a1", Some("a"), None)).unwrap();
        spend(&store, "a", 400_000);
        spend(&store, "a1", 300_000);
        assert_eq!(shared_exhausted(&store, "b", None).unwrap(), None);
        // `b` spends within its own $0.8, but the tree passes `p`'s $1.
        spend(&store, "b", 300_000);
        let why = shared_exhausted(&store, "b", None).unwrap().unwrap();
        assert!(
            why.contains("the model budget of `p`") && why.contains("$1.00 of $1.00 after 3 calls"),
            "{why}"
        );
        let why = shared_exhausted(&store, "a1", None).unwrap().unwrap();
        assert!(why.contains("`p`"), "{why}");
        let why = shared_exhausted(&store, "p", None).unwrap().unwrap();
        assert!(why.starts_with("this session's model budget, shared with its sub-sessions,"), "{why}");
        // A session on its own only meets its own budget.
        store.insert(&with_budget("alone", None, None)).unwrap();
        spend(&store, "alone", 900_000);
        assert_eq!(shared_exhausted(&store, "alone", Some(Budget::Usd(1.0))).unwrap(), None);
        assert!(shared_exhausted(&store, "alone", Some(Budget::Usd(0.5))).unwrap().is_some());
    }
}
