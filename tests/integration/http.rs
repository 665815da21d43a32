//! `http.send` through the probe guest against a real server on 127.0.0.1:
//! what the policy allows is reached, redirects are judged hop by hop,
//! private networks stay out of reach, and every answer is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use crate::support::{Run, grove_cmd, grove_with, probe, wait_final};

/// A request as the server read it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    /// Names lowercase.
    headers: Vec<(String, String)>,
    body: String,
}

/// A tiny HTTP/1.1 server, one thread per connection, one request each:
/// `/hello`, `/echo` (what it was sent), `/to?URL` (a 302 to `URL`),
/// `/loop` (a 302 to itself), `/big` (33 MiB with no length), `/slow`
/// (answers after 10 s).
struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || answer(stream, &log));
            }
        });
        Server { addr, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn answer(stream: TcpStream, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let length = headers.iter().find(|(n, _)| n == "content-length").map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).unwrap();
    let seen = Seen { method, path, headers, body: String::from_utf8_lossy(&body).into_owned() };
    log.lock().unwrap().push(seen.clone());
    let mut stream = stream;
    let reply = |stream: &mut TcpStream, status: &str, extra: &str, body: &str| {
        let head = format!(
            "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(format!("{head}{body}").as_bytes());
    };
    match seen.path.as_str() {
        "/hello" => reply(&mut stream, "200 OK", "", "hello from the server"),
        "/echo" => {
            let probe = seen.headers.iter().any(|(n, v)| n == "x-probe" && v == "1");
            reply(&mut stream, "200 OK", "", &format!("{} {} x-probe={probe}", seen.method, seen.body))
        }
        "/big" => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
            let chunk = vec![b'z'; 1 << 20];
            for _ in 0..33 {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
            }
        }
        "/slow" => {
            std::thread::sleep(Duration::from_secs(10));
            reply(&mut stream, "200 OK", "", "too late");
        }
        "/loop" => reply(&mut stream, "302 Found", "Location: /loop\r\n", ""),
        to if to.starts_with("/to?") => {
            reply(&mut stream, "302 Found", &format!("Location: {}\r\n", &to[4..]), "")
        }
        _ => reply(&mut stream, "404 Not Found", "", "no such page"),
    }
}

/// A repository and a home whose user policy is `policy` (none when empty),
/// with no enterprise policy.
struct Setup {
    repo: TempDir,
    home: TempDir,
}

impl Setup {
    fn new(policy: &str) -> Setup {
        let repo = grove_tests::repo_with(&[("README.md", "# t\n")]);
        let home = tempfile::tempdir().unwrap();
        if !policy.is_empty() {
            grove_tests::write(home.path(), "grove/policy.toml", policy);
        }
        Setup { repo, home }
    }

    /// `grove run probe http ARGS --allow http [--json]`.
    fn http(&self, args: &[&str], json: bool) -> Run {
        let mut all = vec!["run", probe(), "http"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--allow", "http"]);
        if json {
            all.push("--json");
        }
        let mut cmd = grove_cmd(self.repo.path(), self.home.path());
        cmd.env("GROVE_ENTERPRISE_POLICY", self.home.path().join("no-enterprise.toml"));
        grove_with(cmd, &all, None)
    }

    /// The error a failed request ended with: its kind and message.
    fn error(&self, args: &[&str]) -> (String, String) {
        let run = self.http(args, true);
        let json = run.json();
        // A request the skill was handed wrongly is a usage error.
        let usage = json["error"]["kind"] == "invalid";
        let json = run.expect(if usage { 2 } else { 1 }).json();
        let text =
            |k: &str| json["error"][k].as_str().unwrap_or_else(|| panic!("no error.{k}: {json}")).to_string();
        (text("kind"), text("message"))
    }

    fn audit(&self) -> Vec<Value> {
        audit(self.repo.path())
    }
}

fn audit(repo: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(repo.join(".git/grove/audit.jsonl")).unwrap_or_default();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

const LOOPBACK_ALLOWED: &str = "[hosts]\nallow = [\"127.0.0.1\"]\n";

#[test]
fn a_host_the_policy_names_is_reached_and_answers() {
    let server = Server::start();
    let s = Setup::new(LOOPBACK_ALLOWED);
    let run = s.http(&["GET", &server.url("/hello")], false).expect(0);
    assert_eq!(run.stdout.trim(), "status 200\nhello from the server");
    // A POST's body arrives, with the skill's own header.
    let run = s.http(&["POST", &server.url("/echo"), "the body"], false).expect(0);
    assert_eq!(run.stdout.trim(), "status 200\nPOST the body x-probe=true");
    let post = server.seen().into_iter().find(|r| r.method == "POST").unwrap();
    // Nothing of the host's goes along: no cookie, no credentials.
    let names: Vec<&str> = post.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        !names.iter().any(|n| ["cookie", "authorization", "proxy-authorization"].contains(n)),
        "{names:?}"
    );
    // Every request is audited as an external action.
    let sent: Vec<Value> = s.audit().into_iter().filter(|l| l["capability"] == "http").collect();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent.iter().all(|l| l["decision"] == "allow" && l["effect"] == "external"), "{sent:?}");
    assert_eq!(sent[0]["target"], server.url("/hello"));
}

