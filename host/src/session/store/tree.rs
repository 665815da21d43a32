//! Sessions as a tree: a session a skill spawns records its parent. These
//! queries walk it (children, descendants, ancestors, what a subtree
//! spent), and [`Store::insert_bounded`] adds a spawned session only
//! within the bounds on depth and count, checked and inserted in one
//! transaction so that two skills spawning at once cannot both slip under
//! them.

use rusqlite::params;

use super::{NewSession, Session, Store, StoreError};
use crate::session::bounds::{BoundError, Bounds};

/// Every session below `?1`, with its depth under it (1 for a child) and
/// a key that sorts the tree depth-first (each session before those below
/// it, siblings oldest first), as a recursive query over `parent_id`. The
/// depth bound stops a cycle a hand-edited store might hold.
const BELOW: &str = "WITH RECURSIVE below(id, depth, key) AS (
        SELECT id, 0, '' FROM sessions WHERE name = ?1
        UNION
        SELECT s.id, below.depth + 1, below.key || printf('/%020d.%020d', s.created_at, s.id)
        FROM sessions AS s JOIN below ON s.parent_id = below.id
        WHERE below.depth < 64
    )";

/// Every session above `?1`, nearest first, the same way up.
const ABOVE: &str = "WITH RECURSIVE above(id, parent_id, height) AS (
        SELECT id, parent_id, 0 FROM sessions WHERE name = ?1
        UNION
        SELECT s.id, s.parent_id, above.height + 1 FROM sessions AS s JOIN above ON s.id = above.parent_id
        WHERE above.height < 64
    )";

impl Store {
    /// The sessions `name` spawned, oldest first.
    pub fn children(&self, name: &str) -> Result<Vec<Session>, StoreError> {
        self.sessions_where(
            "parent_id = (SELECT id FROM sessions WHERE name = ?1) ORDER BY created_at, id",
            name,
        )
    }

    /// Every session below `name` (children, their children, …), each
    /// before the sessions below it, siblings oldest first: the order to
    /// stop them in (a stopped session spawns no more), and reversed, to
    /// remove them in (none outlives the one above it).
    pub fn descendants(&self, name: &str) -> Result<Vec<Session>, StoreError> {
        let condition = "id IN (SELECT id FROM below WHERE depth > 0) \
             ORDER BY (SELECT MIN(key) FROM below WHERE below.id = sessions.id)";
        self.sessions_with(BELOW, condition, name)
    }

    /// The sessions above `name`: its parent first, the root last.
    pub fn ancestors(&self, name: &str) -> Result<Vec<Session>, StoreError> {
        let condition = "id IN (SELECT id FROM above WHERE height > 0) \
             ORDER BY (SELECT height FROM above WHERE above.id = sessions.id)";
        self.sessions_with(ABOVE, condition, name)
    }

    /// How many sessions are above `name`: 0 for one the user started.
    pub fn depth(&self, name: &str) -> Result<usize, StoreError> {
        Ok(self.ancestors(name)?.len())
    }

    /// What `name` and every session below it spent on models, together.
    pub fn tree_spend(&self, name: &str) -> Result<crate::providers::Spend, StoreError> {
        let mut total = crate::providers::Spend::default();
        let mut sessions = self.descendants(name)?;
        sessions.extend(self.get(name)?);
        for s in sessions {
            let spend = s.spend();
            total.calls += spend.calls;
            total.usage.add(spend.usage);
            total.cost_usd += spend.cost_usd;
        }
        Ok(total)
    }

