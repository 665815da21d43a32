//! `process`: run a program inside the workspace with a scrubbed
//! environment, a timeout and an output cap.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use super::{CapError, Caps, io_error, workspace};
use crate::gate::classify::Subject;
use crate::gate::{Action, Permission};
use crate::wit::grove::skill::process::{Command as Cmd, Host, Output};

/// Timeout when the skill names none.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// Most bytes kept of stdout and of stderr, each.
const MAX_OUTPUT: usize = 8 << 20;
/// The variables a program sees besides those the skill passes. Everything
/// else of the host's environment (tokens, keys, proxies) stays out.
const PASSED_THROUGH: [&str; 2] = [crate::env::PATH, crate::env::HOME];
pub(super) const FALLBACK_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// A program ready to start: its command (sandboxed, environment set,
/// output piped, its own process group) and what is kept of each stream.
pub(super) struct Ready {
    pub command: tokio::process::Command,
    /// The program's temporary folder and pids cgroup: keep them while
    /// the program runs (drop them after its `GroupKill`).
    pub kept: super::contain::Kept,
    /// The command line, for the gate, the transcript and the store.
    pub line: String,
    pub limit: usize,
    /// For a program started to serve, the host's port held for it.
    pub listening: Option<super::serve::Listening>,
}

impl Caps {
    /// Pass `process.<verb>` of `cmd` through the gate and build the
    /// command that runs it: what `run` and `running.start` share. With
    /// `serve`, the program is a server on that port (0: one grove picks),
    /// told as `$PORT`.
    pub(super) async fn ready(
        &mut self,
        verb: &'static str,
        cmd: &Cmd,
        serve: Option<u16>,
    ) -> Result<Ready, CapError> {
        let mut line = command_line(cmd);
        // With the egress proxy, the init points the program at it over
        // any proxy variable the skill passed: the audit says so.
        let proxied = crate::sandbox::proxy_environment();
        let overridden: Vec<&str> = cmd
            .env
            .iter()
            .map(|(name, _)| name.as_str())
            .filter(|name| proxied.iter().any(|(set, _)| set == name))
            .collect();
        if !overridden.is_empty() && self.egress_allowed() {
            line.push_str(&format!(" (grove's egress proxy replaces {})", overridden.join(", ")));
        }
        let argv: Vec<String> = std::iter::once(&cmd.program).chain(&cmd.args).cloned().collect();
        let subject = Subject::Argv { argv: &argv, env: &cmd.env };
        let permit = self
            .gate
            .check(Action {
                capability: "process",
                verb,
                target: &line,
                permission: Permission::Process,
                subject,
            })
            .await?;
        if cmd.program.is_empty() {
            return Err(CapError::invalid(format!("process.{verb} needs a program")));
        }
        let root = self.workspace.root().to_path_buf();
        let cwd = match &cmd.cwd {
            Some(dir) => inside(&root, &workspace::relative(dir)?)?,
            None => root.clone(),
        };
        let program = if cmd.program.contains('/') {
            inside(&root, &workspace::relative(&cmd.program)?)?
        } else {
            PathBuf::from(&cmd.program)
        };

        self.sandbox.network = self.egress_network()?;
        let mut listening = serve.map(super::serve::Listening::open).transpose()?;
        let inside = listening.as_ref().map(|l| l.inside);
        let (mut command, kept) = self.sandboxed(&permit, cmd, &program, &cwd, FALLBACK_PATH, inside)?;
        if let Some(listening) = &mut listening
            && kept.door().is_none()
        {
            listening.without_sandbox();
        }
        command
            .env_clear()
            .env("LANG", "C.UTF-8")
            .stdin(if cmd.stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            // Its own process group, so a timeout kills its children too.
            .process_group(0);
        for name in PASSED_THROUGH {
            match std::env::var_os(name) {
                Some(value) => command.env(name, value),
                None if name == crate::env::PATH => command.env(name, FALLBACK_PATH),
                None => &mut command,
            };
        }
        for (name, value) in &cmd.env {
            if name.is_empty() || name.contains(['=', '\0']) || value.contains('\0') {
                return Err(CapError::invalid(format!("bad environment variable name {name:?}")));
            }
            command.env(name, value);
        }
        if let Some(port) = inside {
            // Over any `PORT` the skill passed: the port is grove's to give.
            command.env(super::serve::PORT, port.to_string());
        }
        let limit = cmd.output_limit.map_or(MAX_OUTPUT, |n| (n as usize).min(MAX_OUTPUT));
        Ok(Ready { command, kept, line, limit, listening })
    }

    /// Start a ready program; the group it leads is killed when the
    /// returned guard drops, and, in a session, recorded in the store
    /// until then.
    pub(super) fn spawn(
        &self,
        command: &mut tokio::process::Command,
        program: &str,
        line: &str,
    ) -> Result<(tokio::process::Child, GroupKill), CapError> {
        let child = command.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                CapError::not_found(format!("program {program:?} not found on PATH or in the workspace"))
            }
            _ => io_error(&format!("starting {program:?}"), e),
        })?;
        // Whatever happens next (done, timeout, grove interrupted and the
        // caller's future dropped), nothing the program started outlives
        // the guard.
        let mut group = GroupKill { pgid: child.id(), recorded: None };
        // In a session, the store knows the group while it runs, so it is
        // killed even if this process dies without dropping `group` (see
        // `session::processes`). Between the spawn and the record the
        // program runs unrecorded; only a SIGKILL or a crash of this
        // process at that moment (an insert, usually under a millisecond)
        // would leave it behind. A cancel cannot land there: its SIGTERM is
        // handled between polls, and both happen in this one. Closing the
        // window would mean holding the program before `exec` until it is
        // recorded, which `spawn` (it waits for the `exec`) does not allow.
        if let (Some(ledger), Some(pgid)) = (&self.processes, group.pgid) {
            let recorded = ledger.record(pgid, line).map_err(|e| {
                CapError::io(format!("recording {program:?} in the session store")).because(e)
            })?;
            group.recorded = Some(recorded);
        }
        Ok((child, group))
    }
}

