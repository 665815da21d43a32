//! The transcript's tables in the session store: events (shared with the
//! session's life events), messages from the human, and the conversation
//! with the model.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::session::store::{event_from_row, now_ms};
use crate::session::{Event, Store, StoreError};

/// An event as read back, with its place in the stream.
pub type StoredEvent = Event;

/// A message the human sent a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub id: i64,
    pub text: String,
    pub created_at: i64,
    /// When its skill took it; `None` while it waits for the next turn.
    pub delivered_at: Option<i64>,
}

impl Store {
    /// The store's id of a session, which the transcript's writers and
    /// readers key on (names can be reused after `grove rm`).
    pub fn session_id(&self, name: &str) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT id FROM sessions WHERE name = ?1", [name], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or_else(|| StoreError::NotFound(name.to_string()))
    }

    /// Append one event to a session's stream; returns its id. One
    /// statement, prepared once per connection: this is on the path of
    /// every streamed piece of model text.
    pub fn append(&self, session_id: i64, kind: &str, data: &str) -> Result<i64, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("INSERT INTO events (session_id, at, kind, data) VALUES (?1, ?2, ?3, ?4)")
            .map_err(|e| self.err(e))?;
        stmt.execute(params![session_id, now_ms(), kind, data]).map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Stop this connection from folding the write-ahead log back into the
    /// database on its own: SQLite does it every 1,000 pages, inside
    /// whichever insert crosses the line, and with its flush to disk that
    /// insert takes milliseconds instead of microseconds. The transcript's
    /// writer calls [`Store::checkpoint`] at the end of each model answer
    /// instead, off the path of the streamed pieces.
    pub fn defer_checkpoints(&self) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "wal_autocheckpoint", 0).map_err(|e| self.err(e))
    }

    /// Fold the write-ahead log back into the database as far as readers
    /// allow, without waiting for them.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())).map_err(|e| self.err(e))
    }

    /// Up to `limit` events of a session after event `after`, oldest first.
    pub fn events_after(&self, session_id: i64, after: i64, limit: usize) -> Result<Vec<Event>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, at, kind, data FROM events WHERE session_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![session_id, after, limit.min(i64::MAX as usize) as i64], event_from_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Queue a message from the human for a session's skill, and put it
    /// in the transcript. Returns the message's id.
    pub fn send_message(&self, name: &str, text: &str) -> Result<i64, StoreError> {
        let session_id = self.session_id(name)?;
        self.conn
            .execute(
                "INSERT INTO messages (session_id, text, created_at) VALUES (?1, ?2, ?3)",
                params![session_id, text, now_ms()],
            )
            .map_err(|e| self.err(e))?;
        let id = self.conn.last_insert_rowid();
        let data = serde_json::json!({ "id": id, "text": text }).to_string();
        self.append(session_id, super::kind::USER, &data)?;
        Ok(id)
    }

    /// Take the messages waiting for a session's skill, oldest first:
    /// each is handed over once.
    pub fn take_messages(&mut self, session_id: i64) -> Result<Vec<Message>, StoreError> {
        let path_err = |s: &Store, e| s.err(e);
        let tx = self.conn.unchecked_transaction().map_err(|e| path_err(self, e))?;
        let messages: Vec<Message> = {
            let mut stmt = tx
                .prepare(
                    "SELECT id, text, created_at, delivered_at FROM messages \
                     WHERE session_id = ?1 AND delivered_at IS NULL ORDER BY id",
                )
                .map_err(|e| path_err(self, e))?;
            let rows = stmt
                .query_map([session_id], |r| {
                    Ok(Message {
                        id: r.get(0)?,
                        text: r.get(1)?,
                        created_at: r.get(2)?,
                        delivered_at: r.get(3)?,
                    })
                })
                .map_err(|e| path_err(self, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| path_err(self, e))?
        };
        let now = now_ms();
        for m in &messages {
            tx.execute("UPDATE messages SET delivered_at = ?2 WHERE id = ?1", params![m.id, now])
                .map_err(|e| path_err(self, e))?;
        }
        tx.commit().map_err(|e| path_err(self, e))?;
        Ok(messages)
    }

    /// Messages not yet taken by the session's skill.
    pub fn pending_messages(&self, session_id: i64) -> Result<usize, StoreError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM messages WHERE session_id = ?1 AND delivered_at IS NULL",
                [session_id],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as usize)
            .map_err(|e| self.err(e))
    }

    /// Keep the session's conversation with the model (JSON of its
    /// messages), replacing the one kept before.
    pub fn save_conversation(&self, session_id: i64, messages: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO conversations (session_id, messages, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(session_id) DO UPDATE SET messages = ?2, updated_at = ?3",
                params![session_id, messages, now_ms()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The conversation kept for a session, if any.
    pub fn conversation(&self, session_id: i64) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT messages FROM conversations WHERE session_id = ?1", [session_id], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use crate::session::{NewSession, Store};

    fn store_with(name: &str) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .insert(&NewSession {
                path: dir.path().into(),
                skill: "agent".into(),
                ..NewSession::example(name)
            })
            .unwrap();
        (dir, store)
    }

    #[test]
    fn events_are_read_after_a_point_in_order() {
        let (_dir, store) = store_with("s");
        let id = store.session_id("s").unwrap();
        let first = store.append(id, "text", r#"{"text":"a"}"#).unwrap();
        store.append(id, "text", r#"{"text":"b"}"#).unwrap();
        let after: Vec<_> = store.events_after(id, first, 10).unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(after[0].data["text"], "b");
        // `created` came first.
        assert_eq!(store.events_after(id, 0, 10).unwrap()[0].kind, "created");
    }

    #[test]
    fn messages_are_handed_over_once() {
        let (_dir, mut store) = store_with("s");
        let id = store.session_id("s").unwrap();
        store.send_message("s", "also fix the docs").unwrap();
        store.send_message("s", "and the README").unwrap();
        assert_eq!(store.pending_messages(id).unwrap(), 2);
        let taken = store.take_messages(id).unwrap();
        assert_eq!(
            taken.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
            ["also fix the docs", "and the README"]
        );
        assert!(store.take_messages(id).unwrap().is_empty());
        let kinds: Vec<String> = store.events("s").unwrap().into_iter().map(|e| e.kind).collect();
        assert_eq!(kinds, ["created", "user", "user"]);
    }

    #[test]
    fn the_conversation_is_replaced_not_appended() {
        let (_dir, store) = store_with("s");
        let id = store.session_id("s").unwrap();
        assert_eq!(store.conversation(id).unwrap(), None);
        store.save_conversation(id, "[1]").unwrap();
        store.save_conversation(id, "[1,2]").unwrap();
        assert_eq!(store.conversation(id).unwrap().as_deref(), Some("[1,2]"));
    }
}
