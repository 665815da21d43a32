//! `process.running`: a program that keeps running while the skill works,
//! in the same sandbox as `process.run`, killed with its handle, the run or
//! grove itself; and a server it runs, reached from the host through a
//! loopback port that closes with it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::{assert_nothing_left_in, grove, grove_cmd, probe, wait};

/// The processes whose command line contains `marker`, killed (so that a
/// failing test leaves nothing behind) and listed.
fn left_behind(marker: &str) -> String {
    let out = Command::new("pgrep").args(["-f", marker]).output().unwrap();
    let left = String::from_utf8_lossy(&out.stdout).into_owned();
    for pid in left.split_whitespace() {
        let _ = Command::new("kill").args(["-9", pid]).status();
    }
    left
}

/// `GET path` over a real TCP connection to `address` (`http://HOST:PORT`):
/// the status line and the body, or `None` while nothing answers.
fn get(address: &str, path: &str) -> Option<(String, String)> {
    let host = address.strip_prefix("http://")?;
    let mut stream = TcpStream::connect(host).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let (head, body) = answer.split_once("\r\n\r\n")?;
    Some((head.lines().next()?.to_string(), body.to_string()))
}

/// `GET path` until the server answers (it takes a moment to start).
fn get_when_up(address: &str, path: &str) -> (String, String) {
    wait(|| get(address, path), &format!("{address}{path} to answer"))
}

/// The probe's `serve` running in `repo` with `grove` of `home`: started
/// in the background, its address once it has one.
fn serving(repo: &Path, home: &Path, port: &str, script: &str) -> (Child, String) {
    let mut cmd = grove_cmd(repo, home);
    cmd.args(["run", "--mode", "bypass", "--allow", "process,workspace:read,workspace:write"]);
    cmd.args([probe(), "serve", port, "sh", "-c", script]);
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let address = wait(
        || {
            if let Ok(Some(_)) = child.try_wait() {
                let out = child.stderr.take().map(std::io::read_to_string).and_then(Result::ok);
                panic!("grove ended before the program had an address: {out:?}");
            }
            std::fs::read_to_string(repo.join("address.txt")).ok()
        },
        "the program's address",
    );
    (child, address)
}

/// Tell the probe's `serve` to stop its program; what grove then said.
fn stop(repo: &Path, child: Child) -> (i32, String) {
    std::fs::write(repo.join("stop"), "").unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), said)
}

const PAGE: &str = "<h1>hello from the app</h1>\n";

#[test]
fn a_served_program_is_reached_from_the_host_and_its_port_closes_when_stopped() {
    let dir = grove_tests::repo_with(&[("index.html", PAGE)]);
    let home = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let script = "python3 -m http.server --bind 127.0.0.1 $PORT";
    let (child, address) = serving(repo, home.path(), "0", script);
    assert!(address.starts_with("http://127.0.0.1:"), "{address}");
    let (status, body) = get_when_up(&address, "/index.html");
    assert!(status.contains("200"), "{status}");
    assert_eq!(body, PAGE);

    let (code, said) = stop(repo, child);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains(&format!("served at {address}")), "{said}");
    let port = address.rsplit(':').next().unwrap();
    assert!(TcpStream::connect(format!("127.0.0.1:{port}")).is_err(), "the port is still open");
    // Neither the shell nor the server it started is left (told apart from
    // other tests' by their working folder).
    assert_nothing_left_in(&[repo]);
}

#[test]
fn a_named_port_is_the_programs_own_inside_its_sandbox() {
    let dir = grove_tests::repo_with(&[("index.html", PAGE)]);
    let home = tempfile::tempdir().unwrap();
    let repo = dir.path();
    // Inside the program's own network namespace 8000 is free whatever
    // the host runs there; the host's side is another port.
    let script = "test \"$PORT\" = 8000 && exec python3 -m http.server --bind 127.0.0.1 \"$PORT\"";
    let (child, address) = serving(repo, home.path(), "8000", script);
    let (status, body) = get_when_up(&address, "/index.html");
    assert!(status.contains("200"), "{status}");
    assert_eq!(body, PAGE);
    let (code, said) = stop(repo, child);
    assert_eq!(code, 0, "{said}");
}

#[test]
fn the_program_cannot_take_over_the_socket_the_host_reaches_it_through() {
    let dir = grove_tests::repo_with(&[("index.html", PAGE)]);
    let home = tempfile::tempdir().unwrap();
    let repo = dir.path();
    // The init's command line (pid 1's) names the socket: remove it, put
    // a listener of its own in its place, or a symlink.
    let script = r#"
        sock=$(tr '\0' '\n' < /proc/1/cmdline | grep -o '"socket":"[^"]*"' | head -n1 | cut -d'"' -f4)
        echo "socket: $sock" >&2
        rm "$sock" && echo REMOVED >&2
        ln -sf /etc/passwd "$sock" && echo LINKED >&2
        python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); print('BOUND', file=sys.stderr)" "$sock.2"
        exec python3 -m http.server --bind 127.0.0.1 "$PORT"
    "#;
    let (child, address) = serving(repo, home.path(), "0", script);
    let (status, body) = get_when_up(&address, "/index.html");
    assert!(status.contains("200"), "{status}");
    assert_eq!(body, PAGE);
    let (code, said) = stop(repo, child);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("socket: /"), "the attack found no socket: {said}");
    assert!(said.contains("cannot remove"), "{said}");
    for done in ["REMOVED", "LINKED", "BOUND"] {
        assert!(!said.contains(done), "{said}");
    }
}

