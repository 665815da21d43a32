//! The programs a session's skill is running, by process group, so that
//! nothing a session starts outlives it.
//!
//! The `process` capability starts each program in a process group of its
//! own (so a timeout kills the program's children too) and kills the group
//! when the call ends. That holds while the grove process running the skill
//! lives; one killed outright (SIGKILL, a crash, a cancel it did not
//! answer) ends nothing. So while a program runs, its group is recorded in
//! the session store with the grove process that started it, and the
//! record is dropped when the call ends. Start-up recovery and
//! `grove cancel` kill every recorded group whose grove process is gone,
//! and a dead runner's own group, then forget them. A live grove process
//! is left to end its own: a session's runner, or a `grove run --session`
//! working in a finished session's worktree.
//!
//! Processes are known by pid and start time, so a pid that was reused is
//! never taken for the one recorded: see [`still_ours`].

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::params;

use super::store::{Store, StoreError, now_ms};

/// One program's process group, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessGroup {
    pub id: i64,
    pub session: String,
    /// The group's id: the pid of the program that leads it.
    pub pgid: u32,
    /// The leader's start time (see [`crate::pid::start_time`]); `None`
    /// when it could not be read.
    pub started: Option<u64>,
    /// The grove process that started the program, and its start time.
    pub owner: u32,
    pub owner_started: Option<u64>,
    pub program: String,
}

impl ProcessGroup {
    /// Whether the grove process that started the program is still there
    /// to end it.
    fn owner_alive(&self) -> bool {
        crate::pid::alive(self.owner) && crate::pid::start_time(self.owner) == self.owner_started
    }
}