    /// Add a queued session spawned by a skill, unless its parent is
    /// already as deep as sessions may go or the repository already holds
    /// as many sessions as skills may make. Every session in the store
    /// counts, finished ones too: each keeps a worktree until `grove rm`.
    pub fn insert_bounded(&self, s: &NewSession, bounds: &Bounds) -> Result<Session, StoreError> {
        // `BEGIN IMMEDIATE` takes the write lock before counting: the
        // count and the insert are one step for every other process.
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| self.err(e))?;
        let inserted = self.check_bounds(s, bounds).and_then(|()| self.insert(s));
        let end = if inserted.is_ok() { "COMMIT" } else { "ROLLBACK" };
        self.conn.execute_batch(end).map_err(|e| self.err(e))?;
        inserted
    }

    /// Why `s` may not be added now, if it may not.
    pub fn check_bounds(&self, s: &NewSession, bounds: &Bounds) -> Result<(), StoreError> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if count as usize >= bounds.max_sessions {
            return Err(BoundError::TooMany { count: count as usize, max: bounds.max_sessions }.into());
        }
        if let Some(parent) = &s.parent {
            self.require(parent)?;
            let depth = self.depth(parent)? + 1;
            if depth > bounds.max_depth {
                return Err(
                    BoundError::TooDeep { parent: parent.clone(), depth, max: bounds.max_depth }.into()
                );
            }
        }
        Ok(())
    }

    /// Sessions matching `condition` (SQL after `WHERE`, with `?1` bound to
    /// `name`).
    fn sessions_where(&self, condition: &str, name: &str) -> Result<Vec<Session>, StoreError> {
        self.sessions_with("", condition, name)
    }

    /// As [`Store::sessions_where`], after a `WITH` clause of its own.
    fn sessions_with(&self, with: &str, condition: &str, name: &str) -> Result<Vec<Session>, StoreError> {
        let sql = format!("{with} SELECT {} FROM sessions WHERE {condition}", super::sessions::COLUMNS);
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map(params![name], super::sessions::from_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::Spend;
    use crate::providers::chat::Usage;

    fn child(name: &str, parent: &str) -> NewSession {
        NewSession { parent: Some(parent.into()), ..NewSession::example(name) }
    }

    fn names(sessions: Vec<Session>) -> Vec<String> {
        sessions.into_iter().map(|s| s.name).collect()
    }

    fn spent(store: &Store, name: &str, tokens: u64, micro: u64) {
        let usage = Usage { input_tokens: tokens, ..Usage::default() };
        let spend = Spend { calls: 1, usage, cost_usd: micro as f64 / 1e6, unpriced_calls: 0 };
        store.set_spend(name, &spend).unwrap();
    }

    #[test]
    fn a_tree_is_walked_both_ways_and_summed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.insert(&NewSession::example("root")).unwrap();
        store.insert(&NewSession::example("other")).unwrap();
        for (name, parent) in [("a", "root"), ("b", "root"), ("a1", "a"), ("a1x", "a1")] {
            store.insert(&child(name, parent)).unwrap();
        }
        assert_eq!(store.require("a1").unwrap().parent.as_deref(), Some("a"));
        assert_eq!(store.require("root").unwrap().parent, None);
        assert_eq!(names(store.children("root").unwrap()), ["a", "b"]);
        assert_eq!(names(store.descendants("root").unwrap()), ["a", "a1", "a1x", "b"]);
        assert!(store.descendants("other").unwrap().is_empty());
        assert_eq!(names(store.ancestors("a1x").unwrap()), ["a1", "a", "root"]);
        assert_eq!((store.depth("root").unwrap(), store.depth("a1x").unwrap()), (0, 3));

        spent(&store, "root", 10, 1_000);
        spent(&store, "a1", 20, 2_000);
        spent(&store, "b", 30, 4_000);
        spent(&store, "other", 1_000, 1_000_000);
        let tree = store.tree_spend("root").unwrap();
        assert_eq!((tree.calls, tree.usage.input_tokens), (3, 60));
        assert!((tree.cost_usd - 0.007).abs() < 1e-12, "{}", tree.cost_usd);
        assert_eq!(store.tree_spend("a").unwrap().usage.input_tokens, 20);

        // Deleting a parent by hand leaves its children as roots.
        store.delete("a").unwrap();
        assert_eq!(store.require("a1").unwrap().parent, None);
        assert_eq!(names(store.children("root").unwrap()), ["b"]);
    }

    #[test]
    fn spawning_stops_at_the_depth_and_the_count() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let bounds = Bounds { max_depth: 2, max_sessions: 5 };
        store.insert_bounded(&NewSession::example("root"), &bounds).unwrap();
        store.insert_bounded(&child("c", "root"), &bounds).unwrap();
        store.insert_bounded(&child("g", "c"), &bounds).unwrap();
        let deep = store.insert_bounded(&child("gg", "g"), &bounds).unwrap_err();
        assert!(matches!(deep, StoreError::Bound(BoundError::TooDeep { depth: 3, max: 2, .. })), "{deep}");
        assert!(store.get("gg").unwrap().is_none(), "nothing of a refused spawn is kept");
        assert!(matches!(store.insert_bounded(&child("x", "nobody"), &bounds), Err(StoreError::NotFound(_))));
        store.insert_bounded(&child("c2", "root"), &bounds).unwrap();
        store.insert_bounded(&child("c3", "root"), &bounds).unwrap();
        let many = store.insert_bounded(&child("c4", "root"), &bounds).unwrap_err();
        assert!(matches!(many, StoreError::Bound(BoundError::TooMany { count: 5, max: 5 })), "{many}");
        // The store is usable after a rollback.
        assert_eq!(store.list().unwrap().len(), 5);
    }
}