#[test]
fn killing_grove_outright_leaves_no_served_program_and_no_open_port() {
    let dir = grove_tests::repo_with(&[("index.html", PAGE)]);
    let home = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let script = "python3 -m http.server --bind 127.0.0.1 $PORT";
    let (mut child, address) = serving(repo, home.path(), "0", script);
    get_when_up(&address, "/index.html");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_nothing_left_in(&[repo]);
    assert!(get(&address, "/index.html").is_none(), "the address still answers");
}

#[test]
fn a_started_server_answers_while_it_runs_and_is_gone_once_stopped() {
    let dir = grove_tests::repo_with(&[("index.html", PAGE)]);
    let repo = dir.path();
    let port = 20_000 + std::process::id() % 20_000;
    let server = format!("http.server --bind 127.0.0.1 {port}");
    // The server and its client share the program's network namespace.
    let script = format!(
        "python3 -m {server} >/dev/null 2>&1 & \
         for i in $(seq 100); do \
           python3 -c 'import urllib.request as u; print(u.urlopen(\"http://127.0.0.1:{port}/\").read().decode())' \
             2>/dev/null && echo reached && break; sleep 0.1; \
         done; wait"
    );
    let run = grove(
        repo,
        &["run", "--mode", "bypass", "--allow", "process", probe(), "start", "reached", "sh", "-c", &script],
    )
    .expect(0);
    assert!(run.stdout.contains("hello from the app"), "{}", run.stdout);
    // It ran until stopped, and a signal ended it; it served nothing.
    assert!(run.stdout.contains("running=true stopped=None after=Some(None) address=None"), "{}", run.stdout);
    assert_nothing_left_in(&[repo]);
}

#[test]
fn a_program_left_running_ends_with_the_run() {
    let dir = grove_tests::repo_with(&[]);
    let repo = dir.path();
    let marker = format!("grove-left-running-{}", std::process::id());
    let run = grove(
        repo,
        &[
            "run",
            "--mode",
            "bypass",
            "--allow",
            "process",
            probe(),
            "start-leave",
            "sh",
            "-c",
            &format!("sleep 300; echo {marker}"),
        ],
    )
    .expect(0);
    assert!(run.stdout.contains("left running"), "{}", run.stdout);
    assert_eq!(left_behind(&marker), "", "the program outlived the run");
}

#[test]
fn what_a_started_program_prints_is_capped() {
    let dir = grove_tests::repo_with(&[]);
    let script = "yes grove | head -c 5000000; yes oops | head -c 3000000 >&2";
    let run = grove(
        dir.path(),
        &[
            "run",
            "--mode",
            "bypass",
            "--allow",
            "process",
            probe(),
            "start-flood",
            "1000",
            "sh",
            "-c",
            script,
        ],
    )
    .expect(0);
    assert!(run.stdout.contains("code=Some(0) stdout=1000 stderr=1000"), "{}", run.stdout);
}

#[test]
fn starting_passes_the_gate_like_running() {
    let dir = grove_tests::repo_with(&[]);
    let repo = dir.path();
    // Not granted: refused before anything starts.
    let run = grove(repo, &["run", probe(), "start", "x", "sh", "-c", "echo started"]).expect(1);
    assert!(run.stderr.contains("process"), "{}", run.stderr);
    assert!(!run.stdout.contains("started"), "{}", run.stdout);
    // Judged by its command line, as `run` is.
    let run = grove(
        repo,
        &["run", "--allow", "process", probe(), "start", "x", "sh", "-c", "rm -rf / --no-preserve-root"],
    )
    .expect(1);
    assert!(run.stderr.contains("process.start"), "{}", run.stderr);
    // Plan mode refuses it as it refuses `run` of the same command.
    let plan = ["run", "--mode", "plan", "--allow", "process", probe()];
    let ran =
        grove(repo, &[&plan[..], &["run", "sh", "-c", "echo started > started.txt"]].concat()).expect(1);
    let started =
        grove(repo, &[&plan[..], &["start", "x", "sh", "-c", "echo started > started.txt"]].concat())
            .expect(1);
    assert!(ran.stderr.contains("denied process.run"), "{}", ran.stderr);
    assert!(started.stderr.contains("denied process.start"), "{}", started.stderr);
    for refused in [&ran.stderr, &started.stderr] {
        assert!(refused.contains("mode.plan: plan mode runs only what reads"), "{refused}");
    }
    assert!(!repo.join("started.txt").exists());
}
