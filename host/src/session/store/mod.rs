//! The session store: SQLite in the repository's git directory, so
//! sessions survive crashes and restarts and every worktree of the
//! repository sees the same list.
//!
//! Concurrency: many grove processes (the CLI, one runner per session)
//! open it at once. WAL mode lets readers run beside the one writer; a busy
//! timeout turns lock contention into a short wait; the queue is claimed in
//! `BEGIN IMMEDIATE` transactions so two processes never start the same
//! session or exceed the cap.
//!
//! This file opens the store; its [`schema`], the [`sessions`] table, the
//! [`tree`] they form, the [`queue`] and the [`events`] log each have a
//! module.

mod events;
mod queue;
mod schema;
mod sessions;
mod tree;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::Connection;

pub use events::Event;
pub(crate) use events::event_from_row;
pub use sessions::{DiffStats, ModelChoice, NewSession, Session};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("session store {path}: {source}")]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    #[error("no session named `{0}`")]
    NotFound(String),
    #[error("a session named `{0}` already exists")]
    Exists(String),
    #[error("session store {path} was written by a newer grove (schema {found}, this grove knows {known})")]
    TooNew { path: PathBuf, found: i64, known: usize },
    #[error("creating {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// A spawn past the depth or count sessions may reach.
    #[error(transparent)]
    Bound(#[from] crate::session::bounds::BoundError),
}

/// An open session store.
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

/// Now, in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

impl Store {
    /// Open (creating and migrating) `<git_dir>/grove/sessions.db`.
    pub fn open(git_dir: &Path) -> Result<Store, StoreError> {
        let dir = git_dir.join("grove");
        std::fs::create_dir_all(&dir).map_err(|source| StoreError::Io { path: dir.clone(), source })?;
        Store::open_file(&dir.join("sessions.db"))
    }

    /// Open a store at an explicit path.
    pub fn open_file(path: &Path) -> Result<Store, StoreError> {
        let sql = |source| StoreError::Sqlite { path: path.to_path_buf(), source };
        let conn = Connection::open(path).map_err(sql)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(sql)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(sql)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(sql)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(sql)?;
        let mut store = Store { conn, path: path.to_path_buf() };
        store.migrate()?;
        Ok(store)
    }

    /// A number that changes whenever another connection (another grove
    /// process, or another `Store` of this one) commits a change to the
    /// store: a watcher asks it often, for the price of a read of shared
    /// memory.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        self.conn.query_row("PRAGMA data_version", [], |r| r.get(0)).map_err(|e| self.err(e))
    }

    pub(crate) fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source }
    }
}