#[test]
fn an_address_the_policy_does_not_name_is_refused_with_the_entry_to_add() {
    let server = Server::start();
    let s = Setup::new("");
    let (kind, message) = s.error(&["GET", &server.url("/hello")]);
    assert_eq!(kind, "denied");
    assert!(message.contains("[hosts] allow = [\"127.0.0.1\"]"), "{message}");
    assert!(server.seen().is_empty(), "nothing was sent");
    let last = s.audit().pop().unwrap();
    assert_eq!((&last["decision"], &last["decided_by"]), (&"deny".into(), &"host".into()), "{last}");

    // A repository cannot allow it for itself: its hosts.allow is ignored.
    grove_tests::write(s.repo.path(), ".grove/policy.toml", LOOPBACK_ALLOWED);
    let (kind, _) = s.error(&["GET", &server.url("/hello")]);
    assert_eq!(kind, "denied");
    assert!(server.seen().is_empty());

    // A glob names no address either.
    let s = Setup::new("[hosts]\nallow = [\"*\"]\n");
    assert_eq!(s.error(&["GET", &server.url("/hello")]).0, "denied");
    assert!(server.seen().is_empty());

    // And without the permission, nothing is asked at all.
    let run = grove_with(grove_cmd(s.repo.path(), s.home.path()), &["run", probe(), "http"], None).expect(1);
    assert!(run.stderr.contains("`http` was not granted"), "{}", run.stderr);
}

#[test]
fn each_redirect_is_judged_before_it_is_followed() {
    let server = Server::start();
    let s = Setup::new(LOOPBACK_ALLOWED);
    // Within the allowed host: followed.
    let to_hello = server.url(&format!("/to?{}", server.url("/hello")));
    let run = s.http(&["GET", &to_hello], false).expect(0);
    assert_eq!(run.stdout.trim(), "status 200\nhello from the server");

    // Five redirects are followed, not a sixth.
    let (kind, message) = s.error(&["GET", &server.url("/loop")]);
    assert_eq!(kind, "limit", "{message}");
    assert_eq!(server.seen().iter().filter(|r| r.path == "/loop").count(), 6);

    // To a host the policy does not allow: denied at that hop, never sent.
    let (kind, message) = s.error(&["GET", &server.url("/to?http://evil.example/steal")]);
    assert_eq!(kind, "denied");
    assert!(message.contains("redirect to http://evil.example/steal"), "{message}");
    let audit = s.audit();
    let hop = audit.iter().find(|l| l["target"] == "http://evil.example/steal").expect("the hop is audited");
    assert_eq!(hop["decision"], "deny", "{hop}");

    // Into a private network or the metadata service, whatever the policy's globs say.
    let s = Setup::new("[hosts]\nallow = [\"127.0.0.1\", \"*\"]\n");
    for private in ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/"]
    {
        let (kind, message) = s.error(&["GET", &server.url(&format!("/to?{private}"))]);
        assert_eq!(kind, "denied", "{private}: {message}");
        assert!(message.contains(private), "{message}");
    }
    // A name that resolves to this machine is refused at the resolver: only
    // the address itself is named.
    let port = server.addr.port();
    let (kind, message) = s.error(&["GET", &server.url(&format!("/to?http://localhost:{port}/hello"))]);
    assert_eq!(kind, "denied", "{message}");
    assert!(message.contains("`localhost` resolves to") && message.contains("[\"localhost\"]"), "{message}");
    let reached: Vec<String> = server.seen().into_iter().map(|r| r.path).collect();
    assert_eq!(
        reached.iter().filter(|p| *p == "/hello").count(),
        1,
        "only the first redirect reached /hello: {reached:?}"
    );
}

#[test]
fn answers_are_bounded_in_size_and_time_and_only_http_is_spoken() {
    let server = Server::start();
    let s = Setup::new(LOOPBACK_ALLOWED);
    let (kind, message) = s.error(&["GET", &server.url("/big")]);
    assert_eq!(kind, "limit", "{message}");
    assert!(message.contains("32 MiB"), "{message}");

    let started = Instant::now();
    let (kind, message) = s.error(&["GET", &server.url("/slow"), "", "300"]);
    assert_eq!(kind, "timeout", "{message}");
    assert!(started.elapsed() < Duration::from_secs(8), "{:?}", started.elapsed());

    let (kind, message) = s.error(&["GET", "ftp://127.0.0.1/file"]);
    assert_eq!(kind, "invalid", "{message}");
    assert!(message.contains("ftp"), "{message}");
}

#[test]
fn a_sessions_transcript_tells_each_request_and_hop() {
    let server = Server::start();
    let s = Setup::new(LOOPBACK_ALLOWED);
    let cmd = || {
        let mut cmd = grove_cmd(s.repo.path(), s.home.path());
        cmd.env("GROVE_ENTERPRISE_POLICY", s.home.path().join("no-enterprise.toml"));
        cmd
    };
    let to_hello = server.url(&format!("/to?{}", server.url("/hello")));
    let args = ["new", "fetch", "--skill", probe(), "--allow", "http", "--", "http", "GET", &to_hello];
    grove_with(cmd(), &args, None).expect(0);
    let row = wait_final(cmd, "fetch");
    assert_eq!(row["state"], "done", "{row}");
    let logs = grove_with(cmd(), &["logs", "fetch", "--json"], None).expect(0);
    let told: Vec<Value> = logs
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["kind"] == "http")
        .map(|e| e["data"].clone())
        .collect();
    assert_eq!(told.len(), 2, "the redirect and the answer: {told:?}");
    assert_eq!((&told[0]["status"], &told[0]["url"]), (&302.into(), &to_hello.as_str().into()), "{told:?}");
    assert_eq!(told[1]["status"], 200);
    assert_eq!(told[1]["bytes"], "hello from the server".len());
    assert_eq!(told[1]["method"], "GET");
    assert!(told[1]["duration_ms"].is_u64(), "{told:?}");
    let shown = grove_with(cmd(), &["logs", "fetch", "-v"], None).expect(0).stdout;
    let line = format!("⇄ GET {} → 200 (21 bytes", server.url("/hello"));
    assert!(shown.contains(&line), "{shown}");
}