impl Host for Caps {
    async fn run(&mut self, cmd: Cmd) -> Result<Output, CapError> {
        // `_kept` is declared before `_group`: it drops after the group is killed.
        let Ready { mut command, kept: _kept, line, limit, .. } = self.ready("run", &cmd, None).await?;
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        let timeout =
            cmd.timeout_ms.map_or(DEFAULT_TIMEOUT, |ms| Duration::from_millis(ms.into())).min(remaining);

        let started = Instant::now();
        let (mut child, _group) = self.spawn(&mut command, &cmd.program, &line)?;
        let mut stdin = child.stdin.take();
        let input = cmd.stdin.unwrap_or_default();
        let feed = async move {
            if let Some(pipe) = stdin.as_mut() {
                // A program that exits without reading its input is fine.
                let _ = pipe.write_all(&input).await;
            }
            drop(stdin);
        };
        let stdout = capped(child.stdout.take().expect("piped"), limit);
        let stderr = capped(child.stderr.take().expect("piped"), limit);
        let work = async { tokio::join!(feed, stdout, stderr, child.wait()) };

        let output = match tokio::time::timeout(timeout, work).await {
            Ok(((), (out, cut_out), (err, cut_err), status)) => {
                let status = status.map_err(|e| io_error("waiting for the program", e))?;
                Output {
                    code: status.code(),
                    stdout: out,
                    stderr: err,
                    truncated: cut_out || cut_err,
                    timed_out: false,
                    duration_ms: started.elapsed().as_millis() as u64,
                }
            }
            Err(_) => Output {
                code: None,
                stdout: Vec::new(),
                stderr: format!("killed after {} ms\n", timeout.as_millis()).into_bytes(),
                truncated: false,
                timed_out: true,
                duration_ms: started.elapsed().as_millis() as u64,
            },
        };
        self.tell(crate::transcript::kind::PROCESS, || {
            serde_json::json!({
                "command": crate::gate::clip(&line), "code": output.code,
                "duration_ms": output.duration_ms, "timed_out": output.timed_out,
            })
        });
        Ok(output)
    }
}

/// The argv as one line, for the gate and the audit log, after the
/// environment the skill passes (`NAME=value …`): it is part of the action.
fn command_line(cmd: &Cmd) -> String {
    let env = cmd.env.iter().map(|(name, value)| format!("{}={}", quote(name), quote(value)));
    env.chain(std::iter::once(&cmd.program).chain(&cmd.args).map(|a| quote(a))).collect::<Vec<_>>().join(" ")
}

fn quote(arg: &str) -> String {
    if !arg.is_empty() && arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c)) {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// Resolve a normalized relative path on the host and make sure symlinks
/// did not carry it out of the root.
fn inside(root: &Path, rel: &Path) -> Result<PathBuf, CapError> {
    let full = root.join(rel);
    let real = full.canonicalize().map_err(|e| io_error(&rel.display().to_string(), e))?;
    let real_root = root.canonicalize().map_err(|e| io_error("workspace root", e))?;
    if !real.starts_with(&real_root) {
        return Err(CapError::denied(format!("{:?} leads outside the workspace", rel.display())));
    }
    Ok(real)
}

/// Read a pipe to the end, keeping at most `limit` bytes: the program is
/// never blocked on a full pipe, and memory stays bounded.
async fn capped(mut pipe: impl AsyncRead + Unpin, limit: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut cut = false;
    loop {
        match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = limit.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
                cut |= n > room;
            }
        }
    }
    (kept, cut)
}

/// Kills a program's process group when dropped, then forgets its record
/// in the session store (fields drop after `drop` has run).
pub(super) struct GroupKill {
    pgid: Option<u32>,
    recorded: Option<crate::session::processes::Recorded>,
}

impl GroupKill {
    /// Kill the group now (again when dropped: a no-op by then).
    pub(super) fn kill(&self) {
        if let Some(pid) = self.pgid {
            // SAFETY: kill(2) with a negative pid signals the process group
            // created for this child (its id is the group's id); it touches
            // no memory. A group that is already gone is ESRCH, ignored.
            unsafe {
                libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
            }
        }
    }
}

impl Drop for GroupKill {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_are_quoted() {
        let cmd = Cmd {
            program: "sh".into(),
            args: vec!["-c".into(), "echo 'hi there'".into()],
            cwd: None,
            env: vec![],
            stdin: None,
            timeout_ms: None,
            output_limit: None,
        };
        assert_eq!(command_line(&cmd), r"sh -c 'echo '\''hi there'\'''");
        // The environment the skill passes is part of what the gate and the audit show.
        let with_env =
            Cmd { env: vec![("LD_PRELOAD".into(), "./a b.so".into()), ("CI".into(), "1".into())], ..cmd };
        assert_eq!(command_line(&with_env), r"LD_PRELOAD='./a b.so' CI=1 sh -c 'echo '\''hi there'\'''");
    }
}
