//! `process.running`: programs that keep running while the skill works (an
//! app server a browser is pointed at). Each starts exactly like a
//! `process.run` (same gate action but its verb, same sandbox, pids
//! cgroup, process group and session record) and is killed when the skill
//! stops it, drops its handle, or the run ends ([`Programs`] lives in
//! `Caps`); when grove itself dies, the sandbox's init dies with it and
//! takes the program along. A program started to serve is reached from the
//! host through `serve.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;
use wasmtime::component::Resource;

use super::process::{GroupKill, Ready};
use super::serve::Serving;
use super::{CapError, Caps, io_error};
use crate::gate::Permission;
use crate::wit::Running as RunningHandle;
use crate::wit::grove::skill::process::{Command as Cmd, Exited, HostRunning};

type R<T> = Result<T, CapError>;

/// The programs a run started and has not stopped, by handle. Dropping it
/// (with the run's `Caps`) kills each one's process group.
#[derive(Default)]
pub struct Programs {
    started: HashMap<u32, Started>,
    next: u32,
}

/// One started program.
struct Started {
    /// Declared first: the group is killed before the rest goes.
    group: GroupKill,
    /// Where the host reaches it, when it was started to serve; the port
    /// closes when the program is stopped or found ended.
    serving: Option<Serving>,
    child: tokio::process::Child,
    /// How it ended, once known.
    exited: Option<Exited>,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// The tasks reading its output and feeding its input; they end with
    /// its pipes, and are aborted if anything holds a pipe open.
    tasks: Vec<JoinHandle<()>>,
    /// Its temporary folder and pids cgroup, removed after it is killed.
    _kept: super::contain::Kept,
}

impl Drop for Started {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Started {
    /// Kill the group, then wait for the program to be gone and its port
    /// to close.
    async fn stop(&mut self) -> R<Exited> {
        if self.exited.is_none() {
            self.group.kill();
            let status = self.child.wait().await.map_err(|e| io_error("waiting for the program", e))?;
            self.exited = Some(Exited { code: status.code() });
        }
        self.ended().await;
        Ok(self.exited.expect("waited for"))
    }

    /// The program is gone: so is the way to it.
    async fn ended(&mut self) {
        if let Some(serving) = &mut self.serving {
            serving.close().await;
        }
    }
}

impl Caps {
    fn started(&mut self, handle: &Resource<RunningHandle>) -> R<&mut Started> {
        self.programs.started.get_mut(&handle.rep()).ok_or_else(|| CapError::invalid("that program is gone"))
    }
}

impl HostRunning for Caps {
    async fn start(&mut self, cmd: Cmd, serve: Option<u16>) -> R<Resource<RunningHandle>> {
        let Ready { mut command, kept, line, limit, listening } = self.ready("start", &cmd, serve).await?;
        let (mut child, group) = self.spawn(&mut command, &cmd.program, &line)?;
        let serving = listening.map(|l| l.serve(kept.door())).transpose()?;
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = vec![
            tokio::spawn(keep(child.stdout.take().expect("piped"), stdout.clone(), limit)),
            tokio::spawn(keep(child.stderr.take().expect("piped"), stderr.clone(), limit)),
        ];
        if let (Some(mut pipe), Some(input)) = (child.stdin.take(), cmd.stdin) {
            tasks.push(tokio::spawn(async move {
                // A program that never reads its input is fine.
                let _ = pipe.write_all(&input).await;
            }));
        }
        let id = self.programs.next;
        self.programs.next += 1;
        let address = serving.as_ref().map(|s| s.address.clone());
        let started = Started { group, serving, child, exited: None, stdout, stderr, tasks, _kept: kept };
        self.programs.started.insert(id, started);
        self.tell(
            crate::transcript::kind::PROCESS,
            || serde_json::json!({ "command": crate::gate::clip(&line), "started": true, "serves": address }),
        );
        Ok(Resource::new_own(id))
    }

    async fn address(&mut self, handle: Resource<RunningHandle>) -> R<Option<String>> {
        self.check("process", "address", "", Permission::Process).await?;
        Ok(self.started(&handle)?.serving.as_ref().map(|s| s.address.clone()))
    }

    async fn http_status(&mut self, handle: Resource<RunningHandle>, path: String) -> R<Option<u16>> {
        self.check("process", "http-status", &path, Permission::Process).await?;
        super::serve::check_path(&path)?;
        let Some(serving) = &self.started(&handle)?.serving else {
            return Err(CapError::invalid("the program was not started to serve: it has no address"));
        };
        let address = serving.address.clone();
        Ok(super::serve::status(&address, &path).await)
    }

    async fn output(&mut self, handle: Resource<RunningHandle>) -> R<(Vec<u8>, Vec<u8>)> {
        self.check("process", "output", "", Permission::Process).await?;
        let started = self.started(&handle)?;
        let copy = |buf: &Arc<Mutex<Vec<u8>>>| buf.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Ok((copy(&started.stdout), copy(&started.stderr)))
    }

    async fn try_wait(&mut self, handle: Resource<RunningHandle>) -> R<Option<Exited>> {
        self.check("process", "try-wait", "", Permission::Process).await?;
        let started = self.started(&handle)?;
        if started.exited.is_none() {
            let status = started.child.try_wait().map_err(|e| io_error("waiting for the program", e))?;
            started.exited = status.map(|s| Exited { code: s.code() });
            if started.exited.is_some() {
                started.ended().await;
            }
        }
        Ok(started.exited)
    }

    async fn stop(&mut self, handle: Resource<RunningHandle>) -> R<Exited> {
        self.check("process", "stop", "", Permission::Process).await?;
        self.started(&handle)?.stop().await
    }

    async fn drop(&mut self, handle: Resource<RunningHandle>) -> wasmtime::Result<()> {
        if let Some(mut started) = self.programs.started.remove(&handle.rep()) {
            // Reaped here rather than left to the runtime's reaper.
            let _ = started.stop().await;
        }
        Ok(())
    }
}

/// Read a pipe to its end into `kept`, keeping at most `limit` bytes: the
/// program is never blocked on a full pipe, and memory stays bounded.
async fn keep(mut pipe: impl AsyncRead + Unpin, kept: Arc<Mutex<Vec<u8>>>, limit: usize) {
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n @ 1..) = pipe.read(&mut buf).await {
        let mut kept = kept.lock().unwrap_or_else(|e| e.into_inner());
        let room = limit.saturating_sub(kept.len());
        kept.extend_from_slice(&buf[..n.min(room)]);
    }
}
