//! The store's schema: the migrations that make it, applied in order and
//! recorded in `PRAGMA user_version`.

use rusqlite::TransactionBehavior;

use super::{Store, StoreError};

/// Schema migrations, applied in order; `PRAGMA user_version` records how
/// many have run. Append only: never edit a released migration.
const MIGRATIONS: &[&str] = &[
    // 1: sessions and their event log.
    "CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        branch TEXT NOT NULL,
        base_ref TEXT,
        base_commit TEXT NOT NULL,
        path TEXT NOT NULL,
        task TEXT,
        skill TEXT NOT NULL,
        args TEXT NOT NULL DEFAULT '[]',
        allow TEXT NOT NULL DEFAULT '[]',
        timeout_ms INTEGER,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        pid INTEGER,
        exit_code INTEGER,
        summary TEXT,
        error TEXT,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cost_microdollars INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX sessions_state ON sessions(state, created_at);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_session ON events(session_id, id);",
    // 2: the session's changes against its base, as of `stats_at`: `ls`
    // shows them for finished sessions without diffing every worktree.
    "ALTER TABLE sessions ADD COLUMN files_changed INTEGER;
    ALTER TABLE sessions ADD COLUMN additions INTEGER;
    ALTER TABLE sessions ADD COLUMN deletions INTEGER;
    ALTER TABLE sessions ADD COLUMN stats_at INTEGER;",
    // 3: the latest progress the session's skill reported ("label done/total").
    "ALTER TABLE sessions ADD COLUMN progress TEXT;",
    // 4: the permission mode a session runs in, and the actions its skill
    // is waiting on a human for.
    "ALTER TABLE sessions ADD COLUMN mode TEXT;
    CREATE TABLE approvals (
        id INTEGER PRIMARY KEY,
        session TEXT NOT NULL,
        skill TEXT NOT NULL,
        capability TEXT NOT NULL,
        verb TEXT NOT NULL,
        target TEXT NOT NULL,
        level TEXT NOT NULL,
        reasons TEXT NOT NULL DEFAULT '[]',
        state TEXT NOT NULL DEFAULT 'pending',
        always INTEGER NOT NULL DEFAULT 0,
        decided_by TEXT,
        reason TEXT,
        created_at INTEGER NOT NULL,
        decided_at INTEGER
    );
    CREATE INDEX approvals_state ON approvals(state, id);",
    // 5: model spending beyond the first migration's token counts, and the
    // session's model choices (budget, cassette to record or replay).
    "ALTER TABLE sessions ADD COLUMN model_calls INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN cache_read_tokens INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN model TEXT;",
    // 6: the transcript's companions: what the human said to a session
    // (delivered to its skill at the next turn), and the conversation it
    // had with the model, so a finished or crashed session can go on.
    "CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER
    );
    CREATE INDEX messages_pending ON messages(session_id, delivered_at);
    CREATE TABLE conversations (
        session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
        messages TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );",
    // 7: the process groups of the programs a session's skill is running,
    // and the grove process that started each, so that what a dead one
    // left behind can be killed (see `processes.rs`).
    "CREATE TABLE processes (
        id INTEGER PRIMARY KEY,
        session TEXT NOT NULL,
        pgid INTEGER NOT NULL,
        started INTEGER,
        owner INTEGER NOT NULL,
        owner_started INTEGER,
        program TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX processes_session ON processes(session);",
    // 8: the session that spawned this one (`sessions.spawn`), so sessions
    // form a tree: shown under their parent, cancelled and removed with
    // it, spending from its budget. A parent's row going by hand leaves
    // its children as roots rather than failing the delete.
    "ALTER TABLE sessions ADD COLUMN parent_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL;
    CREATE INDEX sessions_parent ON sessions(parent_id);",
    // 9: the steps the runner performs after the skill ends well (record
    // the evidence, open a draft pull request) and where each stands, as
    // JSON (`session/follow_up.rs`); none for the sessions before them.
    "ALTER TABLE sessions ADD COLUMN follow_ups TEXT NOT NULL DEFAULT '[]';",
];

