//! Which session a session was started from, when the store records it: a
//! `parent` column of `sessions`, holding the parent's name or id. A store
//! without the column answers that no session has a parent, so a reader
//! works with stores from before and after the column exists.

use std::collections::HashMap;

use super::{Store, StoreError};

impl Store {
    /// Each session that has a parent, by name, and its parent's name.
    pub fn parents(&self) -> Result<HashMap<String, String>, StoreError> {
        let has_column: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM pragma_table_info('sessions') WHERE name = 'parent')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        if !has_column {
            return Ok(HashMap::new());
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.name, COALESCE(p.name, CAST(c.parent AS TEXT)) FROM sessions c \
                 LEFT JOIN sessions p ON p.name = c.parent OR p.id = c.parent \
                 WHERE c.parent IS NOT NULL",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use crate::session::{NewSession, Store};

    #[test]
    fn parents_are_read_by_name_or_id_and_absent_without_the_column() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for name in ["root", "child", "grandchild", "alone"] {
            store.insert(&NewSession::example(name)).unwrap();
        }
        assert!(store.parents().unwrap().is_empty());
        store.conn.execute_batch("ALTER TABLE sessions ADD COLUMN parent").unwrap();
        let root_id = store.session_id("root").unwrap();
        store.conn.execute("UPDATE sessions SET parent = ?1 WHERE name = 'child'", [root_id]).unwrap();
        store.conn.execute("UPDATE sessions SET parent = 'child' WHERE name = 'grandchild'", []).unwrap();
        let parents = store.parents().unwrap();
        assert_eq!(parents.len(), 2);
        assert_eq!(parents["child"], "root");
        assert_eq!(parents["grandchild"], "child");
    }
}
