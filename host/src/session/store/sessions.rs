//! The `sessions` table: what a session is as stored, the mapping from its
//! rows, and the queries that add, read, change and forget sessions.

use std::path::PathBuf;

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::{Store, StoreError, now_ms};
use crate::session::State;
use crate::session::follow_up::{FollowUp, Step};

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
    /// The session whose skill spawned this one (`sessions.spawn`); `None`
    /// for one the user started.
    pub parent: Option<String>,
    /// What its runner does after its skill ends well, and where each
    /// step stands.
    pub follow_ups: Vec<FollowUp>,
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
    pub fn of(files: &[crate::repo::ChangedFile]) -> DiffStats {
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
    /// The session spawning it, by name; it must exist.
    pub parent: Option<String>,
    /// The steps after its skill (see [`crate::session::follow_up`]).
    pub then: Vec<Step>,
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
            parent: None,
            then: vec![],
        }
    }
}

/// The columns `from_row` reads, in its order.
pub(super) const COLUMNS: &str = "id, name, branch, base_ref, base_commit, path, task, skill, args, allow, timeout_ms, \
     state, created_at, updated_at, started_at, finished_at, pid, exit_code, summary, error, \
     input_tokens, output_tokens, cost_microdollars, files_changed, additions, deletions, stats_at, progress, mode, \
     model_calls, cache_read_tokens, cache_write_tokens, model, \
     (SELECT p.name FROM sessions AS p WHERE p.id = sessions.parent_id), follow_ups";

impl Store {
    /// Add a queued session.
    pub fn insert(&self, s: &NewSession) -> Result<Session, StoreError> {
        let now = now_ms();
        let inserted = self.conn.execute(
            "INSERT INTO sessions (name, branch, base_ref, base_commit, path, task, skill, args, allow, \
             timeout_ms, state, created_at, updated_at, mode, model, parent_id, follow_ups) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14, \
             (SELECT id FROM sessions WHERE name = ?15), ?16)",
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
                s.parent,
                serde_json::to_string(&FollowUp::pending(&s.then)).expect("follow-ups serialize"),
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
        let mut created = serde_json::json!({ "skill": s.skill, "task": s.task });
        if let Some(parent) = &s.parent {
            created["parent"] = parent.as_str().into();
        }
        if !s.then.is_empty() {
            created["then"] = s.then.iter().map(|step| step.as_str()).collect::<Vec<_>>().into();
        }
        self.event(&s.name, "created", created)?;
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

    /// Record where the session's follow-ups stand (all of them, as the
    /// runner holds them).
    pub fn set_follow_ups(&self, name: &str, follow_ups: &[FollowUp]) -> Result<(), StoreError> {
        let json = serde_json::to_string(follow_ups).expect("follow-ups serialize");
        self.conn
            .execute(
                "UPDATE sessions SET follow_ups = ?2, updated_at = ?3 WHERE name = ?1",
                params![name, json, now_ms()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Forget a session (its events go with it, and its pending approvals end).
    pub fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM sessions WHERE name = ?1", [name]).map_err(|e| self.err(e))?;
        self.end_approvals(name, None)
    }
}

pub(super) fn from_row(r: &Row<'_>) -> rusqlite::Result<Session> {
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
        parent: r.get(33)?,
        follow_ups: r
            .get::<_, Option<String>>(34)?
            .and_then(|f| serde_json::from_str(&f).ok())
            .unwrap_or_default(),
    })
}