impl Store {
    pub(super) fn migrate(&mut self) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::Sqlite { path: self.path.clone(), source: e })?;
        let version: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| StoreError::Sqlite { path: self.path.clone(), source: e })?;
        if version as usize > MIGRATIONS.len() {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                known: MIGRATIONS.len(),
            });
        }
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(migration)
                .and_then(|()| tx.pragma_update(None, "user_version", (i + 1) as i64))
                .map_err(|e| StoreError::Sqlite { path: self.path.clone(), source: e })?;
        }
        tx.commit().map_err(|e| StoreError::Sqlite { path: self.path.clone(), source: e })
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;
    use crate::session::{DiffStats, NewSession, State};

    #[test]
    fn an_old_store_is_migrated_with_its_sessions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO sessions (name, branch, base_commit, path, skill, state, created_at, updated_at) \
                 VALUES ('old', 'grove/old', 'abc', '/x', 'hello', 'done', 1, 1)",
                [],
            )
            .unwrap();
        }
        let store = Store::open_file(&path).unwrap();
        let old = store.require("old").unwrap();
        assert_eq!((old.state, old.stats), (State::Done, None));
        store.set_stats("old", DiffStats { files_changed: 2, additions: 3, deletions: 1, at: 5 }).unwrap();
        assert_eq!(store.require("old").unwrap().stats.unwrap().additions, 3);
    }

    #[test]
    fn a_store_from_before_the_tree_opens_with_its_sessions_as_roots() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        {
            // The store as the grove before parents wrote it, with sessions.
            let conn = Connection::open(&path).unwrap();
            for migration in &MIGRATIONS[..7] {
                conn.execute_batch(migration).unwrap();
            }
            conn.pragma_update(None, "user_version", 7).unwrap();
            for name in ["old", "older"] {
                conn.execute(
                    "INSERT INTO sessions (name, branch, base_commit, path, skill, state, created_at, \
                     updated_at, model) VALUES (?1, 'grove/x', 'abc', '/x', 'agent', 'done', 1, 1, \
                     '{\"budget\":\"$2\"}')",
                    [name],
                )
                .unwrap();
            }
        }
        let store = Store::open_file(&path).unwrap();
        let version: i64 = store.conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version as usize, MIGRATIONS.len());
        let old = store.require("old").unwrap();
        assert_eq!((old.parent, old.model.unwrap().budget.as_deref()), (None, Some("$2")));
        assert!(store.children("old").unwrap().is_empty());
        // The upgraded store takes children, and says so on reopening.
        let child = crate::session::NewSession { parent: Some("old".into()), ..NewSession::example("new") };
        store.insert(&child).unwrap();
        drop(store);
        let store = Store::open_file(&path).unwrap();
        assert_eq!(store.require("new").unwrap().parent.as_deref(), Some("old"));
        assert_eq!(store.depth("new").unwrap(), 1);
        assert_eq!(store.require("older").unwrap().parent, None);
    }

    #[test]
    fn a_store_from_before_follow_ups_opens_with_none_and_takes_them() {
        use crate::session::follow_up::{FollowUp, Standing, Step};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        {
            let conn = Connection::open(&path).unwrap();
            for migration in &MIGRATIONS[..8] {
                conn.execute_batch(migration).unwrap();
            }
            conn.pragma_update(None, "user_version", 8).unwrap();
            conn.execute(
                "INSERT INTO sessions (name, branch, base_commit, path, skill, state, created_at, updated_at) \
                 VALUES ('old', 'grove/old', 'abc', '/x', 'agent', 'done', 1, 1)",
                [],
            )
            .unwrap();
        }
        let store = Store::open_file(&path).unwrap();
        assert!(store.require("old").unwrap().follow_ups.is_empty());
        let then = vec![Step::Evidence, Step::PrDraft];
        store.insert(&NewSession { then, ..NewSession::example("new") }).unwrap();
        let mut steps = store.require("new").unwrap().follow_ups;
        assert_eq!(steps, FollowUp::pending(&[Step::Evidence, Step::PrDraft]));
        steps[1].state = Standing::Failed;
        steps[1].by_hand = Some("grove pr new --draft".into());
        store.set_follow_ups("new", &steps).unwrap();
        assert_eq!(store.require("new").unwrap().follow_ups, steps);
        // Put back in the queue (`grove resume`, `grove tell`), it runs
        // them again from the first.
        store.requeue("new").unwrap();
        assert_eq!(
            store.require("new").unwrap().follow_ups,
            FollowUp::pending(&[Step::Evidence, Step::PrDraft])
        );
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(Store::open_file(&path), Err(StoreError::TooNew { .. })));
    }
}
