//! The session store: SQLite in the repository's git directory, so
//! sessions survive crashes and restarts and every worktree of the
//! repository sees the same list.
//!
//! Concurrency: many grove processes (the CLI, one runner per session)
//! open it at once. WAL mode lets readers run beside the one writer; a busy
//! timeout turns lock contention into a short wait; the queue is claimed in
//! `BEGIN IMMEDIATE` transactions so two processes never start the same
//! session or exceed the cap.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde::Serialize;

use super::state::State;

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
];

/// One session as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub id: i64,
    pub name: String,
    pub branch: String,
    /// The branch it started from, when it started from one; merges go there.
    pub base_ref: Option<String>,
    pub base_commit: String,
    pub path: PathBuf,
    pub task: Option<String>,
    pub skill: String,
    pub args: Vec<String>,
    /// Permissions granted with `--allow`.
    pub allow: Vec<String>,
    pub timeout_ms: Option<u64>,
    pub state: State,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub updated_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub pid: Option<u32>,
    pub exit_code: Option<i32>,
    pub summary: Option<String>,
    pub error: Option<String>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_microdollars: u64,
    /// Changes against the base when last measured.
    pub stats: Option<DiffStats>,
    /// The latest progress its skill reported, e.g. `reading files 200/900`.
    pub progress: Option<String>,
    /// The permission mode asked for with `--mode` (or by a fallback to
    /// manual); `None` for the policy's default.
    pub mode: Option<String>,
    pub model_calls: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    /// Budget and cassettes asked for at `grove new`.
    pub model: Option<ModelChoice>,
}

/// A session's model choices, kept as given on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ModelChoice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay: Option<String>,
    /// The tier that works the session (`--tier`): fast, default or deep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// The model that works the session (`--model`), over its tier's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

impl Session {
    /// What the session has spent on models so far.
    pub fn spend(&self) -> crate::providers::Spend {
        crate::providers::Spend {
            calls: self.model_calls,
            usage: crate::providers::chat::Usage {
                input_tokens: self.input_tokens,
                output_tokens: self.output_tokens,
                cache_read_tokens: self.cache_read_tokens,
                cache_write_tokens: self.cache_write_tokens,
            },
            cost_usd: self.cost_microdollars as f64 / 1e6,
            unpriced_calls: 0,
        }
    }
}

/// Files changed and lines added and removed against the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DiffStats {
    pub files_changed: u64,
    pub additions: u64,
    pub deletions: u64,
    /// When they were measured, in milliseconds since the Unix epoch.
    pub at: i64,
}

impl DiffStats {
    /// Sum up changed files, measured now.
    pub fn of(files: &[crate::runtime::bindings::grove::skill::git::ChangedFile]) -> DiffStats {
        DiffStats {
            files_changed: files.len() as u64,
            additions: files.iter().map(|f| u64::from(f.additions)).sum(),
            deletions: files.iter().map(|f| u64::from(f.deletions)).sum(),
            at: now_ms(),
        }
    }
}

/// What `insert` needs.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub name: String,
    pub branch: String,
    pub base_ref: Option<String>,
    pub base_commit: String,
    pub path: PathBuf,
    pub task: Option<String>,
    pub skill: String,
    pub args: Vec<String>,
    pub allow: Vec<String>,
    pub timeout_ms: Option<u64>,
    pub mode: Option<String>,
    pub model: Option<ModelChoice>,
}

#[cfg(test)]
impl NewSession {
    /// A session for tests: branch `grove/NAME`, nothing else to say.
    pub(crate) fn example(name: &str) -> NewSession {
        NewSession {
            name: name.into(),
            branch: format!("grove/{name}"),
            base_ref: None,
            base_commit: "abc".into(),
            path: PathBuf::from("/nowhere"),
            task: None,
            skill: "probe".into(),
            args: vec![],
            allow: vec![],
            timeout_ms: None,
            mode: None,
            model: None,
        }
    }
}

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