impl Store {
    /// Record the group of a program that this process started for a
    /// session's skill; returns the record's id.
    pub fn record_process(&self, session: &str, pgid: u32, program: &str) -> Result<i64, StoreError> {
        let owner = std::process::id();
        let times = |pid| crate::pid::start_time(pid).map(|t| t as i64);
        self.conn
            .execute(
                "INSERT INTO processes (session, pgid, started, owner, owner_started, program, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![session, pgid, times(pgid), owner, times(owner), program, now_ms()],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Forget a recorded group: its program's call is over.
    pub fn forget_process(&self, id: i64) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM processes WHERE id = ?1", [id]).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The groups recorded for a session (every session's, for `None`),
    /// oldest first.
    pub fn processes(&self, session: Option<&str>) -> Result<Vec<ProcessGroup>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, session, pgid, started, owner, owner_started, program FROM processes \
                 WHERE ?1 IS NULL OR session = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let time = |t: Option<i64>| t.map(|t| t as u64);
        let rows = stmt
            .query_map([session], |r| {
                Ok(ProcessGroup {
                    id: r.get(0)?,
                    session: r.get(1)?,
                    pgid: r.get(2)?,
                    started: time(r.get(3)?),
                    owner: r.get(4)?,
                    owner_started: time(r.get(5)?),
                    program: r.get(6)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Kill every group recorded for `session` (every session's, for
    /// `None`) whose grove process is gone, then forget them. Returns how
    /// many groups were still there to kill.
    pub fn kill_left_behind(&self, session: Option<&str>) -> Result<usize, StoreError> {
        let mut killed = 0;
        for group in self.processes(session)?.into_iter().filter(|g| !g.owner_alive()) {
            if still_ours(&group) && kill_group(group.pgid) {
                tracing::info!(
                    session = %group.session,
                    pgid = group.pgid,
                    program = %group.program,
                    "killed a program its session left running"
                );
                killed += 1;
            }
            self.forget_process(group.id)?;
        }
        Ok(killed)
    }
}

/// Kill the process group of a session's runner that is gone (dead, or a
/// zombie), for anything left in it. Runners lead their own group (see
/// `runner::launch`); while a member of that group lives, its id is not
/// given to a new process, so what is in it is the runner's.
pub fn kill_dead_runners_group(pid: Option<u32>) {
    if let Some(pid) = pid.filter(|pid| !crate::pid::alive(*pid)) {
        kill_group(pid);
    }
}

/// Whether the recorded group is still the program's: its leader is the
/// same process (same start time), or it is gone. Linux does not hand out
/// a pid while a process group of that id has a member, so a group whose
/// leader has exited but whose members live is still the program's; a
/// leader with another start time means the group emptied and its id went
/// to a stranger.
fn still_ours(group: &ProcessGroup) -> bool {
    match (crate::pid::start_time(group.pgid), group.started) {
        (Some(now), Some(then)) => now == then,
        // A leader this host cannot date is left alone.
        (Some(_), None) => false,
        (None, _) => !crate::pid::exists(group.pgid),
    }
}

/// SIGKILL a process group; false when there was no such group.
fn kill_group(pgid: u32) -> bool {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else { return false };
    // SAFETY: kill(2) with a negative pid signals a process group; it
    // touches no memory.
    pgid > 1 && unsafe { libc::kill(-pgid, libc::SIGKILL) } == 0
}

/// Where the `process` capability records the groups of one session's
/// programs.
#[derive(Clone)]
pub struct ProcessLedger {
    store: Arc<Mutex<Store>>,
    session: String,
}

impl ProcessLedger {
    /// The ledger of a run in `session` of the repository at `git_dir`; none
    /// outside a session. A store that cannot be opened is logged: the
    /// runner opened it a moment ago, so that is all but impossible.
    pub fn for_run(git_dir: Option<&Path>, session: Option<&str>) -> Option<ProcessLedger> {
        let (git_dir, session) = (git_dir?, session?);
        match Store::open(git_dir) {
            Ok(store) => Some(ProcessLedger { store: Arc::new(Mutex::new(store)), session: session.into() }),
            Err(e) => {
                tracing::warn!(session, error = %e, "cannot record the session's programs");
                None
            }
        }
    }

    /// Record the group that `pgid` leads, running `program`, until the
    /// returned guard is dropped.
    pub fn record(&self, pgid: u32, program: &str) -> Result<Recorded, StoreError> {
        let store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        let id = store.record_process(&self.session, pgid, program)?;
        Ok(Recorded { ledger: self.clone(), id })
    }
}

/// A recorded group; dropping it forgets the record.
pub struct Recorded {
    ledger: ProcessLedger,
    id: i64,
}

impl Drop for Recorded {
    fn drop(&mut self) {
        let store = self.ledger.store.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = store.forget_process(self.id) {
            // Harmless: recovery finds its group gone, or a stranger's.
            tracing::warn!(session = %self.ledger.session, error = %e, "could not forget a finished program");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `sleep` in a process group of its own, as the capability starts it.
    fn sleeper() -> std::process::Child {
        use std::os::unix::process::CommandExt;
        std::process::Command::new("sleep").arg("30").process_group(0).spawn().unwrap()
    }

    /// Make the records look like those of a grove process that is gone.
    fn orphan(store: &Store) {
        store.conn.execute("UPDATE processes SET owner = ?1", [0x7fff_fff0]).unwrap();
    }

    #[test]
    fn a_live_owners_programs_are_left_alone_and_a_dead_ones_killed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut child = sleeper();
        let ledger = ProcessLedger::for_run(Some(dir.path()), Some("a")).unwrap();
        let recorded = ledger.record(child.id(), "sleep 30").unwrap();
        let groups = store.processes(Some("a")).unwrap();
        assert_eq!((groups[0].pgid, groups[0].owner), (child.id(), std::process::id()));

        assert_eq!(store.kill_left_behind(None).unwrap(), 0);
        assert!(child.try_wait().unwrap().is_none(), "its owner ends it");

        orphan(&store);
        assert_eq!(store.kill_left_behind(Some("a")).unwrap(), 1);
        assert!(child.wait().unwrap().code().is_none(), "killed by a signal");
        assert!(store.processes(None).unwrap().is_empty(), "and forgotten");
        drop(recorded);
    }

    #[test]
    fn a_group_whose_leader_is_another_process_now_is_not_killed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut child = sleeper();
        store.record_process("b", child.id(), "sleep 30").unwrap();
        // The same pid, but the start time of another process.
        store.conn.execute("UPDATE processes SET started = started + 1", []).unwrap();
        orphan(&store);
        assert_eq!(store.kill_left_behind(None).unwrap(), 0);
        assert!(child.try_wait().unwrap().is_none());
        assert!(store.processes(None).unwrap().is_empty());
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn forgetting_happens_when_the_guard_drops() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let ledger = ProcessLedger::for_run(Some(dir.path()), Some("c")).unwrap();
        drop(ledger.record(std::process::id(), "self").unwrap());
        assert!(store.processes(None).unwrap().is_empty());
    }
}
