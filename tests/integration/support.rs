//! Running the `grove` binary the way a user does.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use grove_tests::model_server::{ModelServer, Recorded, Reply};

/// Skip the test, saying so, when no chromium is installed.
macro_rules! needs_chromium {
    () => {
        if !crate::support::chromium_installed() {
            eprintln!(
                "SKIPPED: chromium is not installed (install it or set $GROVE_CHROMIUM to run this test)"
            );
            return;
        }
    };
}

/// Whether a browser can be found the way grove finds one.
pub fn chromium_installed() -> bool {
    grove::browser::find().is_ok()
}
use tempfile::TempDir;

/// What one `grove` invocation did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Assert the exit code, showing everything on failure.
    #[track_caller]
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "unexpected exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// One compiled-component cache for the whole test process, so each
/// fixture is compiled once, not once per test.
fn shared_cache() -> &'static Path {
    static CACHE: OnceLock<TempDir> = OnceLock::new();
    CACHE.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

/// A `grove` command in `dir` with a private home and the shared cache.
pub fn grove_cmd(dir: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_grove"));
    cmd.current_dir(dir)
        .env("GROVE_CACHE_DIR", shared_cache())
        .env("GROVE_HOME", home.join("grove"))
        .env("XDG_STATE_HOME", home.join("state"))
        // Session worktrees go inside the test's home, so they are cleaned
        // up with it (the default is beside the repository).
        .env("GROVE_WORKTREE_DIR", home.join("worktrees"))
        .env_remove("GROVE_LOG")
        .env_remove("GROVE_AUDIT_LOG")
        .env("NO_COLOR", "1");
    cmd
}

/// Run `grove ARGS` in `dir` with a fresh home, stdin closed.
pub fn grove(dir: &Path, args: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    grove_with(grove_cmd(dir, home.path()), args, None)
}