const COLUMNS: &str = "id, name, branch, base_ref, base_commit, path, task, skill, args, allow, timeout_ms, \
     state, created_at, updated_at, started_at, finished_at, pid, exit_code, summary, error, \
     input_tokens, output_tokens, cost_microdollars, files_changed, additions, deletions, stats_at, progress, mode, \
     model_calls, cache_read_tokens, cache_write_tokens, model";

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

    pub(crate) fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source }
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
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

    /// Add a queued session.
    pub fn insert(&self, s: &NewSession) -> Result<Session, StoreError> {
        let now = now_ms();
        let inserted = self.conn.execute(
            "INSERT INTO sessions (name, branch, base_ref, base_commit, path, task, skill, args, allow, \
             timeout_ms, state, created_at, updated_at, mode, model) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14)",
            params![
                s.name,
                s.branch,
                s.base_ref,
                s.base_commit,
                s.path.to_string_lossy(),
                s.task,
                s.skill,
                serde_json::to_string(&s.args).expect("strings serialize"),
                serde_json::to_string(&s.allow).expect("strings serialize"),
                s.timeout_ms.map(|t| t as i64),
                State::Queued.as_str(),
                now,
                s.mode,
                s.model.as_ref().map(|m| serde_json::to_string(m).expect("strings serialize")),
            ],
        );
        match inserted {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                return Err(StoreError::Exists(s.name.clone()));
            }
            other => other.map_err(|e| self.err(e))?,
        };
        self.event(&s.name, "created", serde_json::json!({ "skill": s.skill, "task": s.task }))?;
        self.require(&s.name)
    }

    /// Record the session's model spending so far (totals, not increments:
    /// the runner's meter starts from what the store held).
    pub fn set_spend(&self, name: &str, spend: &crate::providers::Spend) -> Result<(), StoreError> {
        let u = &spend.usage;
        self.conn
            .execute(
                "UPDATE sessions SET model_calls = ?2, input_tokens = ?3, output_tokens = ?4, \
                 cache_read_tokens = ?5, cache_write_tokens = ?6, cost_microdollars = ?7 WHERE name = ?1",
                params![
                    name,
                    spend.calls as i64,
                    u.input_tokens as i64,
                    u.output_tokens as i64,
                    u.cache_read_tokens as i64,
                    u.cache_write_tokens as i64,
                    (spend.cost_usd * 1e6).round() as i64
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// A session by name.
    pub fn get(&self, name: &str) -> Result<Option<Session>, StoreError> {
        self.conn
            .query_row(&format!("SELECT {COLUMNS} FROM sessions WHERE name = ?1"), [name], from_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    /// A session by name, or `NotFound`.
    pub fn require(&self, name: &str) -> Result<Session, StoreError> {
        self.get(name)?.ok_or_else(|| StoreError::NotFound(name.to_string()))
    }

    /// Every session, oldest first.
    pub fn list(&self) -> Result<Vec<Session>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM sessions ORDER BY created_at, id"))
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], from_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Move a session to `state`, recording why in its event log.
    pub fn set_state(&self, name: &str, state: State, detail: serde_json::Value) -> Result<(), StoreError> {
        let now = now_ms();
        let finished = state.is_final().then_some(now);
        let changed = self
            .conn
            .execute(
                "UPDATE sessions SET state = ?2, updated_at = ?3, finished_at = COALESCE(?4, finished_at) WHERE name = ?1",
                params![name, state.as_str(), now, finished],
            )
            .map_err(|e| self.err(e))?;
        if changed == 0 {
            return Err(StoreError::NotFound(name.to_string()));
        }
        if state.is_final() {
            self.end_approvals(name, Some(state))?;
        }
        self.event(name, state.as_str(), detail)
    }

    /// Claim queued sessions, oldest first, until `cap` are active. The
    /// claimed ones are marked running (without a pid yet) before the
    /// transaction ends, so no other process claims them too.
    pub fn claim_queued(&mut self, cap: usize) -> Result<Vec<Session>, StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql)?;
        let active: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM sessions WHERE state IN ('running', 'waiting-approval')",
                [],
                |r| r.get(0),
            )
            .map_err(sql)?;
        let room = cap.saturating_sub(active as usize);
        let names: Vec<String> = {
            let mut stmt = tx
                .prepare("SELECT name FROM sessions WHERE state = 'queued' ORDER BY created_at, id LIMIT ?1")
                .map_err(sql)?;
            stmt.query_map([room as i64], |r| r.get(0))
                .map_err(sql)?
                .collect::<Result<_, _>>()
                .map_err(sql)?
        };
        let now = now_ms();
        for name in &names {
            tx.execute(
                "UPDATE sessions SET state = 'running', pid = NULL, started_at = ?2, updated_at = ?2, \
                 finished_at = NULL, exit_code = NULL, summary = NULL, error = NULL WHERE name = ?1",
                params![name, now],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        names.iter().map(|n| self.require(n)).collect()
    }

    /// Record the process working on a session.
    pub fn set_pid(&self, name: &str, pid: u32) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE sessions SET pid = ?2, updated_at = ?3 WHERE name = ?1",
                params![name, pid, now_ms()],
            )
            .map_err(|e| self.err(e))?;
        self.event(name, "started", serde_json::json!({ "pid": pid }))
    }

    /// Record how a session ended, in one statement: readers never see the
    /// outcome without the state.
    pub fn finish(
        &self,
        name: &str,
        state: State,
        exit_code: i32,
        summary: Option<&str>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        self.conn
            .execute(
                "UPDATE sessions SET exit_code = ?2, summary = ?3, error = ?4, state = ?5, updated_at = ?6, \
                 finished_at = ?6 WHERE name = ?1",
                params![name, exit_code, summary, error, state.as_str(), now],
            )
            .map_err(|e| self.err(e))?;
        self.end_approvals(name, Some(state))?;
        self.event(
            name,
            state.as_str(),
            serde_json::json!({ "exit_code": exit_code, "summary": summary, "error": error }),
        )
    }

    /// Remember a session's changes against its base.
    pub fn set_stats(&self, name: &str, stats: DiffStats) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE sessions SET files_changed = ?2, additions = ?3, deletions = ?4, stats_at = ?5 WHERE name = ?1",
                params![name, stats.files_changed as i64, stats.additions as i64, stats.deletions as i64, stats.at],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Record the latest progress report.
    pub fn set_progress(&self, name: &str, progress: &str) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE sessions SET progress = ?2 WHERE name = ?1", params![name, progress])
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Put a finished or interrupted session back in the queue.
    pub fn requeue(&self, name: &str) -> Result<(), StoreError> {
        self.set_state(name, State::Queued, serde_json::json!({ "resumed": true }))
    }

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

    /// Forget a session (its events go with it, and its pending approvals end).
    pub fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM sessions WHERE name = ?1", [name]).map_err(|e| self.err(e))?;
        self.end_approvals(name, None)
    }

    /// Sessions left running by a process that is gone become
    /// `interrupted`, and the programs they left running are killed.
    /// Returns their names. Run at the start of every session command, so
    /// a crash is noticed by whoever looks next.
    pub fn recover(&self) -> Result<Vec<String>, StoreError> {
        let now = now_ms();
        let mut interrupted = Vec::new();
        for s in self.list()? {
            let orphaned = match s.pid {
                Some(pid) => s.state.is_active() && !crate::pid::alive(pid),
                // Claimed but never given a pid: the launcher died in between.
                None => s.state.is_active() && now - s.updated_at > 30_000,
            };
            // Only if it is still the same active run: the process may have
            // finished (and exited) since the list was read.
            let changed = orphaned
                && self
                    .conn
                    .execute(
                        "UPDATE sessions SET state = 'interrupted', updated_at = ?2, finished_at = ?2 \
                         WHERE name = ?1 AND state IN ('running', 'waiting-approval') AND pid IS ?3",
                        params![s.name, now, s.pid],
                    )
                    .map_err(|e| self.err(e))?
                    > 0;
            if changed {
                self.end_approvals(&s.name, Some(super::State::Interrupted))?;
                self.event(
                    &s.name,
                    "interrupted",
                    serde_json::json!({ "pid": s.pid, "reason": "process gone" }),
                )?;
                super::processes::kill_dead_runners_group(s.pid);
                interrupted.push(s.name);
            }
        }
        self.kill_left_behind(None)?;
        Ok(interrupted)
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

fn from_row(r: &Row<'_>) -> rusqlite::Result<Session> {
    let json_list = |i: usize| -> rusqlite::Result<Vec<String>> {
        let text: String = r.get(i)?;
        Ok(serde_json::from_str(&text).unwrap_or_default())
    };
    let state: String = r.get(11)?;
    Ok(Session {
        id: r.get(0)?,
        name: r.get(1)?,
        branch: r.get(2)?,
        base_ref: r.get(3)?,
        base_commit: r.get(4)?,
        path: PathBuf::from(r.get::<_, String>(5)?),
        task: r.get(6)?,
        skill: r.get(7)?,
        args: json_list(8)?,
        allow: json_list(9)?,
        timeout_ms: r.get::<_, Option<i64>>(10)?.map(|t| t as u64),
        state: state.parse().unwrap_or(State::Interrupted),
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
        started_at: r.get(14)?,
        finished_at: r.get(15)?,
        pid: r.get(16)?,
        exit_code: r.get(17)?,
        summary: r.get(18)?,
        error: r.get(19)?,
        input_tokens: r.get::<_, i64>(20)? as u64,
        output_tokens: r.get::<_, i64>(21)? as u64,
        cost_microdollars: r.get::<_, i64>(22)? as u64,
        stats: match (
            r.get::<_, Option<i64>>(23)?,
            r.get::<_, Option<i64>>(24)?,
            r.get::<_, Option<i64>>(25)?,
            r.get::<_, Option<i64>>(26)?,
        ) {
            (Some(f), Some(a), Some(d), Some(at)) => {
                Some(DiffStats { files_changed: f as u64, additions: a as u64, deletions: d as u64, at })
            }
            _ => None,
        },
        progress: r.get(27)?,
        mode: r.get(28)?,
        model_calls: r.get::<_, i64>(29)? as u64,
        cache_read_tokens: r.get::<_, i64>(30)? as u64,
        cache_write_tokens: r.get::<_, i64>(31)? as u64,
        model: r.get::<_, Option<String>>(32)?.and_then(|m| serde_json::from_str(&m).ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(name: &str) -> NewSession {
        NewSession {
            base_ref: Some("main".into()),
            task: Some("do it".into()),
            skill: "hello".into(),
            args: vec!["a".into()],
            ..NewSession::example(name)
        }
    }

    #[test]
    fn sessions_round_trip_and_queue_respects_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        for n in ["a", "b", "c"] {
            store.insert(&new(n)).unwrap();
        }
        assert!(matches!(store.insert(&new("a")), Err(StoreError::Exists(_))));
        let claimed = store.claim_queued(2).unwrap();
        assert_eq!(claimed.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert!(store.claim_queued(2).unwrap().is_empty());
        store.finish("a", State::Done, 0, Some("ok"), None).unwrap();
        assert_eq!(store.claim_queued(2).unwrap()[0].name, "c");
        let a = store.require("a").unwrap();
        assert_eq!(
            (a.state, a.summary.as_deref(), a.args.clone()),
            (State::Done, Some("ok"), vec!["a".to_string()])
        );
        let kinds: Vec<String> = store.events("a").unwrap().into_iter().map(|e| e.kind).collect();
        assert_eq!(kinds, ["created", "done"]);
        // Reopening does not re-run migrations.
        drop(store);
        assert_eq!(Store::open(dir.path()).unwrap().list().unwrap().len(), 3);
    }

    #[test]
    fn dead_runners_are_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store.insert(&new("a")).unwrap();
        store.claim_queued(1).unwrap();
        // A pid that cannot exist.
        store.set_pid("a", 0x7fff_fff0).unwrap();
        assert_eq!(store.recover().unwrap(), ["a"]);
        assert_eq!(store.require("a").unwrap().state, State::Interrupted);
    }

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
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(Store::open_file(&path), Err(StoreError::TooNew { .. })));
    }
}
