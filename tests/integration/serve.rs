//! `grove serve`, the real binary on real repositories: its pages over real
//! HTTP (a raw client on a TcpStream, so every header is the test's own
//! choice) and in a real headless Chromium driven through `grove::browser`.
//! The door (token, cookie, Host, CSRF), hostile text, live updates, the
//! approval queue, merge and remove through the page. Chromium's parts are
//! skipped, saying so, where it is not installed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use grove::browser::{Browser, Page, Viewport};
use grove_tests::model_server::Reply;
use serde_json::{Value, json};

use crate::support::{Lab, grove_cmd, grove_with, probe, wait, wait_final};

/// A `grove serve` started for a test; killed when dropped.
pub(crate) struct Served {
    child: Child,
    port: u16,
    token: String,
    /// `name=value` of the cookie the token became.
    cookie: String,
}

impl Served {
    /// `grove serve` run with `cmd`; waits for the address it prints and
    /// opens the door with its token.
    pub(crate) fn start(mut cmd: Command) -> Served {
        let mut child = cmd
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting grove serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.trim();
        let rest = url.strip_prefix("http://127.0.0.1:").unwrap_or_else(|| panic!("not an address: {url:?}"));
        let (port, token) = rest.split_once("/?token=").unwrap();
        let mut served =
            Served { child, port: port.parse().unwrap(), token: token.to_string(), cookie: String::new() };
        let opened = served.raw("GET", &format!("/?token={}", served.token), &[], None);
        assert_eq!(opened.status, 303, "{opened:?}");
        let set = opened.header("set-cookie").unwrap().to_string();
        served.cookie = set.split(';').next().unwrap().to_string();
        served
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/?token={}", self.port, self.token)
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A request with our Host and nothing else of ours.
    fn raw(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Http {
        let host = self.host();
        let mut all = vec![("Host", host.as_str())];
        all.extend_from_slice(headers);
        http(self.port, method, path, &all, body)
    }

    /// A request with our Host and the cookie.
    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Http {
        let mut all = vec![("Cookie", self.cookie.as_str())];
        all.extend_from_slice(headers);
        self.raw(method, path, &all, body)
    }

    pub(crate) fn get(&self, path: &str) -> Http {
        self.request("GET", path, &[], None)
    }

    /// The CSRF token of the server, from a page's `<meta>`.
    fn csrf(&self) -> String {
        let page = self.get("/").expect(200);
        let at = page.body.find("name=\"csrf-token\" content=\"").unwrap() + 27;
        page.body[at..at + 64].to_string()
    }

    /// A POST as the page's script sends it: the form, the token in a header.
    fn post(&self, path: &str, form: &str) -> Http {
        let csrf = self.csrf();
        let headers =
            [("Content-Type", "application/x-www-form-urlencoded"), ("x-csrf-token", csrf.as_str())];
        self.request("POST", path, &headers, Some(form))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response.
#[derive(Debug)]
pub(crate) struct Http {
    pub(crate) status: u16,
    headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Http {
    /// `GET` of a whole `http://127.0.0.1:PORT/PATH` URL.
    pub(crate) fn fetch(url: &str) -> Http {
        let rest =
            url.strip_prefix("http://127.0.0.1:").unwrap_or_else(|| panic!("not a loopback URL: {url}"));
        let (port, path) = rest.split_once('/').unwrap();
        let host = format!("127.0.0.1:{port}");
        http(port.parse().unwrap(), "GET", &format!("/{path}"), &[("Host", &host)], None)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    #[track_caller]
    fn expect(self, status: u16) -> Http {
        assert_eq!(self.status, status, "{self:?}");
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One HTTP/1.1 request on a fresh connection, exactly as given.
fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Http {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or(""));
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked { unchunk(rest) } else { rest.to_string() };
    Http { status, headers, body }
}

fn unchunk(mut text: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = text.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else { break };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        text = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Request headers: name and value.
type Headers<'a> = Vec<(&'a str, &'a str)>;

/// A session in auto mode whose agent edits a file, then runs a
/// force-push the gate holds for a human, then finishes.
fn push_lab(name: &str) -> Lab {
    let lab = Lab::new(
        &[("notes.md", "draft\n")],
        vec![
            Reply::anthropic()
                .text("Tidying the notes first.")
                .tool_use(
                    "e1",
                    "edit_file",
                    json!({"path": "notes.md", "old_string": "draft", "new_string": "final"}),
                )
                .into(),
            Reply::anthropic()
                .tool_use("p1", "run", json!({"command": format!("git push --force origin grove/{name}")}))
                .into(),
            Reply::anthropic().text("All wrapped up.").into(),
        ],
    );
    lab.grove(&["new", name, "--task", "finalize the notes and publish", "--mode", "auto"]).expect(0);
    lab
}

fn approvals(lab: &Lab) -> Vec<Value> {
    lab.grove(&["approvals", "--all", "--json"]).expect(0).json().as_array().unwrap().clone()
}

/// Wait for the lab's session to wait on an approval; its id.
fn pending_id(lab: &Lab) -> i64 {
    wait(
        || approvals(lab).iter().find(|a| a["state"] == "pending").and_then(|a| a["id"].as_i64()),
        "the push to wait for approval",
    )
}

#[test]
fn nobody_gets_in_without_the_token_or_by_another_name() {
    let dir = grove_tests::repo_with(&[("README.md", "# door\n")]);
    let home = tempfile::tempdir().unwrap();
    let served = Served::start(grove_cmd(dir.path(), home.path()));

    // The token became an HttpOnly, SameSite=Strict cookie, and the
    // address without it.
    let opened = served.raw("GET", &format!("/session/x?token={}&tab=2", served.token), &[], None);
    assert_eq!(opened.header("location"), Some("/session/x?tab=2"), "{opened:?}");
    let cookie = opened.header("set-cookie").unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(cookie.starts_with(&format!("grove-serve-{}=", served.port)), "{cookie}");

    // Without the cookie (or with a wrong token or cookie), nothing: not a
    // page, not the script, not the live stream.
    for path in ["/", "/assets/live.js", "/live/sessions", "/approvals", "/nope"] {
        assert_eq!(served.raw("GET", path, &[], None).status, 401, "{path}");
    }
    assert_eq!(served.raw("GET", "/?token=0000", &[], None).status, 401);
    let forged = format!("grove-serve-{}={}", served.port, "0".repeat(64));
    assert_eq!(served.raw("GET", "/", &[("Cookie", &forged)], None).status, 401);
    let cookie = served.cookie.clone();
    let other_port = format!("grove-serve-{}={}", served.port + 1, served.token);
    assert_eq!(served.raw("GET", "/", &[("Cookie", &other_port)], None).status, 401);

    // Another name for the server is refused even with the cookie and the
    // token: a DNS-rebinding page sends its own.
    let host =
        |host: &str, path: &str| http(served.port, "GET", path, &[("Host", host), ("Cookie", &cookie)], None);
    assert_eq!(host(&format!("evil.example:{}", served.port), "/").status, 403);
    assert_eq!(
        host(&format!("evil.example:{}", served.port), &format!("/?token={}", served.token)).status,
        403
    );
    assert_eq!(host(&format!("127.0.0.1:{}", served.port + 1), "/").status, 403);
    assert_eq!(host("127.0.0.1", "/").status, 403);
    assert_eq!(http(served.port, "GET", "/", &[("Cookie", &cookie)], None).status, 403, "no Host at all");
    assert_eq!(host(&format!("localhost:{}", served.port), "/").status, 200);

    // The strict reading on every response, and no CORS header for anyone.
    let page = served.request("GET", "/", &[("Origin", "http://evil.example")], None).expect(200);
    let csp = page.header("content-security-policy").unwrap();
    for directive in
        ["default-src 'self'", "script-src 'self'", "img-src 'self' data:", "frame-ancestors 'none'"]
    {
        assert!(csp.contains(directive), "{csp}");
    }
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    let preflight = served.request(
        "OPTIONS",
        "/approvals/1/approve",
        &[("Origin", "http://evil.example"), ("Access-Control-Request-Method", "POST")],
        None,
    );
    let refused = served.raw("GET", "/", &[], None);
    for response in [&page, &preflight, &refused] {
        assert!(response.headers.iter().all(|(k, _)| !k.starts_with("access-control-")), "{response:?}");
        assert!(response.header("content-security-policy").is_some(), "{response:?}");
    }
    // The page loads nothing from elsewhere: its one script and stylesheet
    // are the server's own.
    assert!(!page.body.contains("http://") && !page.body.contains("https://"), "{}", page.body);
    assert!(served.get("/assets/live.js").expect(200).body.contains("EventSource"));

    // It listens on loopback only.
    if let Some(ip) = outward_address() {
        let reached = TcpStream::connect_timeout(&(ip, served.port).into(), Duration::from_millis(500));
        assert!(reached.is_err(), "grove serve answered on {ip}");
    }
}

/// This machine's address toward the outside, if it has one (no packet is
/// sent: a UDP socket only picks the route).
fn outward_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    Some(socket.local_addr().ok()?.ip()).filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
}

#[test]
fn a_change_needs_the_csrf_token_from_our_own_page() {
    let lab = push_lab("tidy");
    let id = pending_id(&lab);
    let served = Served::start(lab.cmd());
    let csrf = served.csrf();
    let approve = format!("/approvals/{id}/approve");
    let form = ("Content-Type", "application/x-www-form-urlencoded");

    let attempts: [(&str, Headers<'_>, String); 5] = [
        ("no token", vec![form], String::new()),
        ("a wrong token in the header", vec![form, ("x-csrf-token", "0000")], String::new()),
        ("a wrong token in the form", vec![form], format!("csrf={}", "1".repeat(64))),
        (
            "the right token from another origin",
            vec![form, ("Origin", "http://evil.example")],
            format!("csrf={csrf}"),
        ),
        ("a null origin", vec![form, ("Origin", "null"), ("x-csrf-token", &csrf)], String::new()),
    ];
    for (what, headers, body) in &attempts {
        let refused = served.request("POST", &approve, headers, Some(body));
        assert_eq!(refused.status, 403, "{what}: {refused:?}");
    }
    // The right token without the cookie is not enough either, and no GET
    // changes anything.
    let no_cookie = served.raw("POST", &approve, &[form, ("x-csrf-token", &csrf)], Some(""));
    assert_eq!(no_cookie.status, 401);
    assert_eq!(served.get(&approve).status, 405);
    assert_eq!(approvals(&lab)[0]["state"], "pending", "nothing was answered");

    // A plain form (no script) carries the token as a field: denied, with
    // the reason, in the queue `grove approvals` reads.
    let body = format!("csrf={csrf}&reason=never+force-push+%3Cb%3E");
    let denied = served.request("POST", &format!("/approvals/{id}/deny"), &[form], Some(&body)).expect(200);
    assert!(denied.header("content-type").unwrap().starts_with("text/html"));
    assert!(denied.body.contains(&format!("#{id} denied")), "{}", denied.body);
    let answered = &approvals(&lab)[0];
    assert_eq!(
        (answered["state"].as_str(), answered["decided_by"].as_str()),
        (Some("denied"), Some("human:deny"))
    );
    assert_eq!(answered["reason"], "never force-push <b>");
    // First answer wins: approving now says why not.
    let late = served.post(&approve, "").expect(409).json();
    assert_eq!(late["ok"], false);
    assert!(late["message"].as_str().unwrap().contains("no longer pending"), "{late}");
    assert_eq!(lab.wait_final("tidy")["state"], "done");
}

#[test]
fn merge_and_remove_keep_every_check_of_the_commands() {
    let dir = grove_tests::repo_with(&[("README.md", "# merge\n")]);
    let home = tempfile::tempdir().unwrap();
    let cmd = || grove_cmd(dir.path(), home.path());
    grove_with(cmd(), &["new", "gamma", "--skill", "hello"], None).expect(0);
    let row = wait_final(cmd, "gamma");
    let worktree = PathBuf::from(row["path"].as_str().unwrap());
    let served = Served::start(cmd());

    // Uncommitted work in the session: remove refuses, in `grove rm`'s words.
    grove_tests::write(&worktree, "work.txt", "work\n");
    let refused = served.post("/session/gamma/rm", "").expect(409).json();
    assert!(refused["message"].as_str().unwrap().contains("would lose 1 uncommitted change"), "{refused}");
    assert!(refused["hint"].as_str().unwrap().contains("grove merge gamma"), "{refused}");
    assert!(worktree.join("work.txt").is_file());
    // Committed but not merged: still refused.
    grove_tests::commit_all(&git2::Repository::open(&worktree).unwrap(), "work");
    let refused = served.post("/session/gamma/rm", "").expect(409).json();
    assert!(refused["message"].as_str().unwrap().contains("1 unmerged commit"), "{refused}");

    // The main worktree has the user's own edit: merge refuses and leaves it.
    grove_tests::write(dir.path(), "README.md", "# my own edit\n");
    let refused = served.post("/session/gamma/merge", "mode=squash").expect(409).json();
    assert!(refused["message"].as_str().unwrap().contains("uncommitted changes: README.md"), "{refused}");
    assert_eq!(std::fs::read_to_string(dir.path().join("README.md")).unwrap(), "# my own edit\n");
    assert!(!dir.path().join("work.txt").exists());
    assert_eq!(served.post("/session/gamma/merge", "mode=octopus").status, 409);

    grove_tests::write(dir.path(), "README.md", "# merge\n");
    let merged = served.post("/session/gamma/merge", "mode=squash").expect(200).json();
    assert!(merged["message"].as_str().unwrap().starts_with("merged gamma into "), "{merged}");
    assert_eq!(std::fs::read_to_string(dir.path().join("work.txt")).unwrap(), "work\n");

    let removed = served.post("/session/gamma/rm", "").expect(200).json();
    assert_eq!(removed["location"], "/", "{removed}");
    assert!(removed["message"].as_str().unwrap().starts_with("removed gamma"), "{removed}");
    assert!(!worktree.exists());
    assert!(grove_with(cmd(), &["ls", "--json"], None).expect(0).json().as_array().unwrap().is_empty());
    assert_eq!(served.get("/session/gamma").status, 404);
}

/// Text that would run, break out of an attribute or act on a terminal if
/// any of it were not escaped.
const HOSTILE: &str = "\u{1b}]0;owned\u{7}\u{1b}[2J<script>window.__pwned=1</script>\"onmouseover=\"window.__pwned=2\" \
     ' autofocus onfocus='window.__pwned=3' </pre></code><img src=x onerror=window.__pwned=4>";

#[test]
fn hostile_names_tasks_and_transcripts_are_text() {
    let dir = grove_tests::repo_with(&[("README.md", "# hostile\n")]);
    let home = tempfile::tempdir().unwrap();
    grove_with(
        grove_cmd(dir.path(), home.path()),
        &["new", "plain", "--skill", "hello", "--task", HOSTILE],
        None,
    )
    .expect(0);
    wait_final(|| grove_cmd(dir.path(), home.path()), "plain");
    // Another writer of the store (an older or newer grove, a skill's
    // bug) could leave any name at all.
    let name = "<img src=x onerror=window.__pwned=5>";
    let store = grove::session::Store::open(&dir.path().join(".git")).unwrap();
    store
        .insert(&grove::session::NewSession {
            name: name.into(),
            branch: "grove/hostile".into(),
            base_ref: None,
            base_commit: "0".repeat(40),
            path: "/nowhere".into(),
            task: Some(HOSTILE.into()),
            skill: "<b>skill</b>".into(),
            args: vec![],
            allow: vec![],
            timeout_ms: None,
            mode: Some(HOSTILE.into()),
            model: None,
            parent: None,
            then: vec![],
        })
        .unwrap();
    let id = store.session_id(name).unwrap();
    store.append(id, "text", &json!({ "text": HOSTILE }).to_string()).unwrap();
    store.append(id, "tool", &json!({ "id": "t", "name": HOSTILE, "input": "{}" }).to_string()).unwrap();
    let reasons = [HOSTILE.to_string()];
    store
        .request_approval(&grove::session::NewApproval {
            session: name,
            skill: "<b>",
            capability: "process",
            verb: "run",
            target: HOSTILE,
            level: "high\" onclick=\"window.__pwned=6",
            reasons: &reasons,
        })
        .unwrap();
    let served = Served::start(grove_cmd(dir.path(), home.path()));

    let href = format!("/session/{}", name.bytes().map(|b| format!("%{b:02X}")).collect::<String>());
    for path in ["/", "/approvals", "/session/plain", href.as_str()] {
        let page = served.get(path).expect(200);
        let body = &page.body;
        for raw in
            ["<script>window", "<img src=x", "\"onmouseover=\"", "' autofocus", "\u{1b}", "<b>", "\" onclick"]
        {
            assert!(!body.contains(raw), "{path} holds {raw:?} unescaped:\n{body}");
        }
        assert!(
            body.contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;&quot;onmouseover="),
            "{path}:\n{body}"
        );
        assert!(body.contains("\\x1b]0;owned\\x07"), "{path}: escape sequences are spelled out:\n{body}");
        assert_eq!(body.matches("<script").count(), 1, "{path}: only the page's own script");
    }
    // The live stream sends the same escaped regions.
    let stream = sse(&served, "/live/sessions?v=999", "sessions");
    assert!(
        stream.contains("&lt;img src=x onerror=window.__pwned=5&gt;") && !stream.contains("<img src=x"),
        "{stream}"
    );

    needs_chromium!();
    let chrome = Chrome::start(served.port);
    let page = chrome.page();
    for path in ["/", "/approvals", "/session/plain", href.as_str()] {
        chrome.goto(&page, &served, path);
        let dom = chrome.eval(&page, "[window.__pwned ?? null, document.scripts.length, document.querySelectorAll('img[src=\"x\"]').length]");
        assert_eq!(dom, json!([null, 1, 0]), "{path}");
        // Hovering and focusing do nothing either.
        chrome.eval(&page, "document.querySelectorAll('*').forEach(e => { e.dispatchEvent(new MouseEvent('mouseover')); e.focus?.(); }); null");
        assert_eq!(chrome.eval(&page, "window.__pwned ?? null"), Value::Null, "{path}");
        chrome.assert_clean(&page, path);
    }
}

/// The first `region` event named `id` of the live stream at `path`.
fn sse(served: &Served, path: &str, id: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", served.port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\n\r\n", served.host(), served.cookie);
    stream.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let needle = format!("\"id\":\"{id}\"");
    while reader.read_line(&mut line).unwrap() > 0 {
        if line.starts_with("data:") && line.contains(&needle) {
            return line;
        }
        line.clear();
    }
    panic!("the stream ended without {id}");
}

/// A headless Chromium that may load only the server's pages: anything
/// else it asks for is refused and kept, and a test fails on it.
struct Chrome {
    runtime: tokio::runtime::Runtime,
    browser: Option<Browser>,
    blocked: Arc<Mutex<Vec<String>>>,
}

impl Chrome {
    fn start(port: u16) -> Chrome {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let ours = format!("http://127.0.0.1:{port}/");
        let egress: grove::browser::Egress = Arc::new(move |_: &str, url: &str| {
            if url.starts_with(&ours) || url.starts_with("data:") || url == "about:blank" {
                Ok(())
            } else {
                Err("only grove serve's own pages".to_string())
            }
        });
        let blocked = Arc::new(Mutex::new(Vec::new()));
        let kept = blocked.clone();
        let on_blocked: grove::browser::OnBlocked =
            Arc::new(move |url: &str, _: &str| kept.lock().unwrap().push(url.to_string()));
        let browser = runtime.block_on(Browser::start(egress, on_blocked, None)).expect("starting chromium");
        Chrome { runtime, browser: Some(browser), blocked }
    }

    fn page(&self) -> Page {
        let viewport = Viewport { width: 1280, height: 900 };
        self.runtime.block_on(Page::open(self.browser.as_ref().unwrap(), viewport)).unwrap()
    }

    /// Open `path` of the server (the first time through the address with
    /// the token, as a person would).
    fn goto(&self, page: &Page, served: &Served, path: &str) {
        let url = if path == "/" { served.url() } else { format!("http://{}{path}", served.host()) };
        self.runtime.block_on(page.goto(&url, Duration::from_secs(30))).unwrap();
        // The page is live once its stream is open.
        self.wait(
            page,
            "document.querySelector('#live-status')?.textContent === 'live' || !document.body.dataset.live",
        );
    }

    fn eval(&self, page: &Page, script: &str) -> Value {
        let out = self.runtime.block_on(page.eval(script)).unwrap_or_else(|e| panic!("{script}: {e}"));
        serde_json::from_str(&out).unwrap()
    }

    /// Wait up to ten seconds for `test` to be true in the page.
    #[track_caller]
    fn wait(&self, page: &Page, test: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.eval(page, &format!("Boolean({test})")) != Value::Bool(true) {
            let text = self.eval(page, "document.body ? document.body.innerText : ''");
            assert!(Instant::now() < deadline, "never true: {test}\n{}", text.as_str().unwrap_or(""));
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_text(&self, page: &Page, text: &str) {
        self.wait(page, &format!("document.body.innerText.includes({})", json!(text)));
    }

    /// No console error, no failed request (but the live stream the last
    /// navigation cut), nothing refused.
    #[track_caller]
    fn assert_clean(&self, page: &Page, what: &str) {
        assert_eq!(page.console_errors(), Vec::<String>::new(), "{what}: console errors");
        let failed: Vec<String> = page
            .failed_requests()
            .into_iter()
            .filter(|f| !(f.contains("/live/") && f.contains("ERR_ABORTED")))
            .collect();
        assert_eq!(failed, Vec::<String>::new(), "{what}: failed requests");
        assert_eq!(*self.blocked.lock().unwrap(), Vec::<String>::new(), "{what}: requests to elsewhere");
    }

    fn screenshot(&self, page: &Page, name: &str) -> PathBuf {
        let png = self.runtime.block_on(page.screenshot(true)).unwrap();
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        std::fs::write(&path, png).unwrap();
        path
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        // The browser's tasks live on the runtime: drop it inside.
        let browser = self.browser.take();
        self.runtime.block_on(async move { drop(browser) });
    }
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

#[test]
fn the_pages_load_clean_and_the_approve_button_answers_the_queue() {
    needs_chromium!();
    let lab = push_lab("tidy");
    let id = pending_id(&lab);
    grove_with(lab.cmd(), &["new", "docs", "--skill", "hello", "--task", "say hello"], None).expect(0);
    lab.wait_final("docs");
    // Evidence: a real review of the session's change, kept by code-review
    // in the session's bundle, and a screenshot.
    let git_dir = lab.root().join(".git");
    let bundle = grove::evidence::bundle::Bundle::at(&git_dir, "tidy");
    let review = json!({"findings": [{"path": "notes.md", "line": 1, "severity": "warning", "rule": "docs/tone",
        "message": "a <b>loud</b> note"}], "summary": {"errors": 0, "warnings": 1, "infos": 0}, "base": "main"});
    let add = |kind, caption: &str, bytes: &[u8]| {
        let new = grove::evidence::bundle::New { kind, caption, bytes, skill: "code-review", commit: None };
        bundle.add(new).unwrap();
    };
    add(grove::evidence::bundle::Kind::Json, "code-review: 1 warning", review.to_string().as_bytes());
    add(grove::evidence::bundle::Kind::Png, "the notes page", &png(160, 90));
    let served = Served::start(lab.cmd());
    let chrome = Chrome::start(served.port);
    let page = chrome.page();

    chrome.goto(&page, &served, "/");
    chrome.wait(&page, "document.querySelector('[data-session=\"tidy\"] [data-state=\"waiting-approval\"]')");
    chrome.wait_text(&page, "docs");
    chrome.assert_clean(&page, "the sessions page");
    let shot = chrome.screenshot(&page, "serve-sessions.png");
    eprintln!("the sessions page: {}", shot.display());

    chrome.goto(&page, &served, "/approvals");
    chrome.wait_text(&page, "git push --force origin grove/tidy");
    chrome.assert_clean(&page, "the approvals page");

    chrome.goto(&page, &served, "/session/tidy");
    chrome.wait_text(&page, "Tidying the notes first.");
    chrome.wait_text(&page, "a <b>loud</b> note");
    chrome.wait(&page, "document.querySelector('figure.shot img')?.naturalWidth === 160");
    chrome.wait(&page, "document.querySelector('#diff .add')");
    chrome.assert_clean(&page, "the session page");
    chrome.screenshot(&page, "serve-session.png");

    // Approve with the button; the page is not reloaded (the mark stays)
    // while the session goes on and finishes.
    chrome.eval(&page, "window.__stay = 1");
    chrome.runtime.block_on(page.click(&format!("#approval-{id} form.approve button"))).unwrap();
    chrome.wait_text(&page, &format!("#{id} allowed once"));
    let answered = &approvals(&lab)[0];
    assert_eq!(answered["state"], "allowed", "{answered}");
    assert_eq!(answered["decided_by"], "human:approve", "{answered}");
    assert_eq!(answered["always"], false, "{answered}");
    assert_eq!(lab.wait_final("tidy")["state"], "done");
    chrome.wait(&page, "document.querySelector('#head [data-state=\"done\"]')");
    chrome.wait_text(&page, "All wrapped up.");
    chrome.wait_text(&page, "Nothing is waiting for you.");
    assert_eq!(chrome.eval(&page, "window.__stay"), json!(1), "the page was not reloaded");
    chrome.assert_clean(&page, "the session page, live");

    // A refusal shows on the page: docs has nothing to merge.
    chrome.goto(&page, &served, "/session/docs");
    chrome.runtime.block_on(page.click("details.act-merge summary")).unwrap();
    chrome.runtime.block_on(page.click("form.merge button")).unwrap();
    chrome.wait(&page, "document.querySelector('#flash.bad')?.textContent.includes('nothing to merge')");
    chrome.assert_clean(&page, "a refused merge");
    chrome.screenshot(&page, "serve-refused-merge.png");

    // A prototype comparison, framed under its own policy.
    let run = git_dir.join("grove/prototype/run-1");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::write(run.join("index.html"), "<!doctype html><title>p</title><h1 id=proto>A or B</h1>")
        .unwrap();
    chrome.goto(&page, &served, "/prototype/run-1");
    chrome.wait(&page, "document.querySelector('iframe.prototype')?.contentDocument === null");
    chrome.assert_clean(&page, "the prototype page");
    let file = served.get("/prototype/run-1/index.html").expect(200);
    let csp = file.header("content-security-policy").unwrap();
    assert!(csp.contains("sandbox") && csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(served.get("/prototype/run-2").status, 404);
    assert_eq!(served.get("/prototype/..%2F..%2Fgrove/index.html").status, 404);
}

#[test]
fn a_prototype_run_says_where_grove_serve_shows_it() {
    needs_chromium!();
    let repo = crate::prototype::demo::repo();
    let home = tempfile::tempdir().unwrap();
    grove_tests::write(home.path(), "grove/policy.toml", crate::evidence_skill::ALLOW_THE_SERVER);
    let cmd = || {
        let mut cmd = grove_cmd(repo.path(), home.path());
        for var in grove_tests::model_server::PROVIDER_VARS {
            cmd.env_remove(var);
        }
        cmd
    };
    let served = Served::start(cmd());
    let cassette = crate::prototype::demo::dir().join("demo.jsonl");
    let run = grove_with(
        cmd(),
        &["run", "prototype", "--replay", cassette.to_str().unwrap(), crate::prototype::demo::TASK],
        None,
    )
    .expect(0);
    let said = format!("{}{}", run.stdout, run.stderr);
    let at = format!("in grove serve: http://127.0.0.1:{}/report/", served.port);
    let start = said.find(&at).unwrap_or_else(|| panic!("no address of the page: {said}")) + at.len() - 8;
    let path = said[start..].split_whitespace().next().unwrap().to_string();
    assert!(path.starts_with("/report/prototype-") && path.ends_with(".html"), "{path}");

    // The report, framed; the comparison by its run's name, too.
    let frame = served.get(&path).expect(200);
    assert!(frame.body.contains(&format!("src=\"{path}/page\"")), "{}", frame.body);
    let page = served.get(&format!("{path}/page")).expect(200);
    assert_eq!(page.body.matches("<article class=\"card\"").count(), 5);
    assert!(page.header("content-security-policy").unwrap().contains("sandbox"));
    let run_name =
        page.body.split("<title>prototype ").nth(1).unwrap().split('<').next().unwrap().to_string();
    let compare = served.get(&format!("/prototype/{run_name}")).expect(200);
    assert!(compare.body.contains("iframe class=\"prototype\""), "{}", compare.body);
    assert_eq!(served.get("/report/serve.json").status, 404);
    assert_eq!(served.get("/report/..%2Fserve.json/page").status, 404);

    // In the browser: the page loads clean; its screenshot is kept.
    let chrome = Chrome::start(served.port);
    let tab = chrome.page();
    chrome.goto(&tab, &served, "/");
    chrome.goto(&tab, &served, &format!("/prototype/{run_name}"));
    chrome.wait(&tab, "document.querySelector('iframe.prototype')");
    chrome.assert_clean(&tab, "the prototype page");
    let shot = chrome.screenshot(&tab, "serve-prototype.png");
    eprintln!("the prototype page in grove serve: {}", shot.display());
}

/// A PNG of `width`×`height`.
fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x * 2) as u8, (y * 3) as u8, 160, 255])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

#[test]
fn a_state_change_reaches_an_open_page_within_a_second() {
    needs_chromium!();
    let dir = grove_tests::repo_with(&[("README.md", "# live\n")]);
    let home = tempfile::tempdir().unwrap();
    let cmd = || grove_cmd(dir.path(), home.path());
    let args = ["new", "idle", "--skill", probe(), "--allow", "process", "--", "run", "sleep", "30"];
    grove_with(cmd(), &args, None).expect(0);
    let served = Served::start(cmd());
    let chrome = Chrome::start(served.port);
    let page = chrome.page();
    chrome.goto(&page, &served, "/");
    chrome.wait(&page, "document.querySelector('[data-session=\"idle\"] [data-state=\"running\"]')");
    chrome.eval(
        &page,
        "window.__stay = 1; new MutationObserver((_, seen) => {
           if (document.querySelector('[data-session=\"idle\"] [data-state=\"cancelled\"]')) {
             window.__changedAt = Date.now(); seen.disconnect();
           }
         }).observe(document.body, { subtree: true, childList: true, characterData: true }); null",
    );
    let started = now_ms();
    grove_with(cmd(), &["cancel", "idle"], None).expect(0);
    chrome.wait(&page, "window.__changedAt");
    let changed = chrome.eval(&page, "window.__changedAt").as_i64().unwrap();
    // From before `grove cancel` started (its process, the store, the
    // watcher, the render, the stream) to the page.
    let took = changed - started;
    eprintln!("`grove cancel` to the open page: {took} ms");
    assert!(took < 1_000, "the page heard of it after {took} ms");
    assert_eq!(chrome.eval(&page, "window.__stay"), json!(1), "the page was not reloaded");
    chrome.assert_clean(&page, "the sessions page, live");
}