/// Run a prepared command, feeding `stdin` if given.
pub fn grove_with(mut cmd: Command, args: &[&str], stdin: Option<&str>) -> Run {
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().expect("spawning grove");
    // Feed stdin from another thread: a program that answers as it reads
    // would otherwise fill its stdout pipe while we are still writing.
    let feeder = stdin.map(|input| {
        let mut pipe = child.stdin.take().unwrap();
        let input = input.to_string();
        std::thread::spawn(move || {
            let _ = pipe.write_all(input.as_bytes());
        })
    });
    let out = child.wait_with_output().unwrap();
    if let Some(feeder) = feeder {
        feeder.join().unwrap();
    }
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Poll `f` until it has an answer; fail the test after two minutes.
pub fn wait<T>(mut f: impl FnMut() -> Option<T>, what: &str) -> T {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The row of `grove ls --json` for session `name`, run with `cmd`.
pub fn session_row(cmd: Command, name: &str) -> serde_json::Value {
    let rows = grove_with(cmd, &["ls", "--json"], None).expect(0).json();
    rows.as_array().unwrap().iter().find(|r| r["name"] == name).cloned().unwrap()
}

/// Wait for session `name` to reach a final state; its row then.
pub fn wait_final(cmd: impl Fn() -> Command, name: &str) -> serde_json::Value {
    wait(
        || {
            let row = session_row(cmd(), name);
            ["done", "failed", "cancelled", "interrupted"].contains(&row["state"].as_str()?).then_some(row)
        },
        "the session to finish",
    )
}

/// Path of a fixture guest, as a string argument.
pub fn probe() -> &'static str {
    grove_tests::PROBE
}

/// A repository nested in a folder that also holds a secret file beside
/// it: `<outer>/secret.txt` and `<outer>/repo/`. Attacks try to reach the
/// secret from inside the repository.
pub struct Fortress {
    pub outer: TempDir,
}

pub const SECRET: &str = "the eagle lands at midnight";

impl Fortress {
    pub fn new() -> Fortress {
        let outer = tempfile::tempdir().unwrap();
        std::fs::write(outer.path().join("secret.txt"), SECRET).unwrap();
        let repo = outer.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        let git = git2::Repository::init(&repo).unwrap();
        grove_tests::write(&repo, "README.md", "# fortress\n");
        grove_tests::commit_all(&git, "initial");
        Fortress { outer }
    }

    pub fn repo(&self) -> PathBuf {
        self.outer.path().join("repo")
    }

    pub fn secret(&self) -> PathBuf {
        self.outer.path().join("secret.txt")
    }
}

/// A terminal program driven for real in tmux: keys in, screen out.
pub struct Tmux {
    name: String,
}

impl Tmux {
    /// `command` in a 120x32 terminal.
    pub fn start(dir: &Path, home: &Path, command: &str) -> Tmux {
        Tmux::start_with(dir, home, command, (120, 32), &[])
    }

    /// `command` in a terminal of `size` (columns, rows), with `env` set
    /// beside the private home.
    pub fn start_with(
        dir: &Path,
        home: &Path,
        command: &str,
        size: (u16, u16),
        env: &[(&str, &str)],
    ) -> Tmux {
        // Unique per test, as tests run in parallel.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("grove-test-{}-{n}", std::process::id());
        let mut tmux = Command::new("tmux");
        tmux.args(["new-session", "-d", "-s", &name])
            .args(["-x", &size.0.to_string(), "-y", &size.1.to_string(), "-c"])
            .arg(dir);
        let home_env = [
            ("GROVE_HOME", home.join("grove")),
            ("XDG_STATE_HOME", home.join("state")),
            ("GROVE_WORKTREE_DIR", home.join("worktrees")),
        ];
        for (key, value) in home_env {
            tmux.arg("-e").arg(format!("{key}={}", value.display()));
        }
        for (key, value) in env {
            tmux.arg("-e").arg(format!("{key}={value}"));
        }
        let status = tmux.arg(command).status().expect("tmux is installed");
        assert!(status.success());
        // Keep the size it was made with, whatever clients the tmux
        // server has.
        Command::new("tmux")
            .args(["set-option", "-w", "-t", &name, "window-size", "manual"])
            .status()
            .unwrap();
        Tmux { name }
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux").args(["capture-pane", "-p", "-t", &self.name]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            Command::new("tmux").args(["send-keys", "-t", &self.name, key]).status().unwrap();
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Type `text` as it is (no key names).
    pub fn type_text(&self, text: &str) {
        Command::new("tmux").args(["send-keys", "-l", "-t", &self.name, text]).status().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Wait until the screen shows `text` (a minute at most: sessions
    /// start slowly on a busy machine).
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(Instant::now() < deadline, "never saw {text:?} on:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn running(&self) -> bool {
        Command::new("tmux").args(["has-session", "-t", &self.name]).status().is_ok_and(|s| s.success())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["kill-session", "-t", &self.name]).status();
    }
}

/// The API key the model server is called with in tests.
pub const KEY: &str = "sk-ant-test-Zq81-very-secret-key";

/// A repository, a private home, and a model server the runs talk to.
pub struct Lab {
    pub dir: TempDir,
    pub home: TempDir,
    pub server: ModelServer,
}

impl Lab {
    pub fn new(files: &[(&str, &str)], replies: Vec<Reply>) -> Lab {
        let lab = Lab {
            dir: grove_tests::repo_with(files),
            home: tempfile::tempdir().unwrap(),
            server: ModelServer::start(replies),
        };
        // Retries come quickly in tests; the backoff itself is unit-tested.
        lab.config("[model]\nretry_base_ms = 10\n");
        lab
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn config(&self, text: &str) {
        grove_tests::write(self.home.path(), "grove/config.toml", text);
    }

    /// `grove` pointed at the Anthropic-speaking server.
    pub fn cmd(&self) -> Command {
        let mut cmd = grove_cmd(self.root(), self.home.path());
        for var in grove_tests::model_server::PROVIDER_VARS {
            cmd.env_remove(var);
        }
        cmd.env("ANTHROPIC_BASE_URL", self.server.url()).env("ANTHROPIC_API_KEY", KEY);
        cmd
    }

    pub fn grove(&self, args: &[&str]) -> Run {
        grove_with(self.cmd(), args, None)
    }

    /// `grove` pointed at the OpenAI-compatible server, without a key.
    pub fn grove_openai(&self, args: &[&str]) -> Run {
        let mut cmd = self.cmd();
        cmd.env_remove("ANTHROPIC_BASE_URL").env_remove("ANTHROPIC_API_KEY");
        cmd.env("OPENAI_BASE_URL", format!("{}/v1", self.server.url()));
        grove_with(cmd, args, None)
    }

    /// `grove ARGS` in tmux, in a terminal of `size`, pointed at the
    /// model server like [`Lab::cmd`] (sessions it starts need it).
    pub fn tmux(&self, args: &str, size: (u16, u16)) -> Tmux {
        let url = self.server.url();
        let cache = shared_cache().display().to_string();
        let env = [
            ("ANTHROPIC_BASE_URL", url.as_str()),
            ("ANTHROPIC_API_KEY", KEY),
            ("GROVE_CACHE_DIR", cache.as_str()),
            ("NO_COLOR", "1"),
        ];
        let command = format!("{} {args}", env!("CARGO_BIN_EXE_grove"));
        Tmux::start_with(self.root(), self.home.path(), &command, size, &env)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.server.requests()
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.root().join(path)).unwrap()
    }

    pub fn session_row(&self, name: &str) -> serde_json::Value {
        session_row(self.cmd(), name)
    }

    pub fn wait_final(&self, name: &str) -> serde_json::Value {
        wait_final(|| self.cmd(), name)
    }
}

/// The processes whose command line or working folder names one of `dirs`
/// (a test's repository, its temporary folder): what a test started, told
/// apart from what the tests beside it started.
pub fn processes_in(dirs: &[&Path]) -> Vec<String> {
    let mine = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) || pid == mine {
            continue;
        }
        let cwd = std::fs::read_link(entry.path().join("cwd")).unwrap_or_default();
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let dirs_real: Vec<PathBuf> =
            dirs.iter().map(|d| d.canonicalize().unwrap_or(d.to_path_buf())).collect();
        if dirs_real.iter().any(|d| cwd.starts_with(d) || cmdline.contains(&*d.to_string_lossy())) {
            found.push(format!("{pid} {cmdline}"));
        }
    }
    found
}

/// No process of [`processes_in`] `dirs` is left (they may take a moment
/// to die); those that are, are killed, so a failing test leaves nothing.
#[track_caller]
pub fn assert_nothing_left_in(dirs: &[&Path]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !processes_in(dirs).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let left = processes_in(dirs);
    for line in &left {
        let pid = line.split_whitespace().next().unwrap();
        let _ = Command::new("kill").args(["-9", pid]).status();
    }
    assert_eq!(left, Vec::<String>::new(), "processes were left behind");
}

/// `grove` (the command `grove`, with its folder and environment) run with
/// `args` on a pseudo-terminal (`script`), typing `input` after `wait` (a
/// question must be up before its answer is typed): the raw bytes the
/// terminal received.
pub fn on_a_terminal(grove: Command, args: &[&str], input: &str, wait: Duration) -> String {
    let quote = |a: &str| format!("'{}'", a.replace('\'', r"'\''"));
    let line = std::iter::once(grove.get_program().to_string_lossy().into_owned())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| quote(&a))
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"]);
    if let Some(dir) = grove.get_current_dir() {
        cmd.current_dir(dir);
    }
    for (name, value) in grove.get_envs() {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    std::thread::sleep(wait);
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}
