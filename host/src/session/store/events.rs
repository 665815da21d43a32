//! A session's event log: its life events and its transcript, appended
//! and read back in order.

use rusqlite::{Row, params};
use serde::Serialize;

use super::{Store, StoreError, now_ms};

/// One line of a session's history: its life events and its transcript
/// (the transcript module writes and renders them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Increases with every event of the store: a reader that has seen
    /// up to `id` asks for what came after it.
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub data: serde_json::Value,
}

impl Store {
    /// Append to a session's event log.
    pub fn event(&self, name: &str, kind: &str, data: serde_json::Value) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO events (session_id, at, kind, data) SELECT id, ?2, ?3, ?4 FROM sessions WHERE name = ?1",
                params![name, now_ms(), kind, data.to_string()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// A session's event log, oldest first.
    pub fn events(&self, name: &str) -> Result<Vec<Event>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT e.id, e.at, e.kind, e.data FROM events e JOIN sessions s ON s.id = e.session_id \
                 WHERE s.name = ?1 ORDER BY e.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([name], event_from_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}

/// An event from `id, at, kind, data`.
pub(crate) fn event_from_row(r: &Row<'_>) -> rusqlite::Result<Event> {
    let data: String = r.get(3)?;
    Ok(Event {
        id: r.get(0)?,
        at: r.get(1)?,
        kind: r.get(2)?,
        data: serde_json::from_str(&data).unwrap_or_default(),
    })
}
